package org.mmspec.check;

import java.util.Locale;

import org.mmspec.check.store.CollisionEstimate;

/**
 * How a search stored its states and how much it held, for the end-of-run report.
 *
 * @param store "exact" or "fingerprint" (the mode at the end of the run)
 * @param threads worker threads that expanded states
 * @param storeBytes bytes of the visited-state table, -1 when keys are kept as objects
 * @param traceBytes bytes of the per-state parent and successor-index arrays
 * @param peakFrontier the most states waiting in the frontier at once (current and next level)
 * @param collisions the fingerprint collision estimate, null in exact mode
 * @param spilledStates the most states of one frontier level held on disk at once (0: none)
 */
public record SearchStats(String store, int threads, long storeBytes, long traceBytes, long peakFrontier,
        CollisionEstimate collisions, long spilledStates) {
    public static final SearchStats NONE = new SearchStats("exact", 1, -1, 0, 0, null, 0);

    /** Stats of a search that kept its whole frontier in memory. */
    public SearchStats(String store, int threads, long storeBytes, long traceBytes, long peakFrontier,
            CollisionEstimate collisions) {
        this(store, threads, storeBytes, traceBytes, peakFrontier, collisions, 0);
    }

    /** Bytes per stored state of the store and trace arrays; NaN when keys are kept as objects. */
    public double bytesPerState(long states) {
        return storeBytes < 0 || states == 0 ? Double.NaN : (double) (storeBytes + traceBytes) / states;
    }

    public String render(long states) {
        String bytes = storeBytes < 0 ? "keys kept as objects"
                : String.format(Locale.ROOT, "%.1f bytes/state (table %,d B + trace %,d B)", bytesPerState(states),
                        storeBytes, traceBytes);
        return String.format(Locale.ROOT, "store %s, %s, %d thread%s, peak frontier %,d%s", store, bytes, threads,
                threads == 1 ? "" : "s", peakFrontier, collisions == null ? "" : ", " + collisions.render())
                + (spilledStates == 0 ? "" : String.format(Locale.ROOT, ", frontier on disk: up to %,d states of a level",
                        spilledStates));
    }
}
