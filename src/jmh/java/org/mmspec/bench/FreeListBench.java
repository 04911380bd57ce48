package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

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
 * The baseline for {@link SlabBench}: a plain singly linked free list of fixed-size objects in one
 * 64 KiB arena, the link of each free object kept in a {@code long[]} beside it (as a kernel keeps
 * it in the object's first word). Allocation pops the head, free pushes it back: no size classes,
 * no per-CPU cache, no live table, no checks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FreeListBench {
    static final long ARENA = 64 * 1024;
    static final int NIL = -1;

    @Param({"64", "4096"})
    public int bytes;

    int[] next;
    int head;

    @Setup
    public void setUp() {
        int n = (int) (ARENA / bytes);
        next = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : NIL;
        }
        head = 0;
    }

    @Benchmark
    public long allocFree() {
        int obj = head;
        head = next[obj];
        long addr = (long) obj * bytes;
        next[obj] = head;
        head = obj;
        return addr;
    }
}
