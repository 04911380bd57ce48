package org.mmspec.check;

import org.mmspec.check.store.StoreMode;

/**
 * How {@link Explorer} searches: the state store, the worker threads, and where {@link
 * StoreMode#AUTO} turns from exact keys to fingerprints. None of these changes a verdict or a
 * count (fingerprints up to the printed collision probability).
 *
 * <p>Defaults come from system properties, so that every caller (CLI, tests, manifests) can be
 * switched without code: {@code mmspec.explorer.store} (auto, exact, fingerprint; default auto),
 * {@code mmspec.explorer.threads} (default: every available processor) and
 * {@code mmspec.explorer.switchAt} (default 1,000,000 states) and {@code mmspec.explorer.spillAt}
 * (default: only when the heap is more than half full).
 *
 * @param store the state store
 * @param threads worker threads, at least 1 (1 = sequential, on the caller's thread)
 * @param switchAt states after which AUTO switches to fingerprints
 * @param spillAt states of one frontier level held in memory after which they are written to disk,
 *        for systems with a {@link org.mmspec.check.StateCodec}; whatever this is, a level also
 *        goes to disk when the heap is more than half full ({@link Frontier})
 */
public record ExplorerSettings(StoreMode store, int threads, long switchAt, long spillAt) {
    public static final long DEFAULT_SWITCH_AT = 1_000_000L;
    /** Spill on heap pressure only. */
    public static final long DEFAULT_SPILL_AT = Long.MAX_VALUE;

    public ExplorerSettings {
        if (threads < 1 || switchAt < 1 || spillAt < 1) {
            throw new IllegalArgumentException("threads, switchAt and spillAt must be positive: " + threads + ", "
                    + switchAt + ", " + spillAt);
        }
    }

    /** Settings that spill the frontier on heap pressure only. */
    public ExplorerSettings(StoreMode store, int threads, long switchAt) {
        this(store, threads, switchAt, DEFAULT_SPILL_AT);
    }

    /** The settings named by the system properties, with the defaults above. */
    public static ExplorerSettings fromProperties() {
        String store = System.getProperty("mmspec.explorer.store", "auto");
        int threads = Integer.getInteger("mmspec.explorer.threads", Runtime.getRuntime().availableProcessors());
        long switchAt = Long.getLong("mmspec.explorer.switchAt", DEFAULT_SWITCH_AT);
        long spillAt = Long.getLong("mmspec.explorer.spillAt", DEFAULT_SPILL_AT);
        return new ExplorerSettings(StoreMode.parse(store), threads, switchAt, spillAt);
    }

    public ExplorerSettings withStore(StoreMode s) {
        return new ExplorerSettings(s, threads, switchAt, spillAt);
    }

    public ExplorerSettings withThreads(int t) {
        return new ExplorerSettings(store, t, switchAt, spillAt);
    }

    public ExplorerSettings withSpillAt(long states) {
        return new ExplorerSettings(store, threads, switchAt, states);
    }
}
