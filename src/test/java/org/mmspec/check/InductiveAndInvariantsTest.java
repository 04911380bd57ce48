package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The bounded inductive-step check with exact counts, invariant sets (order, lookup, rendering),
 * and {@link ActionSystem}'s handling of rejected and failing actions (ATOMIC-1).
 */
class InductiveAndInvariantsTest {

    // --- InductivenessCheck ----------------------------------------------------------------------

    @Test
    void DEMO_7_countsScopeSatisfyingStatesAndTransitions() {
        // 9 is outside the invariant, so it is skipped; 0..3 have 2 + 1 + 1 + 0 transitions.
        Graph g = new Graph(List.of(0), Set.of(9)).edge(0, 1).edge(0, 2).edge(1, 3).edge(2, 3).edge(9, 9);
        InductivenessCheck.Result r = InductivenessCheck.check("diamond", List.of(0, 1, 9, 2, 3), g);
        assertThat(r.passed()).isTrue();
        assertThat(r.name()).isEqualTo("diamond");
        assertThat(r.statesInScope()).isEqualTo(5);
        assertThat(r.statesSatisfying()).isEqualTo(4);
        assertThat(r.transitionsChecked()).isEqualTo(4);
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
        assertThat(r.assertPassed()).isSameAs(r);
    }

    @Test
    void DEMO_7_aBrokenSuccessorEndsTheCheckWithATwoStepCounterexample() {
        // From 1 both 9 and 8 are bad; 9 comes first. Scope element 3 is never reached.
        Graph g = new Graph(List.of(0), Set.of(8, 9)).edge(0, 2).edge(1, 9).edge(1, 8).edge(1, 2);
        InductivenessCheck.Result r = InductivenessCheck.check("step", List.of(0, 5, 1, 3), g);
        assertThat(r.passed()).isFalse();
        assertThat(r.statesInScope()).isEqualTo(3);
        assertThat(r.statesSatisfying()).isEqualTo(3);
        assertThat(r.transitionsChecked()).isEqualTo(4);
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-7");
        assertThat(c.failure()).isEqualTo("DEMO-7 violated (the state is not bad): state 9 is bad");
        assertThat(c.steps()).containsExactly(
                new Counterexample.TraceStep("any state satisfying the invariants", "state 1"),
                new Counterexample.TraceStep("to 9", "state 9"));
        assertThatThrownBy(r::assertPassed).isInstanceOf(AssertionError.class)
                .hasMessage("step: inductive step fails\n" + c.render());
    }

    @Test
    void aTransitionThatThrowsIsAOneStepCounterexample() {
        Graph g = Graph.chain(4, Set.of()).failsAt(2, new IllegalStateException("boom"));
        InductivenessCheck.Result r = InductivenessCheck.check("step", List.of(0, 2, 1), g);
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("IllegalStateException");
        assertThat(c.failure()).isEqualTo("a transition failed: boom");
        assertThat(c.steps()).containsExactly(new Counterexample.TraceStep("any state satisfying the invariants", "state 2"));
        assertThat(r.statesInScope()).isEqualTo(2);
        assertThat(r.transitionsChecked()).isEqualTo(1);
    }

    // --- Invariant and InvariantSet --------------------------------------------------------------

    private static final Invariant<Integer> POSITIVE = Invariant.of("DEMO-3", "the value is positive",
            x -> Invariant.require(x > 0, "value %d", x));
    private static final Invariant<Integer> SMALL = Invariant.of("DEMO-4", "the value is below 10",
            x -> Invariant.require(x < 10, "value %d", x));

