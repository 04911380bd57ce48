package org.mmspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.Counterexample;
import org.mmspec.check.CounterexampleFile;

/**
 * Every subcommand on good and bad input: bad input (an unknown model or component, a bad bound, a
 * missing file, a malformed line) is exit code 2 and exactly one line on stderr naming the
 * problem, with no stack trace and nothing on stdout. {@code replay} has its own test
 * ({@link ReplayCommandTest}).
 */
class CliCommandsTest {
    @TempDir
    Path tmp;

    private static ReplayCommandTest.Run run(String... args) {
        return ReplayCommandTest.run(args);
    }

    private static void assertOneLineError(ReplayCommandTest.Run r, String... parts) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).contains(parts).doesNotContain("\tat ", "Exception:");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void helpListsEverySubcommandAndCheckShootdown() {
        ReplayCommandTest.Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("check", "models", "shootdown", "replay", "spec", "debug");
        ReplayCommandTest.Run check = run("check", "--help");
        assertThat(check.out()).contains("shootdown", "--save-counterexample");
    }

    @Test
    void checkUnknownComponentIsOneLineListingTheKnownOnes() {
        assertOneLineError(run("check", "nosuch"), "mmspec check: no component named nosuch; known: frames");
    }

    @Test
    void checkBadOptionValueIsOneLine() {
        assertOneLineError(run("check", "--runs", "many"), "mmspec check: Invalid value for option '--runs'");
    }

    @Test
    void checkShootdownBadBoundsAreOneLine() {
        assertOneLineError(run("check", "shootdown", "--cpus", "0"), "mmspec check shootdown: bounds must be at least 1");
        assertOneLineError(run("check", "shootdown", "--cpus", "x"), "'--cpus': 'x' is not an int");
        assertOneLineError(run("check", "shootdown", "--mode", "bogus"), "unknown --mode bogus; known: single");
        assertOneLineError(run("shootdown", "--ops", "cpu9:munmap(0)"), "mmspec shootdown:", "cpu9");
        assertOneLineError(run("check", "shootdown", "--config", "nope"), "tlb-shootdown has no configuration nope");
    }

    @Test
    void checkShootdownSavesTheCounterexampleOfASeededBug() throws Exception {
        Path file = tmp.resolve("sub/cex.txt");
        ReplayCommandTest.Run r = run("check", "shootdown", "--config", "bug-ack-first", "--save-counterexample", file.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("counterexample saved to " + file, "TLB-1 violated");
        CounterexampleFile saved = CounterexampleFile.read(file);
        assertThat(saved.counterexample().invariantId()).isEqualTo("TLB-1");
        assertThat(saved.counterexample().length()).isEqualTo(7);
        assertThat(saved.system()).isEqualTo("tlb-shootdown");
    }

    @Test
    void shootdownAndCheckShootdownAreTheSameCommand() {
        ReplayCommandTest.Run a = run("shootdown", "--cpus", "2", "--pages", "1");
        ReplayCommandTest.Run b = run("check", "shootdown", "--cpus", "2", "--pages", "1");
        assertThat(a.code()).isZero();
        assertThat(b.code()).isZero();
        String summary = a.out().lines().filter(l -> l.startsWith("tlb-shootdown:")).findFirst().orElseThrow();
        assertThat(b.out()).contains(summary.substring(0, summary.indexOf(" transitions")));
    }

    @Test
    void porIsOnByDefaultAndOffOnRequest() {
        ReplayCommandTest.Run on = run("shootdown", "--cpus", "2", "--pages", "1");
        ReplayCommandTest.Run off = run("shootdown", "--cpus", "2", "--pages", "1", "--por", "off");
        assertThat(on.out()).contains("partial-order reduction: on (ShootdownFootprints)");
        assertThat(off.out()).contains("partial-order reduction: off");
        // the shootdown model's steps are all visible: the same states either way (spec/checking-core.md 0.4.5)
        String summary = on.out().lines().filter(l -> l.startsWith("tlb-shootdown:")).findFirst().orElseThrow();
        assertThat(off.out()).contains(summary.substring(0, summary.indexOf(" transitions")));
        assertOneLineError(run("shootdown", "--por", "maybe"), "--por must be on or off");
        assertOneLineError(run("check", "--por", "maybe", "bitmap"), "--por must be on or off");
    }

    @Test
    void passingRunWritesNoCounterexample() {
        Path file = tmp.resolve("none.txt");
        ReplayCommandTest.Run r = run("shootdown", "--cpus", "2", "--pages", "1", "--save-counterexample", file.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("no counterexample; " + file + " not written");
        assertThat(file).doesNotExist();
    }

    private static CheckSuite suite(String name, boolean passes, Optional<CounterexampleFile> cex) {
        return CheckSuite.of("tlb", name, CheckSuite.Kind.EXHAUSTIVE, () -> List.of("TLB-1"),
                () -> new CheckSuite.Result(3, Duration.ZERO, passes, "", cex));
    }

    private static Optional<CounterexampleFile> cex(String label) {
        return Optional.of(new CounterexampleFile("demo", new Counterexample(
                List.of(new Counterexample.TraceStep("init", "s0"), new Counterexample.TraceStep(label, "s1")), "TLB-1 violated", "TLB-1")));
    }

    @Test
    void checkSavesTheFailingSuitesCounterexampleBeforeAnExpectedOne() throws Exception {
        List<CheckSuite> suites = List.of(suite("seeded", true, cex("expected")), suite("broken", false, cex("unexpected")),
                suite("clean", true, Optional.empty()));
        StringWriter out = new StringWriter();
        List<CheckSuite.Result> results = new ArrayList<>();
        int code = CheckCommand.CheckTable.runAndPrint(suites, new PrintWriter(out, true), false, results);
        Path file = tmp.resolve("c.txt");
        assertThat(CheckCommand.save(suites, results, file, new PrintWriter(out, true), new PrintWriter(new StringWriter())))
                .isZero();
        assertThat(code).isEqualTo(1);
        assertThat(CounterexampleFile.read(file).counterexample().steps().get(1).label()).isEqualTo("unexpected");
        assertThat(out.toString()).contains("counterexample of tlb / broken (FAILED) saved to " + file);

        List<CheckSuite> onlyExpected = List.of(suites.get(0), suites.get(2));
        results.clear();
        CheckCommand.CheckTable.runAndPrint(onlyExpected, new PrintWriter(new StringWriter()), false, results);
        CheckCommand.save(onlyExpected, results, file, new PrintWriter(out, true), new PrintWriter(new StringWriter()));
        assertThat(CounterexampleFile.read(file).counterexample().steps().get(1).label()).isEqualTo("expected");
        assertThat(out.toString()).contains("(a seeded bug, as expected)");
    }

    @Test
    void checkSaveToAnUnwritablePathIsOneLine() throws Exception {
        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "x");
        List<CheckSuite> suites = List.of(suite("broken", false, cex("x")));
        List<CheckSuite.Result> results = new ArrayList<>();
        CheckCommand.CheckTable.runAndPrint(suites, new PrintWriter(new StringWriter()), false, results);
        StringWriter err = new StringWriter();
        int code = CheckCommand.save(suites, results, blocker.resolve("under-a-file.txt"), new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).startsWith("mmspec check: cannot write ");
    }

    @Test
    void modelsUnknownModelOrConfigurationIsOneLine() {
        assertOneLineError(run("models", "nosuch"), "mmspec models: no model named nosuch; known: [buddy-32");
        assertOneLineError(run("models", "buddy-32:nope"), "models/buddy-32 has no configuration nope; known: ci");
        assertOneLineError(run("models", "--workers", "0", "buddy-32:ci"), "--workers must be positive: 0");
    }

    @Test
    void debugUnknownCommandIsOneLineAndMemAnswers() {
        assertOneLineError(run("debug", "bogus"), "mmspec debug:", "unknown debug command 'bogus'");
        ReplayCommandTest.Run mem = run("debug", "mem");
        assertThat(mem.code()).isZero();
        assertThat(mem.out()).isNotBlank();
    }

    @Test
    void specWithoutASpecFolderIsOneLine() {
        assertOneLineError(run("spec", "--root", tmp.toString(), "--out", tmp.resolve("site").toString()),
                "mmspec spec: no spec/ folder in " + tmp.toAbsolutePath().normalize(), "pass --root DIR");
    }

    @Test
    void specWithAMissingOrMalformedCounterexampleIsOneLine() throws Exception {
        Path out = tmp.resolve("site");
        assertOneLineError(run("spec", "--out", out.toString(), "--counterexample", tmp.resolve("missing.txt").toString()),
                "missing.txt: no such file");
        Path bad = tmp.resolve("bad.txt");
        Files.writeString(bad, CounterexampleFile.HEADER + "\nsystem: s\ninvariant: X-1\nfailure: f\nstep 1: skipped zero\nend\n");
        assertOneLineError(run("spec", "--out", out.toString(), "--counterexample", bad.toString()),
                bad + ":5: expected 'step 0: <label>' or 'end', found 'step 1: skipped zero'");
    }

    @Test
    void specBuildsTheSiteAndSaysWhere() {
        Path out = tmp.resolve("site");
        ReplayCommandTest.Run r = run("spec", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("spec site: \\d+ pages, traceability of \\d+ invariant IDs, diagrams; open .*index.html");
        assertThat(out.resolve("traceability.html")).exists();
    }

    @Test
    void replayEachPidReplaysEveryProcessAndSaysWhichAgrees() throws Exception {
        Path t = tmp.resolve("two-processes.strace");
        Files.write(t, Files.readAllLines(ReplayCommandTest.fixture("c-fork/trace.strace")).stream()
                .filter(l -> !l.contains("openat(")).toList());
        String maps = ReplayCommandTest.fixture("c-fork/maps.txt").toString();
        ReplayCommandTest.Run r = run("replay", t.toString(), "--maps", maps, "--each-pid");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pid 25438", "pid 25439", "2 processes replayed separately; agrees with these maps: pid 25438");
        assertOneLineError(run("replay", t.toString(), "--maps", maps, "--each-pid", "--pid", "25438"),
                "mmspec replay: --each-pid and --pid 25438 exclude each other");
    }
}
