package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The explorer on hand-computed graphs ({@link Graph}): exact state, transition and depth
 * counts, the bounds at their boundaries, the initial states' own check, shortest traces and
 * failed transitions. Written against the public API only (verdicts, counts, counterexamples).
 */
class ExplorerCountsTest {

    private static ExplorationResult explore(TransitionSystem<Integer> g, ExploreBounds b) {
        return Explorer.explore(g, b);
    }

    private static List<String> labels(Counterexample c) {
        return c.steps().stream().map(Counterexample.TraceStep::label).toList();
    }

    private static List<String> states(Counterexample c) {
        return c.steps().stream().map(Counterexample.TraceStep::state).toList();
    }

    // --- the initial states are checked too -------------------------------------------------

    @Test
    void DEMO_7_aBadInitialStateIsAZeroStepCounterexample() {
        ExplorationResult r = explore(Graph.chain(3, Set.of(0)), ExploreBounds.unbounded());
        assertThat(r.passed()).isFalse();
        assertThat(r.complete()).isFalse();
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-7");
        assertThat(c.length()).isZero();
        assertThat(labels(c)).containsExactly("init");
        assertThat(states(c)).containsExactly("state 0");
        assertThat(c.failure()).isEqualTo("DEMO-7 violated (the state is not bad): state 0 is bad");
        assertThat(r.distinctStates()).isEqualTo(1);
        assertThat(r.transitions()).isZero();
        assertThat(r.depth()).isZero();
    }

    @Test
    void DEMO_7_everyInitialStateIsCheckedBeforeAnyIsExpanded() {
        Graph g = new Graph(List.of(0, 5), Set.of(5)).edge(0, 1);
        ExplorationResult r = explore(g, ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.length()).isZero();
        assertThat(states(c)).containsExactly("state 5");
        assertThat(r.distinctStates()).isEqualTo(2);
        assertThat(r.transitions()).isZero();
    }

    @Test
    void aBadStateAtMaxDepthZeroIsStillFound() {
        ExplorationResult r = explore(Graph.chain(3, Set.of(0)), new ExploreBounds(0, 1));
        assertThat(r.counterexample()).isPresent();
    }

    @Test
    void repeatedInitialStatesCountOnce() {
        Graph g = new Graph(List.of(0, 0, 1), Set.of()).edge(0, 1).edge(1, 2);
        ExplorationResult r = explore(g, ExploreBounds.unbounded());
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(3);
        assertThat(r.transitions()).isEqualTo(2);
        // 1 is an initial state, so 2 is at depth 1.
        assertThat(r.depth()).isEqualTo(1);
    }

    // --- exact counts ------------------------------------------------------------------------

