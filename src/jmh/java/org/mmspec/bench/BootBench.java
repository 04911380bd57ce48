package org.mmspec.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.mmspec.frames.BitmapAllocator;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Boot over 64 GiB: the time to construct each allocator over 2^24 free 4 KiB frames (no
 * reserved region). {@link BenchSuite} adds the metadata each one then holds, in bits per frame
 * ({@link Metadata}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class BootBench {
    /** 64 GiB of 4 KiB frames. */
    static final long FRAMES = 1L << 24;

    @Param({"bitmap", "buddy", "hybrid"})
    public String allocator;

    @Benchmark
    public FrameAllocator boot() {
        return build(allocator, FRAMES);
    }

    /** A fresh allocator of {@code kind} over frames {@code [0, frames)}. */
    static FrameAllocator build(String kind, long frames) {
        FrameRange r = FrameRange.of(0, frames);
        return switch (kind) {
            case "bitmap" -> new BitmapAllocator(r, List.of());
            case "buddy" -> new BuddyAllocator(r, List.of());
            case "hybrid" -> new HybridAllocator(r, List.of());
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
