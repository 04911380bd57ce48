package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.LivenessRuns;
import org.mmspec.check.Manifest;

/**
 * SMP-L1 (spec/tlb.md §7.3): the seeded bug no-tick-catch-up passes TLB-1..4, every vm invariant
 * and the deadlock check, and only the liveness check catches it.
 */
class SmpLivenessTest {
    private static final SmpModel MODEL = new SmpModel();

    @Test
    void SMP_L1_catchesACpuThatNeverCatchesUp() {
        ExplorationResult safety = LivenessRuns.run(MODEL, "bug-no-tick-catch-up-safety");
        assertThat(safety.passed()).isTrue();
        assertThat(safety.complete()).isTrue();
        ExplorationResult live = LivenessRuns.run(MODEL, "bug-no-tick-catch-up");
        assertThat(Manifest.verdict(live)).isEqualTo("fail:SMP-L1");
        Counterexample c = live.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(c.failure()).startsWith("SMP-L1 violated (every deferred frame is released) for frame ");
        assertThat(c.steps().get(c.cycleStart()).label()).contains("munmap");
        assertThat(LivenessRuns.cycle(c)).containsExactly("release deferred frames");
        assertThat(live.distinctStates()).isEqualTo(safety.distinctStates());
    }

    @Test
    void SMP_L1_holdsWhenEveryCpuCatchesUp() {
        ExplorationResult r = LivenessRuns.run(MODEL, "live-lazy-2cpu");
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
    }

    @Test
    void SMP_L1_hasOneMemberPerFrame() {
        var system = MODEL.build(Bounds.parse("cpus=2,lazy=true,fork=0"));
        assertThat(system.liveness()).hasSize(SmpStateMachine.FRAMES).allMatch(l -> l.id().equals("SMP-L1"));
    }
}
