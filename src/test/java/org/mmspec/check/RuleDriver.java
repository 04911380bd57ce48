package org.mmspec.check;

import java.util.function.Function;

/**
 * Test support for other packages' machines: one {@link Step} over a given state with given
 * draws, and one rule applied through it, without a whole stateful run. The rule tests of a
 * component use it to drive a single rule against a state they built (say, a model that was put
 * out of step with the implementation on purpose) and to read back the call the step recorded.
 */
public final class RuleDriver {
    private RuleDriver() {
    }

    /** A step over {@code state} whose draws are {@code draws} (then zeros), as a replay makes them. */
    public static <S> Step<S> step(S state, Function<? super S, Object> snapshot, long... draws) {
        return new Step<>(state, Choices.replay(draws), snapshot);
    }

    /**
     * Applies the rule named {@code rule} of {@code machine} to {@code state} with {@code draws}
     * and returns the call it recorded with its result, e.g. {@code allocate(3) -> [frame#0..3)}.
     * Whatever the rule throws (a model mismatch, a failed check) propagates.
     */
    public static <S> String apply(StateMachine<S> machine, String rule, S state, long... draws) {
        Rule<S> r = machine.rules().stream().filter(x -> x.name().equals(rule)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(machine.name() + " has no rule " + rule));
        Step<S> step = step(state, machine::snapshot, draws);
        r.apply(state, step);
        return step.describe(rule);
    }
}
