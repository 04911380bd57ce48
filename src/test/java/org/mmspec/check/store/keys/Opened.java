package org.mmspec.check.store.keys;

/**
 * A key class whose {@code hashCode} is the same for every key, loaded by {@code FingerprintTest}
 * into a named module that opens its package: such a class is walked by its fields like one on
 * the class path, so unequal keys get different fingerprints.
 */
public final class Opened {
    private final int v;

    public Opened(int v) {
        this.v = v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Opened k && k.v == v;
    }

    @Override
    public int hashCode() {
        return 0;
    }
}
