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
                + " component, invariant IDs, states explored or cases run, time, result.")
final class CheckCommand implements Callable<Integer> {

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
        List<CheckSuite> suites = new ArrayList<>(Catalog.suites());
        suites.addAll(Catalog.modelSuites(heavy));
        suites.removeIf(s -> !components.isEmpty() && !components.contains(s.component()));
        if (suites.isEmpty()) {
            System.err.println("no suites match " + components);
            return 2;
        }
        return CheckTable.runAndPrint(suites, System.out, verbose);
    }

    /** Formats the table; kept apart so tests can render it. */
    static final class CheckTable {
        private CheckTable() {
        }

        static int runAndPrint(List<CheckSuite> suites, PrintStream out, boolean verbose) {
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
