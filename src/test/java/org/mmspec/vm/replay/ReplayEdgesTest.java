package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.vm.Layout;
import org.mmspec.vm.RemapFlags;
import org.mmspec.vm.Vma;

/**
 * The replay's rules at their exact edges, on hand-written traces: mremap (a move onto pages the
 * model still holds, the pages a move touches, a result other than Linux's, flag decoding), which
 * areas the exec seed makes and with which flags and offsets (seen through merging and boundary
 * counts), a touch of no pages, an mprotect ENOMEM with no hole, which process a trace line belongs
 * to, and the parser's edges (a backslash or '>' at the end or start, a line strace cannot have
 * written, an unreadable thread id).
 */
class ReplayEdgesTest {
    static final String BIN = ReplayHarnessTest.BIN;
    static final String STACK = ReplayHarnessTest.STACK;
    static final String ANON = ReplayHarnessTest.ANON;
    static final String MMAP4 = ReplayHarnessTest.MMAP4;
    static final String EXEC = "100 " + ReplaySelectionTest.EXEC;

    static ReplayHarness.Report run(List<String> maps, String... trace) {
        return ReplayHarnessTest.run(maps, trace);
    }

    static ReplayHarness.Divergence only(ReplayHarness.Report r) {
        return ReplayHarnessTest.only(r);
    }

    static TraceEvent mremap(String... args) {
        return new TraceEvent(1, 100, "mremap", List.of(args), 0, null);
    }

    // ---- mremap

    @Test
    void aMovedMremapTouchesItsOldAndNewPagesAndItsTargetIsNotSeeded() {
        List<String> maps = List.of(BIN, "7f0000010000-7f0000018000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4, "100 mremap(0x7f0000000000, 16384, 32768, MREMAP_MAYMOVE) = 0x7f0000010000");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.touchedPages()).as("4 old pages, 8 new ones").isEqualTo(12);
        assertThat(r.seededPages()).as("the mremap made the 8 pages Linux shows").isZero();
        assertThat(r.placementTotal()).isEqualTo(2);
        assertThat(r.placementMisses()).as("the model would have grown it into the free pages after it").containsExactly(
                "line 1: Linux placed 4 pages at 0x7f0000000000, the model's search 0x7f00000fc000",
                "line 2: Linux moved 8 pages to 0x7f0000010000, the model's search keeps it where it is or finds no place");
    }

    @Test
    void aMoveOntoPagesTheModelStillHoldsIsADivergenceNamingTheTargetRange() {
        List<String> maps = List.of(BIN, "7f0000010000-7f0000018000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4,
                "100 mmap(0x7f0000012000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f0000012000",
                "100 mremap(0x7f0000000000, 16384, 32768, MREMAP_MAYMOVE) = 0x7f0000010000");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.line()).isEqualTo(3);
        assertThat(d.what()).isEqualTo(
                "Linux moved the mapping to 7f0000010000-7f0000018000, where the model still has a mapping");
    }

    @Test
    void aMoveOntoAnAreaThatCoversTheTargetsFirstPageIsADivergenceToo() {
        List<String> maps = List.of(BIN, "7f0000010000-7f0000018000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4,
                "100 mmap(0x7f000000f000, 8192, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f000000f000",
                "100 mremap(0x7f0000000000, 16384, 32768, MREMAP_MAYMOVE) = 0x7f0000010000");
        assertThat(only(r).what()).isEqualTo(
                "Linux moved the mapping to 7f0000010000-7f0000018000, where the model still has a mapping");
    }

    @Test
    void theStackIsSeededWithoutAFileAndStaysPut() {
        ReplayHarness.Report r = run(List.of(BIN, STACK),
                "100 mremap(0x7ffffffde000, 4096, 4096, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000010000) = 0x7f0000010000");
        assertThat(only(r).what()).as("AS-5, and the area named as the model holds it: no file").isEqualTo(
                "Linux succeeded, the model rejected: VmError[STACK_MOVE]: mremap: the stack [34359738334,34359738367)rw-pGA does"
                        + " not move (AS-5)");
    }

