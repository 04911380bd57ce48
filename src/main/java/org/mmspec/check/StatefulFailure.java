package org.mmspec.check;

import java.util.Arrays;
import java.util.List;

/**
 * A stateful check failed. The message gives the master seed that reproduces the failure, the
 * minimal sequence of steps after shrinking, and the original failure, which stays attached as
 * the cause.
 */
public final class StatefulFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final transient List<String> steps;
    private final long[] choices;
    private final long seed;

    StatefulFailure(String machine, long seed, int runIndex, int originalLength, List<String> steps, long[] choices,
            Throwable failure) {
        super(render(machine, seed, runIndex, originalLength, steps, choices, failure), failure);
        this.steps = List.copyOf(steps);
        this.choices = choices.clone();
        this.seed = seed;
    }

    /** The minimal steps, each a readable call with its result. */
    public List<String> steps() {
        return steps;
    }

    /** The minimal choice sequence; {@link StatefulChecker#replay} reruns exactly this case. */
    public long[] choices() {
        return choices.clone();
    }

    public long seed() {
        return seed;
    }

    /** The underlying failure (an {@link InvariantViolation}, a {@link ModelMismatch}, ...). */
    public Throwable failure() {
        return getCause();
    }

    private static String render(String machine, long seed, int runIndex, int originalLength, List<String> steps,
            long[] choices, Throwable failure) {
        StringBuilder sb = new StringBuilder();
        sb.append(machine).append(": falsified after shrinking ").append(originalLength).append(" steps to ")
                .append(steps.size()).append('\n');
        sb.append("  reproduce with -Dmmspec.seed=").append(seed).append(" (run ").append(runIndex).append(")\n");
        sb.append("  minimal steps:\n");
        for (int i = 0; i < steps.size(); i++) {
            sb.append(String.format("    %2d. %s%n", i + 1, steps.get(i)));
        }
        sb.append("  choices: ").append(Arrays.toString(choices)).append('\n');
        sb.append("  failure: ").append(failure);
        return sb.toString();
    }
}
