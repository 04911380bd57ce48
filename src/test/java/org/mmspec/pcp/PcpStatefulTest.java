package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Random machines and operation sequences against the per-CPU caches, compared after every step
 * with the sequential NUMA allocator; every PCP invariant after every step; every rejection
 * checked to change nothing; failures shrunk. Each seeded bug that takes effect without threads
 * must be caught and shrunk to a short counterexample naming the broken invariant.
 */
class PcpStatefulTest {
    private static CheckSettings settings() {
        return CheckSettings.fromSystemProperties(PcpSuites.STEPS);
    }

    @Test
    void perCpuCachesAgreeWithTheSequentialAllocator() {
        StatefulChecker.Report r = StatefulChecker.check(new PcpStateMachine(), settings());
        assertThat(r.steps()).isPositive();
    }

    @Test
    void PCP_2_aRefillThatTakesAFrameTwiceIsCaught() {
        assertThatThrownBy(() -> StatefulChecker.check(new PcpStateMachine(Bug.REFILL_TAKES_TWICE), settings().withSeed(1)))
                .isInstanceOf(StatefulFailure.class).hasMessageMatching("(?s).*(PCP-1|PCP-2).*");
    }

    @Test
    void PCP_1_aDrainThatLosesAFrameIsCaught() {
        assertThatThrownBy(() -> StatefulChecker.check(new PcpStateMachine(Bug.DRAIN_LOSES_FRAME), settings().withSeed(2)))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("PCP-1");
    }

    @Test
    void PCP_4_aWatermarkOffByOneIsCaught() {
        assertThatThrownBy(() -> StatefulChecker.check(new PcpStateMachine(Bug.WATERMARK_OFF_BY_ONE), settings().withSeed(3)))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("PCP-4");
    }

    @Test
    void PCP_3_aPressurePathThatSkipsTheCachesIsCaught() {
        assertThatThrownBy(() -> StatefulChecker.check(new PcpStateMachine(Bug.PRESSURE_SKIPS_CACHES), settings().withSeed(4)))
                .isInstanceOf(StatefulFailure.class).hasMessageMatching("(?s).*(PCP-3|succeeds exactly when the sequential).*");
    }

    @Test
    void aMissingNodeLockChangesNothingWithoutThreads() {
        // The race needs two threads (PcpLincheckTest, models/pcp-jpf-refill-race); sequentially the
        // bug is invisible, which is why those checks exist.
        StatefulChecker.check(new PcpStateMachine(Bug.NO_NODE_LOCK), settings().withSeed(5));
    }
}
