package org.mmspec.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.mmspec.Catalog;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;

/**
 * {@code ./mmspec check MODEL [CONFIG] --engine spark [--master M] ...}: explores a model's
 * configurations (one, or every {@code ci} one) on Spark and compares each with its manifest, as
 * {@code ./mmspec models} does for the in-process explorer. Also the main class of the
 * spark-submit jar, where the master comes from spark-submit.
 *
 * <p>Exit codes: 0 every verdict as the manifest expects, 1 a verdict or a passing count differs,
 * 2 bad input or a bad set-up (one line on stderr).
 */
public final class SparkCheck {
    static final String USAGE = "usage: mmspec check MODEL [CONFIG] --engine spark [--master local[*]|spark://HOST:PORT|yarn|k8s://...]"
            + " [--partitions N] [--checkpoint-every K] [--checkpoint-dir DIR] [--executor-memory SIZE] [--ui]";

    private SparkCheck() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        int code;
        try {
            code = run(args, out, err);
        } catch (SparkSetup.SetupException | IllegalArgumentException e) {
            err.println("mmspec: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    /** Parsed options. */
    static final class Options {
        String model;
        String config;
        String master;
        int partitions = 8;
        int checkpointEvery = 10;
        String checkpointDir;
        String executorMemory;
        boolean ui;
    }

    static Options parse(String[] args) {
        Options o = new Options();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = a.contains("=") && a.startsWith("--") ? a.substring(a.indexOf('=') + 1) : null;
            String name = v != null ? a.substring(0, a.indexOf('=')) : a;
            switch (name) {
                case "--engine" -> {
                    String e = v != null ? v : value(args, ++i, name);
                    if (!e.equals("spark")) {
                        throw new IllegalArgumentException("this is the spark engine; --engine " + e + " runs in-process");
                    }
                }
                case "--master" -> o.master = v != null ? v : value(args, ++i, name);
                case "--partitions" -> o.partitions = number(v != null ? v : value(args, ++i, name), name);
                case "--checkpoint-every" -> o.checkpointEvery = number(v != null ? v : value(args, ++i, name), name);
                case "--checkpoint-dir" -> o.checkpointDir = v != null ? v : value(args, ++i, name);
                case "--executor-memory" -> o.executorMemory = v != null ? v : value(args, ++i, name);
                case "--ui" -> o.ui = true;
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
                    }
                    positional.add(a);
                }
            }
        }
        if (!positional.isEmpty() && positional.get(0).equals("check")) {
            positional.remove(0);
        }
        if (positional.isEmpty() || positional.size() > 2) {
            throw new IllegalArgumentException(USAGE);
        }
        o.model = positional.get(0);
        o.config = positional.size() == 2 ? positional.get(1) : null;
        return o;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value; " + USAGE);
        }
        return args[i];
    }

    private static int number(String text, String name) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, not " + text);
        }
    }

    /**
     * Liveness needs the whole state graph on one machine (a strongly-connected-component search
     * over every edge); the Spark engine keeps only parent links, so it cannot check it.
     */
    static String livenessRefusal(String model, String config) {
        return model + " " + config + " checks liveness, which the spark engine does not; run it in-process"
                + " (./mmspec models " + model + ":" + config + ")";
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o = parse(args);
        ExhaustiveModel model = Catalog.model(o.model);
        Manifest manifest = Manifest.load(model.name());
        List<String> configs = new ArrayList<>();
        if (o.config != null) {
            if (!manifest.configs().contains(o.config)) {
                throw new IllegalArgumentException("model " + o.model + " has no configuration " + o.config + "; it has "
                        + manifest.configs());
            }
            if (manifest.checks(o.config).liveness()) {
                throw new IllegalArgumentException(livenessRefusal(model.name(), o.config));
            }
            configs.add(o.config);
        } else {
            for (String c : manifest.configs()) {
                if (!manifest.profile(c).equals("ci")) {
                    continue;
                }
                if (manifest.checks(c).liveness()) {
                    out.println(livenessRefusal(model.name(), c) + ": skipped");
                } else {
                    configs.add(c);
                }
            }
        }
        for (String c : configs) {
            new ModelSpec(model.name(), manifest.get(c + ".bounds", "")).codec(); // before Spark starts
        }
        SparkSetup.requireReachable(o.master);
        SparkConf conf = SparkSetup.conf(o.master, "mmspec " + o.model, o.ui);
        if (o.executorMemory != null) {
            conf.set("spark.executor.memory", o.executorMemory);
        }
        String jar = System.getProperty("mmspec.spark.jar");
        if (jar != null && !conf.get("spark.master").startsWith("local") && !conf.contains("spark.jars")) {
            conf.set("spark.jars", jar); // executors in other JVMs load the engine and the models from it
        }
        Path tmp = null;
        int code = 0;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            if (o.checkpointEvery > 0) {
                if (o.checkpointDir == null) {
                    tmp = Files.createTempDirectory("mmspec-spark-checkpoints");
                    sc.setCheckpointDir(tmp.toString());
                } else {
                    sc.setCheckpointDir(o.checkpointDir);
                }
            }
            out.printf("spark engine: master %s, %d partitions, checkpoint every %d levels%n", sc.master(),
                    o.partitions, o.checkpointEvery);
            SparkExplorer.Settings settings = new SparkExplorer.Settings(o.partitions, o.checkpointEvery);
            for (String c : configs) {
                ModelSpec spec = new ModelSpec(model.name(), manifest.get(c + ".bounds", ""));
                SparkExplorer.Run run;
                try {
                    run = SparkExplorer.explore(sc, spec, manifest.exploreBounds(c), settings, manifest.checks(c), err);
                } catch (RuntimeException e) {
                    throw new SparkSetup.SetupException(SparkSetup.describeFailure(e, conf, o.partitions));
                }
                code = Math.max(code, report(out, manifest, c, run));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(tmp);
        }
        return code;
    }

    /** Prints one configuration's result and how it compares with the manifest; 1 when it differs. */
    static int report(PrintStream out, Manifest manifest, String config, SparkExplorer.Run run) {
        ExplorationResult r = run.result();
        out.println(r.summary().replaceFirst(":", " [" + config + "]:"));
        out.printf("  %d levels, shuffle %,d bytes (%.1f per transition), visited set %,d bytes (%.1f per state),"
                + " executor heap peak %,d MiB%n", run.levels(), run.shuffleBytes(),
                run.shuffleBytes() / (double) Math.max(1, r.transitions()), run.visitedBytes(),
                run.visitedBytes() / (double) Math.max(1, r.distinctStates()), run.peakHeap() >> 20);
        r.counterexample().ifPresent(cex -> out.println(cex.render()));
        List<String> problems = new ArrayList<>();
        String expected = manifest.expect(config);
        String verdict = Manifest.verdict(r);
        String expectedId = expected.startsWith("fail:") ? expected.substring("fail:".length()) : null;
        if (!verdict.equals(expected) && !r.passed() && expectedId != null
                && run.brokenAtFailingLevel().contains(expectedId)) {
            // the level that fails holds states breaking different invariants; the in-process
            // explorer names the one it meets first, this engine the state of least fingerprint
            out.println("  the in-process explorer names " + expectedId + ", broken at the same level: the states of"
                    + " that level break " + run.brokenAtFailingLevel() + " (spec/checking-core.md §0.9)");
            verdict = expected;
        }
        if (!verdict.equals(expected)) {
            problems.add("expected verdict " + expected + " but got " + Manifest.verdict(r));
        } else if (r.passed()) {
            // a passing search covers the same states as the in-process one: its counts must match
            for (String d : ModelRun.drift(manifest, config, r)) {
                if (!d.contains("millis")) {
                    problems.add(d);
                }
            }
        } else {
            String len = manifest.get(config + ".cexLength", null);
            if (len != null && !len.equals(String.valueOf(r.counterexample().get().length()))) {
                problems.add("counterexample length " + r.counterexample().get().length() + ", in-process " + len);
            }
        }
        if (problems.isEmpty()) {
            out.println("  matches the manifest (" + expected + ")");
            return 0;
        }
        problems.forEach(p -> out.println("  DIFFERS: " + p));
        return 1;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the run for
        }
    }
}
