package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

import org.mmspec.check.Bounds;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ShootdownService;
import org.mmspec.tlb.ThreadedShootdown;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbError;
import org.mmspec.tlb.TlbShootdown;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One shootdown round trip on real threads ({@link ThreadedShootdown}): the benchmark thread is CPU
 * 0 and shoots down page 0 on {@code targets} other CPUs, each a thread serving its mailbox (sleeping
 * on its doorbell when idle); the operation returns when every target has invalidated and
 * acknowledged. Waits never time out ({@code waitMillis = 0}). At tear-down CPU 0 runs its own
 * script (one munmap) and the target threads finish. {@link BenchSuite} fits base plus per-target
 * cost and sets it beside the TLB chapter's cost model ({@code CostModel}, {@code spec/tlb.md}).
 * With more target threads than cores, a target must first be scheduled: the figure then measures
 * the operating system's wake-up latency as much as the protocol.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ShootdownBench {
    @Param({"1", "2", "4"})
    public int targets;

    ThreadedShootdown machine;
    TlbShootdown request;
    Thread[] cpus;

    @Setup(Level.Trial)
    public void setUp() {
        machine = new ThreadedShootdown(TlbConfig.fromBounds(Bounds.parse("cpus=" + (targets + 1) + ",pages=1,ops=cpu0:munmap(0)")), 0);
        request = new TlbShootdown(CpuMask.firstN(targets + 1).without(0), 1, ShootdownMode.SINGLE);
        cpus = new Thread[targets];
        for (int c = 1; c <= targets; c++) {
            int cpu = c;
            cpus[c - 1] = new Thread(() -> machine.cpuMain(cpu), "cpu" + cpu);
            cpus[c - 1].setDaemon(true);
            cpus[c - 1].start();
        }
    }

    @Benchmark
    public ShootdownService.Receipt roundTrip() throws TlbError {
        return machine.shootdown(0, request);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        machine.cpuMain(0);
        for (Thread t : cpus) {
            t.join();
        }
        if (!machine.violations().isEmpty()) {
            throw new IllegalStateException("shootdown violations: " + machine.violations());
        }
    }
}