    @Test
    void anMremapLinuxRejectedMustFailInTheModelToo() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4,
                "100 mremap(0x7f0000000000, 16384, 8192, 0) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(only(r).what()).isEqualTo("Linux failed with ENOMEM, the model succeeded");
        assertThat(only(r).line()).isEqualTo(2);
    }

    @Test
    void anMremapTheModelRejectsIsOneDivergenceAndTouchesNothingNew() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4,
                "100 mremap(0x7f0000008000, 16384, 8192, 0) = 0x7f0000008000");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.what()).startsWith("Linux succeeded, the model rejected: ");
        assertThat(r.touchedPages()).isEqualTo(4);
    }

    @Test
    void anMremapMustReturnLinuxsAddress() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4,
                "100 mremap(0x7f0000000000, 16384, 16384, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000010000) = 0x7f0000020000");
        assertThat(only(r).what()).isEqualTo("mremap returned 0x7f0000010000, Linux 0x7f0000020000");
    }

    @Test
    void mremapFlagsAreReadByNameAsHexOrDecimalBitsOrMixed() {
        assertThat(MremapArgs.flags("MREMAP_MAYMOVE|0x4", mremap())).isEqualTo(new RemapFlags(true, false, true, false));
        assertThat(MremapArgs.flags("1", mremap())).isEqualTo(new RemapFlags(true, false, false, false));
        assertThat(MremapArgs.flags("0x3", mremap())).isEqualTo(new RemapFlags(true, true, false, false));
        assertThat(MremapArgs.flags("MREMAP_FIXED|MREMAP_MAYMOVE", mremap())).isEqualTo(new RemapFlags(true, true, false, false));
        assertThatThrownBy(() -> MremapArgs.flags("MREMAP_MAYMOVE|MREMAP_BOGUS", mremap()))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail()).isEqualTo("unknown mremap flag 'MREMAP_BOGUS'"));
    }

    @Test
    void mremapTakesFourOrFiveArguments() {
        assertThat(MremapArgs.decode(mremap("0x1000", "4096", "8192", "MREMAP_MAYMOVE")).newAddr()).isZero();
        assertThat(MremapArgs.decode(mremap("0x1000", "4096", "8192", "MREMAP_MAYMOVE|MREMAP_FIXED", "0x5000")).newAddr())
                .isEqualTo(0x5000);
        assertThatThrownBy(() -> MremapArgs.decode(mremap("0x1000", "4096", "8192")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.BAD_ARGUMENT);
                    assertThat(e.detail()).isEqualTo("mremap takes 4 or 5 arguments, not 3");
                });
        assertThatThrownBy(() -> MremapArgs.decode(mremap("0x1000", "4096", "8192", "0", "0x5000", "0")))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail()).isEqualTo("mremap takes 4 or 5 arguments, not 6"));
    }

    // ---- the exec seed

    @Test
    void aCallWithNoResultMadeNoPagesSoTheExecSeedStillHoldsThem() {
        List<String> maps = List.of("00400000-00401000 r--p 00000000 08:01 1 /bin/x", BIN, STACK);
        ReplayHarness.Report r = run(maps, "100 mmap(NULL, 8388608, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = ?",
                "100 madvise(0x400000, 4096, MADV_WILLNEED) = 0");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.seededPages()).isEqualTo(1);
    }

    @Test
    void aSeededFilePieceKeepsItsFileOffsetSoTheNextMappingOfTheFileMergesWithIt() {
        List<String> maps = List.of("7f0000100000-7f0000103000 r--p 00001000 08:01 1 /bin/x", STACK);
        ReplayHarness.Report r = run(maps,
                "100 mmap(0x7f0000100000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED, 3</bin/x>, 0x1000) = 0x7f0000100000",
                "100 madvise(0x7f0000101000, 4096, MADV_WILLNEED) = 0");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.seededPages()).isEqualTo(1);
        assertThat(r.boundaryMismatches()).as("the model merged, as Linux did: " + r.render()).isZero();
    }

    @Test
    void aSeededAnonymousAreaIsAccountedLikeAnMmapOfItSoTheyMerge() {
        ReplayHarness.Report priv = run(List.of(BIN, "7f0000000000-7f0000002000 rw-p 00000000 00:00 0", STACK),
                "100 mmap(0x7f0000001000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000",
                "100 madvise(0x7f0000000000, 4096, MADV_WILLNEED) = 0");
        assertThat(priv.agrees()).as(priv.render()).isTrue();
        assertThat(priv.boundaryMismatches()).as(priv.render()).isZero();
        ReplayHarness.Report shared = run(List.of(BIN, "7f0000000000-7f0000002000 rw-s 00000000 00:05 7 /dev/shm/x", STACK),
                "100 mmap(0x7f0000001000, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, 3</dev/shm/x>, 0x1000) = 0x7f0000001000",
                "100 madvise(0x7f0000000000, 4096, MADV_WILLNEED) = 0");
        assertThat(shared.agrees()).as(shared.render()).isTrue();
        assertThat(shared.boundaryMismatches()).as(shared.render()).isZero();
    }

    @Test
    void theVdsoAndVvarAreSeededAsSpecialMappingsThatCannotGrow() {
        for (String special : List.of("7ffff7fc1000-7ffff7fc3000 r-xp 00000000 00:00 0 [vdso]",
                "7ffff7fc1000-7ffff7fc3000 r--p 00000000 00:00 0 [vvar]")) {
            ReplayHarness.Report r = run(List.of(BIN, special, STACK),
                    "100 mremap(0x7ffff7fc1000, 8192, 12288, 0) = -1 EFAULT (Bad address)");
            assertThat(r.agrees()).as(special + "\n" + r.render()).isTrue();
        }
    }

    @Test
    void aBoundaryAtTheStartOfTouchedMemoryIsNotCounted() {
        // The page below the mmap is seeded from exec; the model merges the two, Linux shows them apart.
        List<String> maps = List.of(BIN, "7effffffe000-7f0000000000 rw-p 00000000 00:00 0",
                "7f0000000000-7f0000004000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4);
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.boundaryMismatches()).as(r.render()).isZero();
    }

    @Test
    void withoutABrkTheHeapStartsWhereTheLayoutPutsIt() {
        long defaultStart = Layout.linuxX86_64().startBrkPage() << Vma.PAGE_SHIFT;
        assertThatThrownBy(() -> run(List.of("00400000-00401000 r--p 00000000 00:00 1 /bin/x", STACK),
                "100 munmap(0x7f0000000000, 4096) = 0"))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail()).isEqualTo(String.format(
                        "the process makes no brk call, and the default heap start 0x%x is not below the mmap base 0x401000"
                                + " the maps show", defaultStart)));
    }

    // ---- comparing and blaming

    @Test
    void aDifferenceInsideAModelAreaThatStartsBelowTheTouchedRangeIsFound() {
        // The model's /bin/x area [0x7f0000100000, 0x7f0000102000) starts below the touched range and ends inside it.
        ReplayHarness.Report r = run(List.of("7f0000100000-7f0000104000 r--p 00000000 08:01 1 /bin/x", STACK),
                "100 madvise(0x7f0000101000, 4096, MADV_WILLNEED) = 0", "100 munmap(0x7f0000102000, 8192) = 0");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.what()).isEqualTo("7f0000102000-7f0000104000 (2 pages): Linux mapped r--, model unmapped");
        assertThat(d.line()).isEqualTo(2);
    }

    @Test
    void aBoundaryNextToAHoleInsideTouchedMemoryIsNotCounted() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 munmap(0x7f0000001000, 4096) = 0");
        assertThat(only(r).what()).isEqualTo("7f0000001000-7f0000002000 (1 pages): Linux mapped rw-, model unmapped");
        assertThat(r.boundaryMismatches()).as("the model's boundaries at both edges of the hole").isZero();
    }

    @Test
    void aCallThatTouchedNoPageIsNeverBlamed() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 mprotect(0x7f0000000000, 8192, PROT_READ) = 0",
                "100 madvise(0x7f0000001000, 0, MADV_NORMAL) = 0");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.what()).isEqualTo("7f0000000000-7f0000002000 (2 pages): Linux mapped rw-, model mapped r--");
        assertThat(d.line()).as("the mprotect, not the empty madvise").isEqualTo(2);
    }

    @Test
    void anMprotectEnomemWithoutAHoleIsADivergenceAndLinuxsPrefixStillApplies() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4,
                "100 mprotect(0x7f0000000000, 8192, PROT_READ) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(r.firstUnintended()).as(r.render()).isPresent();
        assertThat(r.firstUnintended().get().what()).isEqualTo("Linux failed with ENOMEM, the model succeeded");
        assertThat(r.divergences()).hasSize(2);
        assertThat(r.divergences().get(1).what()).startsWith("ATOMIC-1: Linux changed 7f0000000000-7f0000002000 to r--");
    }

    // ---- which process

    @Test
    void aCloneReturningZeroOrFailingStartsNoProcess() {
        String[] trace = {EXEC, "100 clone(child_stack=NULL, flags=SIGCHLD) = 0",
                "101 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        assertThat(p.assumedThreads).as("no clone is traced: 101 is taken as a thread").containsExactly(101);
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), trace);
        assertThat(r.pid()).isEqualTo(100);
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("thread ids 101 are taken as threads of pid 100"));
    }

    @Test
    void theLargestThreadIdIsAChildId() {
        String[] trace = {EXEC, "100 clone(child_stack=NULL, flags=SIGCHLD) = 2147483647",
                "2147483647 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        assertThat(p.assumedThreads).isEmpty();
        assertThat(p.spaces).extracting(Processes.Space::leader).containsExactly(100, 100, Integer.MAX_VALUE);
    }

    @Test
    void theSnapshotIsTheLastSucceededOpenOfAMapsFileByOpenOrOpenat() {
        String[] trace = {MMAP4, "100 open(\"/proc/self/maps\", O_RDONLY) = 3",
                "100 munmap(0x7f0000000000, 4096) = 0",
                "100 openat(AT_FDCWD, \"/proc/self/maps\", O_RDONLY) = -1 EMFILE (Too many open files)"};
        Processes p = Processes.of(StraceParser.parse(List.of(trace)));
        assertThat(p.mapsOpen).isPresent();
        assertThat(p.mapsOpen.get().index()).isEqualTo(1);
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), trace);
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.callsAfterSnapshot()).isEqualTo(1);
        // The path is open's first argument and openat's second, however few arguments follow.
        assertThat(Processes.isMapsOpen(ReplayInputTest.event("open(\"/proc/self/maps\") = 3"))).isTrue();
        assertThat(Processes.isMapsOpen(ReplayInputTest.event("openat(AT_FDCWD, \"/proc/self/maps\") = 3"))).isTrue();
        assertThat(Processes.isMapsOpen(ReplayInputTest.event("openat(\"/proc/self/maps\") = 3"))).isFalse();
        assertThat(Processes.isMapsOpen(ReplayInputTest.event("execve(\"/proc/self/maps\", [\"maps\"], 0x7ffd0 /* 1 vars */) = 0")))
                .as("only open and openat open it").isFalse();
        assertThat(Processes.isMapsOpen(ReplayInputTest.event("open(\"/proc/self/maps\", O_RDONLY) = -1 ENOENT (No such file)")))
                .isFalse();
    }

    @Test
    void processesWithoutMemoryCallsAreNeverChosenNorListed() {
        ReplayHarness.Report idle = run(List.of(BIN, ANON, STACK), "100 getpid() = 100", "101 getpid() = 101");
        assertThat(idle.pid()).as("nobody made a memory call: the last space").isEqualTo(101);
        ReplayHarness.Report busy = run(List.of(BIN, ANON, STACK), MMAP4, "101 getpid() = 101");
        assertThat(busy.pid()).isEqualTo(100);
        assertThat(busy.agrees()).as(busy.render()).isTrue();
    }

    @Test
    void twelveProcessesAreAllListedAndAThirteenthIsCounted() {
        List<String> twelve = new ArrayList<>();
        for (int pid = 101; pid <= 112; pid++) {
            twelve.add(pid + " munmap(0x7f0000000000, 4096) = 0");
        }
        assertThatThrownBy(() -> run(List.of(BIN, STACK), twelve.toArray(String[]::new)))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.SEVERAL_PROCESSES);
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.detail()).isEqualTo("the trace holds 12 processes and does not show whose maps these are: "
                            + "101 (1 memory call), 102 (1 memory call), 103 (1 memory call), 104 (1 memory call), "
                            + "105 (1 memory call), 106 (1 memory call), 107 (1 memory call), 108 (1 memory call), "
                            + "109 (1 memory call), 110 (1 memory call), 111 (1 memory call), 112 (1 memory call); choose one with --pid");
                });
        twelve.add("113 munmap(0x7f0000000000, 4096) = 0");
        assertThatThrownBy(() -> run(List.of(BIN, STACK), twelve.toArray(String[]::new)))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail())
                        .endsWith("112 (1 memory call) and 1 more; choose one with --pid"));
    }

    // ---- the parser

    @Test
    void aBackslashAtTheEndOfAQuotedArgumentLeavesItUnterminated() {
        assertThatThrownBy(() -> StraceParser.splitArgs("\"a\\", 4)).isInstanceOfSatisfying(ReplayError.class, e -> {
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.detail()).isEqualTo("unterminated quote or bracket in arguments");
        });
        assertThat(StraceParser.splitArgs("\"a,\\\"b\", 1", 1)).containsExactly("\"a,\\\"b\"", "1");
    }

    @Test
    void aTrailingCommaEndsInAnEmptyArgumentButNoArgumentsAreNone() {
        assertThat(StraceParser.splitArgs("a,", 1)).containsExactly("a", "");
        assertThat(StraceParser.splitArgs("a, b,", 1)).containsExactly("a", "b", "");
        assertThat(StraceParser.splitArgs(" ", 1)).containsExactly("");
        assertThat(StraceParser.splitArgs("", 1)).isEmpty();
    }

    @Test
    void aClosingAngleBracketFirstIsUnbalanced() {
        assertThatThrownBy(() -> StraceParser.splitArgs(">, 1", 2)).isInstanceOfSatisfying(ReplayError.class,
                e -> assertThat(e.detail()).isEqualTo("unbalanced '>' in arguments"));
    }

    @Test
    void abbreviationKeepsExactly120CharactersWhole() {
        String s = "y".repeat(119) + "z";
        assertThat(StraceParser.abbreviate(s)).isEqualTo(s);
        assertThat(StraceParser.abbreviate(s + "w")).isEqualTo("y".repeat(117) + "...");
    }

    @Test
    void aLineWithACarriageReturnInsideIsRejectedAsUnreadable() {
        assertThatThrownBy(() -> StraceParser.parse(List.of("100 munmap(0x1000,\r 4096) = 0")))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.MALFORMED_LINE);
                    assertThat(e.detail()).isEqualTo("cannot read '100 munmap(0x1000,\r 4096) = 0'");
                });
    }

    @Test
    void aThreadIdPastIntIsReadAsMinusOne() {
        assertThat(ReplayInputTest.event("99999999999 munmap(0x7f0000000000, 4096) = 0").pid()).isEqualTo(-1);
        assertThat(ReplayInputTest.event("[pid 99999999999] munmap(0x7f0000000000, 4096) = 0").pid()).isEqualTo(-1);
    }
}
