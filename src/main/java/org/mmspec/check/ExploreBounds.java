package org.mmspec.check;

/**
 * Limits of one exhaustive exploration. The search stops expanding states at {@code maxDepth}
 * and stops altogether after the expansion in which the count of distinct states reached
 * {@code maxStates}; either way the result says the search was not complete. The cap is checked
 * after each state's whole expansion (so a counterexample among its successors is still found), so
 * a capped run may keep up to one state's successors more than {@code maxStates}.
 *
 * @param maxDepth the deepest level expanded (the initial states are depth 0)
 * @param maxStates the distinct states after which the search stops (at least 1)
 */
public record ExploreBounds(int maxDepth, long maxStates) {
    public static final long DEFAULT_MAX_STATES = 20_000_000L;

    public ExploreBounds {
        if (maxDepth < 0 || maxStates < 1) {
            throw new IllegalArgumentException("bounds need depth >= 0 and states >= 1: depth " + maxDepth + ", states " + maxStates);
        }
    }

    /** Explore to {@code depth}, with the default state cap. */
    public static ExploreBounds depth(int depth) {
        return new ExploreBounds(depth, DEFAULT_MAX_STATES);
    }

    /** Explore until no new state appears, with the default state cap. */
    public static ExploreBounds unbounded() {
        return new ExploreBounds(Integer.MAX_VALUE, DEFAULT_MAX_STATES);
    }
}
