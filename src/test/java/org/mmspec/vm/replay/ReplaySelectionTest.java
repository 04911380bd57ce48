package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Small hand-written traces for what the captures cannot all show: which process is replayed
 * (threads, forks, exec, no clone lines), where the snapshot is, madvise and pkey_mprotect, and
 * the line forms of strace's -tt, -T and terminal output.
 */
class ReplaySelectionTest {
    /** The maps of a tiny program: its executable page, 4 anonymous pages at 0x7f0000000000, its stack. */
    static final List<String> MAPS = List.of(
            "7f0000100000-7f0000101000 r--p 00000000 00:00 1 /bin/x",
            "7f0000000000-7f0000004000 rw-p 00000000 00:00 0",
            "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]");
    static final String EXEC = "execve(\"/bin/x\", [\"x\"], 0x7ffd0 /* 1 vars */) = 0";
    static final String MMAP4 = "mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000";
    static final String OPEN_MAPS = "openat(AT_FDCWD, \"/proc/self/maps\", O_RDONLY) = 3";

    static ReplayHarness.Report run(ReplayHarness.Options o, String... lines) {
        return ReplayHarness.run("t", List.of(lines), MAPS, o);
    }

    static ReplayHarness.Report run(String... lines) {
        return run(ReplayHarness.Options.NONE, lines);
    }

    @Test
    void timestampsDurationsAndTerminalPidPrefixesAreRead() {
        List<TraceEvent> ev = StraceParser.parse(List.of(
                "100 05:16:07.689944 madvise(0x7f0000000000, 16384, MADV_DONTNEED) = 0 <0.000074>",
                "[pid   101] 05:16:07 munmap(0x7f0000000000, 4096) = -1 EINVAL (Invalid argument) <0.000010>",
                "1700000000.123456 brk(NULL) = 0x555555560000 <0.000002>",
                "100 05:16:07.692424 read(0, 0x7ffd, 8192) = ? ERESTARTSYS (To be restarted if SA_RESTART is set) <0.1>",
                "100 write(1, \"unbalanced ( < {\\n\", 17) = 17",
                "100 05:16:07.696155 +++ exited with 0 +++",
                "[pid   101] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---"));
        assertThat(ev).extracting(TraceEvent::pid).containsExactly(100, 101, 0, 100, 100);
        assertThat(ev).extracting(TraceEvent::call).containsExactly("madvise", "munmap", "brk", "read", "write");
        assertThat(ev.get(0).args()).containsExactly("0x7f0000000000", "16384", "MADV_DONTNEED");
        assertThat(ev.get(1).errno()).isEqualTo("EINVAL");
        assertThat(ev.get(2).result()).isEqualTo(0x555555560000L);
        assertThat(ev.get(3).errno()).isEqualTo("?");
        assertThat(ev.get(0).text()).isEqualTo("madvise(0x7f0000000000, 16384, MADV_DONTNEED) = 0");
        // clone3's "in => out" form: '>' after '=' is not a bracket.
        assertThat(StraceParser.parse(List.of("7 clone3({flags=CLONE_VM|CLONE_THREAD, child_tid=0x7f} <unfinished ...>",
                "7 <... clone3 resumed> => {parent_tid=[8]}, 88) = 8")).get(0).args())
                .containsExactly("{flags=CLONE_VM|CLONE_THREAD, child_tid=0x7f} => {parent_tid=[8]}", "88");
        // A call the replay reads must still split cleanly.
        assertThatThrownBy(() -> StraceParser.parse(List.of("100 mmap(NULL, (4096, PROT_READ) = 0x7f0000000000")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.MALFORMED_LINE));
    }

