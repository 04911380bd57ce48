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
import org.mmspec.tlb.ShootdownModel;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbState;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks and writes {@code jmh.json} (JMH's own format) and {@code bench.md} (a
 * Markdown table of ratios measured side by side in the same run) into the folder given as the
 * first argument (default {@code target/bench}). {@code -Dbench.include=<regex>} narrows the
 * benchmarks. Command: {@code tools/bench} (README, "Performance").
 */
public final class BenchSuite {
    private BenchSuite() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
        Files.createDirectories(out);
        ChainedOptionsBuilder opt = new OptionsBuilder().include(System.getProperty("bench.include", "org\\.mmspec\\.bench\\..*"))
                .resultFormat(ResultFormatType.JSON).result(out.resolve("jmh.json").toString());
        Collection<RunResult> results = new Runner(opt.build()).run();
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" processors, Java ")
                .append(System.getProperty("java.version")).append(", ").append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.arch")).append("\n\n");
        md.append(frames(results)).append('\n').append(explorer(results));
        Files.writeString(out.resolve("bench.md"), md.toString());
        System.out.println(md);
        System.out.println("wrote " + out.resolve("jmh.json") + " and " + out.resolve("bench.md"));
    }

    private static String frames(Collection<RunResult> results) {
        double lower = Double.NaN;
        Map<String, double[]> rows = new java.util.TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (!name.contains("FrameBench") && !name.contains("FreeStackBench")) {
                continue;
            }
            double score = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            if (name.contains("FreeStackBench")) {
                lower = Double.isNaN(lower) ? score : Math.min(lower, score);
            } else {
                rows.put(r.getParams().getParam("allocator"), new double[] {score, err});
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        double bound = lower;
        StringBuilder md = new StringBuilder("| Order-0 alloc+free | ns/op | ± | × long[] free stack |\n|---|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| long[] free stack (lower bound) | %.1f | | 1.0 |%n", bound));
        rows.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", k, v[0], v[1],
                v[0] / bound)));
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

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
