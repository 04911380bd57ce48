package org.mmspec.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One hash partition of the visited set: every distinct state whose fingerprint falls in this
 * partition, with the fingerprint of the state it was first reached from and the index of that
 * transition among the parent's successors.
 *
 * <p>Encoding: open addressing with linear probing over three parallel arrays of a power-of-two
 * capacity, at most three quarters full: {@code fps[i]} a fingerprint, {@code parents[i]} its
 * parent's fingerprint, {@code ordinals[i]} the transition's index (for an initial state,
 * {@code -1 - index} among the initial states, and no parent). The fingerprint 0 marks an empty
 * slot, so a state whose fingerprint is 0 is kept in the {@code zero*} fields. 20 bytes a slot.
 *
 * <p>Invariants: {@link #size} is the number of stored fingerprints; a fingerprint is stored at
 * most once; a stored entry never changes. {@link #plus} returns a new partition and leaves this
 * one as it was, because Spark may run a task again (a lost executor, a retried stage) and the
 * retried task must see the visited set as it was before the level, not after.
 */
public final class VisitedPartition implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MIN_CAPACITY = 16;

    private long[] fps;
    private long[] parents;
    private int[] ordinals;
    private int size;
    private boolean zeroPresent;
    private long zeroParent;
    private int zeroOrdinal;

    public VisitedPartition() {
        this(MIN_CAPACITY);
    }

    private VisitedPartition(int capacity) {
        fps = new long[capacity];
        parents = new long[capacity];
        ordinals = new int[capacity];
    }

    public int size() {
        return size;
    }

    /** Bytes of its arrays: what a visited state costs in an executor's memory. */
    public long bytes() {
        return (long) fps.length * (Long.BYTES * 2 + Integer.BYTES);
    }

    public boolean contains(long fp) {
        return fp == 0 ? zeroPresent : slot(fp) >= 0;
    }

    /** {@code {parent, ordinal}} of a stored fingerprint, or null. */
    public long[] entry(long fp) {
        if (fp == 0) {
            return zeroPresent ? new long[] {zeroParent, zeroOrdinal} : null;
        }
        int i = slot(fp);
        return i < 0 ? null : new long[] {parents[i], ordinals[i]};
    }

    /** A copy of this partition that also holds the given new entries (none of them stored yet). */
    public VisitedPartition plus(long[] newFps, long[] newParents, int[] newOrdinals, int n) {
        if (n == 0) {
            return this; // nothing changes, and a partition is never changed in place
        }
        int need = size + n;
        int capacity = fps.length;
        while (need > capacity / 4 * 3) {
            capacity *= 2;
        }
        VisitedPartition out;
        if (capacity == fps.length) {
            out = new VisitedPartition(0);
            out.fps = fps.clone();
            out.parents = parents.clone();
            out.ordinals = ordinals.clone();
            out.size = size;
        } else {
            out = new VisitedPartition(capacity);
            for (int i = 0; i < fps.length; i++) {
                if (fps[i] != 0) {
                    out.insert(fps[i], parents[i], ordinals[i]);
                }
            }
        }
        out.zeroPresent = zeroPresent;
        out.zeroParent = zeroParent;
        out.zeroOrdinal = zeroOrdinal;
        for (int i = 0; i < n; i++) {
            out.insert(newFps[i], newParents[i], newOrdinals[i]);
        }
        return out;
    }

    private void insert(long fp, long parent, int ordinal) {
        if (fp == 0) {
            if (zeroPresent) {
                throw new IllegalStateException("fingerprint 0 stored twice");
            }
            zeroPresent = true;
            zeroParent = parent;
            zeroOrdinal = ordinal;
            size++;
            return;
        }
        int mask = fps.length - 1;
        int i = home(fp, mask);
        while (fps[i] != 0) {
            if (fps[i] == fp) {
                throw new IllegalStateException("fingerprint " + Long.toHexString(fp) + " stored twice");
            }
            i = (i + 1) & mask;
        }
        fps[i] = fp;
        parents[i] = parent;
        ordinals[i] = ordinal;
        size++;
    }

    private int slot(long fp) {
        int mask = fps.length - 1;
        int i = home(fp, mask);
        while (fps[i] != 0) {
            if (fps[i] == fp) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /**
     * The home slot: the fingerprint remixed (Fibonacci hashing, high word), since the bits that
     * chose the partition are the same in every fingerprint of the partition and would crowd one
     * slot range.
     */
    private static int home(long fp, int mask) {
        return (int) ((fp * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    @Override
    public String toString() {
        return "VisitedPartition" + Arrays.toString(new int[] {size, fps.length});
    }
}