    @Test
    void cloneWithClonevmIsAThreadAndWithoutItAForkedProcess() {
        String[] trace = {"100 " + EXEC, "100 " + MMAP4,
                "100 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_THREAD|CLONE_SIGHAND) = 101",
                "100 clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD) = 102",
                "101 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "102 munmap(0x7f0000000000, 16384) = 0",
                "100 " + OPEN_MAPS};
        ReplayHarness.Report r = run(trace);
        // 101's mprotect acted on 100's space; 102's munmap on its own copy.
        assertThat(r.pid()).isEqualTo(100);
        assertThat(r.callsReplayed()).isEqualTo(2);
        assertThat(r.firstUnintended()).isPresent();
        assertThat(r.firstUnintended().get().what()).isEqualTo("7f0000000000-7f0000001000 (1 pages): Linux mapped rw-, model mapped r--");
        assertThat(r.firstUnintended().get().line()).isEqualTo(5);
        ReplayHarness.Report child = run(new ReplayHarness.Options(102, null), trace);
        assertThat(child.pid()).isEqualTo(102);
        assertThat(child.callsReplayed()).as("the parent's mmap before the fork, then the child's munmap").isEqualTo(2);
        assertThat(child.snapshot()).isEqualTo("the capture does not show the snapshot: every call replayed");
    }

    @Test
    void anExecGivesTheThreadItsOwnSpaceAndTheMapsOpenChoosesIt() {
        ReplayHarness.Report r = run("100 brk(NULL) = 0x555555560000", "100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1000000000",
                "101 " + EXEC, "101 " + MMAP4, "101 " + OPEN_MAPS, "101 munmap(0x7f0000000000, 16384) = 0");
        assertThat(r.pid()).isEqualTo(101);
        assertThat(r.callsReplayed()).isEqualTo(1);
        assertThat(r.callsAfterSnapshot()).isEqualTo(1);
        assertThat(r.callsSkipped()).as("the openat").isZero();
        assertThat(r.snapshot()).isEqualTo("snapshot at the openat of /proc/self/maps on line 5");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void withoutCloneLinesOtherThreadsAreNamedAsAssumedThreads() {
        ReplayHarness.Report r = run("100 " + EXEC, "100 " + MMAP4, "105 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "105 mprotect(0x7f0000000000, 4096, PROT_READ|PROT_WRITE) = 0", "100 " + OPEN_MAPS);
        assertThat(r.callsReplayed()).isEqualTo(3);
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.notes()).containsExactly("thread ids 105 are taken as threads of pid 100: the trace shows no clone"
                + " (add clone,clone3,fork,vfork to -e trace= to make it certain)");
    }

    @Test
    void aBareMemoryTraceWithSeveralThreadIdsAsksForPid() {
        assertThatThrownBy(() -> run(MMAP4.replace("mmap", "100 mmap"), "105 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "105 brk(NULL) = 0x555555560000"))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.SEVERAL_PROCESSES);
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.detail()).isEqualTo("the trace holds 2 processes and does not show whose maps these are:"
                            + " 100 (1 memory call), 105 (2 memory calls); choose one with --pid");
                });
        ReplayHarness.Report r = run(new ReplayHarness.Options(100, null), "100 " + MMAP4, "105 munmap(0x7f0000000000, 16384) = 0");
        assertThat(r.agrees()).as("105's munmap is not replayed into 100").isTrue();
    }

    @Test
    void aMapsFileOfAnotherPidChoosesThatPid() {
        ReplayHarness.Report r = run("100 " + EXEC, "100 clone(child_stack=NULL, flags=SIGCHLD) = 101",
                "101 " + EXEC, "101 " + MMAP4, "100 openat(AT_FDCWD, \"/proc/101/maps\", O_RDONLY) = 3",
                "101 munmap(0x7f0000000000, 16384) = 0");
        assertThat(r.pid()).isEqualTo(101);
        assertThat(r.callsAfterSnapshot()).isEqualTo(1);
        assertThat(r.agrees()).as(r.render()).isTrue();
    }

