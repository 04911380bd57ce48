package org.mmspec.check.store;

import java.util.Arrays;

/**
 * Visited states as 64-bit fingerprints in an open-addressing table with linear probing.
 *
 * <p>Encoding: {@code table} has a power-of-two length; slot 0 means empty (a fingerprint is never
 * 0, {@link Fingerprint#of}); a fingerprint lives in the first empty slot at or after
 * {@code mixed(fp) & mask}. The table doubles when it is three quarters full, so a stored state
 * costs between 10.7 and 21.3 bytes. Invariant: every stored fingerprint is reachable from its
 * home slot without crossing an empty slot (nothing is ever removed).
 */
public final class FingerprintStore implements StateStore {
    private static final int MIN_CAPACITY = 1 << 10;
    /** The largest table, 2^30 slots (8 GiB): the doubled length must still be a Java array's. */
    private static final int MAX_CAPACITY = 1 << 30;
    private final int maxCapacity;
    private long[] table;
    private long size;
    private int mask;

    public FingerprintStore() {
        this(MIN_CAPACITY);
    }

    /** A table of {@code capacity} slots (rounded up to a power of two). */
    public FingerprintStore(int capacity) {
        this(capacity, MAX_CAPACITY);
    }

    /** As above, full at {@code maxCapacity} slots instead of {@code 2^30} (a seam for tests). */
    FingerprintStore(int capacity, int maxCapacity) {
        this.maxCapacity = maxCapacity;
        int cap = capacity <= MIN_CAPACITY ? MIN_CAPACITY : Integer.highestOneBit(capacity - 1) << 1;
        table = new long[cap];
        mask = cap - 1;
    }

    /** The home slot of {@code fp} in a table of {@code mask + 1} slots (package-private for tests). */
    static int home(long fp, int mask) {
        // the top bits, so that a table whose mask selects low bits still sees all of them
        return (int) (fp ^ fp >>> 32) & mask;
    }

    @Override
    public boolean contains(Object key, long fp) {
        return contains(fp != 0 ? fp : Fingerprint.of(key));
    }

    public boolean contains(long fp) {
        long[] t = table;
        int m = mask;
        for (int i = home(fp, m);; i = (i + 1) & m) {
            long v = t[i];
            if (v == fp) {
                return true;
            }
            if (v == 0) {
                return false;
            }
        }
    }

    @Override
    public boolean add(Object key, long fp) {
        return add(fp != 0 ? fp : Fingerprint.of(key));
    }

    public boolean add(long fp) {
        if (fp == 0) {
            throw new IllegalArgumentException("fingerprint 0 marks an empty slot");
        }
        for (int i = home(fp, mask);; i = (i + 1) & mask) {
            long v = table[i];
            if (v == fp) {
                return false;
            }
            if (v == 0) {
                table[i] = fp;
                size++;
                if (size * 4 > (long) table.length * 3) {
                    grow();
                }
                return true;
            }
        }
    }

    private void grow() {
        if (table.length >= maxCapacity) {
            throw new IllegalStateException("fingerprint table full at " + size + " states");
        }
        long[] old = table;
        long[] t = new long[old.length * 2];
        int m = t.length - 1;
        for (long fp : old) {
            if (fp != 0) {
                int i = home(fp, m);
                while (t[i] != 0) {
                    i = (i + 1) & m;
                }
                t[i] = fp;
            }
        }
        table = t;
        mask = m;
    }

    @Override
    public boolean needsFingerprints() {
        return true;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long bytes() {
        return (long) table.length * Long.BYTES;
    }

    @Override
    public String kind() {
        return "fingerprint";
    }

    /** Sorts a copy of the stored fingerprints to find the smallest gap between two of them. */
    @Override
    public CollisionEstimate collisions(long generated) {
        long[] fps = new long[(int) size];
        int n = 0;
        for (long fp : table) {
            if (fp != 0) {
                fps[n++] = fp ^ Long.MIN_VALUE; // signed order of these is unsigned order of fp
            }
        }
        Arrays.sort(fps);
        long minGap = 0;
        for (int i = 1; i < n; i++) {
            long gap = fps[i] - fps[i - 1];
            if (i == 1 || Long.compareUnsigned(gap, minGap) < 0) {
                minGap = gap;
            }
        }
        return CollisionEstimate.of(size, generated, minGap);
    }
}
