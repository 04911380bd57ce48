package org.mmspec.check;

/**
 * Thrown when a state breaks an invariant. The message names the invariant, states it, says
 * what broke it, and renders the state it was checked on.
 */
public final class InvariantViolation extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final transient Violation violation;

    public InvariantViolation(Violation violation, String stateDump) {
        super(violation.message() + (stateDump == null || stateDump.isEmpty() ? "" : "\n  state: " + stateDump));
        this.violation = violation;
    }

    public Violation violation() {
        return violation;
    }

    public String invariantId() {
        return violation.invariantId();
    }
}
