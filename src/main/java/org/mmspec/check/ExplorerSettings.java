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
 * {@code mmspec.explorer.switchAt} (default 1,000,000 states).
 *
 * @param store the state store
 * @param threads worker threads, at least 1 (1 = sequential, on the caller's thread)
 * @param switchAt states after which AUTO switches to fingerprints
 */
public record ExplorerSettings(StoreMode store, int threads, long switchAt) {
    public static final long DEFAULT_SWITCH_AT = 1_000_000L;

    public ExplorerSettings {
        if (threads < 1 || switchAt < 1) {
            throw new IllegalArgumentException("threads and switchAt must be positive: " + threads + ", " + switchAt);
        }
    }

    /** The settings named by the system properties, with the defaults above. */
    public static ExplorerSettings fromProperties() {
        String store = System.getProperty("mmspec.explorer.store", "auto");
        int threads = Integer.getInteger("mmspec.explorer.threads", Runtime.getRuntime().availableProcessors());
        long switchAt = Long.getLong("mmspec.explorer.switchAt", DEFAULT_SWITCH_AT);
        return new ExplorerSettings(StoreMode.parse(store), threads, switchAt);
    }

    public ExplorerSettings withStore(StoreMode s) {
        return new ExplorerSettings(s, threads, switchAt);
    }

    public ExplorerSettings withThreads(int t) {
        return new ExplorerSettings(store, t, switchAt);
    }
}
