package org.mmspec.check;

import java.util.Objects;

/**
 * What an operation under test did: returned a value, or was rejected with a typed error.
 *
 * @param <T> the operation's result type
 */
public final class Outcome<T> {
    private final T value;
    private final MmException error;

    private Outcome(T value, MmException error) {
        this.value = value;
        this.error = error;
    }

    public static <T> Outcome<T> ok(T value) {
        return new Outcome<>(value, null);
    }

    public static <T> Outcome<T> rejected(MmException error) {
        return new Outcome<>(null, Objects.requireNonNull(error));
    }

    public boolean isOk() {
        return error == null;
    }

    public boolean isRejected() {
        return error != null;
    }

    /** The value; fails with an {@link AssertionError} naming the error if it was rejected. */
    public T value() {
        if (error != null) {
            throw new AssertionError("expected success but was rejected: " + error, error);
        }
        return value;
    }

    /** The error; fails with an {@link AssertionError} if the operation succeeded. */
    public MmException error() {
        if (error == null) {
            throw new AssertionError("expected a rejection but the operation returned " + value);
        }
        return error;
    }

    /** The error kind when rejected, otherwise {@code "ok"}; handy for model comparison. */
    public String kind() {
        return error == null ? "ok" : error.kind();
    }

    @Override
    public String toString() {
        return error == null ? String.valueOf(value) : "rejected " + error;
    }
}