    @Test
    void anInvariantStatesItselfAndReportsWhatBrokeIt() {
        assertThat(POSITIVE.id()).isEqualTo("DEMO-3");
        assertThat(POSITIVE.statement()).isEqualTo("the value is positive");
        assertThat(POSITIVE.toString()).isEqualTo("DEMO-3: the value is positive");
        assertThat(POSITIVE.evaluate(1)).isEmpty();
        assertThat(POSITIVE.evaluate(-2)).contains(new Violation("DEMO-3", "the value is positive", "value -2"));
        assertThat(Invariant.broken("%s and %s", "a", "b")).contains("a and b");
        assertThat(Invariant.holds()).isEmpty();
        Invariant<Integer> throwing = Invariant.of("DEMO-5", "s", x -> {
            throw new IllegalStateException("bad input");
        });
        assertThat(throwing.evaluate(1).orElseThrow().detail())
                .isEqualTo("check threw java.lang.IllegalStateException: bad input");
        assertThatThrownBy(() -> Invariant.of("DEMO-X", "s", x -> Invariant.holds()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("invariant IDs look like BUDDY-2, not DEMO-X");
        assertThat(Invariant.of("A-1", "s", x -> Invariant.holds()).id()).isEqualTo("A-1");
        assertThatThrownBy(() -> Invariant.of(null, "s", x -> Invariant.holds())).hasMessage("id");
        assertThatThrownBy(() -> Invariant.of("A-1", null, x -> Invariant.holds())).hasMessage("statement");
        assertThatThrownBy(() -> Invariant.of("A-1", "s", null)).hasMessage("check");
    }

    @Test
    void DEMO_4_theFirstBrokenInvariantInDeclarationOrderIsReported() {
        InvariantSet<Integer> set = InvariantSet.of("demo", List.of(POSITIVE, SMALL), x -> "value=" + x);
        assertThat(set.component()).isEqualTo("demo");
        assertThat(set.invariants()).containsExactly(POSITIVE, SMALL);
        assertThat(set.firstViolation(5)).isEmpty();
        assertThat(set.firstViolation(12).orElseThrow().invariantId()).isEqualTo("DEMO-4");
        assertThat(set.violations(12)).extracting(Violation::invariantId).containsExactly("DEMO-4");
        assertThat(set.violations(5)).isEmpty();
        assertThatThrownBy(() -> set.assertHolds(12)).isInstanceOf(InvariantViolation.class)
                .hasMessage("DEMO-4 violated (the value is below 10): value 12\n  state: value=12");
        set.assertHolds(3);
    }

    @Test
    void DEMO_3_andAddsInvariantsWithoutChangingTheOriginal() {
        InvariantSet<Integer> base = InvariantSet.of("demo", List.of(SMALL), x -> "v" + x);
        InvariantSet<Integer> both = base.and(POSITIVE);
        assertThat(base.ids()).containsExactly("DEMO-4");
        assertThat(both.ids()).containsExactly("DEMO-4", "DEMO-3");
        assertThat(both.component()).isEqualTo("demo");
        assertThat(both.describe(4)).isEqualTo("v4");
        assertThat(both.firstViolation(-1).orElseThrow().invariantId()).isEqualTo("DEMO-3");
        assertThat(both.byId("DEMO-3")).isSameAs(POSITIVE);
        assertThat(both.byId("DEMO-4")).isSameAs(SMALL);
        assertThatThrownBy(() -> base.byId("DEMO-3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("demo has no invariant DEMO-3");
    }

    @Test
    void aStateThatCannotBeRenderedStillGetsADescription() {
        InvariantSet<Integer> set = InvariantSet.of("demo", List.of(SMALL), x -> {
            throw new IllegalStateException("no render");
        });
        assertThat(set.describe(1)).isEqualTo("<state rendering threw java.lang.IllegalStateException: no render>");
        assertThat(InvariantSet.of("demo", SMALL).describe(7)).isEqualTo("7");
    }

    // --- ActionSystem ----------------------------------------------------------------------------

    /** A mutable bag of ints; {@code take} rejects a missing value, sloppily when asked to. */
    static final class Bag {
        final List<Integer> items = new ArrayList<>();
        boolean sloppy;

        void take(int x) {
            if (!items.contains(x)) {
                if (sloppy) {
                    items.add(-x);
                }
                throw new ToySet.ToyError("no " + x);
            }
            items.remove(Integer.valueOf(x));
        }

        @Override
        public String toString() {
            return "bag" + items;
        }
    }

    private static ActionSystem<Bag> bags(boolean sloppy, List<ActionSystem.Action<Bag>> actions) {
        return ActionSystem.of("bags", () -> {
            Bag b = new Bag();
            b.items.add(1);
            b.sloppy = sloppy;
            return List.of(b);
        }, b -> {
            Bag c = new Bag();
            c.items.addAll(b.items);
            c.sloppy = b.sloppy;
            return c;
        }, b -> List.copyOf(b.items), b -> actions, InvariantSet.of("bags", Invariant.of("DEMO-6", "at most one item",
                (Bag b) -> Invariant.require(b.items.size() <= 1, "%s", b.items))));
    }

    @Test
    void ATOMIC_1_rejectedActionsAreSkippedAndOthersAreLabelledSuccessors() {
        ActionSystem<Bag> sys = bags(false, List.of(new ActionSystem.Action<>("take(2)", b -> b.take(2)),
                new ActionSystem.Action<>("take(1)", b -> b.take(1))));
        assertThat(sys.name()).isEqualTo("bags");
        assertThat(sys.invariants().ids()).containsExactly("DEMO-6");
        Bag init = sys.initialStates().get(0);
        List<String> seen = new ArrayList<>();
        sys.successors(init, (label, next) -> seen.add(label.get() + " " + next));
        assertThat(seen).containsExactly("take(1) bag[]");
        assertThat(init.items).containsExactly(1);
        assertThat(sys.key(init)).isEqualTo(List.of(1));
        List<Bag> inits = sys.initialStates();
        inits.clear();
        assertThat(sys.initialStates()).hasSize(1);
    }

    @Test
    void ATOMIC_1_aRejectedActionThatChangedItsCopyFails() {
        ActionSystem<Bag> sys = bags(true, List.of(new ActionSystem.Action<>("take(2)", b -> b.take(2))));
        Bag init = sys.initialStates().get(0);
        assertThatThrownBy(() -> sys.successors(init, (l, n) -> { })).isInstanceOf(FailureNotAtomic.class)
                .hasMessage("ATOMIC-1 violated (a rejected operation leaves the state exactly as it was): take(2) was "
                        + "rejected with ToyError[TOY]: no 2 but changed the state\n  before: bag[1]\n  after:  bag[1, -2]");
    }

    @Test
    void anActionThatThrowsAnythingElseIsAnActionFailure() {
        IllegalStateException cause = new IllegalStateException("corrupt");
        ActionSystem<Bag> sys = bags(false, List.of(new ActionSystem.Action<>("poke", b -> {
            throw cause;
        })));
        assertThatThrownBy(() -> sys.successors(sys.initialStates().get(0), (l, n) -> { }))
                .isInstanceOf(ActionSystem.ActionFailure.class).hasMessage("poke failed: corrupt").hasCause(cause);
        ExplorationResult r = Explorer.explore(sys, ExploreBounds.unbounded());
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("ActionFailure");
        assertThat(r.counterexample().get().failure()).isEqualTo("a transition failed: poke failed: corrupt");
    }

    @Test
    void anActionSystemNeedsEveryPart() {
        assertThatThrownBy(() -> ActionSystem.of(null, List::<Bag>of, b -> b, b -> b, b -> List.of(),
                InvariantSet.<Bag>of("x"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ActionSystem.of("x", List::<Bag>of, b -> b, b -> b, b -> List.of(), null))
                .isInstanceOf(NullPointerException.class);
    }
}
