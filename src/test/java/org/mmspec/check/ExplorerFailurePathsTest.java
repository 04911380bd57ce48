package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.StoreMode;

/**
 * The parallel search's failure paths, each against the one-thread reference search on a small
 * hand-built graph: a key that cannot be computed, an invariant check that throws, and an
 * expansion that reports a bad state and then throws. Each must give the reference's verdict,
 * failure kind, state and transition counts and counterexample length, on one thread and on three.
 */
class ExplorerFailurePathsTest {

    /** A graph whose key function throws at one state. */
    static final class KeyFails extends Graph {
        private final int at;

        KeyFails(int at) {
            super(List.of(0), Set.of());
            this.at = at;
        }

        @Override
        public Object key(Integer state) {
            if (state == at) {
                throw new IllegalStateException("no key for state " + state);
            }
            return state;
        }
    }

    /** A graph whose invariant check throws at one state. */
    static final class CheckFails extends Graph {
        private final int at;

        CheckFails(int at) {
            super(List.of(0), Set.of());
            this.at = at;
        }

        @Override
        public InvariantSet<Integer> invariants() {
            return InvariantSet.of("graph", List.of(Invariant.of("DEMO-7", "the state is not bad", (Integer s) -> {
                if (s == at) {
                    // an assertion inside a check is not a violation (Invariant.evaluate turns only
                    // runtime exceptions into one): the search reports the check itself as failed
                    throw new AssertionError("check cannot evaluate state " + s);
                }
                return Invariant.holds();
            })), s -> "state " + s);
        }
    }

    /** Expanding state 1 reports the bad state 3 and then throws. */
    static final class BadThenThrows extends Graph {
        BadThenThrows() {
            super(List.of(0), Set.of(3));
            edge(0, 1).edge(0, 2).edge(2, 4);
        }

        @Override
        public void successors(Integer state, Successors<Integer> out) {
            if (state == 1) {
                out.add("to 3", 3);
                throw new UnsupportedOperationException("state 1 cannot go on");
            }
            super.successors(state, out);
        }
    }

    private static void sameAsReference(TransitionSystem<Integer> g, String kind) {
        ExplorationResult ref = ReferenceExplorer.explore(g, ExploreBounds.unbounded());
        assertThat(ref.passed()).isFalse();
        assertThat(ref.counterexample().orElseThrow().invariantId()).isEqualTo(kind);
        for (int threads : new int[] {1, 3}) {
            ExplorerSettings settings = new ExplorerSettings(StoreMode.EXACT, threads, ExplorerSettings.DEFAULT_SWITCH_AT);
            ExplorationResult r = Explorer.explore(g, ExploreBounds.unbounded(), Progress.NONE, settings);
            assertThat(r.passed()).as("%d threads", threads).isFalse();
            assertThat(r.distinctStates()).as("states, %d threads", threads).isEqualTo(ref.distinctStates());
            assertThat(r.transitions()).as("transitions, %d threads", threads).isEqualTo(ref.transitions());
            assertThat(r.depth()).as("depth, %d threads", threads).isEqualTo(ref.depth());
            Counterexample c = r.counterexample().orElseThrow();
            assertThat(c.invariantId()).isEqualTo(kind);
            assertThat(c.length()).isEqualTo(ref.counterexample().orElseThrow().length());
            assertThat(c.failure()).isEqualTo(ref.counterexample().orElseThrow().failure());
        }
    }

    @Test
    void aKeyThatCannotBeComputedStopsTheSearchWhereTheReferenceStops() {
        KeyFails g = new KeyFails(3);
        g.edge(0, 1).edge(0, 2).edge(1, 3).edge(1, 4).edge(2, 5);
        sameAsReference(g, "IllegalStateException");
    }

    @Test
    void anInvariantCheckThatThrowsIsAFailedTransitionAtThatState() {
        CheckFails g = new CheckFails(2);
        g.edge(0, 1).edge(0, 2).edge(0, 3).edge(1, 4);
        sameAsReference(g, "AssertionError");
        ExplorationResult r = Explorer.explore(g, ExploreBounds.unbounded());
        assertThat(r.counterexample().orElseThrow().failure()).contains("check cannot evaluate state 2");
        // states 0, 1, 2 are stored; the search stops at 2's check, after the transition that reached it
        assertThat(r.distinctStates()).isEqualTo(3);
        assertThat(r.transitions()).isEqualTo(2);
    }

    @Test
    void anExpansionThatReportsABadStateAndThenThrowsIsReportedAsTheThrow() {
        sameAsReference(new BadThenThrows(), "UnsupportedOperationException");
    }
}
