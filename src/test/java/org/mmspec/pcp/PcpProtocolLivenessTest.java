package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.LivenessRuns;
import org.mmspec.check.Manifest;

/**
 * PCP-L1 (spec/frames-percpu.md §5.1): the seeded bug PRESSURE_RETRIES_WITHOUT_DRAIN passes every
 * invariant and the deadlock check, and only the liveness check catches it.
 */
class PcpProtocolLivenessTest {
    private static final PcpProtocolModel MODEL = new PcpProtocolModel();

    @Test
    void PCP_L1_catchesAPressurePathThatRetriesWithoutDraining() {
        ExplorationResult safety = LivenessRuns.run(MODEL, "bug-pressure-retries-safety");
        assertThat(safety.passed()).isTrue();
        assertThat(safety.complete()).isTrue();
        ExplorationResult live = LivenessRuns.run(MODEL, "bug-pressure-retries");
        assertThat(Manifest.verdict(live)).isEqualTo("fail:PCP-L1");
        Counterexample c = live.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(c.failure()).startsWith("PCP-L1 violated (every allocation request is answered) for cpu0");
        // cpu0 retries while cpu1 frees into its cache and allocates from it for ever
        assertThat(LivenessRuns.cycle(c)).contains("cpu0 allocate: node empty, retry the refill (other caches not drained)",
                "cpu1 free(f1)", "cpu1 allocate: hit, answered");
        assertThat(live.distinctStates()).isEqualTo(safety.distinctStates());
    }

    @Test
    void PCP_L1_holdsForTheCorrectProtocol() {
        for (String config : new String[] {"live", "live-batch2"}) {
            ExplorationResult r = LivenessRuns.run(MODEL, config);
            assertThat(r.passed()).as(config).isTrue();
            assertThat(r.complete()).as(config).isTrue();
        }
    }

    @Test
    void PCP_L1_hasOneMemberPerCpuAndRequestsLeaveTheOldConfigurationsAlone() {
        var system = MODEL.build(Bounds.parse("cpus=3,frames=3,requests=true"));
        assertThat(system.liveness()).extracting(l -> l.instance()).containsExactly("cpu0", "cpu1", "cpu2");
        // without requests no request is ever pending: the property is vacuous, the counts recorded before it stay
        assertThat(LivenessRuns.run(MODEL, "base").distinctStates())
                .isEqualTo(Long.parseLong(Manifest.load(MODEL.name()).get("base.states", "")));
    }
}
