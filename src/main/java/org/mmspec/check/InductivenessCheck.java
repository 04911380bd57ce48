package org.mmspec.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A bounded check of an inductive step: for every state of a small scope that satisfies the
 * invariants, whether reachable or not, every transition leads to a state that satisfies them
 * too. It turns the inductive step of a hand proof in {@code proofs/} into a machine check at
 * that scope. A state outside the invariants is skipped, not checked: induction says nothing
 * about it.
 */
public final class InductivenessCheck {
    private InductivenessCheck() {
    }

    /**
     * What the check did.
     *
     * @param name the check's name, as {@code proofs/} cites it
     * @param statesInScope every state enumerated
     * @param statesSatisfying those satisfying the invariants (the induction hypothesis)
     * @param transitionsChecked transitions taken from satisfying states
     * @param elapsed wall time
     * @param counterexample a satisfying state, a transition, and the broken successor, if any
     */
    public record Result(String name, long statesInScope, long statesSatisfying, long transitionsChecked,
            Duration elapsed, Optional<Counterexample> counterexample) {
        public boolean passed() {
            return counterexample.isEmpty();
        }

        public Result assertPassed() {
            counterexample.ifPresent(c -> {
                throw new AssertionError(name + ": inductive step fails\n" + c.render());
            });
            return this;
        }
    }

    /**
     * Checks that the transitions of {@code system} preserve its invariants from every state in
     * {@code scope}. The scope is usually every well-typed state of a tiny configuration.
     */
    public static <S> Result check(String name, Iterable<S> scope, TransitionSystem<S> system) {
        long start = System.nanoTime();
        long inScope = 0;
        long satisfying = 0;
        long[] transitions = {0};
        InvariantSet<S> inv = system.invariants();
        for (S pre : scope) {
            inScope++;
            if (inv.firstViolation(pre).isPresent()) {
                continue;
            }
            satisfying++;
            List<Counterexample> found = new ArrayList<>(1);
            try {
                system.successors(pre, (label, post) -> {
                    transitions[0]++;
                    if (!found.isEmpty()) {
                        return;
                    }
                    inv.firstViolation(post).ifPresent(v -> found.add(new Counterexample(List.of(
                            new Counterexample.TraceStep("any state satisfying the invariants", inv.describe(pre)),
                            new Counterexample.TraceStep(label.get(), inv.describe(post))), v.message(), v.invariantId())));
                });
            } catch (RuntimeException | AssertionError e) {
                found.add(new Counterexample(List.of(new Counterexample.TraceStep("any state satisfying the invariants",
                        inv.describe(pre))), "a transition failed: " + e.getMessage(), e.getClass().getSimpleName()));
            }
            if (!found.isEmpty()) {
                return new Result(name, inScope, satisfying, transitions[0], Duration.ofNanos(System.nanoTime() - start),
                        Optional.of(found.get(0)));
            }
        }
        return new Result(name, inScope, satisfying, transitions[0], Duration.ofNanos(System.nanoTime() - start),
                Optional.empty());
    }
}
