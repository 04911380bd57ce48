package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.PageSize;

/**
 * Transparent huge pages and MAP_HUGETLB areas at the edges the other huge-page tests leave
 * open: collapse across two areas that cannot merge; a
 * write to a huge page whose frames are not all exclusive (it splits) and to one whose frames all
 * are (it keeps its leaf); a copy of the system keeps its huge pages; mremap's alignment checks of
 * a hugetlb area for both addresses, even where the call would not move; and the hugetlb
 * placement's size and hint checks. Each rejection names its kind and changes nothing.
 */
class AddressSpaceHugeEdgesTest extends AddressSpaceFixture {
    private static final MapFlags HUGE_2M = MapFlags.PRIVATE_ANON.withHugetlb(PageSize.MIB_2);
    private static final MapFlags HUGE_2M_FIXED = MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2);

    private void fresh(long regions) {
        sys = VmSystem.of(Layout.small(regions * H), 2400);
        as = sys.space(0);
    }

    /** Four 2 MiB regions, [H, 2H) mapped, every page written, and collapsed into one huge page. */
    private void oneHugePageAtH() {
        fresh(4);
        fixed(H, H, Prot.RW);
        populate(H, 2 * H);
        as.collapseHuge(H);
    }

    private void populate(long from, long to) {
        for (long q = from; q < to; q++) {
            write(q, 1000 + q);
        }
    }

    // ------------------------------------------------------------------ collapse

    @Test
    void collapseRefusesARangeOfTwoAreasThatCannotMergeEvenWhenEveryPageIsPresentAndExclusive() {
        fresh(4);
        fixed(H, H / 2, Prot.RW);
        populate(H, H + H / 2);
        fixed(3 * H, H / 2, Prot.RW);
        populate(3 * H, 3 * H + H / 2);
        remap(3 * H, H / 2, H / 2, FIXED, H + H / 2);
        assertThat(as.areaAt(H).orElseThrow().end()).as("the moved half keeps its own vm_pgoff: two areas").isEqualTo(H + H / 2);
        rejected("a collapse across two areas", () -> as.collapseHuge(H), VmError.Kind.NOT_HUGE_ELIGIBLE, "EINVAL",
                "not inside one private anonymous area");
        assertThat(as.hugePages()).isEmpty();
    }

    // ------------------------------------------------------------------ writes to a write-protected huge page

    @Test
    void aWriteToAHugePageWhoseOtherFramesAreStillSharedSplitsIt() {
        oneHugePageAtH();
        int child = sys.fork(0);
        AddressSpace parent = as;
        as = sys.space(child);
        write(H, 5);
        as = parent;
        assertThat(sys.frames().refCount(as.translation(H).orElseThrow().frame())).as("the child copied page H").isEqualTo(1);
        assertThat(sys.frames().refCount(as.translation(2 * H - 1).orElseThrow().frame())).isEqualTo(2);
        write(H, 6);
        assertThat(as.hugePages()).as("its last page is still shared: split, not made writable whole").isEmpty();
        assertThat(as.translation(H).orElseThrow().write()).isTrue();
        assertThat(as.translation(H + 1).orElseThrow().write()).isFalse();
        assertThat(as.translation(2 * H - 1).orElseThrow().write()).isFalse();
        assertThat(read(H)).isEqualTo(6);
        assertThat(read(2 * H - 1)).isEqualTo(1000 + 2 * H - 1);
        as = sys.space(child);
        assertThat(read(H)).isEqualTo(5);
        assertThat(read(H + 1)).isEqualTo(1000 + H + 1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aWriteToAHugePageWhoseLastFrameAloneIsSharedSplitsIt() {
        oneHugePageAtH();
        int child = sys.fork(0);
        AddressSpace parent = as;
        as = sys.space(child);
        for (long q = H; q < 2 * H - 1; q++) {
            write(q, 7);
        }
        as = parent;
        write(H + 3, 8);
        assertThat(as.hugePages()).as("page 2H - 1 is still shared with the child").isEmpty();
        assertThat(as.translation(2 * H - 1).orElseThrow().write()).isFalse();
        assertThat(as.translation(H + 3).orElseThrow().write()).isTrue();
        assertThat(broken()).isEmpty();
    }

    @Test
    void aCopyOfTheSystemKeepsTheHugePages() {
        oneHugePageAtH();
        VmSystem copy = sys.copy();
        assertThat(copy.space(0).hugePages()).containsExactly(H);
        assertThat(copy.key()).isEqualTo(sys.key());
        assertThat(VmInvariants.ALL.violations(copy)).isEmpty();
    }

    // ------------------------------------------------------------------ hugetlb areas

    @Test
    void mremapOfAHugetlbAreaChecksBothAddressesAlignedEvenWhereItWouldNotMove() {
        fresh(8);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        as.mmap(UserAddr.ofPage(H), 2 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H + 1, 3);
        rejected("an old address inside the area, off its page size",
                () -> as.mremap(UserAddr.ofPage(H + 1), P, P, RemapFlags.MAYMOVE, null), VmError.Kind.MISALIGNED, "EINVAL",
                "is not aligned to the");
        rejected("a page-aligned new address off the huge page size, not even used",
                () -> as.mremap(UserAddr.ofPage(H), H * P, H * P, RemapFlags.MAYMOVE, UserAddr.ofPage(5 * H + 1)),
                VmError.Kind.MISALIGNED, "EINVAL", "is not aligned to the");
        rejected("a new address on a huge page boundary plus a few bytes",
                () -> as.mremap(UserAddr.ofPage(H), H * P, H * P, RemapFlags.MAYMOVE, UserAddr.of(5 * H * P + 8)),
                VmError.Kind.MISALIGNED, "EINVAL", "is not aligned to the");
        assertThat(as.mremap(UserAddr.ofPage(H), H * P, H * P, RemapFlags.MAYMOVE, UserAddr.ofPage(5 * H)))
                .as("an aligned, unused new address").isEqualTo(UserAddr.ofPage(H));
        assertThat(as.mremap(UserAddr.ofPage(H), 2 * H * P, 2 * H * P, RemapFlags.MAYMOVE, null)).isEqualTo(UserAddr.ofPage(H));
        assertThat(read(H + 1)).isEqualTo(3);
        assertThat(broken()).isEmpty();
    }

    @Test
    void hugetlbPlacementRefusesMoreThanUserSpaceHoldsBeforeSearching() {
        // minPage 1, topPage 2H + 1: exactly 2H pages lie between them, a search that fits none.
        sys = VmSystem.of(Layout.small(2 * H + 1), 2400);
        as = sys.space(0);
        rejected("exactly user space: searched, no aligned gap", () -> as.mmap(null, 2 * H * P, Prot.RW, HUGE_2M, null, 0),
                VmError.Kind.NO_SPACE, "ENOMEM", "no free gap");
        sys = VmSystem.of(Layout.small(2 * H), 2400);
        as = sys.space(0);
        rejected("one page more than user space: not searched", () -> as.mmap(null, 2 * H * P, Prot.RW, HUGE_2M, null, 0),
                VmError.Kind.NO_SPACE, "ENOMEM", "do not fit");
    }

    @Test
    void aHugetlbHintIsTakenOnlyWhereTheWholeRoundedRangeIsFreeAndInsideUserSpace() {
        fresh(4);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        assertThat(as.mmap(UserAddr.ofPage(3 * H + 1), P, Prot.RW, HUGE_2M, null, 0).page())
                .as("the hint rounds up to 4H, past the top: searched top-down instead").isEqualTo(2 * H);
        fixed(H + 4, 4, Prot.R);
        assertThat(as.mmap(UserAddr.ofPage(H), P, Prot.RW, HUGE_2M, null, 0).page())
                .as("[H, 2H) holds an area: searched instead, below the first").isNotEqualTo(H);
        assertThat(as.areaAt(H + 4).orElseThrow().flags().hugetlb()).isNull();
        assertThat(broken()).isEmpty();
    }

    // ------------------------------------------------------------------ brk over huge pages

    /** Four 2 MiB regions, a heap from page 2 that may grow 2H pages, grown to end at 2H. */
    private void bigHeap() {
        sys = new VmSystem(new Layout(1, 4 * H, 4 * H - 4, 1, 4 * H, 1, 3, 1, 2, 2 * H), AddressSpace.WxPolicy.ENFORCE, 2400,
                VmSystem.Bug.NONE);
        as = sys.space(0);
        assertThat(as.brk(UserAddr.ofPage(2 * H))).isEqualTo(UserAddr.ofPage(2 * H));
    }

    @Test
    void aBrkShrinkThatCutsAHugePageSplitsItAndKeepsTheHead() {
        bigHeap();
        populate(H, 2 * H);
        as.collapseHuge(H);
        assertThat(as.brk(UserAddr.ofPage(H + 10))).isEqualTo(UserAddr.ofPage(H + 10));
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().subMap(H, 2 * H)).hasSize(10);
        assertThat(read(H + 9)).isEqualTo(1000 + H + 9);
        assertThat(as.areaAt(H + 10)).isEmpty();
        assertThat(broken()).isEmpty();
    }

    @Test
    void aBrkShrinkThatWouldSplitAHugetlbAreaMappedOverTheHeapReturnsTheOldBreak() {
        bigHeap();
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H + 1, 4);
        Object before = sys.key();
        assertThat(as.brk(UserAddr.ofPage(H + 10))).as("refused: the old break").isEqualTo(UserAddr.ofPage(2 * H));
        assertThat(sys.key()).isEqualTo(before);
        assertThat(as.brk(UserAddr.ofPage(H))).as("a cut at the hugetlb page's start is allowed").isEqualTo(UserAddr.ofPage(H));
        assertThat(as.areaAt(H + 1)).isEmpty();
        assertThat(broken()).isEmpty();
    }

    // ------------------------------------------------------------------ W+X areas under PERMIT: exec flips

    private void permit(long regions) {
        sys = new VmSystem(Layout.small(regions * H), AddressSpace.WxPolicy.PERMIT, 2400, VmSystem.Bug.NONE);
        as = sys.space(0);
    }

    private void fetch(long page) {
        org.mmspec.fault.PageFaultHandler.access(as, org.mmspec.fault.FaultAddr.ofPage(page), org.mmspec.fault.Access.EXECUTE);
    }

    @Test
    void anInstructionFetchFromAHugetlbPageOfAWxAreaFlipsTheWholeLeaf() {
        permit(4);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RWX, HUGE_2M_FIXED, null, 0);
        write(H + 3, 9);
        assertThat(as.translation(H + 100).orElseThrow().exec()).as("written: no exec (Pte.wxSplit)").isFalse();
        fetch(H + 3);
        for (long q : new long[] {H, H + 3, 2 * H - 1}) {
            Pte t = as.translation(q).orElseThrow();
            assertThat(List.of(t.write(), t.exec())).as("page %d traded write for exec", q).containsExactly(false, true);
        }
        assertThat(as.mapper().mappings().values()).as("still one 2 MiB leaf")
                .anyMatch(m -> m.page().size() == PageSize.MIB_2 && m.page().start().value() == H * P);
        assertThat(as.hardwareAllows(H + 3, org.mmspec.paging.Access.userExecute())).isTrue();
        assertThat(broken()).isEmpty();
    }

    @Test
    void anInstructionFetchFromATransparentHugePageOfAWxAreaSplitsItFirst() {
        permit(4);
        fixed(H, H, Prot.RW);
        populate(H, 2 * H);
        as.collapseHuge(H);
        as.mprotect(UserAddr.ofPage(H), H * P, Prot.RWX);
        assertThat(as.hugePages()).as("the range is covered whole: the leaf stays").containsExactly(H);
        fetch(H + 5);
        assertThat(as.hugePages()).as("one page flips: split first").isEmpty();
        assertThat(as.translation(H + 5).orElseThrow().exec()).isTrue();
        assertThat(as.translation(H + 6).orElseThrow().exec()).isFalse();
        assertThat(as.translation(H + 6).orElseThrow().write()).isTrue();
        assertThat(read(H + 5)).isEqualTo(1000 + H + 5);
        assertThat(broken()).isEmpty();
    }

    // ------------------------------------------------------------------ partial cuts of a transparent huge page

    /** [H - 4, 2H) populated, its aligned 2 MiB range [H, 2H) one huge leaf. */
    private void besideAHugePage() {
        fresh(4);
        fixed(H - 4, H + 4, Prot.RW);
        populate(H - 4, 2 * H);
        as.collapseHuge(H);
        assertThat(as.hugePages()).containsExactly(H);
    }

    @Test
    void aMapFixedOverPartOfAHugePageSplitsItAndReplacesOnlyThosePages() {
        besideAHugePage();
        as.mmap(UserAddr.ofPage(H + 10), 2 * P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().subMap(H + 10, H + 12)).isEmpty();
        assertThat(read(H + 10)).isZero();
        assertThat(read(H + 12)).isEqualTo(1000 + H + 12);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMunmapEndingInsideAHugePageSplitsIt() {
        besideAHugePage();
        as.munmap(UserAddr.ofPage(H - 4), 14 * P);
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().headMap(H + 10)).isEmpty();
        assertThat(read(H + 10)).isEqualTo(1000 + H + 10);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkInPlaceWhoseOldRangeEndsInsideAHugePageSplitsIt() {
        besideAHugePage();
        assertThat(remap(H - 4, 4 + 20, 2, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(H - 4));
        assertThat(as.hugePages()).as("the tail [H - 2, H + 20) ends inside it").isEmpty();
        assertThat(as.translations().subMap(H - 2, H + 20)).isEmpty();
        assertThat(read(H + 20)).isEqualTo(1000 + H + 20);
        assertThat(read(H - 3)).isEqualTo(1000 + H - 3);
        assertThat(broken()).isEmpty();
    }

    @Test
    void collapseAtPageZeroIsInsideUserSpaceButInNoArea() {
        fresh(4);
        rejected("page 0 is in range, but no area holds it", () -> as.collapseHuge(0), VmError.Kind.NOT_HUGE_ELIGIBLE, "EINVAL",
                "not inside one private anonymous area");
    }

    // ------------------------------------------------------------------ placement

    @Test
    void aHintOfAddressZeroIsNoHintForTheTwoMibAlignmentOfAnonymousMemory() {
        fresh(8);
        Optional<UserAddr> none = as.probePlacement(null, H * P, null, 0, MapFlags.PRIVATE_ANON);
        assertThat(none.orElseThrow().page() % H).as("aligned").isZero();
        assertThat(as.probePlacement(UserAddr.of(0), H * P, null, 0, MapFlags.PRIVATE_ANON)).isEqualTo(none);
    }

    @Test
    void hugetlbTopDownTakesTheHighestAlignedPlaceInTheLowestGap() {
        fresh(8);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        fixed(3 * H, 5 * H, Prot.R);
        assertThat(as.mmap(null, H * P, Prot.RW, HUGE_2M, null, 0).page()).as("[0, 3H): its top, not its bottom").isEqualTo(2 * H);
    }

    // ------------------------------------------------------------------ hugetlb moves of more than one page

    @Test
    void aHugetlbMoveOfTwoPagesPutsEachLeafAtItsOffsetAndAShrinkingOneKeepsWhatLiesBelow() {
        fresh(8);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        fixed(H - 4, 4, Prot.RW);
        write(H - 4, 1);
        as.mmap(UserAddr.ofPage(H), 3 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H + 1, 11);
        write(2 * H + 2, 22);
        write(3 * H + 3, 33);
        assertThat(as.mremap(UserAddr.ofPage(H), 3 * H * P, 2 * H * P, FIXED, UserAddr.ofPage(5 * H))).isEqualTo(UserAddr.ofPage(5 * H));
        assertThat(as.mapper().mappings().values().stream().filter(m -> m.page().size() == PageSize.MIB_2)
                .map(m -> m.page().start().value() / P).toList()).containsExactlyInAnyOrder(5 * H, 6 * H);
        assertThat(read(5 * H + 1)).isEqualTo(11);
        assertThat(read(6 * H + 2)).isEqualTo(22);
        assertThat(as.areaAt(3 * H)).as("the shrunk tail went").isEmpty();
        assertThat(read(H - 4)).as("the area below the old range stays").isEqualTo(1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void underTheSeededSmallHugetlbFaultAForkCopiesTheFourKibLeafAsOne() {
        sys = new VmSystem(Layout.small(4 * H), AddressSpace.WxPolicy.ENFORCE, 2400, VmSystem.Bug.HUGETLB_FAULT_SMALL);
        as = sys.space(0);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H, 5);
        int child = sys.fork(0);
        AddressSpace c = sys.space(child);
        assertThat(c.mapper().translate(org.mmspec.paging.VirtAddr.of(H * P)).orElseThrow().page().size())
                .as("the child maps what the parent has: one 4 KiB page").isEqualTo(PageSize.KIB_4);
        assertThat(c.translations()).containsOnlyKeys(H);
        as = c;
        assertThat(read(H)).isEqualTo(5);
    }

    @Test
    void mapHugetlbOfFourKibPagesIsRefusedThoughTheFormatHasThatLeaf() {
        fresh(4);
        rejected("no 4 KiB hstate", () -> as.mmap(null, P, Prot.RW, MapFlags.PRIVATE_ANON.withHugetlb(PageSize.KIB_4), null, 0),
                VmError.Kind.BAD_FLAGS, "EINVAL", "hugetlb pages on");
    }
}
