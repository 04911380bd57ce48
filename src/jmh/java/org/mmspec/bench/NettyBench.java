package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
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
 * A Java peer for {@link FrameBench}: Netty's pooled allocator ({@code io.netty:netty-buffer}, a
 * jemalloc-style arena of 4 MiB chunks with buddy-like runs and subpages) allocating and releasing
 * one 4 KiB or 8 KiB heap buffer. The thread-local cache is off (small and normal cache sizes 0,
 * {@code useCacheForAllThreads = false}), so every allocation goes to the arena, as a frame
 * allocation goes to the allocator; one heap arena, no direct arena; leak detection off (its
 * sampling would add a cost the frame allocators do not pay).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class NettyBench {
    @Param({"4096", "8192"})
    public int bytes;

    PooledByteBufAllocator alloc;

    @Setup
    public void setUp() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        // preferDirect, heap arenas, direct arenas, page size, max order (8 KiB << 9 = 4 MiB chunks),
        // small cache, normal cache, cache for all threads
        alloc = new PooledByteBufAllocator(false, 1, 0, 8192, 9, 0, 0, false);
    }

    @Benchmark
    public int allocRelease() {
        ByteBuf b = alloc.heapBuffer(bytes, bytes);
        int cap = b.capacity();
        b.release();
        return cap;
    }
}
