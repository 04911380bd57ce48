package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.tlb.SeededBug;

/**
 * The integrated system under random vm operations, speculative fills from the real page tables,
 * context switches and lazy catch-ups, compared with the TLB-less model after every step; and each
 * seeded integration bug caught with a shrunk counterexample naming its invariant.
 */
class SmpStatefulTest {
    private static final long SEED = 20261126L;

    private static CheckSettings settings(int runs) {
        return CheckSettings.fromSystemProperties(40).withRuns(runs).withSeed(SEED);
    }

    @Test
    void synchronousShootdownKeepsEveryInvariant() {
        StatefulChecker.check(new SmpStateMachine(false), settings(150));
    }

    @Test
    void lazyShootdownKeepsEveryInvariant() {
        StatefulChecker.check(new SmpStateMachine(true), settings(150));
    }

    private static StatefulFailure failure(SmpMachine.Bug bug, SeededBug protocolBug, boolean lazy) {
        try {
            StatefulChecker.check(new SmpStateMachine(lazy, bug, protocolBug), settings(400));
        } catch (StatefulFailure f) {
            System.out.println(f.getMessage());
            return f;
        }
        throw new AssertionError("the seeded bug " + bug + "/" + protocolBug + " was not caught");
    }

    private static void assertCaughtBy(StatefulFailure f, String id, int maxSteps) {
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isEqualTo(id);
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(maxSteps);
    }

    @Test
    void TLB_2_catchesVmFreeingBeforeTheShootdown() {
        assertCaughtBy(failure(SmpMachine.Bug.VM_FREES_BEFORE_SHOOTDOWN, SeededBug.NONE, false), "TLB-2", 6);
    }

    @Test
    void TLB_3_catchesMprotectSkippingTheShootdownOnDowngrade() {
        assertCaughtBy(failure(SmpMachine.Bug.MPROTECT_SKIPS_SHOOTDOWN, SeededBug.NONE, false), "TLB-3", 6);
    }

    @Test
    void TLB_2_catchesCowBreakWithoutFlush() {
        StatefulFailure f = failure(SmpMachine.Bug.COW_BREAK_WITHOUT_FLUSH, SeededBug.NONE, false);
        // Freed at once (TLB-2) when the break dropped the last other reference, else left stale (TLB-4).
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-2", "TLB-4");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(10);
    }

    @Test
    void TLB_1_catchesAMaskWithoutTheOtherActiveCpus() {
        StatefulFailure f = failure(SmpMachine.Bug.MASK_INITIATOR_ONLY, SeededBug.NONE, false);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-1", "TLB-3");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(6);
    }

    @Test
    void TLB_1_catchesTheProtocolsAckBeforeInvalidateThroughTheVm() {
        StatefulFailure f = failure(SmpMachine.Bug.NONE, SeededBug.ACK_BEFORE_INVALIDATE, false);
        // Reported at the shootdown's completion: TLB-1 for a removed page, TLB-3 for a downgrade (fork's, say).
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-1", "TLB-3");
        assertThat(f.steps()).hasSizeLessThanOrEqualTo(6);
    }

    @Test
    void TLB_2_catchesTheProtocolsFreeBeforeAcksThroughTheVm() {
        assertCaughtBy(failure(SmpMachine.Bug.NONE, SeededBug.FREE_BEFORE_ACKS, false), "TLB-2", 6);
    }

    @Test
    void TLB_1_catchesTheProtocolsMissingCpuThroughTheVm() {
        StatefulFailure f = failure(SmpMachine.Bug.NONE, SeededBug.MISSING_CPU, false);
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-1", "TLB-2", "TLB-3");
    }

    @Test
    void TLB_1_catchesTheProtocolsRangeOffByOneThroughTheVm() {
        StatefulFailure f = failure(SmpMachine.Bug.NONE, SeededBug.RANGE_OFF_BY_ONE, false);
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-1", "TLB-2", "TLB-3");
    }

    @Test
    void TLB_2_catchesLazyReuseEarlyThroughTheVm() {
        StatefulFailure f = failure(SmpMachine.Bug.NONE, SeededBug.LAZY_REUSE_EARLY, true);
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isIn("TLB-2", "TLB-4");
    }

    @Test
    void aRejectedMachineCallLeavesTheStateAlone() {
        assertThatThrownBy(() -> new SmpStateMachine(false).init(org.mmspec.check.Choices.replay(new long[0]))
                .impl.switchTo(0, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