    @Test
    void chainOfFourHasFourStatesThreeTransitionsDepthThree() {
        ExplorationResult r = explore(Graph.chain(4, Set.of()), ExploreBounds.unbounded());
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(4);
        assertThat(r.transitions()).isEqualTo(3);
        assertThat(r.depth()).isEqualTo(3);
        assertThat(r.system()).isEqualTo("graph");
        assertThat(r.elapsed()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void transitionsToKnownStatesAreCountedButNotExploredAgain() {
        // 0 -> {1, 2}, 1 -> 3, 2 -> 3, 3 -> 0: four states, five transitions, depth 2.
        Graph g = new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 2).edge(1, 3).edge(2, 3).edge(3, 0);
        ExplorationResult r = explore(g, ExploreBounds.unbounded());
        assertThat(r.distinctStates()).isEqualTo(4);
        assertThat(r.transitions()).isEqualTo(5);
        assertThat(r.depth()).isEqualTo(2);
        assertThat(r.complete()).isTrue();
    }

    @Test
    void aSelfLoopIsOneStateOneTransitionDepthZero() {
        ExplorationResult r = explore(new Graph(List.of(0), Set.of()).edge(0, 0), ExploreBounds.unbounded());
        assertThat(r.distinctStates()).isEqualTo(1);
        assertThat(r.transitions()).isEqualTo(1);
        assertThat(r.depth()).isZero();
        assertThat(r.complete()).isTrue();
    }

    @Test
    void moreThanAThousandStatesAreAllKeptAndTraced() {
        ExplorationResult clean = explore(Graph.chain(3000, Set.of()), ExploreBounds.unbounded());
        assertThat(clean.distinctStates()).isEqualTo(3000);
        assertThat(clean.transitions()).isEqualTo(2999);
        assertThat(clean.depth()).isEqualTo(2999);
        ExplorationResult bad = explore(Graph.chain(3000, Set.of(2999)), ExploreBounds.unbounded());
        Counterexample c = bad.counterexample().orElseThrow();
        assertThat(c.length()).isEqualTo(2999);
        assertThat(c.steps().get(2048).label()).isEqualTo("to 2048");
        assertThat(c.steps().get(2999).state()).isEqualTo("state 2999");
    }

    // --- bounds at their boundaries -------------------------------------------------------------

    @Test
    void depthBoundEqualToTheDeepestLevelFindsEveryStateButCannotClaimCompleteness() {
        // State 3 sits at depth 3; with maxDepth 3 it is found and checked but never expanded.
        ExplorationResult at = explore(Graph.chain(4, Set.of()), ExploreBounds.depth(3));
        assertThat(at.distinctStates()).isEqualTo(4);
        assertThat(at.transitions()).isEqualTo(3);
        assertThat(at.depth()).isEqualTo(3);
        assertThat(at.complete()).isFalse();
        ExplorationResult above = explore(Graph.chain(4, Set.of()), ExploreBounds.depth(4));
        assertThat(above.distinctStates()).isEqualTo(4);
        assertThat(above.depth()).isEqualTo(3);
        assertThat(above.complete()).isTrue();
        ExplorationResult below = explore(Graph.chain(4, Set.of()), ExploreBounds.depth(2));
        assertThat(below.distinctStates()).isEqualTo(3);
        assertThat(below.transitions()).isEqualTo(2);
        assertThat(below.depth()).isEqualTo(2);
        assertThat(below.complete()).isFalse();
        ExplorationResult zero = explore(Graph.chain(4, Set.of()), ExploreBounds.depth(0));
        assertThat(zero.distinctStates()).isEqualTo(1);
        assertThat(zero.transitions()).isZero();
        assertThat(zero.depth()).isZero();
        assertThat(zero.complete()).isFalse();
    }

    @Test
    void DEMO_7_aViolationExactlyAtTheDepthBoundIsFoundAndOneBeyondIsNot() {
        ExplorationResult at = explore(Graph.chain(6, Set.of(3)), ExploreBounds.depth(3));
        assertThat(at.counterexample().orElseThrow().length()).isEqualTo(3);
        ExplorationResult short1 = explore(Graph.chain(6, Set.of(3)), ExploreBounds.depth(2));
        assertThat(short1.passed()).isTrue();
        assertThat(short1.complete()).isFalse();
    }

    @Test
    void stateBoundStopsTheSearchOnceThatManyStatesAreKnown() {
        ExplorationResult exact = explore(Graph.chain(4, Set.of()), new ExploreBounds(Integer.MAX_VALUE, 4));
        assertThat(exact.distinctStates()).isEqualTo(4);
        assertThat(exact.complete()).isFalse();
        ExplorationResult roomy = explore(Graph.chain(4, Set.of()), new ExploreBounds(Integer.MAX_VALUE, 5));
        assertThat(roomy.distinctStates()).isEqualTo(4);
        assertThat(roomy.transitions()).isEqualTo(3);
        assertThat(roomy.complete()).isTrue();
        ExplorationResult tight = explore(Graph.chain(10, Set.of()), new ExploreBounds(Integer.MAX_VALUE, 3));
        assertThat(tight.distinctStates()).isEqualTo(3);
        assertThat(tight.transitions()).isEqualTo(2);
        assertThat(tight.depth()).isEqualTo(2);
        assertThat(tight.complete()).isFalse();
        assertThat(tight.passed()).isTrue();
    }

    @Test
    void boundsRejectNegativeDepthAndFewerThanOneState() {
        assertThatThrownBy(() -> new ExploreBounds(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bounds need depth >= 0 and states >= 1: depth -1, states 10");
        assertThatThrownBy(() -> new ExploreBounds(3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bounds need depth >= 0 and states >= 1: depth 3, states 0");
        ExploreBounds smallest = new ExploreBounds(0, 1);
        assertThat(smallest.maxDepth()).isZero();
        assertThat(smallest.maxStates()).isEqualTo(1);
        assertThat(ExploreBounds.depth(7)).isEqualTo(new ExploreBounds(7, ExploreBounds.DEFAULT_MAX_STATES));
        assertThat(ExploreBounds.unbounded())
                .isEqualTo(new ExploreBounds(Integer.MAX_VALUE, ExploreBounds.DEFAULT_MAX_STATES));
    }

    // --- shortest counterexamples and their traces ----------------------------------------------

    @Test
    void DEMO_7_theShortestPathWinsOverTheFirstListedOne() {
        // 0 -> 1 -> 2 -> 9 is listed first, but 0 -> 9 is shorter.
        Graph g = new Graph(List.of(0), Set.of(9)).edge(0, 1).edge(0, "jump", 9).edge(1, 2).edge(2, 9);
        Counterexample c = explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(labels(c)).containsExactly("init", "jump");
        assertThat(states(c)).containsExactly("state 0", "state 9");
    }

    @Test
    void DEMO_7_theSearchStopsAtTheFirstBadSuccessor() {
        // 0 -> {5, 1, 6}, 5 and 6 bad: 5 is reported; 1 and 6 are not added.
        Graph g = new Graph(List.of(0), Set.of(5, 6)).edge(0, 5).edge(0, 1).edge(0, 6);
        ExplorationResult r = explore(g, ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(states(c)).containsExactly("state 0", "state 5");
        assertThat(r.distinctStates()).isEqualTo(2);
        assertThat(r.transitions()).isEqualTo(3);
        assertThat(r.depth()).isEqualTo(1);
        assertThat(r.complete()).isFalse();
    }

    @Test
    void DEMO_7_theTraceStartsAtTheInitialStateItCameFrom() {
        Graph g = new Graph(List.of(0, 10), Set.of(12)).edge(0, 1).edge(10, 11).edge(11, 12);
        Counterexample c = explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(labels(c)).containsExactly("init", "to 11", "to 12");
        assertThat(states(c)).containsExactly("state 10", "state 11", "state 12");
    }

    @Test
    void DEMO_7_theTraceFollowsTheStateNotJustTheLabel() {
        // Two transitions from 0 share a label; only the second reaches the path to the bad state.
        Graph g = new Graph(List.of(0), Set.of(4)).edge(0, "step", 1).edge(0, "step", 2).edge(2, "down", 4)
                .edge(1, "up", 3);
        Counterexample c = explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(labels(c)).containsExactly("init", "step", "down");
        assertThat(states(c)).containsExactly("state 0", "state 2", "state 4");
    }

    @Test
    void DEMO_7_theTraceNamesTheLabelThatFirstReachedAState() {
        Graph g = new Graph(List.of(0), Set.of(1)).edge(0, "a", 1).edge(0, "b", 1);
        Counterexample c = explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(labels(c)).containsExactly("init", "a");
    }

    // --- failed transitions --------------------------------------------------------------------

    @Test
    void aTransitionThatThrowsIsACounterexampleNamedByTheExceptionClass() {
        Graph g = Graph.chain(4, Set.of()).failsAt(2, new IllegalStateException("boom"));
        ExplorationResult r = explore(g, ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("IllegalStateException");
        assertThat(c.failure()).isEqualTo("a transition failed: boom");
        assertThat(labels(c)).containsExactly("init", "to 1", "to 2");
        assertThat(r.complete()).isFalse();
    }

    @Test
    void aTransitionThatFailsAnAssertionIsACounterexampleToo() {
        Graph g = Graph.chain(4, Set.of()).failsAt(1, new AssertionError("model says no"));
        Counterexample c = explore(g, ExploreBounds.unbounded()).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("AssertionError");
        assertThat(c.failure()).isEqualTo("a transition failed: model says no");
        assertThat(c.length()).isEqualTo(1);
    }

    @Test
    void ATOMIC_1_aNonAtomicRejectionIsReportedUnderItsId() {
        FailureNotAtomic e = new FailureNotAtomic("free(3)", new ToySet.ToyError("no"), "before", "after");
        Counterexample c = explore(Graph.chain(4, Set.of()).failsAt(0, e), ExploreBounds.unbounded()).counterexample()
                .orElseThrow();
        assertThat(c.invariantId()).isEqualTo("ATOMIC-1");
        assertThat(c.failure()).startsWith("a transition failed: ATOMIC-1 violated").contains("free(3)");
        assertThat(c.length()).isZero();
    }

    // --- systems that break the explorer's contract ------------------------------------------------

    @Test
    void DEMO_7_initialStatesThatChangeBetweenCallsAreReportedNotTracedWrongly() {
        int[] calls = {0};
        Graph g = new Graph(List.of(0), Set.of(0, 100)) {
            @Override
            public List<Integer> initialStates() {
                return List.of(calls[0]++ == 0 ? 0 : 100);
            }
        };
        assertThatThrownBy(() -> explore(g, ExploreBounds.unbounded())).isInstanceOf(IllegalStateException.class)
                .hasMessage("graph: initial states are not reproducible");
    }

    @Test
    void DEMO_7_successorsThatChangeBetweenCallsAreReportedNotTracedWrongly() {
        // The first expansion of 0 reaches the bad state 1; replaying it for the trace reaches 2.
        int[] calls = {0};
        Graph g = new Graph(List.of(0), Set.of(1)) {
            @Override
            public void successors(Integer state, Successors<Integer> out) {
                out.add("next", calls[0]++ == 0 ? 1 : 2);
            }
        };
        // the replay cannot reach a stored state: the explorer's contract is broken, so no trace is trusted
        assertThatThrownBy(() -> explore(g, ExploreBounds.unbounded())).isInstanceOf(IllegalStateException.class)
                .hasMessage("graph: successors are not deterministic at next");
    }

    // --- progress --------------------------------------------------------------------------------

    @Test
    void progressIsReportedAndEndsWithTheFinalCounts() {
        List<long[]> reports = new ArrayList<>();
        List<String> names = new ArrayList<>();
        ExplorationResult r = Explorer.explore(Graph.chain(4, Set.of()), ExploreBounds.unbounded(),
                (name, states, transitions, depth, frontier, elapsed) -> {
                    names.add(name);
                    reports.add(new long[] {states, transitions, depth, frontier});
                });
        assertThat(reports).isNotEmpty();
        assertThat(names).containsOnly("graph");
        long[] last = reports.get(reports.size() - 1);
        assertThat(last[0]).isEqualTo(r.distinctStates());
        assertThat(last[1]).isEqualTo(r.transitions());
        assertThat(last[3]).isZero();
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
            assertThat(reports.get(i)[2]).isGreaterThanOrEqualTo(reports.get(i - 1)[2]);
        }
    }

    // --- the result record --------------------------------------------------------------------

    @Test
    void summaryAndAssertPassedSayWhatWasFound() {
        ExplorationResult ok = new ExplorationResult("demo", 16, 32, 6, true, Duration.ofMillis(7), java.util.Optional.empty());
        assertThat(ok.summary()).isEqualTo("demo: 16 states, 32 transitions, depth 6 (complete), 7 ms, pass");
        assertThat(ok.assertPassed()).isSameAs(ok);
        Counterexample c = new Counterexample(List.of(new Counterexample.TraceStep("init", "s0")), "DEMO-7 violated",
                "DEMO-7");
        ExplorationResult bad = new ExplorationResult("demo", 1, 0, 0, false, Duration.ofMillis(2), java.util.Optional.of(c));
        assertThat(bad.passed()).isFalse();
        assertThat(bad.summary()).isEqualTo("demo: 1 states, 0 transitions, depth 0 (bounded), 2 ms, FAIL DEMO-7");
        assertThatThrownBy(bad::assertPassed).isInstanceOf(AssertionError.class).hasMessage("demo: " + c.render());
    }

    @Test
    void counterexampleRendersATimeline() {
        Counterexample c = new Counterexample(List.of(new Counterexample.TraceStep("init", "a\nb"),
                new Counterexample.TraceStep("go", "c")), "it broke", "DEMO-7");
        assertThat(c.length()).isEqualTo(1);
        String nl = System.lineSeparator();
        assertThat(c.render()).isEqualTo("counterexample, 1 steps, breaks DEMO-7\n"
                + "    0. init" + nl + "       a\n       b" + nl
                + "    1. go" + nl + "       c" + nl
                + "  => it broke");
        assertThat(c.toString()).isEqualTo(c.render());
    }

    // --- Progress.every --------------------------------------------------------------------------

    @Test
    void progressEveryPrintsAtMostOncePerInterval() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true);
        Progress often = Progress.every(Duration.ZERO, out);
        often.report("sys", 10, 20, 3, 4, Duration.ofSeconds(2));
        often.report("sys", 12, 24, 3, 2, Duration.ofSeconds(2));
        String text = bytes.toString();
        assertThat(text.lines()).hasSize(2);
        assertThat(text.lines().findFirst().orElseThrow())
                .startsWith("  [sys] 10 states, 20 transitions, depth 3, frontier 4, 5 states/s (avg 5), heap ")
                .endsWith(" MiB");
        bytes.reset();
        Progress rarely = Progress.every(Duration.ofHours(1), out);
        rarely.report("sys", 10, 20, 3, 4, Duration.ofSeconds(2));
        assertThat(bytes.toString()).isEmpty();
        Progress.NONE.report("sys", 1, 1, 1, 1, Duration.ZERO);
    }
}
