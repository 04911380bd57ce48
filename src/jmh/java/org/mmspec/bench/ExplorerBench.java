package org.mmspec.bench;

import java.util.concurrent.TimeUnit;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.Progress;
import org.mmspec.check.store.StoreMode;
import org.mmspec.tlb.ShootdownModel;
import org.mmspec.tlb.TlbConfig;
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
 * One complete exploration of the shootdown model per operation, sequential and parallel, exact and fingerprinted. {@link BenchSuite} turns the
 * time into states per second and measures bytes per state.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class ExplorerBench {
    /** The ci {@code single} configuration (18,992 states); pass a larger one with {@code -p config=...}. */
    @Param({"cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)"})
    public String config;

    @Param({"exact", "fingerprint"})
    public String store;

    @Param({"1", "2"})
    public int threads;

    ShootdownModel model;
    ExplorerSettings settings;

    @Setup(Level.Trial)
    public void setUp() {
        model = new ShootdownModel(TlbConfig.fromBounds(Bounds.parse(config)));
        settings = new ExplorerSettings(StoreMode.parse(store), threads, ExplorerSettings.DEFAULT_SWITCH_AT);
    }

    @Benchmark
    public long explore() {
        return Explorer.explore(model, ExploreBounds.unbounded(), Progress.NONE, settings).distinctStates();
    }
}
