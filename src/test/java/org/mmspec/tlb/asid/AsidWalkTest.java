package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Random walks over random configurations of every architecture with ASID-1..4 after every step
 * and random, often bad, kernel calls whose rejection must change nothing; and, for each seeded
 * bug, a walk that catches it and shrinks the run to a few steps.
 */
class AsidWalkTest {
    private static final long SEED = 0x7a51dL;

    private static CheckSettings settings(int runs) {
        return CheckSettings.fromSystemProperties(AsidSuites.WALK_STEPS).withRuns(runs).withSeed(SEED);
    }

    @Test
    void randomWalksKeepEveryInvariantAndRejectBadCallsAtomically() {
        StatefulChecker.Report r = StatefulChecker.check(new AsidWalkMachine(), settings(200));
        assertThat(r.steps()).isPositive();
    }

    @Test
    void suiteIsRegisteredAndPasses() {
        for (CheckSuite s : AsidSuites.all()) {
            CheckSuite.Result r = s.run();
            assertThat(r.passed()).as(r.detail()).isTrue();
            assertThat(s.invariantIds()).containsExactly("ASID-1", "ASID-2", "ASID-3", "ASID-4");
        }
        assertThat(org.mmspec.Catalog.suites()).extracting(CheckSuite::name).contains("tlb-asid-walk (stateful, model-based)");
    }

    private static StatefulFailure failure(AsidBug bug, AsidArch arch) {
        try {
            StatefulChecker.check(new AsidWalkMachine(bug, arch), settings(2000));
        } catch (StatefulFailure f) {
            System.out.println(f.getMessage());
            return f;
        }
        throw new AssertionError("the seeded bug " + bug + " was not caught on " + arch);
    }

    private static void assertCaughtBy(StatefulFailure f, String id, int maxSteps) {
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isEqualTo(id);
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(maxSteps);
    }

    @Test
    void ASID_3_walkCatchesARolloverThatDoesNotFlushTheOtherCpus() {
        StatefulFailure f = failure(AsidBug.ROLLOVER_NO_FLUSH, AsidArch.AARCH64);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("ASID-1", "ASID-3");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(8);
    }

    @Test
    void ASID_2_walkCatchesARolloverThatDoesNotBumpTheGeneration() {
        assertCaughtBy(failure(AsidBug.ROLLOVER_NO_BUMP, AsidArch.RISCV), "ASID-2", 8);
    }

    @Test
    void ASID_1_walkCatchesAHugePageSplitWithoutShootdown() {
        assertCaughtBy(failure(AsidBug.SPLIT_NO_SHOOTDOWN, null), "ASID-1", 6);
    }

    @Test
    void ASID_1_walkCatchesALazyCpuResumingWithoutTheCatchUp() {
        assertCaughtBy(failure(AsidBug.LAZY_NO_CATCHUP, AsidArch.X86_PCID), "ASID-1", 8);
    }

    @Test
    void ASID_4_walkCatchesARiscvShootdownThatMissesACpuWhichSwitchedAway() {
        StatefulFailure f = failure(AsidBug.MASK_RUNNING_ONLY, AsidArch.RISCV);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("ASID-1", "ASID-4");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(10);
    }

    @Test
    void ASID_1_walkCatchesAPcidSlotRecycledWithoutAFlush() {
        StatefulFailure f = failure(AsidBug.PCID_REUSE_NO_FLUSH, AsidArch.X86_PCID);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("ASID-1", "ASID-3");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(5);
    }
}
