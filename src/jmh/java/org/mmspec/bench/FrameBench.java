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
 * the lower bound {@link FreeStackBench} and Netty's pooled allocator ({@link NettyBench}). 64 Ki
 * frames (256 MiB) are managed and the lowest eighth of them ({@link #HELD}) is held as single
 * frames, so the allocators work on a partly used map. An eighth, not a half: the hybrid's bitmap
 * part is a quarter of memory, and holding half of all frames filled it, so every order-0 request
 * of the old benchmark was refused by the bitmap and fell back to the buddy: the fallback path,
 * not the common one.
 *
 * <p>Warm-up is five one-second iterations: on this shared machine the JIT compiler threads
 * compete with other jobs, and with two warm-up seconds the first measured iterations still ran
 * interpreted or C1 code at 4-24 µs per operation (about 0.4-1 µs once compiled), the main source
 * of the old 60-120 µs figures (README, "Performance").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FrameBench {
    static final long FIRST = 256;
    static final int FRAMES = 1 << 16;
    /** Frames held (allocated one by one, lowest first) before measuring. */
    static final int HELD = FRAMES / 8;

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
        for (int i = 0; i < HELD; i++) {
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
