package org.mmspec.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.mmspec.frames.BitmapAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.heap.HeapAddr;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.SlabAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kernel-heap allocation and free of 64 B and 4 KiB on CPU 0, through the per-CPU cache
 * ({@code org.mmspec.heap.SlabAllocator}, default configuration, debug options off), beside a plain
 * free list of the same object size ({@link FreeListBench}). One allocate+free is done in setup,
 * so the slab exists and the measured pair is the cache hit and the free into a non-full cache.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SlabBench {
    @Param({"64", "4096"})
    public int bytes;

    SlabAllocator heap;

    @Setup
    public void setUp() {
        heap = new SlabAllocator(new BitmapAllocator(FrameRange.of(256, 1 << 14), List.of()), HeapConfig.DEFAULT);
        heap.free(0, heap.allocate(0, bytes), bytes);
    }

    @Benchmark
    public HeapAddr allocFree() {
        HeapAddr a = heap.allocate(0, bytes);
        heap.free(0, a, bytes);
        return a;
    }
}
