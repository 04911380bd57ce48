package org.mmspec.check;

/**
 * Thrown when the implementation and the trivially correct model disagree on an operation's
 * result. The message says what was compared and both answers.
 */
public final class ModelMismatch extends AssertionError {
    private static final long serialVersionUID = 1L;

    public ModelMismatch(String what, Object implementation, Object model) {
        super("model mismatch on " + what + ": implementation gave " + implementation + ", model gave " + model);
    }
}
