package org.mmspec.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The saved form of a {@link Counterexample} ({@code check --save-counterexample FILE}), a
 * line-oriented text format that is stable across versions of the tool (spec/checking-core.md,
 * "Saved counterexamples"):
 *
 * <pre>
 * mmspec-counterexample 1
 * system: &lt;the explored system&gt;
 * invariant: &lt;ID, or the failure kind&gt;
 * failure: &lt;the violation message, one line&gt;
 * cycle: &lt;step&gt;          (only for a liveness lasso: the steps after it repeat for ever)
 * step 0: init
 *   | &lt;state line&gt;
 * step 1: &lt;transition label&gt;
 *   | &lt;state line&gt;
 * end
 * </pre>
 *
 * Each state is the component's rendering, one {@code "  | "} line per line of it. Steps are
 * numbered from 0 without gaps; newlines inside the failure message become spaces.
 *
 * @param system the system the explorer ran ({@code ExplorationResult.system()})
 * @param counterexample the trace
 */
public record CounterexampleFile(String system, Counterexample counterexample) {
    /** The first line; the number is the format version. */
    public static final String HEADER = "mmspec-counterexample 1";
    private static final String STATE_PREFIX = "  | ";

    /** The file's text. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        sb.append("system: ").append(oneLine(system)).append('\n');
        sb.append("invariant: ").append(oneLine(counterexample.invariantId())).append('\n');
        sb.append("failure: ").append(oneLine(counterexample.failure())).append('\n');
        if (counterexample.isLasso()) {
            sb.append("cycle: ").append(counterexample.cycleStart()).append('\n');
        }
        List<Counterexample.TraceStep> steps = counterexample.steps();
        for (int i = 0; i < steps.size(); i++) {
            sb.append("step ").append(i).append(": ").append(oneLine(steps.get(i).label())).append('\n');
            for (String line : steps.get(i).state().split("\n", -1)) {
                sb.append(STATE_PREFIX).append(line).append('\n');
            }
        }
        sb.append("end\n");
        return sb.toString();
    }

    /** Writes the file, replacing one that exists. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    /**
     * Reads a saved counterexample.
     *
     * @throws MalformedFile with the file and line number of the first line it cannot read
     */
    public static CounterexampleFile read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new MalformedFile(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new MalformedFile(file + ": not UTF-8 text");
        }
        return parse(file.toString(), text);
    }

    /** Parses the text of a saved counterexample; {@code name} names it in errors. */
    public static CounterexampleFile parse(String name, String text) {
        List<String> lines = text.lines().toList();
        int[] at = {0};
        String header = next(name, lines, at, "the header " + HEADER);
        if (!header.equals(HEADER)) {
            throw malformed(name, at[0], "expected '" + HEADER + "', found '" + header + "'");
        }
        String system = field(name, lines, at, "system");
        String invariant = field(name, lines, at, "invariant");
        String failure = field(name, lines, at, "failure");
        List<Counterexample.TraceStep> steps = new ArrayList<>();
        String line = next(name, lines, at, "step 0 or end");
        int cycle = -1;
        if (line.startsWith("cycle: ")) {
            try {
                cycle = Integer.parseInt(line.substring("cycle: ".length()));
            } catch (NumberFormatException e) {
                throw malformed(name, at[0], "expected 'cycle: <step number>', found '" + line + "'");
            }
            line = next(name, lines, at, "step 0 or end");
        }
        while (!line.equals("end")) {
            String prefix = "step " + steps.size() + ": ";
            if (!line.startsWith(prefix)) {
                throw malformed(name, at[0], "expected '" + prefix + "<label>' or 'end', found '" + line + "'");
            }
            String label = line.substring(prefix.length());
            List<String> state = new ArrayList<>();
            line = next(name, lines, at, "a state line, the next step or end");
            while (line.startsWith(STATE_PREFIX) || line.equals(STATE_PREFIX.stripTrailing())) {
                state.add(line.length() > STATE_PREFIX.length() ? line.substring(STATE_PREFIX.length()) : "");
                line = next(name, lines, at, "a state line, the next step or end");
            }
            steps.add(new Counterexample.TraceStep(label, String.join("\n", state)));
        }
        if (steps.isEmpty()) {
            throw malformed(name, at[0], "no steps before 'end' (a counterexample starts with step 0: init)");
        }
        if (cycle >= steps.size() || cycle < -1) {
            throw malformed(name, at[0], "the cycle starts at step " + cycle + ", but the trace has steps 0.." + (steps.size() - 1));
        }
        return new CounterexampleFile(system, new Counterexample(steps, failure, invariant, cycle));
    }

    private static String field(String name, List<String> lines, int[] at, String key) {
        String line = next(name, lines, at, "'" + key + ": ...'");
        if (!line.startsWith(key + ": ")) {
            throw malformed(name, at[0], "expected '" + key + ": ...', found '" + line + "'");
        }
        return line.substring(key.length() + 2);
    }

    private static String next(String name, List<String> lines, int[] at, String expected) {
        if (at[0] >= lines.size()) {
            throw malformed(name, at[0] + 1, "the file ends where " + expected + " should be");
        }
        return lines.get(at[0]++);
    }

    private static MalformedFile malformed(String name, int line, String what) {
        return new MalformedFile(name + ":" + line + ": " + what);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r", "").replace('\n', ' ');
    }

    /** A saved counterexample that cannot be read; the message is one line naming the file and line. */
    public static final class MalformedFile extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public MalformedFile(String message) {
            super(message);
        }
    }
}
