package org.mmspec.heap;

/**
 * One CPU's cache of free objects of one size class: a magazine.
 *
 * <p>Encoding: the stack {@code objs[0 .. count)} of object offsets, top at {@code count - 1}.
 * Allocation pops the top (the most recently freed object, still warm in that CPU's cache);
 * free pushes. When an allocation finds it empty, a <em>refill</em> moves up to
 * {@link HeapConfig#batch()} objects from the slab layer in; when a free finds it full, a
 * <em>flush</em> moves the {@code batch} objects at the bottom (the coldest) back to their slabs.
 * Objects in a magazine are allocated from their slab's point of view and free from the heap's
 * (SLAB-4). {@code count <= capacity} always (SLAB-6).
 */
final class CpuCache {
    final long[] objs;
    int count;

    CpuCache(int capacity) {
        this.objs = new long[capacity];
    }

    CpuCache copy() {
        CpuCache c = new CpuCache(objs.length);
        System.arraycopy(objs, 0, c.objs, 0, count);
        c.count = count;
        return c;
    }

    boolean isFull() {
        return count == objs.length;
    }

    void push(long obj) {
        objs[count++] = obj;
    }

    long pop() {
        return objs[--count];
    }

    /** Removes and returns the {@code n} bottom objects, oldest first. */
    long[] takeBottom(int n) {
        long[] out = new long[n];
        System.arraycopy(objs, 0, out, 0, n);
        System.arraycopy(objs, n, objs, 0, count - n);
        count -= n;
        return out;
    }

    boolean contains(long obj) {
        for (int i = 0; i < count; i++) {
            if (objs[i] == obj) {
                return true;
            }
        }
        return false;
    }
}
