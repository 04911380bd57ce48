package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.PhysFrame;
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
 * Order-0 alloc+free as managed memory grows: 1 GiB, 64 GiB and 1 TiB of 4 KiB frames (2^18,
 * 2^24 and 2^28 frames). The lowest eighth of the frames is held, in runs of {@link #CHUNK}
 * frames (below the hybrid's 512-frame threshold, so the hybrid's bitmap half takes them and is
 * then half full, as in {@link FrameBench}); the measured request is served just above them.
 * {@link BenchSuite} gives each size as a multiple of the 1 GiB figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class GrowthBench {
    static final long CHUNK = 256;

    @Param({"bitmap", "buddy", "hybrid"})
    public String allocator;

    /** log2 of the managed frames: 18 = 1 GiB, 24 = 64 GiB, 28 = 1 TiB. */
    @Param({"18", "24", "28"})
    public int log2Frames;

    FrameAllocator alloc;

    @Setup
    public void setUp() {
        alloc = BootBench.build(allocator, 1L << log2Frames);
        for (long held = 0; held < (1L << log2Frames) / 8; held += CHUNK) {
            alloc.allocate(CHUNK);
        }
    }

    @Benchmark
    public PhysFrame allocFree() {
        PhysFrame f = alloc.allocate();
        alloc.free(f);
        return f;
    }
}
