package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.LivenessRuns;
import org.mmspec.check.Manifest;

/**
 * HEAP-L1 (spec/heap.md, "Liveness"): the seeded bug REMOTE_DRAIN_ONLY_ON_ALLOC passes every
 * invariant and the deadlock check, and only the liveness check catches it.
 */
class HeapLivenessTest {
    private static final HeapModel MODEL = HeapModel.perCpu();

    @Test
    void HEAP_L1_catchesAnOwnerThatDrainsOnlyWhenItAllocates() {
        ExplorationResult safety = LivenessRuns.run(MODEL, "bug-remote-drain-safety");
        assertThat(safety.passed()).isTrue();
        assertThat(safety.complete()).isTrue();
        ExplorationResult live = LivenessRuns.run(MODEL, "bug-remote-drain");
        assertThat(Manifest.verdict(live)).isEqualTo("fail:HEAP-L1");
        Counterexample c = live.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(c.failure()).startsWith("HEAP-L1 violated (every remote free is drained back to its owner's cache) for cpu0");
        // cpu1 frees cpu0's object remotely, then keeps allocating, freeing and draining its own while cpu0 stays idle
        assertThat(c.steps().get(c.cycleStart()).label()).contains("remote, onto cpu0's remote-free list");
        assertThat(LivenessRuns.cycle(c)).allMatch(l -> l.contains("cpu1")).isNotEmpty();
        assertThat(live.distinctStates()).isEqualTo(safety.distinctStates());
    }

    @Test
    void HEAP_L1_holdsWhenOwnersDrainAsTheirOwnWork() {
        ExplorationResult r = LivenessRuns.run(MODEL, "live");
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
    }

    @Test
    void HEAP_L1_hasOneMemberPerCpuAndRemoteFreesLeaveTheOldConfigurationsAlone() {
        var system = MODEL.build(Bounds.parse("cpus=2,frames=1,cap=1,remote=1"));
        assertThat(system.liveness()).extracting(l -> l.instance()).containsExactly("cpu0", "cpu1");
        assertThat(LivenessRuns.run(MODEL, "flushdrop").distinctStates())
                .isEqualTo(Long.parseLong(Manifest.load(MODEL.name()).get("flushdrop.states", "")));
    }
}
