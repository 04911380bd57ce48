package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.ForwardingSystem;
import org.mmspec.check.Liveness;
import org.mmspec.check.Manifest;
import org.mmspec.check.Progress;
import org.mmspec.check.TransitionSystem;

/**
 * TLB-L1 and TLB-L2 (spec/tlb.md §4.2): the seeded bug idle-poll-misses-ipi passes every safety
 * invariant, TLB-5 and the deadlock check, and only the liveness check catches it.
 */
class ShootdownLivenessTest {
    static final String IDLE_POLL = "cpus=2,pages=2,tlb=2,mode=lazy,ops=cpu0:mprotect(0),symmetry=off";
    static final CheckOptions LIVE = CheckOptions.DEFAULT.withLiveness(true);

    static ExplorationResult explore(TransitionSystem<TlbState> m, CheckOptions options) {
        return Explorer.explore(m, ExploreBounds.unbounded(), Progress.NONE, ExplorerSettings.fromProperties(), options);
    }

    @Test
    void TLB_L1_catchesAnIdleCpuThatPollsPastItsIpi() {
        ShootdownModel buggy = TlbTestSupport.model(IDLE_POLL + ",bug=idle-poll-misses-ipi");
        // every safety invariant (TLB-1..9, TLB-5 and TLB-6 among them) and the deadlock check pass
        ExplorationResult safety = explore(buggy, CheckOptions.DEFAULT);
        assertThat(safety.passed()).isTrue();
        assertThat(safety.complete()).isTrue();
        assertThat(buggy.invariants().ids()).contains("TLB-5", "TLB-6");
        ExplorationResult live = explore(buggy, LIVE);
        assertThat(Manifest.verdict(live)).isEqualTo("fail:TLB-L1");
        Counterexample c = live.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(c.failure()).startsWith("TLB-L1 violated (every shootdown started completes) for cpu0");
        List<String> cycle = c.steps().subList(c.cycleStart() + 1, c.steps().size()).stream()
                .map(Counterexample.TraceStep::label).toList();
        assertThat(cycle).containsExactly("cpu1 idle: polls need_resched and never runs the queued flush");
        assertThat(live.distinctStates()).isEqualTo(safety.distinctStates());
        // the correct protocol at the same bounds keeps both properties
        assertThat(explore(TlbTestSupport.model(IDLE_POLL), LIVE).passed()).isTrue();
    }

    @Test
    void TLB_L2_catchesAnIpiLeftPendingForEver() {
        ShootdownModel buggy = TlbTestSupport.model(IDLE_POLL + ",bug=idle-poll-misses-ipi");
        ExplorationResult r = explore(only("TLB-L2", buggy), LIVE);
        assertThat(Manifest.verdict(r)).isEqualTo("fail:TLB-L2");
        assertThat(r.counterexample().orElseThrow().failure())
                .startsWith("TLB-L2 violated (every IPI sent is served) for cpu0's IPI to cpu1");
    }

    @Test
    void everyCpuAndEveryPairHasItsMember() {
        List<Liveness<TlbState>> l = TlbTestSupport.model("cpus=3,pages=2,symmetry=off").liveness();
        assertThat(l).filteredOn(p -> p.id().equals("TLB-L1")).extracting(Liveness::instance)
                .containsExactly("cpu0", "cpu1", "cpu2");
        assertThat(l).filteredOn(p -> p.id().equals("TLB-L2")).hasSize(6);
    }

    @Test
    void aSymmetricConfigurationIsRefused() {
        ShootdownModel symmetric = TlbTestSupport.model("cpus=3,pages=2,ops=cpu0:munmap(0)");
        assertThat(symmetric.reducesSymmetry()).isTrue();
        assertThatThrownBy(() -> explore(symmetric, LIVE)).hasMessageContaining("symmetry=off");
    }

    /** {@code m} with only the liveness properties named {@code id}. */
    static TransitionSystem<TlbState> only(String id, ShootdownModel m) {
        return new ForwardingSystem<>(m) {
            @Override
            public List<Liveness<TlbState>> liveness() {
                return m.liveness().stream().filter(p -> p.id().equals(id)).toList();
            }
        };
    }
}
