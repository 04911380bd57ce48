package org.mmspec.pcp;

/**
 * One CPU's cache of free order-0 frames: Linux's {@code per_cpu_pages} list.
 *
 * <p>Encoding: the stack {@code frames[0 .. count)} of frame numbers, top at {@code count - 1}.
 * Allocation pops the top (the most recently freed frame, still warm in this CPU's caches); free
 * pushes; a drain takes from the bottom (the coldest frames). {@code node} is the index of the
 * CPU's node among the allocator's nodes: every cached frame belongs to it (PCP-5). The array has
 * room for {@code high + 2} frames so that a free can push before it drains, and so that the
 * seeded off-by-one watermark can overfill the cache observably instead of failing an index check.
 *
 * <p>Guarded by its own monitor: only this CPU takes it on its fast paths, so it is uncontended
 * except when another CPU's allocation under memory pressure drains this cache. The counters are
 * written under the same monitor.
 */
final class CpuCache {
    final int cpu;
    final int node;
    final long[] frames;
    int count;

    long allocs;
    long frees;
    long hits;
    long refills;
    long drains;
    long pressureDrains;

    CpuCache(int cpu, int node, int high) {
        this.cpu = cpu;
        this.node = node;
        this.frames = new long[high + 2];
    }

    CpuCache copy() {
        CpuCache c = new CpuCache(cpu, node, frames.length - 2);
        System.arraycopy(frames, 0, c.frames, 0, count);
        c.count = count;
        c.allocs = allocs;
        c.frees = frees;
        c.hits = hits;
        c.refills = refills;
        c.drains = drains;
        c.pressureDrains = pressureDrains;
        return c;
    }

    void push(long frame) {
        frames[count++] = frame;
    }

    long pop() {
        return frames[--count];
    }

    /** Removes and returns the bottom (coldest) frame. */
    long takeBottom() {
        long f = frames[0];
        System.arraycopy(frames, 1, frames, 0, count - 1);
        count--;
        return f;
    }
}