    @Test
    void untilLineCutsAndTheSuggestionIsOnlyMadeWhenTheSnapshotIsUnknown() {
        String[] trace = {"100 " + MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "100 mprotect(0x7f0000001000, 4096, PROT_READ) = 0"};
        ReplayHarness.Report full = run(trace);
        assertThat(full.agrees()).isFalse();
        assertThat(full.suggestedUntilLine()).as("dropping 2 of 3 calls is more than half: no suggestion").isZero();
        String[] longer = {"100 " + MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "100 mprotect(0x7f0000000000, 4096, PROT_READ|PROT_WRITE) = 0", "100 munmap(0x7f0000003000, 4096) = 0"};
        assertThat(run(longer).suggestedUntilLine()).isEqualTo(3);
        assertThat(run(longer).divergences()).hasSize(1);
        ReplayHarness.Report cut = run(new ReplayHarness.Options(null, 3), longer);
        assertThat(cut.agrees()).isTrue();
        assertThat(cut.callsReplayed()).isEqualTo(3);
        assertThat(cut.callsAfterSnapshot()).isEqualTo(1);
        assertThat(cut.suggestedUntilLine()).isZero();
        assertThatThrownBy(() -> run(new ReplayHarness.Options(null, 0), longer))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.BAD_UNTIL_LINE));
        assertThatThrownBy(() -> run(new ReplayHarness.Options(7, null), longer))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail())
                        .isEqualTo("pid 7 does not appear in the trace; it shows 100 (4 memory calls)"));
    }

    @Test
    void madviseMustMatchTheModelsAreas() {
        ReplayHarness.Report ok = run("100 " + MMAP4, "100 madvise(0x7f0000000000, 16384, MADV_DONTNEED) = 0",
                "100 madvise(0x7f0000000000, 16384, MADV_HUGEPAGE) = -1 EINVAL (Invalid argument)");
        assertThat(ok.agrees()).as(ok.render()).isTrue();
        assertThat(ok.notes()).containsExactly(
                "line 2: madvise MADV_DONTNEED on 7f0000000000-7f0000004000: mapping kept, contents dropped"
                        + " (no page was faulted in by the replay, so none to drop)",
                "line 3: madvise MADV_HUGEPAGE failed with EINVAL; not modelled, counted as a no-op");
        ReplayHarness.Report hole = run("100 " + MMAP4, "100 madvise(0x7f0000000000, 20480, MADV_FREE) = 0");
        assertThat(hole.firstUnintended().get().what()).isEqualTo("Linux succeeded, but the model has no area at 7f0000004000-7f0000005000");
        ReplayHarness.Report noHole = run("100 " + MMAP4, "100 madvise(0x7f0000000000, 16384, MADV_FREE) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(noHole.firstUnintended().get().what())
                .isEqualTo("Linux failed with ENOMEM (a hole in the range), but the model maps all of 7f0000000000-7f0000004000");
        assertThatThrownBy(() -> run("100 " + MMAP4, "100 madvise(0x7f0000000000, 16384, MADV_DONTNEED|bogus) = 0"))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.BAD_ARGUMENT));
    }

    @Test
    void pkeyMprotectIsAnMprotectWithAnIntendedDivergenceForARealKey() {
        ReplayHarness.Report r = run("100 " + MMAP4, "100 pkey_mprotect(0x7f0000000000, 16384, PROT_READ, 1) = 0",
                "100 pkey_mprotect(0x7f0000000000, 16384, PROT_READ|PROT_WRITE, -1) = 0");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.divergences()).singleElement().satisfies(d -> {
            assertThat(d.intended()).isTrue();
            assertThat(d.line()).isEqualTo(2);
            assertThat(d.what()).startsWith("PKEY: x86 protection key 1 is not modelled");
        });
    }

    @Test
    void modelMessagesNamePagesAsAddresses() {
        assertThat(ReplayHarness.hexPages("mprotect: page 22923059446 of [22923059446, 22923059448) is not mapped"))
                .isEqualTo("mprotect: page 5565220f6000 of 5565220f6000-5565220f8000 is not mapped");
        assertThat(ReplayHarness.range(1, 2)).isEqualTo("00001000-00002000");
    }

    @Test
    void aMarkerLineBeforeTheMapsIsSkippedAndLineNumbersStayTheFiles() {
        List<String> marked = new ArrayList<>(List.of("hello", "=== /proc/self/maps ==="));
        marked.addAll(MAPS);
        assertThat(MapsEntry.parseSnapshot(marked)).extracting(MapsEntry::line).containsExactly(3, 4, 5);
        assertThatThrownBy(() -> MapsEntry.parseSnapshot(List.of("", "  ")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.EMPTY_MAPS);
                    assertThat(e.inMaps()).isTrue();
                });
    }
}
