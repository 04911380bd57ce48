package org.mmspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * {@code mmspec replay} on the committed captures and on broken input: what it prints, its exit
 * code (0 agrees, 1 diverges, 2 unreadable input), and that bad input is one line naming the file
 * and line, with nothing on stdout and no stack trace.
 */
class ReplayCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path fixture(String path) throws URISyntaxException {
        return Path.of(ReplayCommandTest.class.getResource("/replay/" + path).toURI());
    }

    /** A copy of a fixture's trace without the lines containing {@code drop}. */
    Path without(String fixture, String drop) throws IOException, URISyntaxException {
        Path p = tmp.resolve(fixture + "-trace.strace");
        Files.write(p, Files.readAllLines(fixture(fixture + "/trace.strace")).stream().filter(l -> !l.contains(drop)).toList());
        return p;
    }

    private static void assertOneLineError(Run r, String... parts) {
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).contains(parts).doesNotContain("Exception", "\tat ");
    }

    @Test
    void helpListsReplay() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).containsPattern("(?m)^\\s+replay\\s+Replay one process");
    }

    @Test
    void twoProcessesReplayTheOneThatOpenedItsMaps() throws Exception {
        Run r = run("replay", fixture("c-fork/trace.strace").toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("pid 25438", "snapshot at the openat of /proc/self/maps on line 29",
                "calls: 16 replayed, 4 skipped (not memory calls), 0 after the snapshot not replayed", "agrees with Linux");
    }

    @Test
    void theForkedChildAgainstItsParentsMapsDivergesWithMapsStyleAddressesAndTheCall() throws Exception {
        Run r = run("replay", fixture("c-fork/trace.strace").toString(), "--pid", "25439");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("pid 25439", "DIVERGES at line 21: 7fd641271000-7fd641275000 (4 pages): Linux mapped r--,"
                + " model unmapped", "munmap(0x7fd64126d000, 65536) = 0");
    }

    @Test
    void withoutTheOpenSeveralProcessesAskForPid() throws Exception {
        Path t = without("c-fork", "openat(");
        assertOneLineError(run("replay", t.toString(), "--maps", fixture("c-fork/maps.txt").toString()),
                t + ":19: the trace holds 2 processes", "25438 (16 memory calls), 25439 (3 memory calls); choose one with --pid");
        Run r = run("replay", t.toString(), "--maps", fixture("c-fork/maps.txt").toString(), "--pid", "25438");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("the capture does not show the snapshot: every call replayed");
    }

    @Test
    void callsAfterTheOpenOfTheMapsAreCut() throws Exception {
        Run r = run("replay", fixture("c-after-maps/trace.strace").toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("calls: 17 replayed, 2 skipped (not memory calls), 2 after the snapshot not replayed");
    }

    @Test
    void withoutTheOpenTheReplayDivergesAndSuggestsTheSnapshotLine() throws Exception {
        Path t = without("c-after-maps", "openat(");
        String maps = fixture("c-after-maps/maps.txt").toString();
        Run r = run("replay", t.toString(), "--maps", maps);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("DIVERGES at line 19: 556d6ef6c000-556d6f098000 (300 pages): Linux mapped rw-, model unmapped",
                "brk(0x556d6ef6c000) = 0x556d6ef6c000", "the maps look taken after line 18: rerun with --until-line 18");
        Run cut = run("replay", t.toString(), "--maps", maps, "--until-line", "18");
        assertThat(cut.code()).as(cut.out()).isZero();
        assertThat(cut.out()).contains("--until-line 18", "calls: 17 replayed", "2 after the snapshot not replayed");
    }

    @Test
    void madviseCallsAreReplayedAndNoted() throws Exception {
        Run r = run("replay", fixture("c-madvise/trace.strace").toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("madvise MADV_DONTNEED on 7fc5cc419000-7fc5cc41d000: mapping kept",
                "madvise MADV_FREE on 7fc5cc41d000-7fc5cc421000: changes no area or protection the model holds; counted as a no-op",
                "line 23: madvise MADV_DONTNEED over the hole at 7fc5cc41f000-7fc5cc420000: ENOMEM");
    }

    @Test
    void intendedDivergencesAreMarked() throws Exception {
        Run r = run("replay", fixture("python/trace.strace").toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("intended, documented at line 63: ATOMIC-1: Linux changed 7f3901a97000-7f3901a9d000 to r--",
                "mprotect(0x7f3901a97000, 65536, PROT_READ) = -1 ENOMEM", "intended, documented at line 67: W^X");
    }

    @Test
    void jsonForTools() throws Exception {
        Run r = run("replay", fixture("python/trace.strace").toString(), "--json");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).hasSize(1);
        assertThat(r.out()).startsWith("{\"trace\":").contains("\"pid\":23701", "\"agrees\":true", "\"callsReplayed\":71",
                "{\"line\":63,\"call\":\"mprotect(0x7f3901a97000, 65536, PROT_READ) = -1 ENOMEM\",\"what\":\"ATOMIC-1: Linux changed",
                "\"intended\":true}", "\"suggestedUntilLine\":null").endsWith("}\n");
        assertThat(ReplayJson.str("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    @Test
    void missingFileIsOneLine() throws Exception {
        Path missing = tmp.resolve("nosuch.strace");
        assertOneLineError(run("replay", missing.toString()), "mmspec replay: " + missing + ": no such file");
        assertOneLineError(run("replay", fixture("c-fork/trace.strace").toString(), "--maps", missing.toString()),
                missing + ": no such file");
    }

    @Test
    void malformedTraceLineNamesFileAndLine() throws Exception {
        Path t = tmp.resolve("bad.strace");
        Files.write(t, List.of("1 brk(NULL) = 0x555555560000", "", "1 mmap(NULL, 4096 = 0x7f00"));
        assertOneLineError(run("replay", t.toString(), "--maps", fixture("c-fork/maps.txt").toString()),
                "mmspec replay: " + t + ":3: expected 'name(args) = result'");
        Files.write(t, List.of("1 mmap(NULL, 4096, PROT_READ|PROT_BOGUS, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"));
        assertOneLineError(run("replay", t.toString(), "--maps", fixture("c-fork/maps.txt").toString()),
                t + ":1: unknown protection 'PROT_BOGUS'");
    }

    @Test
    void emptyOrMapslessMapsFileNamesIt() throws Exception {
        String trace = fixture("c-fork/trace.strace").toString();
        Path maps = tmp.resolve("maps.txt");
        Files.write(maps, List.of());
        assertOneLineError(run("replay", trace, "--maps", maps.toString()), maps + ":1: the maps input is empty");
        Files.write(maps, List.of("hello", "=== /proc/self/maps ==="));
        assertOneLineError(run("replay", trace, "--maps", maps.toString()),
                maps + ":2: no maps line (expected 'start-end perms offset dev inode [path]') after the marker on line 2");
        Files.write(maps, List.of("7f00-7f01 rw-p 0 00:00 0", "not a maps line"));
        assertOneLineError(run("replay", trace, "--maps", maps.toString()), maps + ":1: range is empty or not page-aligned");
        Files.write(maps, List.of("00400000-00401000 r--p 00000000 00:00 0", "not a maps line"));
        assertOneLineError(run("replay", trace, "--maps", maps.toString()), maps + ":2: expected 'start-end perms offset dev inode [path]'");
    }

    @Test
    void textBeforeAMarkerIsIgnored() throws Exception {
        Path maps = tmp.resolve("marked.txt");
        List<String> lines = new java.util.ArrayList<>(List.of("program output", "=== /proc/self/maps ==="));
        lines.addAll(Files.readAllLines(fixture("c-fork/maps.txt")));
        Files.write(maps, lines);
        Run r = run("replay", fixture("c-fork/trace.strace").toString(), "--maps", maps.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
    }

    @Test
    void badOptionsAreOneLine() throws Exception {
        String trace = fixture("c-fork/trace.strace").toString();
        assertOneLineError(run("replay", trace, "--bogus"), "mmspec replay: Unknown option: '--bogus'", "mmspec replay --help");
        assertOneLineError(run("replay"), "mmspec replay: Missing required parameter: 'STRACE-FILE'");
        assertOneLineError(run("replay", trace, "--pid", "x"), "mmspec replay: Invalid value for option '--pid'");
        assertOneLineError(run("replay", trace, "--pid", "4242"),
                trace + ":1: pid 4242 does not appear in the trace; it shows 25438 (16 memory calls), 25439 (3 memory calls)");
        assertOneLineError(run("replay", trace, "--until-line", "99"), trace + ":31: --until-line 99 is not a line of the trace (1..31)");
    }
}
