package org.mmspec.heap;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * One slab: a run of frames cut into equal objects of one {@link SizeClass}.
 *
 * <p>Encoding. {@code run} is the frame run drawn from the frame allocator and returned to it
 * whole; {@code base} is the heap offset of object 0, the first multiple of the class size inside
 * the run (the run is larger than {@link SizeClass#slabFrames()} only when the allocator cannot
 * place runs by alignment and handed out a misaligned run for an 8 or 16 KiB class). Object {@code i} covers
 * {@code [base + i*size, base + (i+1)*size)}. Free objects are kept in a LIFO free list, the
 * stack {@code freeStack[0 .. freeCount)} of object indices (SLUB's freelist, kept outside the
 * slab's memory so that an overflow cannot corrupt it); {@code onFree[i]} mirrors membership so
 * that a double free is found in O(1) and so that SLAB-1 can cross-check the two. An object not
 * on the free list is <em>allocated</em> from the slab's view: either handed to a caller or
 * sitting in some CPU's per-CPU cache. {@code checksum[i]} holds the checksum of free object
 * {@code i}'s bytes when checksums are on.
 *
 * <p>Invariants: SLAB-1 (the stack holds distinct in-range indices and agrees with
 * {@code onFree}), SLAB-2 (objects inside the run, aligned), SLAB-5 (the list the slab is on
 * matches {@code freeCount}).
 */
final class Slab {
    /** Which list of its {@link SlabCache} a slab is on. */
    enum ListKind {
        PARTIAL, FULL, EMPTY
    }

    final SizeClass cls;
    final FrameRange run;
    final long base;
    final int capacity;
    final int[] freeStack;
    int freeCount;
    final boolean[] onFree;
    final int[] checksum;
    ListKind list;

    Slab(SizeClass cls, FrameRange run, long base) {
        this.cls = cls;
        this.run = run;
        this.base = base;
        this.capacity = cls.objectsPerSlab();
        this.freeStack = new int[capacity];
        this.onFree = new boolean[capacity];
        this.checksum = new int[capacity];
        // Push in reverse so that the first allocation takes object 0: addresses rise as a slab fills.
        for (int i = capacity - 1; i >= 0; i--) {
            freeStack[freeCount++] = i;
            onFree[i] = true;
        }
        this.list = ListKind.EMPTY;
    }

    private Slab(Slab o) {
        this.cls = o.cls;
        this.run = o.run;
        this.base = o.base;
        this.capacity = o.capacity;
        this.freeStack = o.freeStack.clone();
        this.freeCount = o.freeCount;
        this.onFree = o.onFree.clone();
        this.checksum = o.checksum.clone();
        this.list = o.list;
    }

    Slab copy() {
        return new Slab(this);
    }

    long runStart() {
        return run.start().number() * PhysFrame.SIZE;
    }

    long runEnd() {
        return run.endNumber() * PhysFrame.SIZE;
    }

    /** Offset of object {@code i}. */
    long object(int i) {
        return base + i * cls.bytes();
    }

    /** The index of the object containing {@code offset}, or -1 outside the objects. */
    int indexOf(long offset) {
        if (offset < base || offset >= base + capacity * cls.bytes()) {
            return -1;
        }
        return (int) ((offset - base) / cls.bytes());
    }

    int inUse() {
        return capacity - freeCount;
    }

    /** The list a slab with these counts belongs on. */
    ListKind expectedList() {
        return freeCount == capacity ? ListKind.EMPTY : freeCount == 0 ? ListKind.FULL : ListKind.PARTIAL;
    }

    /** Pops the free list: the object's index. */
    int pop() {
        int i = freeStack[--freeCount];
        onFree[i] = false;
        return i;
    }

    void push(int i) {
        freeStack[freeCount++] = i;
        onFree[i] = true;
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(cls.label()).append('@').append(Long.toHexString(base)).append(' ').append(list).append(" free[");
        // Bounded by the stack's length: SLAB-3 describes a slab whose free count is out of range.
        for (int k = 0; k < Math.min(freeCount, capacity); k++) {
            sb.append(k == 0 ? "" : ",").append(freeStack[k]);
        }
        return sb.append("]/").append(capacity).toString();
    }
}
