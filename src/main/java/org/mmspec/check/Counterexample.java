package org.mmspec.check;

import java.util.List;

/**
 * The shortest path the explorer found from an initial state to a failure, read as a timeline:
 * each step's label and the state it led to, then what failed.
 *
 * @param steps the transitions in order; the first entry is the initial state (label {@code init})
 * @param failure what was violated at the end: an invariant message, or a failed transition
 * @param invariantId the broken invariant's ID, or the failure kind when no invariant applies
 */
public record Counterexample(List<TraceStep> steps, String failure, String invariantId) {

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
        sb.append("counterexample, ").append(length()).append(" steps, breaks ").append(invariantId).append('\n');
        for (int i = 0; i < steps.size(); i++) {
            TraceStep t = steps.get(i);
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
