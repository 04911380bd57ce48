package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The replay's judgement, one rule at a time, on traces small enough to work out by hand: how a
 * call Linux rejected is compared (same errno, nothing changed), what a brk result, a call with no
 * result and an mprotect over a hole do, which call a final difference is blamed on, which pages
 * count as compared and as seeded from exec, when the model's placement agrees with Linux's, and
 * which VMA boundaries are reported. {@link ReplaySelectionTest} covers which process and which
 * calls are replayed; {@link ReplayFixturesTest} the real captures.
 */
class ReplayHarnessTest {
    static final String ANON = "7f0000000000-7f0000004000 rw-p 00000000 00:00 0";
    static final String BIN = "7f0000100000-7f0000101000 r--p 00000000 00:00 1 /bin/x";
    static final String STACK = "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]";
    static final String MMAP4 = "100 " + ReplaySelectionTest.MMAP4;

    static ReplayHarness.Report run(List<String> maps, String... trace) {
        return ReplayHarness.run("t", List.of(trace), maps, ReplayHarness.Options.NONE);
    }

    static ReplayHarness.Divergence only(ReplayHarness.Report r) {
        assertThat(r.divergences()).as(r.render()).hasSize(1);
        return r.divergences().get(0);
    }

    @Test
    void aCallLinuxRejectedMustFailInTheModelWithTheSameErrno() {
        List<String> maps = List.of(BIN, ANON, STACK);
        ReplayHarness.Report same = run(maps, MMAP4, "100 mprotect(0x7f0000010000, 4096, PROT_READ) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(same.agrees()).as(same.render()).isTrue();
        assertThat(same.touchedPages()).as("a failed call touches nothing").isEqualTo(4);

        ReplayHarness.Report other = run(maps, MMAP4, "100 mprotect(0x7f0000010000, 4096, PROT_READ) = -1 EINVAL (Invalid argument)");
        ReplayHarness.Divergence d = only(other);
        assertThat(d.intended()).isFalse();
        assertThat(d.line()).isEqualTo(2);
        assertThat(d.what()).startsWith("Linux failed with EINVAL, the model with ENOMEM (");
        assertThat(other.callsReplayed()).isEqualTo(2);

        ReplayHarness.Report succeeded = run(maps, MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ) = -1 EACCES (Permission denied)");
        assertThat(only(succeeded).what()).isEqualTo("Linux failed with EACCES, the model succeeded");
        assertThat(succeeded.touchedPages()).as("the replay stops before comparing pages").isEqualTo(4);

        ReplayHarness.Report mmapSucceeded = run(maps,
                "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)", MMAP4);
        assertThat(only(mmapSucceeded).what()).isEqualTo("Linux failed with ENOMEM, the model succeeded");
        assertThat(mmapSucceeded.callsReplayed()).isEqualTo(1);
        assertThat(mmapSucceeded.callsNotReached()).isEqualTo(1);
    }

    @Test
    void aFailureTheModelCannotEvenExpressCountsAsEinvalOrEnomemOnly() {
        List<String> maps = List.of(BIN, ANON, STACK);
        // An address past user space does not fit the model's types.
        String huge = "100 munmap(0xffffffffff600000, 4096) = -1 ";
        assertThat(run(maps, MMAP4, huge + "EINVAL (Invalid argument)").agrees()).isTrue();
        assertThat(run(maps, MMAP4, huge + "ENOMEM (Cannot allocate memory)").agrees()).isTrue();
        ReplayHarness.Report eperm = run(maps, MMAP4, huge + "EPERM (Operation not permitted)");
        assertThat(only(eperm).what()).isEqualTo("Linux failed with EPERM, the model cannot express the arguments");
        // A munmap Linux rejected is judged as a failure, not replayed as a success.
        ReplayHarness.Report misaligned = run(maps, MMAP4, "100 munmap(0x7f0000000001, 4096) = -1 EINVAL (Invalid argument)");
        assertThat(misaligned.agrees()).as(misaligned.render()).isTrue();
        ReplayHarness.Report accepted = run(maps, MMAP4, "100 munmap(0x7f0000000000, 4096) = -1 EINVAL (Invalid argument)");
        assertThat(only(accepted).what()).isEqualTo("Linux failed with EINVAL, the model succeeded");
    }

    @Test
    void aSucceededCallTheModelRejectsStopsTheReplayThere() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 munmap(0x7f0000000001, 4096) = 0",
                "100 munmap(0x7f0000000000, 16384) = 0");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.line()).isEqualTo(2);
        assertThat(d.call()).isEqualTo("munmap(0x7f0000000001, 4096) = 0");
        assertThat(d.what()).startsWith("Linux succeeded, the model rejected: ");
        assertThat(r.callsReplayed()).isEqualTo(2);
        assertThat(r.callsNotReached()).isEqualTo(1);
        assertThat(r.render()).contains("first divergence DIVERGES at line 2: Linux succeeded, the model rejected");
    }

    @Test
    void brkMustReturnWhatLinuxReturnedAndTouchesTheHeapPagesItMoves() {
        List<String> maps = List.of(BIN, "555555560000-555555562000 rw-p 00000000 00:00 0 [heap]", STACK);
        ReplayHarness.Report grown = run(maps, "100 brk(NULL) = 0x555555560000", "100 brk(0x555555562000) = 0x555555562000");
        assertThat(grown.agrees()).as(grown.render()).isTrue();
        assertThat(grown.touchedPages()).as("the two heap pages").isEqualTo(2);
        assertThat(grown.seededPages()).isZero();

        // Linux refused the growth; the model, with nothing in the way, grants it.
        ReplayHarness.Report refused = run(List.of(BIN, STACK), "100 brk(NULL) = 0x555555560000",
                "100 brk(0x555555562000) = 0x555555560000");
        assertThat(only(refused).what()).isEqualTo("brk returned 0x555555562000, Linux 0x555555560000");
        assertThat(only(refused).line()).isEqualTo(2);
        // When Linux's final maps show the pages a refused brk asked for, they are seeded from exec and block it.
        ReplayHarness.Report blocked = run(maps, "100 brk(NULL) = 0x555555560000", "100 brk(0x555555562000) = 0x555555560000");
        assertThat(blocked.agrees()).as(blocked.render()).isTrue();
        assertThat(blocked.touchedPages()).isZero();
    }

    @Test
    void aCallWithNoResultIsSkippedWithANote() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 munmap(0x7f0000000000, 16384) = ?");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.callsReplayed()).isEqualTo(2);
        assertThat(r.notes()).contains("line 2: munmap has no result (the thread died in it); skipped");
    }

    @Test
    void mprotectOverAHoleAppliesLinuxsPrefixAsAnIntendedDivergence() {
        List<String> maps = List.of(BIN, "7f0000000000-7f0000002000 r--p 00000000 00:00 0",
                "7f0000003000-7f0000004000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4, "100 munmap(0x7f0000002000, 4096) = 0",
                "100 mprotect(0x7f0000000000, 16384, PROT_READ) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(r.agrees()).as(r.render()).isTrue();
        ReplayHarness.Divergence d = only(r);
        assertThat(d.intended()).isTrue();
        assertThat(d.line()).isEqualTo(3);
        assertThat(d.what()).isEqualTo("ATOMIC-1: Linux changed 7f0000000000-7f0000002000 to r-- before failing with ENOMEM"
                + " at the hole; the model rejects without change — prefix applied to follow Linux");
        assertThat(r.touchedPages()).isEqualTo(4);

        // A hole at the very start: Linux changed nothing, so nothing is applied or listed.
        ReplayHarness.Report none = run(List.of(BIN, "7f0000001000-7f0000004000 rw-p 00000000 00:00 0", STACK), MMAP4,
                "100 munmap(0x7f0000000000, 4096) = 0",
                "100 mprotect(0x7f0000000000, 16384, PROT_READ) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(none.divergences()).as(none.render()).isEmpty();
    }

    @Test
    void aFinalDifferenceIsBlamedOnTheLastCallThatTouchedThosePages() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "100 mprotect(0x7f0000001000, 4096, PROT_READ) = 0", "100 mprotect(0x7f0000003000, 4096, PROT_READ|PROT_WRITE) = 0");
        ReplayHarness.Divergence d = only(r);
        assertThat(d.intended()).isFalse();
        assertThat(d.what()).isEqualTo("7f0000000000-7f0000002000 (2 pages): Linux mapped rw-, model mapped r--");
        assertThat(d.line()).isEqualTo(3);
        assertThat(d.call()).isEqualTo("mprotect(0x7f0000001000, 4096, PROT_READ) = 0");

        ReplayHarness.Report unmapped = run(List.of(BIN, ANON, STACK), MMAP4, "100 munmap(0x7f0000002000, 8192) = 0");
        assertThat(only(unmapped).what()).isEqualTo("7f0000002000-7f0000004000 (2 pages): Linux mapped rw-, model unmapped");
        assertThat(only(unmapped).line()).isEqualTo(2);

        ReplayHarness.Report extra = run(List.of(BIN, "7f0000000000-7f0000002000 rw-p 00000000 00:00 0", STACK), MMAP4);
        assertThat(only(extra).what()).isEqualTo("7f0000002000-7f0000004000 (2 pages): Linux unmapped, model mapped rw-");
        assertThat(only(extra).line()).isEqualTo(1);
    }

    @Test
    void aLinuxAreaStartingBeforeTheTouchedRangeIsComparedFromTheRangesStart() {
        // Linux's area covers [0x7eff..., 0x7f0000002000); the trace touched only [0x7f0000000000, +4 pages).
        List<String> maps = List.of(BIN, "7efffffff000-7f0000002000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report r = run(maps, MMAP4);
        assertThat(only(r).what()).isEqualTo("7f0000002000-7f0000004000 (2 pages): Linux unmapped, model mapped rw-");
        assertThat(r.seededPages()).as("the page below the range is seeded but not touched").isZero();
    }

    @Test
    void seededPagesAreThoseOfTheTouchedPagesThatOnlyTheExecSeedProduced() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), MMAP4, "100 mprotect(0x7f0000100000, 4096, PROT_READ) = 0");
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.touchedPages()).isEqualTo(5);
        assertThat(r.seededPages()).isEqualTo(1);
        assertThat(r.render()).startsWith("t: pid 100, 2 calls replayed (0 not reached), 0 other calls skipped, 0 after the"
                + " snapshot not replayed (the capture does not show the snapshot: every call replayed); 5 pages compared"
                + " (1 seeded from exec), placement 0/1, 0 VMA boundary mismatches: agrees with Linux");
    }

    @Test
    void placementAgreesWhenTheModelsTopDownSearchFromTheInferredMmapBasePicksLinuxsAddress() {
        // The loader's file mapping ends at 0x7f0000005000: the mmap base. Four pages below it start at 0x7f0000001000.
        List<String> maps = List.of("7f0000005000-7f0000006000 r--p 00000000 00:00 1 /bin/x",
                "7f0000001000-7f0000005000 rw-p 00000000 00:00 0", STACK);
        ReplayHarness.Report agreed = run(maps, "100 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
                + " = 0x7f0000001000");
        assertThat(agreed.agrees()).as(agreed.render()).isTrue();
        assertThat(agreed.placementAgreed()).isEqualTo(1);
        assertThat(agreed.placementTotal()).isEqualTo(1);
        assertThat(agreed.placementMisses()).isEmpty();

        ReplayHarness.Report missed = run(List.of(BIN, ANON, STACK), MMAP4);
        assertThat(missed.agrees()).as("placement is information only").isTrue();
        assertThat(missed.placementAgreed()).isZero();
        assertThat(missed.placementMisses()).containsExactly(
                "line 1: Linux placed 4 pages at 0x7f0000000000, the model's search 0x7f00000fc000");
        assertThat(missed.render()).contains("  placement (information): line 1: Linux placed 4 pages at 0x7f0000000000");

        ReplayHarness.Report fixed = run(List.of(BIN, ANON, STACK), "100 mmap(0x7f0000000000, 16384, PROT_READ|PROT_WRITE,"
                + " MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000");
        assertThat(fixed.placementTotal()).as("MAP_FIXED is not a placement").isZero();
        assertThat(fixed.agrees()).isTrue();
    }

    @Test
    void aBoundaryOnlyOneSideHasInsideTouchedMappedMemoryIsCounted() {
        List<String> split = List.of(BIN, "7f0000000000-7f0000001000 rw-p 00000000 00:00 0",
                "7f0000001000-7f0000004000 rw-p 00000000 00:00 0", STACK);
        String[] trace = {MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0",
                "100 mprotect(0x7f0000000000, 4096, PROT_READ|PROT_WRITE) = 0"};
        ReplayHarness.Report r = run(split, trace);
        assertThat(r.agrees()).as(r.render()).isTrue();
        assertThat(r.boundaryMismatches()).as("Linux kept the split, the model merged").isEqualTo(1);
        assertThat(run(List.of(BIN, ANON, STACK), trace).boundaryMismatches()).isZero();
        // A boundary at the edge of touched memory, or next to a hole, is not counted.
        ReplayHarness.Report edge = run(List.of(BIN, "7f0000000000-7f0000002000 rw-p 00000000 00:00 0", STACK), MMAP4,
                "100 munmap(0x7f0000002000, 8192) = 0");
        assertThat(edge.boundaryMismatches()).isZero();
    }

    @Test
    void noMemoryCallsReplaysNothingAndComparesNothing() {
        ReplayHarness.Report r = run(List.of(BIN, ANON, STACK), "100 openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = 3");
        assertThat(r.agrees()).isTrue();
        assertThat(r.callsReplayed()).isZero();
        assertThat(r.callsSkipped()).isEqualTo(1);
        assertThat(r.touchedPages()).isZero();
        assertThat(ReplayHarness.processes(List.of("100 openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = 3"))).isEmpty();
        assertThat(ReplayHarness.processes(List.of(MMAP4, "101 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
                + " = 0x7f0000000000", "100 munmap(0x7f0000000000, 4096) = 0"))).containsExactly(100, 101);
    }

    @Test
    void untilLineMayNameTheLastLineButNoLineAfterIt() {
        String[] trace = {MMAP4, "100 munmap(0x7f0000000000, 16384) = 0"};
        ReplayHarness.Report last = ReplayHarness.run("t", List.of(trace), List.of(BIN, STACK), new ReplayHarness.Options(null, 2));
        assertThat(last.agrees()).as(last.render()).isTrue();
        assertThat(last.callsReplayed()).isEqualTo(2);
        assertThat(last.snapshot()).isEqualTo("--until-line 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplayHarness.run("t", List.of(trace), List.of(BIN, STACK),
                new ReplayHarness.Options(null, 3)))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail())
                        .isEqualTo("--until-line 3 is not a line of the trace (1..2)"));
    }

    @Test
    void intervalSetsCoalesceOverlappingAndAdjacentRanges() {
        TreeMap<Long, Long> set = new TreeMap<>();
        ReplayHarness.add(set, 10, 20);
        ReplayHarness.add(set, 30, 40);
        ReplayHarness.add(set, 5, 5);
        assertThat(set).containsExactlyEntriesOf(new TreeMap<>(Map.of(10L, 20L, 30L, 40L)));
        ReplayHarness.add(set, 20, 25);
        assertThat(set).containsExactlyEntriesOf(new TreeMap<>(Map.of(10L, 25L, 30L, 40L)));
        ReplayHarness.add(set, 12, 30);
        assertThat(set).containsExactlyEntriesOf(new TreeMap<>(Map.of(10L, 40L)));
        ReplayHarness.add(set, 0, 50);
        assertThat(set).containsExactlyEntriesOf(new TreeMap<>(Map.of(0L, 50L)));
    }

    @Test
    void everyKindOfUnintendedDivergenceStopsTheReplayAfterItsCall() {
        List<String> maps = List.of(BIN, ANON, STACK);
        String after = "100 munmap(0x7f0000000000, 16384) = 0";
        String[] diverging = {
            "100 mprotect(0x7f0000010000, 4096, PROT_READ) = -1 EINVAL (Invalid argument)",
            "100 mprotect(0x7f0000000000, 4096, PROT_READ) = -1 EACCES (Permission denied)",
            "100 mprotect(0x7f0000010000, 4096, PROT_READ) = 0",
            "100 pkey_mprotect(0x7f0000010000, 4096, PROT_READ, -1) = 0",
            "100 madvise(0x7f0000000000, 20480, MADV_FREE) = 0",
            "100 madvise(0x7f0000000000, 16384, MADV_FREE) = -1 ENOMEM (Cannot allocate memory)",
            "100 munmap(0x7f0000000000, 4096) = -1 EINVAL (Invalid argument)",
            "100 munmap(0x7f0000000001, 4096) = 0",
            "100 mmap(0x7f0000000000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED_NOREPLACE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
            "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
            "100 brk(0x555555562000) = 0x555555560000",
        };
        for (String call : diverging) {
            ReplayHarness.Report r = run(maps, MMAP4, call, after);
            assertThat(r.firstUnintended()).as(call + "\n" + r.render()).isPresent();
            assertThat(r.firstUnintended().get().line()).as(call).isEqualTo(2);
            assertThat(r.callsReplayed()).as(call).isEqualTo(2);
            assertThat(r.callsNotReached()).as(call).isEqualTo(1);
        }
        // Intended divergences and notes do not stop it.
        ReplayHarness.Report intended = run(maps, MMAP4, "100 mprotect(0x7f0000000000, 16384, PROT_READ|PROT_WRITE|PROT_EXEC) = 0",
                "100 mprotect(0x7f0000000000, 16384, PROT_READ|PROT_WRITE) = 0");
        assertThat(intended.agrees()).as(intended.render()).isTrue();
        assertThat(intended.callsNotReached()).isZero();
        assertThat(intended.divergences()).singleElement().satisfies(d -> assertThat(d.intended()).isTrue());
    }

    @Test
    void aDivergenceReadsAsItsKindLineWhatAndCall() {
        assertThat(new ReplayHarness.Divergence(3, "munmap(0x1000, 4096) = 0", "x", false))
                .hasToString("DIVERGES at line 3: x  [munmap(0x1000, 4096) = 0]");
        assertThat(new ReplayHarness.Divergence(0, "", "y", true)).hasToString("intended: y");
        assertThat(new ReplayHarness.Divergence(1, "", "z", false)).hasToString("DIVERGES at line 1: z");
    }

    @Test
    void theSnapshotSuggestionMayDropHalfTheCallsAndIsRendered() {
        List<String> maps = List.of(BIN, ANON, STACK);
        ReplayHarness.Report r = run(maps, MMAP4, "100 mprotect(0x7f0000000000, 4096, PROT_READ|PROT_WRITE) = 0",
                "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0", "100 mprotect(0x7f0000001000, 4096, PROT_READ) = 0");
        assertThat(r.suggestedUntilLine()).as(r.render()).isEqualTo(2);
        assertThat(r.render()).contains("  the maps look taken after line 2: rerun with --until-line 2\n");
        assertThat(run(maps, MMAP4).render()).doesNotContain("the maps look taken");
        ReplayHarness.Report first = ReplayHarness.run("t", List.of(MMAP4, "100 munmap(0x7f0000000000, 16384) = 0"), maps,
                new ReplayHarness.Options(null, 1));
        assertThat(first.agrees()).as(first.render()).isTrue();
        assertThat(first.callsAfterSnapshot()).isEqualTo(1);
    }

    @Test
    void intervalSetsSubtractIntersectAndContainAtTheirExactEdges() {
        TreeMap<Long, Long> set = new TreeMap<>(Map.of(10L, 20L, 30L, 40L));
        assertThat(ReplayHarness.inside(set, 10)).isTrue();
        assertThat(ReplayHarness.inside(set, 19)).isTrue();
        assertThat(ReplayHarness.inside(set, 20)).isFalse();
        assertThat(ReplayHarness.inside(set, 9)).isFalse();
        assertThat(ReplayHarness.subtract(0, 50, set)).containsExactly(new long[] {0, 10}, new long[] {20, 30}, new long[] {40, 50});
        assertThat(ReplayHarness.subtract(10, 40, set)).containsExactly(new long[] {20, 30});
        assertThat(ReplayHarness.subtract(15, 35, set)).containsExactly(new long[] {20, 30});
        assertThat(ReplayHarness.subtract(20, 30, set)).containsExactly(new long[] {20, 30});
        assertThat(ReplayHarness.subtract(12, 18, set)).isEmpty();
        assertThat(ReplayHarness.intersect(set, new TreeMap<>(Map.of(0L, 10L, 19L, 31L))))
                .containsExactlyEntriesOf(new TreeMap<>(Map.of(19L, 20L, 30L, 31L)));
        assertThat(ReplayHarness.intersect(set, new TreeMap<>(Map.of(20L, 30L)))).isEmpty();
    }

    @Test
    void aDifferenceIsNotBlamedOnACallThatOnlyTouchedTheNextOrThePreviousPages() {
        List<String> maps = List.of(BIN, ANON, STACK);
        ReplayHarness.Report next = run(maps, MMAP4, "100 mprotect(0x7f0000000000, 8192, PROT_READ) = 0",
                "100 mprotect(0x7f0000002000, 8192, PROT_READ|PROT_WRITE) = 0");
        assertThat(only(next).what()).startsWith("7f0000000000-7f0000002000 (2 pages)");
        assertThat(only(next).line()).isEqualTo(2);
        ReplayHarness.Report previous = run(maps, MMAP4, "100 mprotect(0x7f0000002000, 8192, PROT_READ) = 0",
                "100 mprotect(0x7f0000000000, 8192, PROT_READ|PROT_WRITE) = 0");
        assertThat(only(previous).what()).startsWith("7f0000002000-7f0000004000 (2 pages)");
        assertThat(only(previous).line()).isEqualTo(2);
    }

    @Test
    void pagesOnlyTheExecSeedMadeAreComparedOnceACallTouchesThem() {
        // madvise and the prefix of an mprotect over a hole touch the seeded /bin/x page.
        ReplayHarness.Report advised = run(List.of(BIN, STACK), "100 madvise(0x7f0000100000, 4096, MADV_WILLNEED) = 0");
        assertThat(advised.touchedPages()).isEqualTo(1);
        assertThat(advised.seededPages()).isEqualTo(1);
        ReplayHarness.Report prefix = run(List.of("7f0000100000-7f0000101000 r-xp 00000000 00:00 1 /bin/x", STACK),
                "100 mprotect(0x7f0000100000, 8192, PROT_READ|PROT_EXEC) = -1 ENOMEM (Cannot allocate memory)");
        assertThat(prefix.agrees()).as(prefix.render()).isTrue();
        assertThat(prefix.touchedPages()).isEqualTo(1);
        assertThat(prefix.divergences()).singleElement().satisfies(d -> assertThat(d.what()).startsWith("ATOMIC-1"));
    }

    @Test
    void argumentsTheModelCannotHoldAreADivergenceWhetherLinuxSucceededOrNot() {
        List<String> maps = List.of(BIN, STACK);
        ReplayHarness.Report mprotect = run(maps, "100 mprotect(0xffffffffff600000, 4096, PROT_READ) = 0");
        assertThat(only(mprotect).what()).startsWith("Linux succeeded, the model cannot express the arguments: ");
        ReplayHarness.Report brk = run(maps, "100 brk(NULL) = 0x555555560000", "100 brk(0xffffffffff600000) = 0x555555560000");
        assertThat(only(brk).what()).startsWith("arguments outside the model's user space: ");
        assertThat(only(brk).line()).isEqualTo(2);
    }

    @Test
    void aHeapStartTheLayoutCannotHoldIsABadArgumentNamingTheMmapBase() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(List.of(BIN, STACK), "100 brk(NULL) = 0x7f0000200000"))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(ReplayError.Kind.BAD_ARGUMENT);
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.detail()).isEqualTo("the first brk returned 0x7f0000200000, which cannot be the start of a"
                            + " Linux x86_64 heap below the mmap base 0x7f0000101000 the maps show");
                });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(List.of("00400000-00401000 r--p 00000000 00:00 1 /bin/x", STACK),
                "100 munmap(0x7f0000000000, 4096) = 0"))
                .isInstanceOfSatisfying(ReplayError.class, e -> {
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.detail()).matches("the process makes no brk call, and the default heap start 0x[0-9a-f]+ is not"
                            + " below the mmap base 0x401000 the maps show");
                });
    }

    @Test
    void withoutAMapsOpenTheReplayTakesTheSpaceTheOnlyBusyProcessEndedWith() {
        List<String> maps = List.of(BIN, ANON, STACK);
        ReplayHarness.Report r = run(maps, "100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1000000000",
                "100 execve(\"/bin/x\", [\"x\"], 0x7ffd0 /* 1 vars */) = 0", MMAP4);
        assertThat(r.callsReplayed()).as("the mmap after the exec only").isEqualTo(1);
        assertThat(r.agrees()).as(r.render()).isTrue();
        ReplayHarness.Report idle = run(maps, "100 execve(\"/bin/x\", [\"x\"], 0x7ffd0 /* 1 vars */) = 0", "100 getpid() = 100",
                "100 getuid() = 0");
        assertThat(idle.callsSkipped()).as("no process made a memory call: the last space, after the exec").isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplayHarness.run("t", List.of(), maps, new ReplayHarness.Options(7, null)))
                .isInstanceOfSatisfying(ReplayError.class, e -> assertThat(e.detail())
                        .isEqualTo("pid 7 does not appear in the trace; it shows no process"));
    }
}
