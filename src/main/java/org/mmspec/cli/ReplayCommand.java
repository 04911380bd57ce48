package org.mmspec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.mmspec.vm.replay.ReplayError;
import org.mmspec.vm.replay.ReplayHarness;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mmspec replay}: replays one process of a user's {@code strace -f} capture through the
 * address-space model and compares it page by page with the maps the process printed
 * (spec/address-spaces.md, "Real Linux as the reference"). Exit code 0 when the replay agrees
 * with Linux (intended, documented divergences aside), 1 when it diverges, 2 for input it cannot
 * read: then it prints one line, {@code mmspec replay: FILE:LINE: what}, and no stack trace.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay one process of an strace -f capture through the address-space model and compare it, page by"
                + " page, with the /proc/PID/maps it printed. Capture with: strace -f -y -e trace=%%memory,%%process,openat"
                + " -o trace.strace PROGRAM > maps.txt (the program prints /proc/self/maps as its last act).")
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STRACE-FILE", description = "The strace -f output (-o file).")
    Path trace;

    @Option(names = "--maps", paramLabel = "FILE", description = "The maps the program printed: a plain maps file, or text"
            + " whose maps follow a marker line (=== /proc/self/maps ===) (default: maps.txt beside STRACE-FILE).")
    Path maps;

    @Option(names = "--pid", paramLabel = "N", description = "The process to replay (default: the one that opened its maps"
            + " file in the capture, or the only one).")
    Integer pid;

    @Option(names = "--each-pid", description = "Replay every process of the capture separately against the maps, one report"
            + " each, and say which agree (exit 0 if one does: the maps are that process's).")
    boolean eachPid;

    @Option(names = "--until-line", paramLabel = "N", description = "Replay trace lines 1 to N only: the maps were taken"
            + " after line N (default: the open of the maps file, when the capture shows it).")
    Integer untilLine;

    @Option(names = "--json", description = "Print the report as one JSON object, for tools.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path mapsFile = maps != null ? maps : trace.resolveSibling("maps.txt");
        List<String> traceLines;
        List<String> mapsLines;
        try {
            traceLines = read(trace);
            mapsLines = read(mapsFile);
        } catch (IOException e) {
            err.println("mmspec replay: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (eachPid) {
            return each(traceLines, mapsLines, mapsFile, out, err);
        }
        ReplayHarness.Report r;
        try {
            r = ReplayHarness.run(trace.getFileName().toString(), traceLines, mapsLines,
                    new ReplayHarness.Options(pid, untilLine));
        } catch (ReplayError e) {
            err.println("mmspec replay: " + (e.inMaps() ? mapsFile : trace) + ":" + e.line() + ": " + e.detail());
            err.flush();
            return 2;
        }
        out.print(json ? ReplayJson.render(r, trace.toString(), mapsFile.toString()) + "\n" : render(r, mapsFile));
        out.flush();
        return r.agrees() ? 0 : 1;
    }

    /** {@code --each-pid}: one replay per process, a report each, then which agree. */
    private int each(List<String> traceLines, List<String> mapsLines, Path mapsFile, PrintWriter out, PrintWriter err) {
        if (pid != null) {
            err.println("mmspec replay: --each-pid and --pid " + pid + " exclude each other");
            err.flush();
            return 2;
        }
        List<ReplayHarness.Report> reports = new java.util.ArrayList<>();
        try {
            for (int p : ReplayHarness.processes(traceLines)) {
                reports.add(ReplayHarness.run(trace.getFileName().toString(), traceLines, mapsLines,
                        new ReplayHarness.Options(p, untilLine)));
            }
        } catch (ReplayError e) {
            err.println("mmspec replay: " + (e.inMaps() ? mapsFile : trace) + ":" + e.line() + ": " + e.detail());
            err.flush();
            return 2;
        }
        for (ReplayHarness.Report r : reports) {
            out.print(json ? ReplayJson.render(r, trace.toString(), mapsFile.toString()) + "\n" : render(r, mapsFile));
        }
        List<String> agree = reports.stream().filter(ReplayHarness.Report::agrees).map(r -> String.valueOf(r.pid())).toList();
        if (!json) {
            out.printf("%d process%s replayed separately; %s%n", reports.size(), reports.size() == 1 ? "" : "es",
                    agree.isEmpty() ? "none agrees with these maps" : "agrees with these maps: pid " + String.join(", ", agree));
        }
        out.flush();
        return agree.isEmpty() ? 1 : 0;
    }

    /** Reads a file as lines; a missing or unreadable one is one line naming it. */
    private static List<String> read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).lines().toList();
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IOException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    static String render(ReplayHarness.Report r, Path mapsFile) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("replay of %s, pid %d, against %s%n", r.name(), r.pid(), mapsFile));
        sb.append(String.format("  %s%n", r.snapshot()));
        sb.append(String.format("  calls: %d replayed, %d skipped (not memory calls), %d after the snapshot not replayed%s%n",
                r.callsReplayed(), r.callsSkipped(), r.callsAfterSnapshot(), r.callsNotReached() > 0
                        ? ", " + r.callsNotReached() + " not reached (the replay stops at the first divergence)" : ""));
        sb.append(String.format("  pages compared: %,d (%,d seeded from exec); placement %d/%d; %d VMA boundary mismatches"
                + " (information)%n", r.touchedPages(), r.seededPages(), r.placementAgreed(), r.placementTotal(),
                r.boundaryMismatches()));
        long unintended = r.divergences().stream().filter(d -> !d.intended()).count();
        sb.append(String.format("  result: %s%n", r.agrees() ? "agrees with Linux"
                : "DIVERGES (" + unintended + " divergence" + (unintended == 1 ? "" : "s") + " not intended)"));
        for (ReplayHarness.Divergence d : r.divergences()) {
            sb.append(String.format("  %s%s: %s%n", d.intended() ? "intended, documented" : "DIVERGES",
                    d.line() > 0 ? " at line " + d.line() : "", d.what()));
            if (!d.call().isEmpty()) {
                sb.append("      ").append(d.call()).append('\n');
            }
        }
        if (r.suggestedUntilLine() > 0) {
            sb.append(String.format("  the maps look taken after line %d: rerun with --until-line %d%n", r.suggestedUntilLine(),
                    r.suggestedUntilLine()));
        }
        for (String note : r.notes()) {
            sb.append("  note: ").append(note).append('\n');
        }
        for (String miss : r.placementMisses()) {
            sb.append("  placement (information): ").append(miss).append('\n');
        }
        return sb.toString();
    }
}
