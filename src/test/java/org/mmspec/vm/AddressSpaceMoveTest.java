package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;

/**
 * mremap's moves and resizes at their exact boundaries (mm/mremap.c): which transparent huge
 * pages a move splits (those it moves, those the target overlaps, those a shrinking move's tail
 * cuts, and no others), the length and target checks one page either side of their limits, growth
 * in place up to the top of user space, old length 0 and special mappings ({@code vma_to_resize}),
 * and {@code probeRemapPlacement}. Each rejection names its error kind and errno and changes
 * nothing (ATOMIC-1).
 */
class AddressSpaceMoveTest extends AddressSpaceFixture {
    private static final RemapFlags DONTUNMAP = new RemapFlags(true, false, true, false);
    private final RecordingTlbPort port = new RecordingTlbPort();

    @BeforeEach
    void fresh() {
        fresh(Layout.small(64), 40);
    }

    private void fresh(Layout layout, long frames) {
        sys = VmSystem.of(layout, frames);
        as = sys.space(0);
        sys.frames().attach(port);
    }

    private List<String> areas() {
        return as.areas().values().stream().map(v -> v.start() + "-" + v.end() + " " + v.prot()).toList();
    }

    // ------------------------------------------------------------------ transparent huge pages

    /** [H - 4, 2H) populated, its aligned 2 MiB range [H, 2H) collapsed into one huge leaf. */
    private void besideAHugePage() {
        fresh(Layout.small(4 * H), 1700);
        fixed(H - 4, H + 4, Prot.RW);
        for (long q = H - 4; q < 2 * H; q++) {
            write(q, 1000 + q);
        }
        as.collapseHuge(H);
        assertThat(as.hugePages()).containsExactly(H);
        port.flushes.clear();
    }

