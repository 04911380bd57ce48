package org.mmspec.check;

import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One operation of a rule-based state machine: a name, a precondition saying when it may be
 * chosen, and a body that draws its arguments, performs it, and compares with the model.
 *
 * @param <S> the state type of the machine
 */
public final class Rule<S> {
    private final String name;
    private final Predicate<? super S> enabled;
    private final BiConsumer<S, Step<S>> body;

    private Rule(String name, Predicate<? super S> enabled, BiConsumer<S, Step<S>> body) {
        this.name = Objects.requireNonNull(name);
        this.enabled = Objects.requireNonNull(enabled);
        this.body = Objects.requireNonNull(body);
    }

    /** A rule that is always enabled. */
    public static <S> Rule<S> of(String name, BiConsumer<S, Step<S>> body) {
        return new Rule<>(name, s -> true, body);
    }

    /** A rule that may be chosen only in states satisfying {@code enabled}. */
    public static <S> Rule<S> when(String name, Predicate<? super S> enabled, BiConsumer<S, Step<S>> body) {
        return new Rule<>(name, enabled, body);
    }

    public String name() {
        return name;
    }

    public boolean enabled(S state) {
        return enabled.test(state);
    }

    void apply(S state, Step<S> step) {
        body.accept(state, step);
    }
}
