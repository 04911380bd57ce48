package org.mmspec.check;

import java.time.Duration;
import java.util.Optional;

/**
 * What an exhaustive exploration did and found.
 *
 * @param system the explored system's name
 * @param distinctStates distinct states reached (after canonicalisation)
 * @param transitions transitions taken, including those that reached known states
 * @param depth the deepest level reached
 * @param complete true when every reachable state within the bounds was explored, false when a
 *        bound or a violation cut the search short
 * @param elapsed wall time
 * @param counterexample the shortest trace to a violation, if one was found
 * @param stats how the states were stored (not part of the verdict or the counts)
 */
public record ExplorationResult(String system, long distinctStates, long transitions, int depth, boolean complete,
        Duration elapsed, Optional<Counterexample> counterexample, SearchStats stats) {

    public ExplorationResult(String system, long distinctStates, long transitions, int depth, boolean complete,
            Duration elapsed, Optional<Counterexample> counterexample) {
        this(system, distinctStates, transitions, depth, complete, elapsed, counterexample, SearchStats.NONE);
    }

    public boolean passed() {
        return counterexample.isEmpty();
    }

    /** Fails with the counterexample's timeline if there is one. */
    public ExplorationResult assertPassed() {
        counterexample.ifPresent(c -> {
            throw new AssertionError(system + ": " + c.render());
        });
        return this;
    }

    public String summary() {
        return String.format("%s: %,d states, %,d transitions, depth %d%s, %d ms, %s", system, distinctStates,
                transitions, depth, complete ? " (complete)" : " (bounded)", elapsed.toMillis(),
                passed() ? "pass" : "FAIL " + counterexample.get().invariantId());
    }

    /** The store line: mode, bytes per state, threads, peak frontier and collision estimate. */
    public String storeSummary() {
        return stats.render(distinctStates);
    }
}
