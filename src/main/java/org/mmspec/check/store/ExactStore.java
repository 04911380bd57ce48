package org.mmspec.check.store;

import java.util.HashSet;
import java.util.Set;

/** Every canonical key in a hash set: no collisions, as much memory as the keys take. */
final class ExactStore implements StateStore {
    final Set<Object> keys = new HashSet<>();

    @Override
    public boolean contains(Object key, long fingerprint) {
        return keys.contains(key);
    }

    @Override
    public boolean add(Object key, long fingerprint) {
        return keys.add(key);
    }

    @Override
    public boolean needsFingerprints() {
        return false;
    }

    @Override
    public long size() {
        return keys.size();
    }

    @Override
    public long bytes() {
        return -1;
    }

    @Override
    public String kind() {
        return "exact";
    }

    @Override
    public CollisionEstimate collisions(long generated) {
        return null;
    }
}
