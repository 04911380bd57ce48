package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/** The stateful checks catch each seeded PageMapper bug, naming the invariant it breaks. */
class PagingSeededBugTest {

    /**
     * Runs per seeded bug, fixed rather than taken from {@code mmspec.runs}: a seeded bug must be
     * caught under any run count a user or PIT chooses, and some need a few dozen runs to be reached.
     */
    private static final int SEEDED_BUG_RUNS = 100;

    private static String caught(PteFormat f, PageMapper.Bug bug) {
        StatefulFailure failure = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(new PagingMachine(f, bug), CheckSettings.fromSystemProperties(40).withSeed(7).withRuns(SEEDED_BUG_RUNS)));
        assertThat(failure).as("%s with %s must fail", f, bug).isNotNull();
        System.out.println(org.apache.commons.lang3.StringUtils.abbreviate(failure.getMessage(), 1500));
        return failure.failure() instanceof InvariantViolation iv ? iv.invariantId() : failure.failure().getClass().getSimpleName();
    }

    /**
     * Shrinking prefers the simplest failure: a read-only huge page whose split pieces became
     * executable, which only the model sees. The exhaustive model (PagingModelsTest) and
     * PagingInvariantsTest show WX-1 itself catching the writable case.
     */
    @Test
    void splitThatDropsNxIsCaught() {
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.SPLIT_DROPS_NX)).isIn("WX-1", "ModelMismatch");
        assertThat(caught(Aarch64Pte.G16K, PageMapper.Bug.SPLIT_DROPS_NX)).isIn("WX-1", "ModelMismatch");
        assertThat(caught(RiscvPte.SV39, PageMapper.Bug.SPLIT_DROPS_NX)).isIn("WX-1", "ModelMismatch");
    }

    @Test
    void updateFlagsWithoutWxCheckIsCaught() {
        // The model expects WX_VIOLATION; the bug maps W+X, which the invariant or the model flags first.
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.UPDATE_SKIPS_WX_CHECK)).isIn("WX-1", "ModelMismatch");
    }

    @Test
    void PT_4_catchesMissingReclaim() {
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.NO_RECLAIM)).isEqualTo("PT-4");
        assertThat(caught(Aarch64Pte.G64K, PageMapper.Bug.NO_RECLAIM)).isEqualTo("PT-4");
    }

    @Test
    void PT_3_catchesLeakedReclaimedTable() {
        assertThat(caught(RiscvPte.SV48, PageMapper.Bug.LEAK_RECLAIMED_TABLE)).isEqualTo("PT-3");
    }

    @Test
    void PTE_2_catchesHugeBitAtLastLevel() {
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.HUGE_BIT_AT_LAST_LEVEL)).isEqualTo("PTE-2");
        assertThat(caught(Aarch64Pte.G4K, PageMapper.Bug.HUGE_BIT_AT_LAST_LEVEL)).isEqualTo("PTE-2");
        assertThat(caught(RiscvPte.SV39, PageMapper.Bug.HUGE_BIT_AT_LAST_LEVEL)).isEqualTo("PTE-2");
    }
}
