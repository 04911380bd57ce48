package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The page-table lifecycle as the hardware sees it (PTL-1, PTL-2): the paging-structure cache
 * model's fill and invalidation, a negative test per invariant on a corrupted state, and the
 * seeded bugs NO_ZEROING, NO_FLUSH_BEFORE_FREE and FREE_BEFORE_FLUSH caught by name in the
 * stateful suite (several seeds, every format) and by the explorer (every format).
 */
class PageTableLifecycleTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    private static final long GIB = 1L << 30;

    /** A mapper over frames that all hold their previous owner's word, behind modelled caches. */
    private static PageMapper withCaches(PteFormat f, int tables) {
        FrameRange managed = PagingScope.tableFrames(f, tables);
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(managed);
        PhysicalMemory memory = new PhysicalMemory();
        PagingStructureCaches.scribble(memory, managed, a);
        PagingStructureCaches caches = new PagingStructureCaches(new TlbFlushSink.Recording(), memory);
        PageMapper m = new PageMapper(f, memory, a, caches);
        caches.fill(m);
        return m;
    }

    private static PagingStructureCaches caches(PageMapper m) {
        return (PagingStructureCaches) m.tlbSink();
    }

    private static List<String> lifecycleIds(PageMapper m) {
        return PagingInvariants.LIFECYCLE.violations(m).stream().map(Violation::invariantId).toList();
    }

    private static Page base(PteFormat f, int k) {
        PageSize size = f.pageSizes().get(0);
        return Page.of(PagingScope.WINDOW + k * size.bytes(), size);
    }

    @Test
    void freeFramesHoldTheirPreviousOwnersWordAndTablesDoNot() {
        PageMapper m = withCaches(X86_64Pte.FORMAT, 6);
        // Root is frame 16; frames 17..21 are free and scribbled, in their last word only.
        assertThat(m.tableFrames()).containsExactly(PhysFrame.of(16));
        assertThat(m.memory().read64(PhysAddr.of(16 * 4096L + 4088))).isZero();
        assertThat(m.memory().read64(PhysAddr.of(17 * 4096L + 4088))).isEqualTo(0x0000_00BA_DC0D_E081L);
        assertThat(m.memory().read64(PhysAddr.of(17 * 4096L + 4080))).isZero();
        assertThat(m.memory().read64(PhysAddr.of(21 * 4096L + 4088))).isEqualTo(PagingStructureCaches.LEFTOVER);
        assertThat(m.memory().read64(PhysAddr.of(22 * 4096L + 4088))).as("outside the managed range").isZero();
        assertThat(m.memory().nonZeroFrames()).isEqualTo(5);
        m.map(base(X86_64Pte.FORMAT, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches(m).fill(m);
        assertThat(PagingInvariants.WITH_LIFECYCLE.violations(m)).isEmpty();
        // The three new tables were zeroed: no leftover in 17..19, still one in 20 and 21.
        for (long t = 17; t <= 19; t++) {
            assertThat(PagingStructureCaches.holdsLeftover(m.memory(), PhysFrame.of(t))).as("frame %d", t).isFalse();
        }
        assertThat(PagingStructureCaches.holdsLeftover(m.memory(), PhysFrame.of(20))).isTrue();
        m.unmap(base(X86_64Pte.FORMAT, 0));
        // Reclaimed and reused at once: the next owner wrote into every freed frame again.
        for (long t = 17; t <= 21; t++) {
            assertThat(PagingStructureCaches.holdsLeftover(m.memory(), PhysFrame.of(t))).as("frame %d", t).isTrue();
        }
        assertThat(lifecycleIds(m)).isEmpty();
    }

    /** x86_64: one entry per pointer the walk of the window follows, with the region the pointing entry covers. */
    @Test
    void fillCachesEveryPointerOnTheWalkWithItsRegion() {
        PageMapper m = withCaches(X86_64Pte.FORMAT, 6);
        assertThat(caches(m).entries()).as("an empty tree has nothing to cache").isEmpty();
        m.map(base(X86_64Pte.FORMAT, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches(m).fill(m);
        assertThat(caches(m).entries()).containsExactly(
                new PagingStructureCaches.Cached(1, 0, 1L << 39, 17),
                new PagingStructureCaches.Cached(2, GIB, GIB, 18),
                new PagingStructureCaches.Cached(3, GIB, 2L << 20, 19));
        assertThat(caches(m).entries().get(2).toString())
                .isEqualTo("depth 3 for 0x0000000040000000+0x200000 -> table frame#19");
    }

    /** A leaf flush keeps the walk caches (last-level invalidation); TABLE_FREED drops what overlaps; full drops all. */
    @Test
    void onlyTableFreedAndFullFlushesDropPagingStructureEntries() {
        PageMapper m = withCaches(X86_64Pte.FORMAT, 8);
        m.map(base(X86_64Pte.FORMAT, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        // The last page of the address space: its PML4 entry's region ends at 2^64.
        m.map(Page.of(-4096, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 1), PagingScope.R);
        PagingStructureCaches c = caches(m);
        c.fill(m);
        assertThat(c.entries()).extracting(PagingStructureCaches.Cached::va)
                .containsExactly(0L, -(1L << 39), GIB, -GIB, GIB, -(2L << 20));
        for (TlbFlush.Reason r : List.of(TlbFlush.Reason.UNMAP, TlbFlush.Reason.PROTECT, TlbFlush.Reason.REMAP,
                TlbFlush.Reason.SPLIT)) {
            c.flush(new TlbFlush(VirtAddr.of(0), 1L << 47, r));
            assertThat(c.entries()).as("%s keeps the walk caches", r).hasSize(6);
        }
        // The PT's region is [1 GiB, 1 GiB + 2 MiB): a flush starting just past it keeps it.
        c.flush(new TlbFlush(VirtAddr.of(GIB + (2L << 20)), 4096, TlbFlush.Reason.TABLE_FREED));
        assertThat(c.entries()).extracting(PagingStructureCaches.Cached::depth).containsExactly(1, 2, 3, 3);
        // One ending just before it keeps it too; one ending on its first byte drops it.
        c.flush(new TlbFlush(VirtAddr.of(GIB - 4096), 4096, TlbFlush.Reason.TABLE_FREED));
        assertThat(c.entries()).hasSize(4);
        c.flush(new TlbFlush(VirtAddr.of(GIB - 4096), 4097, TlbFlush.Reason.TABLE_FREED));
        assertThat(c.entries()).extracting(PagingStructureCaches.Cached::va).containsExactly(-(1L << 39), -GIB, -(2L << 20));
        c.flush(new TlbFlush(VirtAddr.of(0), 0, TlbFlush.Reason.TABLE_FREED));
        assertThat(c.entries()).as("an empty range drops nothing").hasSize(3);
        c.flush(new TlbFlush(VirtAddr.of(-4096), 4096, TlbFlush.Reason.TABLE_FREED));
        assertThat(c.entries()).isEmpty();
        c.fill(m);
        assertThat(c.entries()).hasSize(6);
        c.flush(new TlbFlush(VirtAddr.of(0), TlbFlush.EVERYTHING, TlbFlush.Reason.PROTECT));
        assertThat(c.entries()).as("a full flush drops everything, whatever the reason").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_1_catchesATableLinkedWithItsPreviousOwnersWord(PteFormat f) {
        PageMapper m = withCaches(f, f.roots() + 6);
        m.map(base(f, 0), PagingScope.frame(f.pageSizes().get(0), 0), PagingScope.R);
        caches(m).fill(m);
        assertThat(PagingInvariants.WITH_LIFECYCLE.violations(m)).isEmpty();
        // The last-level table, as if it had been linked without being zeroed.
        Walk.StepRead last = m.walk(base(f, 0).start()).steps().get(f.levels() - 1);
        PhysFrame table = PhysFrame.containing(last.table());
        PhysFrame lastFrame = table.plus(f.tableFrames() - 1);
        m.memory().write64(lastFrame.start().plus(4088), PagingStructureCaches.LEFTOVER);
        assertThat(lifecycleIds(m)).containsExactly("PTL-1");
        assertThat(PagingInvariants.PTL_1.evaluate(m).orElseThrow().detail()).isEqualTo(String.format(
                "table %s holds 0x000000badc0de081 at %s, left by the frame's previous owner: the table was linked without being zeroed",
                table, lastFrame.start().plus(4088)));
        // One word off is not what the previous owner left.
        m.memory().write64(lastFrame.start().plus(4088), PagingStructureCaches.LEFTOVER + 1);
        assertThat(lifecycleIds(m)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_2_catchesACachedPointerToATableTheMapperNoLongerOwns(PteFormat f) {
        PageMapper m = withCaches(f, f.roots() + 6);
        m.map(base(f, 0), PagingScope.frame(f.pageSizes().get(0), 0), PagingScope.R);
        caches(m).fill(m);
        PhysFrame leafTable = PhysFrame.containing(m.walk(base(f, 0).start()).steps().get(f.levels() - 1).table());
        m.corruptForgetTable(leafTable);
        assertThat(lifecycleIds(m)).containsExactly("PTL-2");
        assertThat(PagingInvariants.PTL_2.evaluate(m).orElseThrow().detail())
                .contains("-> table frame#" + leafTable.number() + ") points at " + leafTable + ", which is no table the mapper owns");
    }

    /** An owned table that the allocator holds as free is no table either (the frame may be reused). */
    @Test
    void PTL_2_catchesACachedPointerToAFrameTheAllocatorHoldsFree() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = withCaches(f, 6);
        m.map(base(f, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches(m).fill(m);
        m.allocator().free(FrameRange.of(19, 1));
        assertThat(PagingInvariants.PTL_2.evaluate(m)).isPresent();
        assertThat(PagingInvariants.PTL_2.evaluate(m).get().detail()).contains("points at frame#19");
    }

    @Test
    void PTL_2_reportsATableFreedBeforeItsFlushEvenAfterTheFlush() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = withCaches(f, 6);
        m.bug = PageMapper.Bug.FREE_BEFORE_FLUSH;
        m.map(base(f, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches(m).fill(m);
        m.unmap(base(f, 0));
        assertThat(caches(m).entries()).as("the late flushes dropped every entry").isEmpty();
        // Only the PT was freed while cached: its late flush by VA dropped the entries of every level
        // on that walk (as TLBI VAE1 and INVLPG do), before the PD and the PDPT were freed.
        assertThat(caches(m).freedWhileCached()).hasSize(1);
        assertThat(PagingInvariants.PTL_2.evaluate(m).orElseThrow().detail()).startsWith(
                "table [frame#19..20) was freed while a paging-structure cache entry (depth 3 for 0x0000000040000000+0x200000 -> table frame#19) still pointed at it");
    }

    @Test
    void aCorrectMapperKeepsTheCachesEqualToTheTree() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = withCaches(f, 6);
        m.map(base(f, 0), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches(m).fill(m);
        m.unmap(base(f, 0));
        assertThat(caches(m).entries()).isEmpty();
        assertThat(caches(m).freedWhileCached()).isEmpty();
        assertThat(lifecycleIds(m)).isEmpty();
    }

    // ---------------------------------------------------------------- seeded bugs

    private static String caughtStateful(PteFormat f, PageMapper.Bug bug, long seed) {
        StatefulFailure failure = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(new PagingMachine(f, bug),
                        CheckSettings.fromSystemProperties(40).withRuns(CheckSettings.DEFAULT_RUNS).withSeed(seed)));
        assertThat(failure).as("%s with %s, seed %d, must fail", f, bug, seed).isNotNull();
        return failure.failure() instanceof InvariantViolation iv ? iv.invariantId() : failure.failure().getClass().getSimpleName();
    }

    private static ExplorationResult explore(PteFormat f, PageMapper.Bug bug) {
        return Explorer.explore(PagingModels.system(Bounds.parse("format=" + f.name() + ",pages=1,huge=0,tables="
                + (f.roots() + 4) + ",bug=" + bug)), ExploreBounds.unbounded());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_1_statefulSuiteCatchesTablesThatAreNotZeroed(PteFormat f) {
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(caughtStateful(f, PageMapper.Bug.NO_ZEROING, seed)).as("%s seed %d", f, seed).isEqualTo("PTL-1");
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_2_statefulSuiteCatchesATableFreedWithoutTheFlush(PteFormat f) {
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(caughtStateful(f, PageMapper.Bug.NO_FLUSH_BEFORE_FREE, seed)).as("%s seed %d", f, seed)
                    .isEqualTo("PTL-2");
            assertThat(caughtStateful(f, PageMapper.Bug.FREE_BEFORE_FLUSH, seed)).as("%s seed %d", f, seed)
                    .isEqualTo("PTL-2");
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_1_explorerFindsTheUnzeroedTable(PteFormat f) {
        ExplorationResult r = explore(f, PageMapper.Bug.NO_ZEROING);
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("PTL-1");
        assertThat(r.counterexample().get().steps().get(r.counterexample().get().steps().size() - 1).label()).startsWith("map(");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTL_2_explorerFindsTheTableFreedWithoutTheFlush(PteFormat f) {
        for (PageMapper.Bug bug : List.of(PageMapper.Bug.NO_FLUSH_BEFORE_FREE, PageMapper.Bug.FREE_BEFORE_FLUSH)) {
            ExplorationResult r = explore(f, bug);
            assertThat(r.counterexample().orElseThrow().invariantId()).as("%s %s", f, bug).isEqualTo("PTL-2");
            assertThat(r.counterexample().get().steps().get(r.counterexample().get().steps().size() - 1).label())
                    .startsWith("unmap(");
        }
    }
}
