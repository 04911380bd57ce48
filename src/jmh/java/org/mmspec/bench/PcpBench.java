package org.mmspec.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.pcp.PcpAllocator;
import org.mmspec.pcp.PcpConfig;
import org.mmspec.pcp.PcpTopologies;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-CPU frame caches (spec/frames-percpu.md) against their baselines, each pair measured
 * side by side in one run:
 * <ul>
 *   <li>{@code singleCpuAllocFree}: one CPU allocates and frees an order-0 frame through its cache
 *       (a hit and a push in steady state), against {@link FreeStackBench}'s {@code long[]} stack,
 *       the lower bound;</li>
 *   <li>{@code twoCpus} against {@code twoCpusGlobalLock}: throughput of two threads, each a CPU
 *       of one node, allocating and freeing; the baseline puts one lock in front of the node's
 *       HybridAllocator (the single lock VeridianOS puts in front of all per-CPU caches);</li>
 *   <li>{@code batch32} against {@code single32}: 32 frames allocated and freed in one batch call
 *       each, against 32 single calls each.</li>
 * </ul>
 * One node of {@link #FRAMES} frames with the seed's HybridAllocator, caches of high
 * {@link #HIGH}, low {@link #LOW}, batch {@link #BATCH} (Linux's defaults are of this order).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PcpBench {
    static final int FRAMES = 16 * 1024;
    static final int HIGH = 128;
    static final int LOW = 32;
    static final int BATCH = 32;
    /** Frames per batch call in {@code batch32} and single calls in {@code single32}. */
    static final int N = 32;

    static PcpAllocator machine(int cpus) {
        return new PcpAllocator(PcpTopologies.of(new int[] {FRAMES}, new int[cpus]), PcpConfig.of(cpus, LOW, HIGH, BATCH),
                AllocatorFactory.HYBRID);
    }

    /** One CPU's caches, for the single-thread benchmarks. */
    @State(Scope.Thread)
    public static class One {
        PcpAllocator pcp;
        PhysFrame[] held = new PhysFrame[N];

        @Setup(Level.Trial)
        public void setUp() {
            pcp = machine(1);
        }
    }

    @Benchmark
    public PhysFrame singleCpuAllocFree(One s) {
        PhysFrame f = s.pcp.allocate(0);
        s.pcp.free(0, f);
        return f;
    }

    @Benchmark
    public PhysFrame[] batch32(One s) {
        PhysFrame[] fs = s.pcp.allocateBatch(0, N);
        s.pcp.freeBatch(0, fs);
        return fs;
    }

    @Benchmark
    public PhysFrame[] single32(One s) {
        for (int i = 0; i < N; i++) {
            s.held[i] = s.pcp.allocate(0);
        }
        for (int i = 0; i < N; i++) {
            s.pcp.free(0, s.held[i]);
        }
        return s.held;
    }

    /** Two CPUs of one node sharing one allocator; each benchmark thread is one CPU. */
    @State(Scope.Benchmark)
    public static class Shared {
        PcpAllocator pcp;
        FramePool pool;
        final Object globalLock = new Object();
        final AtomicInteger nextCpu = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            pcp = machine(2);
            pool = new FramePool(java.util.List.of(FrameRange.of(PcpTopologies.NODE_STRIDE, FRAMES)), AllocatorFactory.HYBRID);
        }
    }

    /** The CPU a benchmark thread runs as. */
    @State(Scope.Thread)
    public static class Cpu {
        int cpu;

        @Setup(Level.Trial)
        public void setUp(Shared s) {
            cpu = s.nextCpu.getAndIncrement() % 2;
        }
    }

    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public PhysFrame twoCpus(Shared s, Cpu c) {
        PhysFrame f = s.pcp.allocate(c.cpu);
        s.pcp.free(c.cpu, f);
        return f;
    }

    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public FrameRange twoCpusGlobalLock(Shared s) {
        synchronized (s.globalLock) {
            FrameRange r = s.pool.tryAllocate(1).orElseThrow();
            s.pool.free(r);
            return r;
        }
    }
}
