package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.InductivenessCheck;

/** The area invariants are inductive for mmap/mprotect/munmap at the bounded scope. */
class VmInductiveTest {

    @Test
    void areaInvariantsAreInductiveForTheUserApi() {
        InductivenessCheck.Result r = VmInductive.check().assertPassed();
        System.out.printf("vm-inductive: %d states in scope, %d satisfying, %d transitions, %d ms%n", r.statesInScope(),
                r.statesSatisfying(), r.transitionsChecked(), r.elapsed().toMillis());
        assertThat(r.statesSatisfying()).isPositive();
    }

    @Test
    void seededBugBreaksTheInductiveStep() {
        InductivenessCheck.Result r = InductivenessCheck.check("vm-inductive[MPROTECT_NO_MERGE]",
                VmInductive.scope(VmSystem.Bug.MPROTECT_NO_MERGE), VmInductive.system());
        assertThat(r.counterexample()).hasValueSatisfying(c -> assertThat(c.invariantId()).isEqualTo("VMA-3"));
        r = InductivenessCheck.check("vm-inductive[WX_UNCHECKED]", VmInductive.scope(VmSystem.Bug.WX_UNCHECKED),
                VmInductive.system());
        assertThat(r.counterexample()).hasValueSatisfying(c -> assertThat(c.invariantId()).isEqualTo("AS-3"));
    }
}
