package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

    /**
     * A rule that takes one transition of an exploration model: from the state {@code state} reads
     * out of the machine, one of {@code system}'s successors, drawn by index and recorded by its
     * label, is stored with {@code advance}. A random walk through the model, interleaved with the
     * machine's other rules; enabled while the state has a successor.
     */
    public static <M, S> Rule<M> walk(String name, Function<? super M, ? extends TransitionSystem<S>> system,
            Function<? super M, S> state, BiConsumer<? super M, S> advance) {
        return when(name, m -> system.apply(m).hasSuccessor(state.apply(m)), (m, step) -> {
            List<Supplier<String>> labels = new ArrayList<>();
            List<S> next = new ArrayList<>();
            system.apply(m).successors(state.apply(m), (l, n) -> {
                labels.add(l);
                next.add(n);
            });
            int i = step.between(0, next.size() - 1);
            step.call("%s", labels.get(i).get());
            advance.accept(m, next.get(i));
        });
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
