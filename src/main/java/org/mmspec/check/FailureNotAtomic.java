package org.mmspec.check;

/**
 * Thrown when an operation was rejected with a typed error but changed the state anyway,
 * breaking the contract of {@link MmException}.
 */
public final class FailureNotAtomic extends AssertionError {
    private static final long serialVersionUID = 1L;

    public FailureNotAtomic(String operation, MmException error, Object before, Object after) {
        super("ATOMIC-1 violated (a rejected operation leaves the state exactly as it was): "
                + operation + " was rejected with " + error + " but changed the state\n  before: " + before
                + "\n  after:  " + after);
    }
}
