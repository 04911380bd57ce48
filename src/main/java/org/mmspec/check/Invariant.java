package org.mmspec.check;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A named predicate over a component's state.
 *
 * <p>The {@link #id() ID} (for example {@code BUDDY-2}) is defined once in {@code spec/} and
 * appears again in the code that checks it, in every failure message and in the names of the
 * tests that show the check can fail. The check function returns empty when the invariant holds
 * and otherwise a short description of the part of the state that breaks it.
 *
 * @param <S> the state type the invariant is stated over
 */
public final class Invariant<S> {
    private final String id;
    private final String statement;
    private final Function<? super S, Optional<String>> check;

    private Invariant(String id, String statement, Function<? super S, Optional<String>> check) {
        this.id = Objects.requireNonNull(id, "id");
        this.statement = Objects.requireNonNull(statement, "statement");
        this.check = Objects.requireNonNull(check, "check");
        if (!id.matches("[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]+")) {
            throw new IllegalArgumentException("invariant IDs look like BUDDY-2, not " + id);
        }
    }

    /**
     * Creates an invariant.
     *
     * @param id the spec ID, such as {@code BUDDY-2}
     * @param statement the one-line statement, worded as in {@code spec/}
     * @param check returns empty when the invariant holds, otherwise what broke it
     */
    public static <S> Invariant<S> of(String id, String statement, Function<? super S, Optional<String>> check) {
        return new Invariant<>(id, statement, check);
    }

    /** The result a check function returns when its invariant holds. */
    public static Optional<String> holds() {
        return Optional.empty();
    }

    /** The result a check function returns when its invariant is broken. */
    public static Optional<String> broken(String format, Object... args) {
        return Optional.of(String.format(format, args));
    }

    /** Returns {@code holds()} when {@code condition} is true and {@code broken(...)} otherwise. */
    public static Optional<String> require(boolean condition, String format, Object... args) {
        return condition ? holds() : broken(format, args);
    }

    public String id() {
        return id;
    }

    public String statement() {
        return statement;
    }

    /** Evaluates the invariant; a check that itself throws counts as broken, never as holding. */
    public Optional<Violation> evaluate(S state) {
        Optional<String> detail;
        try {
            detail = check.apply(state);
        } catch (RuntimeException e) {
            detail = Optional.of("check threw " + e);
        }
        return detail.map(d -> new Violation(id, statement, d));
    }

    @Override
    public String toString() {
        return id + ": " + statement;
    }
}
