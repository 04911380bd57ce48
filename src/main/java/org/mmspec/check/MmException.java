package org.mmspec.check;

/**
 * The typed error of the specification: an operation was rejected because its input or the
 * current state does not satisfy its precondition.
 *
 * <p>Every component's error type extends this class, through {@link KindedException} (which holds
 * the component's kind enum). The checking core relies on one contract
 * from it: <em>an operation that throws an {@code MmException} leaves the state exactly as it
 * was</em>. {@link Step#perform} and {@link Explorer} check that contract on every rejected
 * operation, so it is tested everywhere without a test having to remember it.
 */
public abstract class MmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected MmException(String message) {
        super(message);
    }

    /** A short, stable name of the error kind, such as {@code DOUBLE_FREE}; used in traces. */
    public abstract String kind();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + kind() + "]: " + getMessage();
    }
}
