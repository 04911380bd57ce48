package org.mmspec.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameRange;
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
 * Buddy allocation and free of one block of order 0, 9 (2 MiB) and 18 (1 GiB), measured side by
 * side so {@link BenchSuite} can give orders 9 and 18 as a multiple of order 0. 4 GiB (2^20
 * frames, four order-18 blocks) are managed and the lowest eighth is held as single frames, so an
 * order-0 or order-9 request splits the free order-17 block above the held frames and its free
 * coalesces it back, while an order-18 request takes a whole free block.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BuddyOrderBench {
    static final int FRAMES = 1 << 20;

    @Param({"0", "9", "18"})
    public int order;

    BuddyAllocator buddy;

    @Setup
    public void setUp() {
        buddy = new BuddyAllocator(FrameRange.of(0, FRAMES), List.of());
        for (int i = 0; i < FRAMES / 8; i++) {
            buddy.allocate(1);
        }
    }

    @Benchmark
    public FrameRange allocFree() {
        FrameRange r = buddy.allocateOrder(order);
        buddy.free(r);
        return r;
    }
}
