package org.mmspec.check;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One step of a stateful run, as a rule body sees it: the draws for its arguments, the record of
 * what it called and got, and the checks that tie it to the model.
 *
 * @param <S> the state type of the machine
 */
public final class Step<S> {
    private final S state;
    private final Choices choices;
    private final Function<? super S, Object> snapshot;
    private String call;
    private String result;

    Step(S state, Choices choices, Function<? super S, Object> snapshot) {
        this.state = state;
        this.choices = choices;
        this.snapshot = snapshot;
    }

    public Choices choices() {
        return choices;
    }

    public int between(int lo, int hi) {
        return choices.between(lo, hi);
    }

    public long between(long lo, long hi) {
        return choices.between(lo, hi);
    }

    public boolean bool() {
        return choices.bool();
    }

    public boolean oneIn(int n) {
        return choices.oneIn(n);
    }

    public <T> T pick(List<T> options) {
        return choices.pick(options);
    }

    public <E extends Enum<E>> E pick(Class<E> type) {
        return choices.pick(type);
    }

    /** Records the call this step makes, as it would be written in a replay, e.g. {@code allocate(3)}. */
    public Step<S> call(String format, Object... args) {
        this.call = String.format(format, args);
        return this;
    }

    /**
     * Runs the operation under test. A typed rejection is returned as an outcome, after checking
     * that it left the state exactly as it was (ATOMIC-1); any other exception escapes and fails
     * the run.
     */
    public <T> Outcome<T> perform(Supplier<T> operation) {
        Object before = snapshot.apply(state);
        try {
            T value = operation.get();
            result = String.valueOf(value);
            return Outcome.ok(value);
        } catch (MmException e) {
            result = "rejected " + e.kind();
            Object after = snapshot.apply(state);
            if (!Objects.equals(before, after)) {
                throw new FailureNotAtomic(call == null ? "operation" : call, e, before, after);
            }
            return Outcome.rejected(e);
        }
    }

    /** {@link #perform(Supplier)} for operations without a result. */
    public Outcome<Void> performVoid(Runnable operation) {
        Outcome<Void> o = perform(() -> {
            operation.run();
            return null;
        });
        if (o.isOk()) {
            result = "ok";
        }
        return o;
    }

    /** Fails with a {@link ModelMismatch} unless the implementation and the model agree. */
    public void agree(String what, Object implementation, Object model) {
        if (!Objects.equals(implementation, model)) {
            throw new ModelMismatch(what, implementation, model);
        }
    }

    /** Fails with an {@link AssertionError} unless {@code condition} holds. */
    public void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new AssertionError(String.format(format, args));
        }
    }

    String describe(String ruleName) {
        String c = call == null ? ruleName : call;
        return result == null ? c : c + " -> " + result;
    }
}
