package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lower bound for an order-0 frame allocation and free: a plain {@code long[]} stack of free
 * frame numbers, pop then push, with the same 64 Ki frames as {@link FrameBench}, all but the held eighth free.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FreeStackBench {
    long[] stack;
    int top;

    @Setup
    public void setUp() {
        stack = new long[FrameBench.FRAMES];
        for (int i = 0; i < FrameBench.FRAMES - FrameBench.HELD; i++) {
            stack[top++] = FrameBench.FIRST + FrameBench.FRAMES - 1 - i;
        }
    }

    @Benchmark
    public long allocFree() {
        long f = stack[--top];
        stack[top++] = f;
        return f;
    }
}
