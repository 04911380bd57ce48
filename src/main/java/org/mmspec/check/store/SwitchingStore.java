package org.mmspec.check.store;

/**
 * {@link StoreMode#AUTO}: exact keys until {@code switchAt} states, then every key is replaced by
 * its fingerprint and the keys are dropped. A run that stays under the threshold is exact.
 */
final class SwitchingStore implements StateStore {
    private final long switchAt;
    private ExactStore exact = new ExactStore();
    private FingerprintStore prints;
    private boolean stayExact;

    SwitchingStore(long switchAt) {
        if (switchAt < 1) {
            throw new IllegalArgumentException("switch threshold must be positive: " + switchAt);
        }
        this.switchAt = switchAt;
    }

    @Override
    public boolean contains(Object key, long fp) {
        return prints != null ? prints.contains(key, fp) : exact.contains(key, fp);
    }

    @Override
    public boolean add(Object key, long fp) {
        if (prints != null) {
            return prints.add(key, fp);
        }
        boolean added = exact.add(key, fp);
        if (added && !stayExact && exact.size() >= switchAt) {
            FingerprintStore f = new FingerprintStore((int) Math.min(1 << 30, exact.size() * 2));
            for (Object k : exact.keys) {
                f.add(Fingerprint.of(k));
            }
            if (f.size() != exact.size()) {
                // two stored keys already share a fingerprint: stay exact rather than lose a state
                stayExact = true;
                return added;
            }
            prints = f;
            exact = null;
        }
        return added;
    }

    @Override
    public boolean needsFingerprints() {
        return prints != null;
    }

    @Override
    public long size() {
        return prints != null ? prints.size() : exact.size();
    }

    @Override
    public long bytes() {
        return prints != null ? prints.bytes() : -1;
    }

    @Override
    public String kind() {
        return prints != null ? "fingerprint" : "exact";
    }

    @Override
    public CollisionEstimate collisions(long generated) {
        return prints != null ? prints.collisions(generated) : null;
    }
}
