package org.mmspec.heap;

import java.util.List;

/**
 * A snapshot of the heap's statistics, the figures {@code echo mem > /sys/kernel/debug/memory}
 * prints for the heap.
 *
 * @param classes one row per size class
 * @param cpus one row per CPU and size class
 * @param large the LinkedListAllocator
 * @param heldFrames frames the heap holds from the frame allocator
 */
public record HeapStats(List<ClassStats> classes, List<CpuStats> cpus, LargeStats large, long heldFrames) {

    /**
     * One size class.
     *
     * @param cls the class
     * @param slabsPartial slabs on the partial list
     * @param slabsFull slabs on the full list
     * @param slabsEmpty slabs on the empty list
     * @param frames frames its slabs span
     * @param objects objects its slabs hold
     * @param freeInSlabs objects on slab free lists
     * @param cached objects in per-CPU caches
     * @param live objects handed out
     * @param liveBytes bytes requested by the live objects
     * @param allocs allocations, all CPUs
     * @param frees frees, all CPUs
     */
    public record ClassStats(SizeClass cls, int slabsPartial, int slabsFull, int slabsEmpty, long frames, long objects,
            long freeInSlabs, long cached, long live, long liveBytes, long allocs, long frees) {
    }

    /**
     * One CPU's cache of one class.
     *
     * @param cpu the CPU
     * @param cls the class
     * @param cached objects in the cache now
     * @param allocs allocations on this CPU
     * @param frees frees on this CPU
     * @param hits allocations served without a refill
     * @param refills refills from the depot
     * @param flushes flushes to the depot
     */
    public record CpuStats(int cpu, SizeClass cls, long cached, long allocs, long frees, long hits, long refills,
            long flushes) {
    }

    /**
     * The LinkedListAllocator.
     *
     * @param arenas frame runs held
     * @param managedBytes bytes in the arenas
     * @param freeBytes bytes on the free list
     * @param usedBytes bytes in allocated blocks
     * @param freeBlocks free blocks
     * @param usedBlocks allocated blocks
     * @param largestFree the largest free block
     * @param liveRequestedBytes bytes requested by live large allocations
     * @param allocs allocations so far
     * @param frees frees so far
     */
    public record LargeStats(int arenas, long managedBytes, long freeBytes, long usedBytes, int freeBlocks, int usedBlocks,
            long largestFree, long liveRequestedBytes, long allocs, long frees) {
    }
}
