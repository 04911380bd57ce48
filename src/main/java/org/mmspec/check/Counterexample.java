package org.mmspec.check;

import java.util.List;

/**
 * The shortest path the explorer found from an initial state to a failure, read as a timeline:
 * each step's label and the state it led to, then what failed.
 *
 * @param steps the transitions in order; the first entry is the initial state (label {@code init})
 * @param failure what was violated at the end: an invariant message, or a failed transition
 * @param invariantId the broken invariant's ID, or the failure kind when no invariant applies
 * @param cycleStart for a liveness counterexample (a lasso), the index of the step whose state the
 *        last step returns to, so that the steps after it repeat for ever; -1 for a plain trace
 */
public record Counterexample(List<TraceStep> steps, String failure, String invariantId, int cycleStart) {

    /** A trace that ends in the failure (no cycle): every safety counterexample. */
    public Counterexample(List<TraceStep> steps, String failure, String invariantId) {
        this(steps, failure, invariantId, -1);
    }

    /** Whether this is a lasso: the steps from {@link #cycleStart} on repeat for ever. */
    public boolean isLasso() {
        return cycleStart >= 0;
    }

    /**
     * One point of the trace.
     *
     * @param label the transition taken
     * @param state the state it reached, rendered by the component
     */
    public record TraceStep(String label, String state) {
    }

    /** Transitions taken, not counting the initial state. */
    public int length() {
        return steps.size() - 1;
    }

    /** A readable timeline. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("counterexample, ").append(length()).append(" steps, breaks ").append(invariantId);
        if (isLasso() && cycleStart == length()) {
            sb.append(" (a lasso: the run stays in its last state for ever, with no step enabled)");
        } else if (isLasso()) {
            sb.append(" (a lasso: steps ").append(cycleStart + 1).append('-').append(length())
                    .append(" repeat for ever)");
        }
        sb.append('\n');
        for (int i = 0; i < steps.size(); i++) {
            TraceStep t = steps.get(i);
            if (i == cycleStart) {
                sb.append("  -- cycle: from here the run returns to this state for ever --\n");
            }
            sb.append(String.format("  %3d. %s%n       %s%n", i, t.label(), t.state().replace("\n", "\n       ")));
        }
        sb.append("  => ").append(failure);
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
