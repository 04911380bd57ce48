package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.StoreMode;

/**
 * The liveness check under weak fairness on hand-built graphs whose answers can be worked out by
 * hand: a fair cycle that breaks {@code P ~> Q} (a lasso), an unfair one that does not, a stop in
 * a non-Q state, {@code []<> Q}, and a ring too long for a recursive search.
 */
class LivenessCheckTest {
    static final CheckOptions LIVE = CheckOptions.DEFAULT.withLiveness(true);

    static ExplorationResult live(TransitionSystem<Integer> g) {
        return Explorer.explore(g, ExploreBounds.unbounded(), Progress.NONE, ExplorerSettings.fromProperties(), LIVE);
    }

    /**
     * 0 -p0-> 1 (P); at 1 process 1 may spin (1 -p1-> 1) and process 0 may finish (1 -p0-> 2, Q).
     * Spinning for ever starves process 0, which stays enabled: not a weakly fair run.
     */
    static Graph unfairSpin() {
        return new Graph(List.of(0), Set.of()).step(0, 0, 1).step(1, 1, 1).step(0, 1, 2).step(0, 2, 2)
                .leadsTo("DEMO-L1", Set.of(1), Set.of(2));
    }

    /** As {@link #unfairSpin}, but the spin passes through 3, where process 0 is disabled: a fair cycle 1 -> 3 -> 1. */
    static Graph fairCycle() {
        return new Graph(List.of(0), Set.of()).step(0, 0, 1).step(1, 1, 3).step(1, 3, 1).step(0, 1, 2).step(0, 2, 2)
                .leadsTo("DEMO-L1", Set.of(1), Set.of(2));
    }

    @Test
    void DEMO_L1_anUnfairCycleIsNoCounterexample() {
        ExplorationResult r = live(unfairSpin());
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(3);
    }

    @Test
    void DEMO_L1_aFairCycleWhereQNeverHoldsIsALasso() {
        ExplorationResult r = live(fairCycle());
        assertThat(Manifest.verdict(r)).isEqualTo("fail:DEMO-L1");
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(c.steps()).extracting(Counterexample.TraceStep::label)
                .containsExactly("init", "p0 to 1", "p1 to 3", "p1 to 1");
        assertThat(c.cycleStart()).isEqualTo(1);
        assertThat(c.failure()).startsWith("DEMO-L1 violated (a state in [1] leads to one in [2]): P holds in step 1");
        assertThat(c.render()).contains("-- cycle:").contains("steps 2-3 repeat for ever");
        // the counts are those of the safety search: checking liveness adds no state
        ExplorationResult safety = Explorer.explore(fairCycle(), ExploreBounds.unbounded());
        assertThat(safety.passed()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(safety.distinctStates());
        assertThat(r.transitions()).isEqualTo(safety.transitions());
    }

    @Test
    void DEMO_L1_aCycleOfStepsWithoutAProcessStarvesAnEnabledProcess() {
        // hardware-like steps (no process) loop at 1 while process 0 could finish: unfair to process 0
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).edge(1, 3).edge(3, 1).step(0, 1, 2).step(0, 3, 2)
                .step(0, 2, 2).leadsTo("DEMO-L1", Set.of(1), Set.of(2));
        assertThat(live(g).passed()).isTrue();
        // once process 0 cannot finish from 3, the loop is fair and the property fails
        Graph h = new Graph(List.of(0), Set.of()).step(0, 0, 1).edge(1, 3).edge(3, 1).step(0, 1, 2).step(0, 2, 2)
                .leadsTo("DEMO-L1", Set.of(1), Set.of(2));
        assertThat(Manifest.verdict(live(h))).isEqualTo("fail:DEMO-L1");
    }

