package org.mmspec.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Progress;
import org.mmspec.check.TransitionSystem;
import org.mmspec.check.store.StoreMode;
import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ShootdownModel;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.tlb.TlbState;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks and writes {@code jmh.json} (JMH's own format) and {@code bench.md} (a
 * Markdown table of ratios measured side by side in the same run) into the folder given as the
 * first argument (default {@code target/bench}). {@code -Dbench.include=<regex>} narrows the
 * benchmarks; {@code -Dbench.quick=true} runs each once for a fraction of a second (a smoke test of
 * the suite and its tables, not a measurement). Command: {@code tools/bench} (README, "Performance").
 */
public final class BenchSuite {
    private BenchSuite() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        Files.createDirectories(out);
        ChainedOptionsBuilder opt = new OptionsBuilder().include(System.getProperty("bench.include", "org\\.mmspec\\.bench\\..*"))
                .resultFormat(ResultFormatType.JSON).result(out.resolve("jmh.json").toString());
        if (Boolean.getBoolean("bench.quick")) {
            // a smoke run: every benchmark once, briefly; the figures mean nothing
            opt.warmupIterations(1).warmupTime(TimeValue.milliseconds(200)).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(300));
        }
        Collection<RunResult> results = new Runner(opt.build()).run();
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" processors, Java ")
                .append(System.getProperty("java.version")).append(", ").append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.arch")).append("\n\n");
        Map<String, Score> idx = index(results);
        for (String table : List.of(frames(idx), buddyOrders(idx), growth(idx), boot(idx), paging(idx), slab(idx), pcp(idx), shootdown(idx),
                explorer(results))) {
            if (!table.isEmpty()) {
                md.append(table).append('\n');
            }
        }
        Files.writeString(out.resolve("bench.md"), md.toString());
        System.out.println(md);
        System.out.println("wrote " + out.resolve("jmh.json") + " and " + out.resolve("bench.md"));
    }

    /** One benchmark's score, error and unit, looked up by class, method and parameters. */
    record Score(double score, double error, String unit) {
    }

    /**
     * The results keyed {@code Class.method} followed by {@code |name=value} for each parameter in
     * name order, e.g. {@code GrowthBench.allocFree|allocator=buddy|log2Frames=24}.
     */
    static Map<String, Score> index(Collection<RunResult> results) {
        Map<String, Score> out = new HashMap<>();
        for (RunResult r : results) {
            String full = r.getParams().getBenchmark();
            String[] parts = full.split("\\.");
            StringBuilder key = new StringBuilder(parts[parts.length - 2]).append('.').append(parts[parts.length - 1]);
            for (String name : new java.util.TreeSet<>(r.getParams().getParamsKeys())) {
                key.append('|').append(name).append('=').append(r.getParams().getParam(name));
            }
            out.put(key.toString(), new Score(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                    r.getPrimaryResult().getScoreUnit()));
        }
        return out;
    }

    /** "met" or "missed by N×" for a figure that must be at most {@code limit}. */
    static String atMost(double value, double limit) {
        if (Double.isNaN(value)) {
            return "not measured";
        }
        return value <= limit ? "met" : String.format(Locale.ROOT, "missed by %.1f×", value / limit);
    }

    /** "met" or "missed by N×" for a figure that must be at least {@code limit}. */
    static String atLeast(double value, double limit) {
        if (Double.isNaN(value)) {
            return "not measured";
        }
        return value >= limit ? "met" : String.format(Locale.ROOT, "missed by %.1f×", limit / value);
    }

    static double score(Map<String, Score> idx, String key) {
        Score s = idx.get(key);
        return s == null ? Double.NaN : s.score();
    }

    static String row(String label, Score s, String... more) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %s |", label, num(s.score()), num(s.error())));
        for (String m : more) {
            b.append(' ').append(m).append(" |");
        }
        return b.append('\n').toString();
    }

    /** Three significant figures at most, grouped thousands; NaN as a dash. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return Math.abs(v) >= 0.1 || v == 0 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Order-0 frame alloc+free against the free stack and Netty. */
    static String frames(Map<String, Score> idx) {
        double lower = score(idx, "FreeStackBench.allocFree");
        double netty4 = score(idx, "NettyBench.allocRelease|bytes=4096");
        double netty8 = score(idx, "NettyBench.allocRelease|bytes=8192");
        if (Double.isNaN(lower) && Double.isNaN(netty4) && !idx.containsKey("FrameBench.allocFree|allocator=hybrid")) {
            return "";
        }
        StringBuilder md = new StringBuilder("| Order-0 alloc+free (64 Ki frames, lowest eighth held) | ns/op | ± (99.9%) | × long[] free stack | Netty 4 KiB ÷ this |\n|---|---|---|---|---|\n");
        List<String[]> rows = List.of(new String[] {"long[] free stack (lower bound)", "FreeStackBench.allocFree"},
                new String[] {"bitmap", "FrameBench.allocFree|allocator=bitmap"},
                new String[] {"buddy", "FrameBench.allocFree|allocator=buddy"},
                new String[] {"hybrid", "FrameBench.allocFree|allocator=hybrid"},
                new String[] {"Netty pooled, 4 KiB heap buffer, no thread cache", "NettyBench.allocRelease|bytes=4096"},
                new String[] {"Netty pooled, 8 KiB heap buffer, no thread cache", "NettyBench.allocRelease|bytes=8192"});
        for (String[] r : rows) {
            Score s = idx.get(r[1]);
            if (s != null) {
                md.append(row(r[0], s, ratio(s.score() / lower), ratio(netty4 / s.score())));
            }
        }
        double hybrid = score(idx, "FrameBench.allocFree|allocator=hybrid");
        md.append(String.format(Locale.ROOT, "%nTargets: hybrid ≤ 2× the lower bound: %.1f×, %s. Hybrid ≥ 5× faster than Netty: "
                + "%.2f× (4 KiB), %.2f× (8 KiB), %s.%n", hybrid / lower, atMost(hybrid / lower, 2),
                netty4 / hybrid, netty8 / hybrid, atLeast(Math.min(netty4, netty8) / hybrid, 5)));
        return md.toString();
    }

    static String buddyOrders(Map<String, Score> idx) {
        double o0 = score(idx, "BuddyOrderBench.allocFree|order=0");
        if (Double.isNaN(o0)) {
            return "";
        }
        StringBuilder md = new StringBuilder("| Buddy alloc+free (4 GiB, lowest eighth held) | ns/op | ± (99.9%) | × order 0 | target ≤ 3× |\n|---|---|---|---|---|\n");
        for (int order : new int[] {0, 9, 18}) {
            Score s = idx.get("BuddyOrderBench.allocFree|order=" + order);
            if (s != null) {
                md.append(row("order " + order + (order == 9 ? " (2 MiB)" : order == 18 ? " (1 GiB)" : " (4 KiB)"), s,
                        ratio(s.score() / o0), order == 0 ? "" : atMost(s.score() / o0, 3)));
            }
        }
        return md.toString();
    }

    static String growth(Map<String, Score> idx) {
        StringBuilder md = new StringBuilder("| Order-0 alloc+free as memory grows (lowest eighth held) | 1 GiB ns/op | 64 GiB ns/op | 1 TiB ns/op | 64 GiB × 1 GiB | 1 TiB × 1 GiB | flat within 1.5× |\n|---|---|---|---|---|---|---|\n");
        boolean any = false;
        for (String a : List.of("bitmap", "buddy", "hybrid")) {
            double g = score(idx, "GrowthBench.allocFree|allocator=" + a + "|log2Frames=18");
            double g64 = score(idx, "GrowthBench.allocFree|allocator=" + a + "|log2Frames=24");
            double t = score(idx, "GrowthBench.allocFree|allocator=" + a + "|log2Frames=28");
            if (Double.isNaN(g) && Double.isNaN(g64) && Double.isNaN(t)) {
                continue;
            }
            any = true;
            double worst = Math.max(g64 / g, t / g);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", a, num(g), num(g64), num(t), ratio(g64 / g),
                    ratio(t / g), atMost(worst, 1.5)));
        }
        return any ? md.toString() : "";
    }

    static String boot(Map<String, Score> idx) {
        StringBuilder md = new StringBuilder("| Boot over 64 GiB (2^24 frames) | construct ms | ± (99.9%) | metadata bits/frame, counted | retained heap bits/frame, measured | bitmap target ≤ 1.1 bits/frame |\n|---|---|---|---|---|---|\n");
        boolean any = false;
        for (String a : List.of("bitmap", "buddy", "hybrid")) {
            Score s = idx.get("BootBench.boot|allocator=" + a);
            if (s == null) {
                continue;
            }
            any = true;
            Metadata.Bits m = Metadata.of(BootBench.build(a, BootBench.FRAMES));
            double measured = Metadata.retainedBitsPerFrame(a, BootBench.FRAMES);
            md.append(row(a, s, String.format(Locale.ROOT, "%.4f (%s)", m.perFrame(), m.how()), String.format(Locale.ROOT, "%.4f", measured),
                    a.equals("bitmap") ? atMost(m.perFrame(), 1.1) : ""));
        }
        return any ? md.toString() : "";
    }

    static String paging(Map<String, Score> idx) {
        double t = score(idx, "PagingBench.translate4k");
        if (Double.isNaN(t)) {
            return "";
        }
        StringBuilder md = new StringBuilder("| x86_64 paging, tables present | ns/op | ± (99.9%) | × translate | target ≤ 4× |\n|---|---|---|---|---|\n");
        md.append(row("translate (4-level walk of a mapped 4 KiB page)", idx.get("PagingBench.translate4k"), "1.00", ""));
        Score m4 = idx.get("PagingBench.mapUnmap4k");
        if (m4 != null) {
            md.append(row("map + unmap 4 KiB", m4, ratio(m4.score() / t), atMost(m4.score() / t, 4)));
        }
        Score m2 = idx.get("PagingBench.mapUnmap2m");
        if (m2 != null) {
            md.append(row("map + unmap 2 MiB", m2, ratio(m2.score() / t), ""));
        }
        return md.toString();
    }

    static String slab(Map<String, Score> idx) {
        StringBuilder md = new StringBuilder("| Heap alloc+free, CPU 0 | slab via per-CPU cache ns/op | ± (99.9%) | plain free list ns/op | × free list | target ≤ 2× |\n|---|---|---|---|---|---|\n");
        boolean any = false;
        for (int b : new int[] {64, 4096}) {
            Score s = idx.get("SlabBench.allocFree|bytes=" + b);
            double f = score(idx, "FreeListBench.allocFree|bytes=" + b);
            if (s == null) {
                continue;
            }
            any = true;
            md.append(row(b == 64 ? "64 B" : "4 KiB", s, num(f), ratio(s.score() / f), atMost(s.score() / f, 2)));
        }
        return any ? md.toString() : "";
    }

    /** The per-CPU frame caches against their baselines (PcpBench; spec/frames-percpu.md). */
    static String pcp(Map<String, Score> idx) {
        Score one = idx.get("PcpBench.singleCpuAllocFree");
        if (one == null) {
            return "";
        }
        StringBuilder md = new StringBuilder("| Per-CPU frame caches | score | ± (99.9%) | baseline | baseline score | ratio |\n|---|---|---|---|---|---|\n");
        double lower = score(idx, "FreeStackBench.allocFree");
        md.append(row("single CPU alloc+free, ns/op", one, "long[] free stack (lower bound)", num(lower), ratio(one.score() / lower) + " × lower bound"));
        Score two = idx.get("PcpBench.twoCpus");
        if (two != null) {
            double global = score(idx, "PcpBench.twoCpusGlobalLock");
            md.append(row("2 threads alloc+free, ops/µs", two, "one global lock", num(global), ratio(two.score() / global) + " × throughput"));
        }
        Score batch = idx.get("PcpBench.batch32");
        if (batch != null) {
            double singles = score(idx, "PcpBench.single32");
            md.append(row("32 frames in one batch, ns/op", batch, "32 single calls", num(singles), ratio(singles / batch.score()) + " × faster"));
        }
        return md.toString();
    }

    static String shootdown(Map<String, Score> idx) {
        double t1 = score(idx, "ShootdownBench.roundTrip|targets=1");
        if (Double.isNaN(t1)) {
            return "";
        }
        int cores = Runtime.getRuntime().availableProcessors();
        StringBuilder md = new StringBuilder("| Threaded shootdown round trip | targets | threads (initiator + targets) | µs/op | ± (99.9%) | model `seed` (4.2 µs × targets) | model `base+target` (4.0 + 0.4 × targets µs) |\n|---|---|---|---|---|---|---|\n");
        for (int n : new int[] {1, 2, 4}) {
            Score s = idx.get("ShootdownBench.roundTrip|targets=" + n);
            if (s == null) {
                continue;
            }
            TlbShootdown req = new TlbShootdown(CpuMask.firstN(n + 1).without(0), 1, ShootdownMode.SINGLE);
            md.append(String.format(Locale.ROOT, "| %s | %d | %d%s | %s | %s | %.1f | %.1f |%n", "ThreadedShootdown", n, n + 1,
                    n + 1 > cores ? " (more than the " + cores + " cores: oversubscribed)" : "", num(s.score() / 1000),
                    num(s.error() / 1000), CostModel.SEED.nanos(req) / 1000.0, CostModel.BASE_PLUS_TARGET.nanos(req) / 1000.0));
        }
        // least squares of time against targets over the measured points: base + perTarget * targets
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int t : new int[] {1, 2, 4}) {
            double y = score(idx, "ShootdownBench.roundTrip|targets=" + t);
            if (!Double.isNaN(y)) {
                n++;
                sx += t;
                sy += y;
                sxx += (double) t * t;
                sxy += t * y;
            }
        }
        if (n >= 2) {
            double per = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            double base = (sy - per * sx) / n;
            md.append(String.format(Locale.ROOT, "%nLeast-squares fit over the %d measured points: base %.1f µs + %.1f µs per target "
                    + "(models: `seed` 0 + 4.2, `base+target` 4.0 + 0.4). Only the 1-target run has a core per thread on "
                    + "this %d-core machine; with more, a target waits to be scheduled, so the per-target figure is mostly "
                    + "the operating system's wake-up latency.%n", (int) n, base / 1000, per / 1000, cores));
        }
        return md.toString();
    }

    private static String explorer(Collection<RunResult> results) {
        List<RunResult> mine = new ArrayList<>();
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().contains("ExplorerBench")) {
                mine.add(r);
            }
        }
        if (mine.isEmpty()) {
            return "";
        }
        String config = mine.get(0).getParams().getParam("config");
        ShootdownModel model = new ShootdownModel(TlbConfig.fromBounds(Bounds.parse(config)));
        Map<String, Double> bytes = new HashMap<>();
        long states = 0;
        for (StoreMode m : List.of(StoreMode.EXACT, StoreMode.FINGERPRINT)) {
            ExplorationResult r = Explorer.explore(model, ExploreBounds.unbounded(), Progress.NONE,
                    new ExplorerSettings(m, 1, ExplorerSettings.DEFAULT_SWITCH_AT));
            states = r.distinctStates();
            double b = r.stats().bytesPerState(states);
            bytes.put(m.name().toLowerCase(Locale.ROOT), Double.isNaN(b) ? exactBytesPerState(model) : b);
        }
        double base = Double.NaN;
        for (RunResult r : mine) {
            if (r.getParams().getParam("store").equals("exact") && r.getParams().getParam("threads").equals("1")) {
                base = r.getPrimaryResult().getScore();
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "| Explorer, shootdown `%s` (%,d states) | threads | ms/run | states/s | × sequential exact | bytes/state |%n"
                        + "|---|---|---|---|---|---|%n", config, states));
        for (RunResult r : mine) {
            String store = r.getParams().getParam("store");
            double ms = r.getPrimaryResult().getScore();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %,.0f | %.2f | %.1f%s |%n", store,
                    r.getParams().getParam("threads"), ms, states / (ms / 1000), base / ms, bytes.get(store),
                    store.equals("exact") ? " (heap estimate)" : ""));
        }
        return md.toString();
    }

    /**
     * What exact keys cost: the heap retained by a hash set of every reachable state's key (as the
     * exact store holds them), measured as the difference of used heap after garbage collection.
     */
    private static double exactBytesPerState(ShootdownModel model) {
        List<Set<Object>> holder = new ArrayList<>(List.of(new HashSet<>()));
        TransitionSystem<TlbState> collecting = new TransitionSystem<>() {
            @Override
            public String name() {
                return model.name();
            }

            @Override
            public List<TlbState> initialStates() {
                return model.initialStates();
            }

            @Override
            public void successors(TlbState s, Successors<TlbState> out) {
                model.successors(s, out);
            }

            @Override
            public Object key(TlbState s) {
                Object k = model.key(s);
                holder.get(0).add(k);
                return k;
            }

            @Override
            public InvariantSet<TlbState> invariants() {
                return model.invariants();
            }
        };
        Explorer.explore(collecting, ExploreBounds.unbounded(), Progress.NONE,
                new ExplorerSettings(StoreMode.FINGERPRINT, 1, ExplorerSettings.DEFAULT_SWITCH_AT));
        long with = usedAfterGc();
        int n = holder.get(0).size();
        holder.clear();
        long without = usedAfterGc();
        return (double) (with - without) / n;
    }

    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
