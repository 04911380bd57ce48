package org.mmspec.check.store;

/**
 * The explorer's set of visited states, keyed by canonical key and its {@link Fingerprint}.
 *
 * <p>Threading: one writer ({@link #add}) at a time, and {@link #contains} from any number of
 * threads while no {@link #add} runs (the explorer alternates a parallel read phase with a
 * sequential write phase, with a barrier between them).
 */
public interface StateStore {
    /** Whether the state with this key (and fingerprint) is stored. */
    boolean contains(Object key, long fingerprint);

    /** Stores the state; true when it was not stored before. */
    boolean add(Object key, long fingerprint);

    long size();

    /** Whether lookups use fingerprints now (exact stores compare keys and ignore them). */
    boolean needsFingerprints();

    /** Bytes of the store's own tables, or -1 when the store keeps key objects on the heap. */
    long bytes();

    /** The mode in use now: "exact" or "fingerprint". */
    String kind();

    /** The collision estimate for a search that took {@code generated} transitions; null when exact. */
    CollisionEstimate collisions(long generated);

    /** A store for {@code mode}; {@code switchAt} is where {@link StoreMode#AUTO} turns to fingerprints. */
    static StateStore create(StoreMode mode, long switchAt) {
        return switch (mode) {
            case EXACT -> new ExactStore();
            case FINGERPRINT -> new FingerprintStore();
            case AUTO -> new SwitchingStore(switchAt);
        };
    }
}
