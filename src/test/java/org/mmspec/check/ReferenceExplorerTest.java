package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.StoreMode;

/**
 * {@link ReferenceExplorer}, the simple sequential search that {@code ExplorerEquivalenceTest}
 * holds the explorer to, checked on its own: the counts, depth, verdict and shortest trace it
 * gives on hand-built graphs, its bounds, its deadlock, key and transition failures, its progress
 * reports, and that it agrees with the explorer (exact store, one thread) on a few hundred random
 * small graphs. A reference that silently drifted would make the equivalence test prove nothing.
 */
class ReferenceExplorerTest {
    private static final ExplorerSettings ONE_THREAD_EXACT = new ExplorerSettings(StoreMode.EXACT, 1,
            ExplorerSettings.DEFAULT_SWITCH_AT);
    private static final CheckOptions NO_DEADLOCK = new CheckOptions(false, false, false);

    @Test
    void aChainIsWalkedToItsEnd() {
        ExplorationResult r = ReferenceExplorer.explore(Graph.chain(5, Set.of()), ExploreBounds.unbounded());
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(5);
        assertThat(r.transitions()).isEqualTo(4);
        assertThat(r.depth()).as("the deepest level with states").isEqualTo(4);
        assertThat(r.system()).isEqualTo("graph");
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void theFirstViolationHasAShortestTraceOfItsLabelsAndStates() {
        // 0 -> 1 -> 2 -> 3 (bad) and a shortcut 0 -> 3: the trace takes the shortcut
        Graph g = Graph.chain(4, Set.of(3)).edge(0, "jump", 3);
        ExplorationResult r = ReferenceExplorer.explore(g, ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-7");
        assertThat(c.failure()).contains("state 3 is bad");
        assertThat(c.steps()).extracting(Counterexample.TraceStep::label).containsExactly("init", "jump");
        assertThat(c.steps()).extracting(Counterexample.TraceStep::state).containsExactly("state 0", "state 3");
        assertThat(r.complete()).isFalse();
    }

    @Test
    void aBadInitialStateIsReportedWithoutExpandingAnything() {
        ExplorationResult r = ReferenceExplorer.explore(Graph.chain(3, Set.of(0)), ExploreBounds.unbounded());
        assertThat(r.counterexample().orElseThrow().steps()).extracting(Counterexample.TraceStep::label).containsExactly("init");
        assertThat(r.distinctStates()).isEqualTo(1);
        assertThat(r.transitions()).isZero();
    }

    @Test
    void aRepeatedInitialStateIsOneState() {
        Graph g = new Graph(List.of(0, 0, 1), Set.of()).edge(0, 1);
        ExplorationResult r = ReferenceExplorer.explore(g, ExploreBounds.unbounded());
        assertThat(r.distinctStates()).isEqualTo(2);
        assertThat(r.transitions()).isEqualTo(1);
        assertThat(r.depth()).isZero();
    }

    @Test
    void theDepthBoundCutsTheSearchAtExactlyThatLevel() {
        ExplorationResult r = ReferenceExplorer.explore(Graph.chain(6, Set.of()), ExploreBounds.depth(2));
        assertThat(r.complete()).isFalse();
        assertThat(r.counterexample()).isEmpty();
        assertThat(r.depth()).isEqualTo(2);
        assertThat(r.distinctStates()).isEqualTo(3);
        // a bound at the chain's own depth is still a cut (level 5 is never expanded); one more completes
        ExplorationResult atDepth = ReferenceExplorer.explore(Graph.chain(6, Set.of()), ExploreBounds.depth(5));
        assertThat(atDepth.complete()).isFalse();
        assertThat(atDepth.distinctStates()).isEqualTo(6);
        ExplorationResult whole = ReferenceExplorer.explore(Graph.chain(6, Set.of()), ExploreBounds.depth(6));
        assertThat(whole.complete()).isTrue();
        assertThat(whole.depth()).isEqualTo(5);
        // a bad state just past the bound is never seen
        assertThat(ReferenceExplorer.explore(Graph.chain(6, Set.of(3)), ExploreBounds.depth(2)).counterexample()).isEmpty();
        assertThat(ReferenceExplorer.explore(Graph.chain(6, Set.of(3)), ExploreBounds.depth(3)).counterexample()).isPresent();
    }

    @Test
    void theStateCapStopsAfterTheExpansionThatReachedIt() {
        // a star: 0 -> 1..4, then 1 -> 5
        Graph g = new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 2).edge(0, 3).edge(0, 4).edge(1, 5);
        ExplorationResult r = ReferenceExplorer.explore(g, new ExploreBounds(Integer.MAX_VALUE, 5));
        assertThat(r.complete()).isFalse();
        assertThat(r.distinctStates()).as("the whole expansion of state 0 is kept").isEqualTo(5);
        assertThat(r.transitions()).isEqualTo(4);
        ExplorationResult six = ReferenceExplorer.explore(g, new ExploreBounds(Integer.MAX_VALUE, 6));
        assertThat(six.complete()).isFalse();
        assertThat(six.distinctStates()).isEqualTo(6);
        ExplorationResult seven = ReferenceExplorer.explore(g, new ExploreBounds(Integer.MAX_VALUE, 7));
        assertThat(seven.complete()).isTrue();
        assertThat(seven.distinctStates()).isEqualTo(6);
    }

    @Test
    void aStateWithNoSuccessorThatIsNotFinalIsADeadlockUnlessDeadlockIsOff() {
        Graph g = Graph.chain(3, Set.of()).stuck(2);
        Counterexample c = ReferenceExplorer.explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo(CheckOptions.DEADLOCK);
        assertThat(c.failure()).isEqualTo(Explorer.DEADLOCK_MESSAGE);
        assertThat(c.steps()).extracting(Counterexample.TraceStep::label).containsExactly("init", "to 1", "to 2");
        ExplorationResult off = ReferenceExplorer.explore(g, ExploreBounds.unbounded(), Progress.NONE, NO_DEADLOCK);
        assertThat(off.passed()).isTrue();
        // a final sink, and a stuck state that has successors, are no deadlock
        assertThat(ReferenceExplorer.explore(Graph.chain(3, Set.of()).stuck(1), ExploreBounds.unbounded()).passed()).isTrue();
    }

    @Test
    void aTransitionThatThrowsIsACounterexampleNamedByTheThrowable() {
        Graph g = Graph.chain(4, Set.of()).failsAt(2, new IllegalStateException("boom"));
        Counterexample c = ReferenceExplorer.explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("IllegalStateException");
        assertThat(c.failure()).isEqualTo("a transition failed: boom");
        assertThat(c.steps()).extracting(Counterexample.TraceStep::label).containsExactly("init", "to 1", "to 2");
        Graph atomic = Graph.chain(2, Set.of()).failsAt(1, new AssertionError("assert"));
        assertThat(ReferenceExplorer.explore(atomic, ExploreBounds.unbounded()).counterexample().orElseThrow().invariantId())
                .isEqualTo("AssertionError");
    }

    @Test
    void aViolationAmongTheSuccessorsStopsTheExpansionButCountsEveryTransition() {
        // 0 -> 1 (bad), 0 -> 2, 0 -> 3: every transition of state 0 is counted, only state 1 is kept new
        Graph g = new Graph(List.of(0), Set.of(1)).edge(0, 1).edge(0, 2).edge(0, 3);
        ExplorationResult r = ReferenceExplorer.explore(g, ExploreBounds.unbounded());
        assertThat(r.transitions()).isEqualTo(3);
        assertThat(r.distinctStates()).isEqualTo(2);
        assertThat(r.counterexample().orElseThrow().steps()).extracting(Counterexample.TraceStep::state)
                .containsExactly("state 0", "state 1");
    }

    @Test
    void progressIsReportedAfterEveryExpandedState() {
        List<String> reports = new ArrayList<>();
        ReferenceExplorer.explore(Graph.chain(3, Set.of()), ExploreBounds.unbounded(),
                (name, states, transitions, depth, frontier, elapsed) -> reports.add(
                        name + " " + states + " " + transitions + " " + depth + " " + frontier));
        assertThat(reports).containsExactly("graph 2 1 1 1", "graph 3 2 2 1", "graph 3 2 3 0");
    }

    @Test
    void aTraceThatCannotBeReplayedIsAnError() {
        // successors that differ between the search and the replay of the trace
        int[] calls = {0};
        Graph g = new Graph(List.of(0), Set.of(2)) {
            @Override
            public void successors(Integer state, Successors<Integer> out) {
                if (state == 0) {
                    out.add("to " + (calls[0]++ == 0 ? 1 : 9), calls[0] == 1 ? 1 : 9);
                } else if (state == 1) {
                    out.add("to 2", 2);
                }
            }
        };
        assertThatThrownBy(() -> ReferenceExplorer.explore(g, ExploreBounds.unbounded()))
                .isInstanceOf(IllegalStateException.class).hasMessage("graph: successors are not deterministic at to 1");
        List<Integer> inits = new ArrayList<>(List.of(0));
        Graph moving = new Graph(inits, Set.of(1)) {
            @Override
            public List<Integer> initialStates() {
                List<Integer> now = List.copyOf(inits);
                inits.set(0, 5);
                return now;
            }
        }.edge(0, 1);
        assertThatThrownBy(() -> ReferenceExplorer.explore(moving, ExploreBounds.unbounded()))
                .isInstanceOf(IllegalStateException.class).hasMessage("graph: initial states are not reproducible");
    }

    @Test
    void moreThanAThousandStatesKeepTheirParentsAndLabels() {
        ExplorationResult r = ReferenceExplorer.explore(Graph.chain(2500, Set.of(2400)), ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.steps()).hasSize(2401);
        assertThat(c.steps().get(2400).label()).isEqualTo("to 2400");
        assertThat(c.steps().get(1024).state()).isEqualTo("state 1024");
    }

    /** Random graphs of up to eight states: both searches give the same counts, depth, verdict and trace. */
    @Test
    void agreesWithTheExplorerOnRandomSmallGraphs() {
        Random random = new Random(20261204);
        int withCounterexample = 0;
        for (int run = 0; run < 400; run++) {
            int n = 1 + random.nextInt(8);
            Set<Integer> bad = new HashSet<>();
            if (random.nextInt(3) == 0) {
                bad.add(random.nextInt(n));
            }
            List<Integer> inits = new ArrayList<>();
            for (int i = 0, k = 1 + random.nextInt(2); i < k; i++) {
                inits.add(random.nextInt(n));
            }
            Graph g = new Graph(inits, bad);
            for (int from = 0; from < n; from++) {
                for (int e = random.nextInt(3); e > 0; e--) {
                    int to = random.nextInt(n);
                    g.edge(from, "e" + from + "-" + to + "#" + e, to);
                }
            }
            if (random.nextInt(4) == 0) {
                g.stuck(random.nextInt(n));
            }
            if (random.nextInt(6) == 0) {
                g.failsAt(random.nextInt(n), new IllegalStateException("fails"));
            }
            ExploreBounds bounds = random.nextBoolean() ? ExploreBounds.unbounded() : ExploreBounds.depth(random.nextInt(4));
            CheckOptions options = random.nextBoolean() ? CheckOptions.DEFAULT : NO_DEADLOCK;
            ExplorationResult ref = ReferenceExplorer.explore(g, bounds, Progress.NONE, options);
            ExplorationResult r = Explorer.explore(g, bounds, Progress.NONE, ONE_THREAD_EXACT, options);
            ExplorerEquivalenceTest.assertSame(ref, r, "run " + run);
            withCounterexample += ref.counterexample().isPresent() ? 1 : 0;
        }
        assertThat(withCounterexample).as("runs that found a counterexample").isBetween(40, 360);
    }
}
