package org.mmspec.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.mmspec.Catalog;
import org.mmspec.check.CheckSuite;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs every suite and model at its default bounds and prints the check table. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Run every property suite and model at its default bounds and print a table:"
                + " component, invariant IDs, states explored or cases run, time, result."
                + " 'check shootdown' explores the TLB shootdown protocol at bounds given on the command line.",
        subcommands = ShootdownCommand.class)
final class CheckCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--save-counterexample", paramLabel = "FILE", description = "Write the counterexample of the first"
            + " failing suite (else of the first seeded bug found, as expected) to FILE, in the format of"
            + " spec/checking-core.md (mmspec-counterexample 1); 'mmspec spec' draws it as a per-CPU timeline.")
    java.nio.file.Path saveCounterexample;

    @Parameters(arity = "0..*", paramLabel = "COMPONENT", description = "Only these components (default: all).")
    List<String> components = new ArrayList<>();

    @Option(names = "--heavy", description = "Also run the model configurations of the heavy profile.")
    boolean heavy;

    @Option(names = "--seed", description = "Master seed for the random suites (default: fresh).")
    Long seed;

    @Option(names = "--runs", description = "Runs per random suite (default: -Dmmspec.runs, else 100).")
    Integer runs;

    @Option(names = "--scale", description = "Multiplier for runs and steps of the random suites (default: -Dmmspec.scale, else 1).")
    Integer scale;

    @Option(names = "--por", paramLabel = "on|off", description = "Partial-order reduction for the models that declare"
            + " footprints (default: each manifest's por, on unless it says off).")
    String por;

    @Option(names = "--verbose", description = "Print each failing suite's full report.")
    boolean verbose = true;

    @Override
    public Integer call() {
        if (seed != null) {
            System.setProperty("mmspec.seed", String.valueOf(seed));
        }
        if (runs != null) {
            System.setProperty("mmspec.runs", String.valueOf(runs));
        }
        if (scale != null) {
            System.setProperty("mmspec.scale", String.valueOf(scale));
        }
        if (por != null) {
            if (!por.equals("on") && !por.equals("off")) {
                throw new IllegalArgumentException("--por must be on or off, not " + por);
            }
            System.setProperty(org.mmspec.check.ModelRun.POR_PROPERTY, por);
        }
        List<CheckSuite> suites = new ArrayList<>(Catalog.suites());
        suites.addAll(Catalog.modelSuites(heavy));
        suites.removeIf(s -> !components.isEmpty() && !components.contains(s.component()));
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        if (suites.isEmpty()) {
            List<String> known = new ArrayList<>(new java.util.LinkedHashSet<>(
                    Catalog.suites().stream().map(CheckSuite::component).toList()));
            err.println("mmspec check: no component named " + String.join(", ", components) + "; known: "
                    + String.join(", ", known));
            err.flush();
            return 2;
        }
        List<CheckSuite.Result> results = new ArrayList<>();
        int code = CheckTable.runAndPrint(suites, out, verbose, results);
        if (saveCounterexample != null) {
            code = Math.max(code, save(suites, results, saveCounterexample, out, err));
        }
        return code;
    }

    /** Saves the first failing suite's counterexample, else the first expected one; 2 if the file cannot be written. */
    static int save(List<CheckSuite> suites, List<CheckSuite.Result> results, java.nio.file.Path saveCounterexample,
            java.io.PrintWriter out, java.io.PrintWriter err) {
        int pick = -1;
        for (int i = 0; i < results.size() && pick < 0; i++) {
            if (!results.get(i).passed() && results.get(i).counterexample().isPresent()) {
                pick = i;
            }
        }
        for (int i = 0; i < results.size() && pick < 0; i++) {
            if (results.get(i).counterexample().isPresent()) {
                pick = i;
            }
        }
        if (pick < 0) {
            out.println("no suite found a counterexample; " + saveCounterexample + " not written");
            out.flush();
            return 0;
        }
        try {
            results.get(pick).counterexample().get().write(saveCounterexample);
        } catch (java.io.IOException e) {
            err.println("mmspec check: cannot write " + saveCounterexample + " (" + e.getClass().getSimpleName() + ")");
            err.flush();
            return 2;
        }
        out.println("counterexample of " + suites.get(pick).component() + " / " + suites.get(pick).name() + " ("
                + (results.get(pick).passed() ? "a seeded bug, as expected" : "FAILED") + ") saved to " + saveCounterexample);
        out.flush();
        return 0;
    }

    /** Formats the table; kept apart so tests can render it. */
    static final class CheckTable {
        private CheckTable() {
        }

        static int runAndPrint(List<CheckSuite> suites, PrintStream out, boolean verbose) {
            java.io.PrintWriter w = new java.io.PrintWriter(out, true);
            int code = runAndPrint(suites, w, verbose, new ArrayList<>());
            w.flush();
            return code;
        }

        /** Runs the suites, prints the table, and adds each suite's result to {@code results}. */
        static int runAndPrint(List<CheckSuite> suites, java.io.PrintWriter out, boolean verbose,
                List<CheckSuite.Result> results) {
            String fmt = "%-10s %-60s %-40s %16s %9s  %s%n";
            out.printf(fmt, "COMPONENT", "SUITE", "INVARIANTS", "STATES/CASES", "TIME", "RESULT");
            int failed = 0;
            List<String> reports = new ArrayList<>();
            long start = System.nanoTime();
            for (CheckSuite s : suites) {
                CheckSuite.Result r;
                try {
                    r = s.run();
                } catch (RuntimeException | AssertionError e) {
                    r = new CheckSuite.Result(0, java.time.Duration.ZERO, false, "suite crashed: " + e);
                }
                org.mmspec.check.Progress.clearTerminalLine();
                results.add(r);
                String ids = compressIds(s.invariantIds());
                out.printf(fmt, s.component(), abbreviate(s.name(), 60), abbreviate(ids, 40),
                        String.format(Locale.ROOT, "%,d %s", r.count(), s.kind().unit()),
                        String.format(Locale.ROOT, "%.2fs", r.elapsed().toNanos() / 1e9), r.passed() ? "PASS" : "FAIL");
                out.flush();
                if (!r.passed()) {
                    failed++;
                    reports.add(s.component() + " / " + s.name() + ":\n" + r.detail());
                }
            }
            out.printf(Locale.ROOT, "%d suites, %d passed, %d failed in %.1fs%n", suites.size(), suites.size() - failed,
                    failed, (System.nanoTime() - start) / 1e9);
            if (verbose) {
                for (String rep : reports) {
                    out.println();
                    out.println(rep);
                }
            }
            return failed == 0 ? 0 : 1;
        }

        /** {@code BUDDY-1 BUDDY-2 BUDDY-3 FRAME-1} becomes {@code BUDDY-1..3 FRAME-1}. */
        static String compressIds(List<String> ids) {
            java.util.Map<String, java.util.TreeSet<Integer>> byPrefix = new java.util.LinkedHashMap<>();
            List<String> other = new ArrayList<>();
            for (String id : ids) {
                int dash = id.lastIndexOf('-');
                try {
                    byPrefix.computeIfAbsent(id.substring(0, dash), k -> new java.util.TreeSet<>())
                            .add(Integer.parseInt(id.substring(dash + 1)));
                } catch (RuntimeException e) {
                    other.add(id);
                }
            }
            List<String> parts = new ArrayList<>();
            for (var e : byPrefix.entrySet()) {
                Integer runStart = null;
                Integer prev = null;
                for (int n : e.getValue()) {
                    if (prev != null && n == prev + 1) {
                        prev = n;
                        continue;
                    }
                    if (runStart != null) {
                        parts.add(run(e.getKey(), runStart, prev));
                    }
                    runStart = n;
                    prev = n;
                }
                if (runStart != null) {
                    parts.add(run(e.getKey(), runStart, prev));
                }
            }
            parts.addAll(other);
            return String.join(" ", parts);
        }

        private static String run(String prefix, int from, int to) {
            return prefix + "-" + from + (to > from ? ".." + to : "");
        }

        private static String abbreviate(String s, int width) {
            return org.apache.commons.lang3.StringUtils.abbreviate(s, "…", width);
        }
    }
}