    @Test
    void DEMO_L1_stoppingInANonQStateIsALassoThatStutters() {
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(0, 1, 4).leadsTo("DEMO-L1", Set.of(1), Set.of(2));
        Counterexample c = live(g).counterexample().orElseThrow();
        assertThat(c.cycleStart()).isEqualTo(c.length());
        assertThat(c.failure()).contains("the run stops in step 2, where no step is enabled");
        assertThat(c.render()).contains("stays in its last state for ever");
    }

    @Test
    void DEMO_L1_aQStateBetweenPAndTheCycleDischargesTheObligation() {
        // P at 1, then Q at 2, then a fair loop 3 <-> 4 without Q: each P is answered, so the property holds
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(0, 1, 2).step(0, 2, 3).step(0, 3, 4).step(0, 4, 3)
                .leadsTo("DEMO-L1", Set.of(1), Set.of(2));
        assertThat(live(g).passed()).isTrue();
        // []<> Q fails on the same graph: after 2, Q never holds again
        Graph h = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(0, 1, 2).step(0, 2, 3).step(0, 3, 4).step(0, 4, 3)
                .alwaysEventually("DEMO-L2", Set.of(2));
        Counterexample c = live(h).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-L2");
        assertThat(c.steps().get(c.cycleStart()).label()).isEqualTo("p0 to 3");
    }

    @Test
    void aSearchCutByTheDepthBoundGivesNoLivenessVerdict() {
        assertThatThrownBy(() -> Explorer.explore(fairCycle(), ExploreBounds.depth(1), Progress.NONE,
                ExplorerSettings.fromProperties(), LIVE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("liveness needs the whole graph");
    }

    @Test
    void livenessIsCheckedOnlyWhenAsked() {
        assertThat(Explorer.explore(fairCycle(), ExploreBounds.unbounded()).passed()).isTrue();
    }

    @Test
    void everyThreadCountAndStoreFindsTheSameLasso() {
        Counterexample one = live(fairCycle()).counterexample().orElseThrow();
        for (ExplorerSettings s : List.of(new ExplorerSettings(StoreMode.EXACT, 1, 10),
                new ExplorerSettings(StoreMode.AUTO, 3, 2))) {
            ExplorationResult r = Explorer.explore(fairCycle(), ExploreBounds.unbounded(), Progress.NONE, s, LIVE);
            assertThat(r.counterexample()).contains(one);
        }
    }

    @Test
    void aLongRingNeedsNoRecursion() {
        int n = 300_000;
        Graph ring = new Graph(List.of(0), Set.of());
        for (int i = 0; i < n; i++) {
            ring.step(0, i, (i + 1) % n);
        }
        ring.alwaysEventually("DEMO-L2", Set.of(0));
        assertThat(live(ring).passed()).isTrue();
        Graph never = new Graph(List.of(0), Set.of());
        for (int i = 0; i < n; i++) {
            never.step(0, i, (i + 1) % n);
        }
        never.alwaysEventually("DEMO-L2", Set.of(-1));
        Counterexample c = live(never).counterexample().orElseThrow();
        assertThat(c.length()).isEqualTo(n);
        assertThat(c.cycleStart()).isZero();
    }

    @Test
    void aSymmetryReducedKeyIsRefused() {
        Graph g = fairCycle();
        TransitionSystem<Integer> symmetric = new TransitionSystem<>() {
            @Override
            public String name() {
                return "symmetric";
            }

            @Override
            public List<Integer> initialStates() {
                return g.initialStates();
            }

            @Override
            public void successors(Integer state, Successors<Integer> out) {
                g.successors(state, out);
            }

            @Override
            public Object key(Integer state) {
                return state;
            }

            @Override
            public InvariantSet<Integer> invariants() {
                return g.invariants();
            }

            @Override
            public List<Liveness<Integer>> liveness() {
                return g.liveness();
            }

            @Override
            public boolean reducesSymmetry() {
                return true;
            }
        };
        assertThatThrownBy(() -> live(symmetric)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symmetry=off");
        assertThat(Explorer.explore(symmetric, ExploreBounds.unbounded()).passed()).isTrue();
    }
}
