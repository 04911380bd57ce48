package org.mmspec.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.mmspec.frames.BitmapAllocator;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.mmspec.frames.PhysFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Order-0 frame allocation followed by its free, for the bitmap, buddy and hybrid allocators, beside
 * the lower bound {@link FreeStackBench}. 64 Ki frames (256 MiB) are managed and half of them are
 * held, so the allocators work on a partly used map.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FrameBench {
    static final long FIRST = 256;
    static final int FRAMES = 1 << 16;

    @Param({"bitmap", "buddy", "hybrid"})
    public String allocator;

    FrameAllocator alloc;

    @Setup(Level.Trial)
    public void setUp() {
        FrameRange managed = FrameRange.of(FIRST, FRAMES);
        alloc = switch (allocator) {
            case "bitmap" -> new BitmapAllocator(managed, List.of());
            case "buddy" -> new BuddyAllocator(managed, List.of());
            case "hybrid" -> new HybridAllocator(managed, List.of());
            default -> throw new IllegalArgumentException(allocator);
        };
        for (int i = 0; i < FRAMES / 2; i++) {
            alloc.allocate();
        }
    }

    @Benchmark
    public PhysFrame allocFree() {
        PhysFrame f = alloc.allocate();
        alloc.free(f);
        return f;
    }
}
