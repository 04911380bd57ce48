package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ExplorerTest {

    /** Two counters, each may be incremented modulo {@code mod}; pairs are the states. */
    record Pair(int x, int y) {
    }

    static TransitionSystem<Pair> counters(int mod, Invariant<Pair> inv, boolean symmetric) {
        return new TransitionSystem<>() {
            @Override
            public String name() {
                return "counters";
            }

            @Override
            public List<Pair> initialStates() {
                return List.of(new Pair(0, 0));
            }

            @Override
            public void successors(Pair s, Successors<Pair> out) {
                out.add("x++", new Pair((s.x + 1) % mod, s.y));
                out.add("y++", new Pair(s.x, (s.y + 1) % mod));
            }

            @Override
            public Object key(Pair s) {
                return symmetric ? new Pair(Math.min(s.x, s.y), Math.max(s.x, s.y)) : s;
            }

            @Override
            public InvariantSet<Pair> invariants() {
                return InvariantSet.of("counters", inv);
            }
        };
    }

    static final Invariant<Pair> TRUE = Invariant.of("DEMO-1", "always", p -> Invariant.holds());
    static final Invariant<Pair> SUM_NOT_5 = Invariant.of("DEMO-2", "x + y is not 5",
            p -> Invariant.require(p.x + p.y != 5, "x=%d y=%d", p.x, p.y));

    @Test
    void exploresEveryReachableStateExactlyOnce() {
        ExplorationResult r = Explorer.explore(counters(4, TRUE, false), ExploreBounds.unbounded());
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(16);
        assertThat(r.transitions()).isEqualTo(32);
        assertThat(r.depth()).isEqualTo(6); // (3,3) is the farthest state
    }

    @Test
    void findsAShortestCounterexample() {
        ExplorationResult r = Explorer.explore(counters(10, SUM_NOT_5, false), ExploreBounds.unbounded());
        assertThat(r.passed()).isFalse();
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-2");
        assertThat(c.length()).isEqualTo(5);
        assertThat(c.steps().get(0).label()).isEqualTo("init");
        assertThat(c.render()).contains("DEMO-2 violated", "x++");
    }

    @Test
    void depthBoundCutsTheSearch() {
        ExplorationResult r = Explorer.explore(counters(10, SUM_NOT_5, false), ExploreBounds.depth(4));
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isFalse();
        assertThat(r.depth()).isEqualTo(4);
        assertThat(r.distinctStates()).isEqualTo(15); // 1 + 2 + 3 + 4 + 5 states at depths 0..4
    }

    @Test
    void symmetryReductionKeepsTheVerdictWithFewerStates() {
        ExplorationResult full = Explorer.explore(counters(10, SUM_NOT_5, false), ExploreBounds.unbounded());
        ExplorationResult reduced = Explorer.explore(counters(10, SUM_NOT_5, true), ExploreBounds.unbounded());
        assertThat(reduced.passed()).isEqualTo(full.passed());
        ExplorationResult fullPass = Explorer.explore(counters(6, TRUE, false), ExploreBounds.unbounded());
        ExplorationResult reducedPass = Explorer.explore(counters(6, TRUE, true), ExploreBounds.unbounded());
        assertThat(reducedPass.distinctStates()).isEqualTo(21).isLessThan(fullPass.distinctStates());
    }

    /** A mutable counter for ActionSystem tests; {@code sloppy} mutates before rejecting. */
    static final class Counter {
        int value;
        final boolean sloppy;

        Counter(int value, boolean sloppy) {
            this.value = value;
            this.sloppy = sloppy;
        }

        void add(int d) {
            if (sloppy) {
                value += d;
            }
            if (value + (sloppy ? 0 : d) > 3) {
                throw new ToySet.ToyError("overflow");
            }
            if (!sloppy) {
                value += d;
            }
        }

        @Override
        public String toString() {
            return "Counter(" + value + ")";
        }
    }

    static final Invariant<Counter> TRUE_COUNTER = Invariant.of("DEMO-1", "always", c -> Invariant.holds());

    static ActionSystem<Counter> counterSystem(boolean sloppy) {
        return ActionSystem.of("counter", () -> List.of(new Counter(0, sloppy)), c -> new Counter(c.value, c.sloppy),
                c -> c.value, c -> {
                    List<ActionSystem.Action<Counter>> acts = new ArrayList<>();
                    acts.add(new ActionSystem.Action<>("add(1)", x -> x.add(1)));
                    acts.add(new ActionSystem.Action<>("add(2)", x -> x.add(2)));
                    return acts;
                }, InvariantSet.of("counter", Invariant.of("DEMO-5", "value at most 3",
                        (Counter c) -> Invariant.require(c.value <= 3, "value %d", c.value))))
                // at 3 every add overflows: the counter's end, not a deadlock
                .finalWhen(c -> c.value == 3);
    }

    @Test
    void rejectedActionsMakeNoTransition() {
        ExplorationResult r = Explorer.explore(counterSystem(false), ExploreBounds.unbounded());
        assertThat(r.passed()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(4);
        ActionSystem<Counter> noEnd = ActionSystem.of("counter", () -> List.of(new Counter(2, false)),
                c -> new Counter(c.value, c.sloppy), c -> c.value,
                c -> List.of(new ActionSystem.Action<>("add(1)", x -> x.add(1))), InvariantSet.of("counter", TRUE_COUNTER));
        assertThat(Manifest.verdict(Explorer.explore(noEnd, ExploreBounds.unbounded()))).isEqualTo("fail:DEADLOCK");
    }

    @Test
    void ATOMIC_1_rejectedActionThatChangedItsCopyIsACounterexample() {
        ExplorationResult r = Explorer.explore(counterSystem(true), ExploreBounds.unbounded());
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("ATOMIC-1");
        assertThat(c.failure()).contains("add(2)");
    }

    @Test
    void inductiveStepHoldsOrYieldsACounterexample() {
        Invariant<Pair> even = Invariant.of("DEMO-6", "x is even", p -> Invariant.require(p.x % 2 == 0, "x=%d", p.x));
        List<Pair> scope = new ArrayList<>();
        for (int x = 0; x < 6; x++) {
            for (int y = 0; y < 6; y++) {
                scope.add(new Pair(x, y));
            }
        }
        TransitionSystem<Pair> byTwo = new TransitionSystem<>() {
            @Override
            public String name() {
                return "by-two";
            }

            @Override
            public List<Pair> initialStates() {
                return List.of(new Pair(0, 0));
            }

            @Override
            public void successors(Pair s, Successors<Pair> out) {
                out.add("x+=2", new Pair(s.x + 2, s.y));
            }

            @Override
            public Object key(Pair s) {
                return s;
            }

            @Override
            public InvariantSet<Pair> invariants() {
                return InvariantSet.of("by-two", even);
            }
        };
        InductivenessCheck.Result ok = InductivenessCheck.check("even-by-two", scope, byTwo);
        assertThat(ok.passed()).isTrue();
        assertThat(ok.statesInScope()).isEqualTo(36);
        assertThat(ok.statesSatisfying()).isEqualTo(18);
        assertThat(ok.transitionsChecked()).isEqualTo(18);

        InductivenessCheck.Result bad = InductivenessCheck.check("even-by-one", scope, counters(100, even, false));
        assertThat(bad.passed()).isFalse();
        assertThat(bad.counterexample().orElseThrow().invariantId()).isEqualTo("DEMO-6");
    }
}