    @Test
    void aMoveEndingWhereAHugePageStartsLeavesItWhole() {
        besideAHugePage();
        PhysFrame f = as.translation(H - 4).orElseThrow().frame();
        assertThat(remap(H - 4, 4, 4, FIXED, 3 * H)).isEqualTo(UserAddr.ofPage(3 * H));
        assertThat(as.hugePages()).as("the huge page after the moved range is not split").containsExactly(H);
        assertThat(as.translation(3 * H).orElseThrow().frame()).isEqualTo(f);
        assertThat(as.translations().subMap(H - 4, H)).as("the old range is unmapped").isEmpty();
        assertThat(as.areaAt(H - 4)).isEmpty();
        assertThat(port.flushes).as("each moved page's old address, one 4 KiB flush each")
                .containsExactly("UNMAP " + (H - 4) + " 4096", "UNMAP " + (H - 3) + " 4096", "UNMAP " + (H - 2) + " 4096",
                        "UNMAP " + (H - 1) + " 4096", "TABLE_FREED 0 " + H * P);
        assertThat(read(3 * H + 3)).isEqualTo(1000 + H - 1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMoveStartingWhereAHugePageEndsAndATargetEndingWhereItStartsLeaveItWhole() {
        besideAHugePage();
        fixed(2 * H, 4, Prot.R);
        read(2 * H);
        remap(2 * H, 4, 4, FIXED, 3 * H);
        assertThat(as.hugePages()).as("moved from just above the huge page").containsExactly(H);
        remap(3 * H, 4, 4, FIXED, H - 8);
        assertThat(as.hugePages()).as("moved to just below the area holding the huge page").containsExactly(H);
        assertThat(as.areaAt(H - 8).orElseThrow().end()).isEqualTo(H - 4);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMoveOfPartOfAHugePageSplitsItAndMovesFourKibLeaves() {
        besideAHugePage();
        PhysFrame f = as.translation(H + 1).orElseThrow().frame();
        remap(H, 2, 2, FIXED, 3 * H);
        assertThat(as.hugePages()).as("a moved huge page is split first").isEmpty();
        assertThat(as.translation(3 * H + 1).orElseThrow().frame()).isEqualTo(f);
        assertThat(read(3 * H + 1)).isEqualTo(1000 + H + 1);
        assertThat(read(H + 2)).as("the rest stays where it was").isEqualTo(1000 + H + 2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aTargetOverlappingAHugePageSplitsIt() {
        besideAHugePage();
        fixed(3 * H, 2, Prot.RW);
        write(3 * H, 5);
        remap(3 * H, 2, 2, FIXED, 2 * H - 1);
        assertThat(as.hugePages()).as("the target's first page is the huge page's last").isEmpty();
        assertThat(read(2 * H - 1)).isEqualTo(5);
        assertThat(read(2 * H - 2)).isEqualTo(1000 + 2 * H - 2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveWhoseTailCoversAHugePageWholeUnmapsItAsOneLeaf() {
        besideAHugePage();
        remap(H - 4, H + 4, 4, FIXED, 3 * H);
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().subMap(H - 4, 2 * H)).isEmpty();
        assertThat(port.flushes).as("the whole huge page goes as one 2 MiB leaf").contains("UNMAP " + H + " " + H * P)
                .doesNotContain("UNMAP " + (H + 1) + " 4096");
        assertThat(read(3 * H)).isEqualTo(1000 + H - 4);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveWhoseTailCutsAHugePageSplitsIt() {
        besideAHugePage();
        remap(H - 4, H + 4, 6, FIXED, 3 * H);
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().subMap(H - 4, 2 * H)).isEmpty();
        assertThat(read(3 * H + 5)).isEqualTo(1000 + H + 1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkInPlaceThatCutsAHugePageSplitsItAndKeepsTheHead() {
        besideAHugePage();
        PhysFrame f = as.translation(H + 9).orElseThrow().frame();
        assertThat(remap(H - 4, H + 4, 14, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(H - 4));
        assertThat(areas()).contains((H - 4) + "-" + (H + 10) + " rw-");
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translations().subMap(H - 4, 2 * H)).hasSize(14);
        assertThat(as.translation(H + 9).orElseThrow().frame()).as("split in place: the run's frame").isEqualTo(f);
        assertThat(read(H + 9)).isEqualTo(1000 + H + 9);
        assertThat(broken()).isEmpty();
    }

    // ------------------------------------------------------------------ boundaries of the checks

    @Test
    void lengthsUpToUserSpaceAreCheckedOnePageEitherSide() {
        fixed(10, 2, Prot.RW);
        long userBytes = as.layout().topPage() * P;
        rejected("new length one byte past user space",
                () -> as.mremap(UserAddr.ofPage(10), P, userBytes + 1, RemapFlags.MAYMOVE, null), VmError.Kind.OUT_OF_RANGE,
                "EINVAL");
        rejected("old length one byte past user space",
                () -> as.mremap(UserAddr.ofPage(10), userBytes + 1, P, RemapFlags.NONE, null), VmError.Kind.OUT_OF_RANGE,
                "EINVAL");
        rejected("negative old length", () -> as.mremap(UserAddr.ofPage(10), -1, P, RemapFlags.MAYMOVE, null),
                VmError.Kind.OUT_OF_RANGE, "EINVAL");
        rejected("negative new length", () -> as.mremap(UserAddr.ofPage(10), P, -1, RemapFlags.MAYMOVE, null),
                VmError.Kind.OUT_OF_RANGE, "EINVAL");
        rejected("new length exactly user space: passes the length check, finds no gap",
                () -> as.mremap(UserAddr.ofPage(10), P, userBytes, RemapFlags.MAYMOVE, null), VmError.Kind.NO_SPACE, "ENOMEM");
        rejected("a shrink in place whose old range leaves user space", () -> remap(10, 60, 1, RemapFlags.NONE, null),
                VmError.Kind.OUT_OF_RANGE, "EINVAL");
        rejected("a shrinking move whose old range leaves user space", () -> remap(10, 55, 1, FIXED, 5L),
                VmError.Kind.OUT_OF_RANGE, "EINVAL");
        // mremap_to unmaps a shrinking move's tail first, whatever lies there, up to the top of user space.
        assertThat(remap(10, 54, 1, FIXED, 5L)).isEqualTo(UserAddr.ofPage(5));
        assertThat(areas()).as("the tail [11, 64) went, the stack with it").containsExactly("5-6 rw-");
    }

    @Test
    void equalLengthsWithoutMayMoveAreANoOpEvenInsideAnArea() {
        fixed(10, 4, Prot.RW);
        write(10, 1);
        Object before = sys.key();
        assertThat(remap(10, 2, 2, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(10));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void theTargetMayEndExactlyAtTheTopOfUserSpaceAndStartExactlyAtMmapMinAddr() {
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        fixed(10, 2, Prot.RW);
        write(10, 4);
        long top = as.layout().topPage();
        rejected("one page past the top", () -> remap(10, 2, 2, FIXED, top - 1), VmError.Kind.OUT_OF_RANGE, "EINVAL");
        assertThat(remap(10, 2, 2, FIXED, top - 2)).isEqualTo(UserAddr.ofPage(top - 2));
        assertThat(read(top - 2)).isEqualTo(4);
        long min = as.layout().minPage();
        rejected("below mmap_min_addr", () -> remap(top - 2, 1, 1, FIXED, min - 1), VmError.Kind.BELOW_MIN_ADDR, "EPERM");
        assertThat(remap(top - 2, 1, 1, FIXED, min)).isEqualTo(UserAddr.ofPage(min));
        assertThat(read(min)).isEqualTo(4);
        assertThat(areas()).containsExactly(min + "-" + (min + 1) + " rw-", (top - 1) + "-" + top + " rw-");
        assertThat(broken()).isEmpty();
    }

    @Test
    void aTargetAdjacentOnEitherSideIsNoOverlapButOnePageInIs() {
        fixed(20, 4, Prot.RW);
        write(20, 8);
        rejected("target's last page is the old first", () -> remap(20, 4, 4, FIXED, 17L), VmError.Kind.OVERLAP, "EINVAL");
        rejected("target's first page is the old last", () -> remap(20, 4, 4, FIXED, 23L), VmError.Kind.OVERLAP, "EINVAL");
        assertThat(remap(20, 4, 4, FIXED, 24L)).isEqualTo(UserAddr.ofPage(24));
        assertThat(read(24)).isEqualTo(8);
        assertThat(remap(24, 4, 4, FIXED, 20L)).isEqualTo(UserAddr.ofPage(20));
        assertThat(read(20)).isEqualTo(8);
        assertThat(areas()).contains("20-24 rw-");
        assertThat(as.areaAt(24)).isEmpty();
    }

    @Test
    void growthInPlaceMayReachTheTopOfUserSpaceButNotPassIt() {
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        long top = as.layout().topPage();
        fixed(top - 4, 2, Prot.RW);
        rejected("one page too many", () -> remap(top - 4, 2, 5, RemapFlags.NONE, null), VmError.Kind.NO_SPACE, "ENOMEM");
        assertThat(remap(top - 4, 2, 4, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(top - 4));
        assertThat(areas()).containsExactly((top - 4) + "-" + top + " rw-");
    }

    @Test
    void aSharedAreaGrownInPlaceCountsItsNewPagesInTheObject() {
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        write(10, 6);
        remap(10, 2, 4, RemapFlags.NONE, null);
        write(13, 7);
        as.munmap(UserAddr.ofPage(12), 2 * P);
        assertThat(read(10)).as("the object outlives the unmapped grown pages").isEqualTo(6);
        remap(10, 2, 4, RemapFlags.NONE, null);
        assertThat(read(13)).as("its page 3 is still the object's").isEqualTo(7);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMoveGoesTopDownBelowTheMmapBaseAndKeepsTheOffsetOfItsFirstPage() {
        fixed(10, 4, Prot.RW);
        write(11, 3);
        long base = as.layout().mmapBase();
        assertThat(remap(11, 2, 5, RemapFlags.MAYMOVE, null)).isEqualTo(UserAddr.ofPage(base - 5));
        Vma moved = as.areaAt(base - 5).orElseThrow();
        assertThat(moved.end()).isEqualTo(base);
        assertThat(moved.pgoff()).as("vm_pgoff of the moved page 11").isEqualTo(11);
        assertThat(read(base - 5)).isEqualTo(3);
        assertThat(areas()).contains("10-11 rw-", "13-14 rw-");
        assertThat(broken()).isEmpty();
    }

    @Test
    void dontUnmapUsesItsHintWhenTheRangeThereIsFree() {
        fixed(10, 2, Prot.RW);
        write(11, 2);
        assertThat(remap(10, 2, 2, DONTUNMAP, 40L)).isEqualTo(UserAddr.ofPage(40));
        assertThat(read(41)).isEqualTo(2);
        assertThat(areas()).contains("10-12 rw-", "40-42 rw-");
        assertThat(as.translations().subMap(10L, 12L)).isEmpty();
    }

    // ------------------------------------------------------------------ what a move takes along

    @Test
    void aMoveOntoAWholeHugetlbPageUnmapsItAsOneLeafAndReleasesItsRun() {
        fresh(Layout.small(4 * H), 1700);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2),
                null, 0);
        write(H + 3, 7);
        fixed(2 * H, H, Prot.RW);
        write(2 * H + 1, 9);
        PhysFrame f = as.translation(2 * H + 1).orElseThrow().frame();
        port.flushes.clear();
        assertThat(remap(2 * H, H, H, FIXED, H)).isEqualTo(UserAddr.ofPage(H));
        assertThat(port.flushes).as("the hugetlb page goes as one 2 MiB leaf").contains("UNMAP " + H + " " + H * P);
        assertThat(as.areaAt(H).orElseThrow().flags().hugetlb()).isNull();
        assertThat(as.translations().subMap(H, 2 * H)).containsOnlyKeys(H + 1);
        assertThat(as.translation(H + 1).orElseThrow().frame()).isEqualTo(f);
        assertThat(read(H + 1)).isEqualTo(9);
        assertThat(read(H + 3)).as("demand-zero where the hugetlb page was").isZero();
        assertThat(as.areaAt(2 * H)).isEmpty();
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMovedSharedMappingKeepsItsObject() {
        MapFlags sharedAnon = new MapFlags(true, true, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, sharedAnon, null, 0);
        write(11, 4);
        assertThat(remap(10, 2, 2, FIXED, 30L)).isEqualTo(UserAddr.ofPage(30));
        assertThat(as.areaAt(10)).isEmpty();
        assertThat(read(31)).isEqualTo(4);
        as.mmap(UserAddr.ofPage(40), 2 * P, Prot.RW, sharedAnon, null, 0);
        write(40, 6);
        remap(30, 2, 2, FIXED, 40L);
        assertThat(read(41)).as("the replaced shared area's object is gone, the moved one stays").isEqualTo(4);
        assertThat(read(40)).isZero();
        assertThat(broken()).isEmpty();
    }

    @Test
    void dontUnmapOfASharedMappingLeavesTheOldRangeShowingTheObject() {
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        write(10, 3);
        UserAddr to = remap(10, 2, 2, DONTUNMAP, 30L);
        assertThat(to).isEqualTo(UserAddr.ofPage(30));
        assertThat(as.translations().subMap(10L, 12L)).isEmpty();
        assertThat(areas()).contains("10-12 rw-", "30-32 rw-");
        assertThat(read(30)).isEqualTo(3);
        assertThat(read(10)).as("the old range still maps the same shmem object").isEqualTo(3);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveUnmapsExactlyTheOldTail() {
        fixed(8, 2, Prot.R);
        fixed(10, 4, Prot.RW);
        write(10, 1);
        write(13, 2);
        remap(10, 4, 2, FIXED, 30L);
        assertThat(areas()).containsExactly("8-10 r--", "30-32 rw-", "63-64 rw-");
        assertThat(as.translations().subMap(0L, 30L)).isEmpty();
        assertThat(read(30)).isEqualTo(1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMovedFileRangeMergesWithANeighbourContiguousInTheFile() {
        MapFlags privateFile = new MapFlags(false, false, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.R, privateFile, "f", 0);
        as.mmap(UserAddr.ofPage(24), 2 * P, Prot.R, privateFile, "f", 2 * P);
        remap(10, 2, 2, FIXED, 22L);
        assertThat(areas()).containsExactly("22-26 r--", "63-64 rw-");
        assertThat(as.areaAt(22).orElseThrow().pgoff()).isZero();
    }

    // ------------------------------------------------------------------ vma_to_resize

    @Test
    void oldLengthZeroDuplicatesASharedMappingAndOnlyThat() {
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        write(11, 5);
        UserAddr dup = remap(10, 0, 2, RemapFlags.MAYMOVE, null);
        assertThat(dup.page()).isNotEqualTo(10);
        assertThat(read(dup.page() + 1)).isEqualTo(5);
        assertThat(as.areaAt(10).orElseThrow().end()).as("the original stays").isEqualTo(12);
        fixed(20, 2, Prot.RW);
        rejected("old length 0 of a private mapping", () -> remap(20, 0, 2, RemapFlags.MAYMOVE, null),
                VmError.Kind.ZERO_LENGTH, "EINVAL");
    }

    @Test
    void anOldRangeEndingExactlyAtTheAreasEndMovesOnePastItIsRefused() {
        fixed(10, 4, Prot.RW);
        fixed(14, 2, Prot.R);
        rejected("one page past the end", () -> remap(11, 4, 4, FIXED, 30L), VmError.Kind.BAD_ADDRESS, "EFAULT");
        assertThat(remap(11, 3, 3, FIXED, 30L)).isEqualTo(UserAddr.ofPage(30));
        assertThat(areas()).contains("10-11 rw-", "14-16 r--", "30-33 rw-");
    }

    @Test
    void aSpecialMappingMovesButIsNeitherResizedNorDontUnmapped() {
        as.execMapping(20, 22, Prot.R, new VmFlags(false, false, false, false, true), null, 0);
        rejected("growth", () -> remap(20, 2, 3, RemapFlags.MAYMOVE, null), VmError.Kind.BAD_ADDRESS, "EFAULT");
        rejected("growing move", () -> remap(20, 2, 3, FIXED, 40L), VmError.Kind.BAD_ADDRESS, "EFAULT");
        rejected("DONTUNMAP", () -> remap(20, 2, 2, DONTUNMAP, null), VmError.Kind.BAD_FLAGS, "EINVAL");
        assertThat(remap(20, 2, 2, FIXED, 40L)).isEqualTo(UserAddr.ofPage(40));
        assertThat(as.areaAt(40).orElseThrow().flags().special()).isTrue();
        assertThat(as.areaAt(20)).isEmpty();
        // mremap_to unmaps a shrinking move's tail first, so vma_to_resize sees equal lengths.
        assertThat(remap(40, 2, 1, FIXED, 20L)).isEqualTo(UserAddr.ofPage(20));
        assertThat(areas()).contains("20-21 r--").noneMatch(a -> a.startsWith("40-") || a.startsWith("41-"));
    }

    @Test
    void aShrinkWhoseTailWouldSplitAHugetlbAreaIsRefused() {
        fresh(Layout.small(4 * H), 1700);
        fixed(H - 4, 4, Prot.RW);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2),
                null, 0);
        rejected("tail into the hugetlb area", () -> remap(H - 4, 14, 2, RemapFlags.NONE, null), VmError.Kind.MISALIGNED,
                "EINVAL");
        fixed(3 * H, 4, Prot.RW);
        rejected("target into the hugetlb area", () -> remap(3 * H, 4, 4, FIXED, H + 2), VmError.Kind.MISALIGNED, "EINVAL");
        rejected("target ending inside the hugetlb area", () -> remap(3 * H, 4, 4, FIXED, H - 2),
                VmError.Kind.MISALIGNED, "EINVAL");
        assertThat(remap(H - 4, 4 + H, 2, RemapFlags.NONE, null)).as("a tail covering it whole is allowed")
                .isEqualTo(UserAddr.ofPage(H - 4));
        assertThat(as.areaAt(H)).isEmpty();
    }

    // ------------------------------------------------------------------ probeRemapPlacement

    @Test
    void probeRemapPlacementNamesWhereMayMoveWouldGoAndNothingElse() {
        fixed(10, 4, Prot.RW);
        fixed(14, 1, Prot.R);
        Object before = sys.key();
        Optional<UserAddr> probed = as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 6 * P, RemapFlags.MAYMOVE, null);
        assertThat(probed).contains(UserAddr.ofPage(as.layout().mmapBase() - 6));
        RemapFlags dontUnmap = RemapFlags.ofBits(RemapFlags.MREMAP_MAYMOVE | RemapFlags.MREMAP_DONTUNMAP);
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 4 * P, dontUnmap, UserAddr.ofPage(30)))
                .as("MREMAP_DONTUNMAP takes a free hint").contains(UserAddr.ofPage(30));
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 4 * P, dontUnmap, null))
                .as("and moves even at the same length").contains(UserAddr.ofPage(as.layout().mmapBase() - 4));
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 6 * P, RemapFlags.MAYMOVE, UserAddr.ofPage(30)))
                .as("MREMAP_MAYMOVE alone ignores the address").isEqualTo(probed);
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 6 * P,
                RemapFlags.ofBits(RemapFlags.MREMAP_MAYMOVE | RemapFlags.MREMAP_FIXED), UserAddr.ofPage(30)))
                .as("MREMAP_FIXED makes no search").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.of(10 * P + 8), 4 * P, 6 * P, RemapFlags.MAYMOVE, null)).as("unaligned").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(20), P, 2 * P, RemapFlags.MAYMOVE, null)).as("no area").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 0, RemapFlags.MAYMOVE, null)).as("new length 0").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, -P, RemapFlags.MAYMOVE, null)).as("negative").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 1, RemapFlags.MAYMOVE, null)).as("a shrink stays where it is").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 4 * P, RemapFlags.MAYMOVE, null)).as("so does the same length").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 4 * P + 1, RemapFlags.MAYMOVE, null)).as("one byte more is one page more")
                .contains(UserAddr.ofPage(as.layout().mmapBase() - 5));
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 50 * P, RemapFlags.MAYMOVE, null)).as("no gap").isEmpty();
        assertThat(sys.key()).isEqualTo(before);
        assertThat(remap(10, 4, 6, RemapFlags.MAYMOVE, null)).isEqualTo(probed.orElseThrow());
    }
}
