package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.PageSize;

/**
 * mremap's checks at the edges the other mremap tests leave open, each rejection with its kind,
 * errno and the message that names the ranges, and nothing changed (ATOMIC-1): an old length of
 * exactly user space passes the length check (the old range then leaves user space), a new length
 * of 0 is ZERO_LENGTH, a shrink in place may end exactly at the top of user space, and the ranges
 * a shrink or a shrinking move cut may not split a hugetlb area that follows the area off its page
 * size, neither where the kept part ends nor where the old range ends.
 */
class AddressSpaceRemapEdgesTest extends AddressSpaceFixture {
    private void fresh(long pages, long frames) {
        sys = VmSystem.of(Layout.small(pages), frames);
        as = sys.space(0);
    }

    @Test
    void anOldLengthOfExactlyUserSpacePassesTheLengthCheckAndNewLengthZeroIsZeroLength() {
        fresh(64, 40);
        fixed(10, 2, Prot.RW);
        long userBytes = as.layout().topPage() * P;
        rejected("old length exactly user space: the old range leaves it",
                () -> as.mremap(UserAddr.ofPage(10), userBytes, P, RemapFlags.NONE, null), VmError.Kind.OUT_OF_RANGE, "EINVAL",
                "mremap: [" + UserAddr.ofPage(10) + ", +0x" + Long.toHexString(userBytes) + ") leaves user space");
        rejected("old length exactly user space, moving: the old range leaves it",
                () -> as.mremap(UserAddr.ofPage(10), userBytes, P, FIXED, UserAddr.ofPage(5)), VmError.Kind.OUT_OF_RANGE,
                "EINVAL", "mremap: old range [10, " + (10 + 64) + ") leaves user space");
        rejected("new length 0", () -> as.mremap(UserAddr.ofPage(10), P, 0, RemapFlags.MAYMOVE, null), VmError.Kind.ZERO_LENGTH,
                "EINVAL", "new length 0");
        rejected("old and new ranges overlap", () -> remap(10, 2, 2, FIXED, 9L), VmError.Kind.OVERLAP, "EINVAL",
                "mremap: old [10, 12) and new [9, 11) overlap");
    }

    @Test
    void aShrinkInPlaceMayEndExactlyAtTheTopOfUserSpace() {
        fresh(64, 40);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        long top = as.layout().topPage();
        fixed(top - 4, 4, Prot.RW);
        write(top - 4, 9);
        write(top - 1, 8);
        assertThat(remap(top - 4, 4, 2, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(top - 4));
        Vma kept = as.areaAt(top - 4).orElseThrow();
        assertThat(List.of(kept.start(), kept.end())).containsExactly(top - 4, top - 2);
        assertThat(as.translations().tailMap(top - 2)).isEmpty();
        assertThat(read(top - 4)).isEqualTo(9);
        assertThat(broken()).isEmpty();
    }

    /** A 4-page area [H - 4, H) just below a 2 MiB hugetlb area [H, 2H), both present. */
    private void belowAHugetlbArea() {
        fresh(4 * H, 1700);
        fixed(H - 4, 4, Prot.RW);
        write(H - 4, 1);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
        write(H + 9, 2);
    }

    @Test
    void aShrinkInPlaceWhoseKeptPartEndsInsideAFollowingHugetlbAreaIsRefused() {
        belowAHugetlbArea();
        rejected("kept [H - 4, H + 4), the tail cutting the hugetlb page at H + 4",
                () -> remap(H - 4, 4 + H, 8, RemapFlags.NONE, null), VmError.Kind.MISALIGNED, "EINVAL",
                "page " + (H + 4) + " would split");
        assertThat(remap(H - 4, 4 + H, 4, RemapFlags.NONE, null)).as("a tail that takes it whole")
                .isEqualTo(UserAddr.ofPage(H - 4));
        assertThat(as.areaAt(H)).isEmpty();
        assertThat(read(H - 4)).isEqualTo(1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveWhoseOldRangeEndsInsideAFollowingHugetlbAreaIsRefused() {
        belowAHugetlbArea();
        rejected("old [H - 4, H + 8): its tail would cut the hugetlb page at H + 8",
                () -> remap(H - 4, 4 + 8, 2, FIXED, 3 * H), VmError.Kind.MISALIGNED, "EINVAL", "page " + (H + 8) + " would split");
        assertThat(remap(H - 4, 4 + H, 2, FIXED, 3 * H)).isEqualTo(UserAddr.ofPage(3 * H));
        assertThat(as.areaAt(H)).as("the tail took the hugetlb area whole").isEmpty();
        assertThat(read(3 * H)).isEqualTo(1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void eachRefusalOfAGrowthNamesTheRangeItRefused() {
        fresh(64, 40);
        fixed(10, 4, Prot.RW);
        fixed(14, 1, Prot.R);
        rejected("growth blocked by the area above, without MREMAP_MAYMOVE", () -> remap(10, 4, 6, RemapFlags.NONE, null),
                VmError.Kind.NO_SPACE, "ENOMEM", "mremap: [10, 14) cannot grow in place to 6 pages");
        rejected("an old range past its area's end", () -> remap(11, 4, 4, FIXED, 30L), VmError.Kind.BAD_ADDRESS, "EFAULT",
                "mremap: [11, 15) runs past the end of");
        long top = as.layout().topPage();
        rejected("a target of all user space from page 0 overlaps the old range",
                () -> remap(10, 1, top, FIXED, 0L), VmError.Kind.OVERLAP, "EINVAL", "mremap: old [10, 11) and new [0, " + top + ") overlap");
    }

    @Test
    void probeRemapPlacementIsEmptyWhereMremapWouldNotMove() {
        fresh(64, 40);
        fixed(10, 4, Prot.RW);
        fixed(14, 1, Prot.R);
        Object before = sys.key();
        RemapFlags dontUnmap = RemapFlags.ofBits(RemapFlags.MREMAP_MAYMOVE | RemapFlags.MREMAP_DONTUNMAP);
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 0, 0, dontUnmap, null)).as("new length 0, even with DONTUNMAP")
                .isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 2 * P, 2 * P, RemapFlags.MAYMOVE, null))
                .as("the same length, the range not ending its area").isEmpty();
        assertThat(remap(10, 2, 2, RemapFlags.MAYMOVE, null)).as("and mremap stays").isEqualTo(UserAddr.ofPage(10));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void probeRemapPlacementIsEmptyForAHugetlbAreaWhichMovesOnlyWithMremapFixed() {
        fresh(8 * H, 40);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
        fixed(2 * H, 1, Prot.R);
        RemapFlags dontUnmap = RemapFlags.ofBits(RemapFlags.MREMAP_MAYMOVE | RemapFlags.MREMAP_DONTUNMAP);
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(H), P, 2 * P, RemapFlags.MAYMOVE, null))
                .as("one page and two are the same huge page: no move").isEmpty();
        assertThat(as.mremap(UserAddr.ofPage(H), P, 2 * P, RemapFlags.MAYMOVE, null)).as("mremap stays too")
                .isEqualTo(UserAddr.ofPage(H));
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(H), H * P, 2 * H * P, RemapFlags.MAYMOVE, null))
                .as("growth, with no room after it").isEmpty();
        rejected("mremap refuses to grow it", () -> remap(H, H, 2 * H, RemapFlags.MAYMOVE, null),
                VmError.Kind.HUGETLB_RESIZE, "EINVAL", "cannot grow");
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(H), H * P, H * P, dontUnmap, null)).as("MREMAP_DONTUNMAP")
                .isEmpty();
        rejected("mremap refuses MREMAP_DONTUNMAP", () -> remap(H, H, H, dontUnmap, null), VmError.Kind.HUGETLB_RESIZE,
                "EINVAL", "MREMAP_DONTUNMAP of the hugetlb area");
    }

    @Test
    void aMoveFromJustAboveAHugetlbAreaIsNoCutOfIt() {
        fresh(4 * H, 1700);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
        write(H + 1, 6);
        fixed(2 * H, 8, Prot.RW);
        write(2 * H + 3, 7);
        assertThat(remap(2 * H + 3, 5, 5, FIXED, 3 * H)).isEqualTo(UserAddr.ofPage(3 * H));
        assertThat(read(3 * H)).isEqualTo(7);
        assertThat(as.areaAt(2 * H).orElseThrow().end()).isEqualTo(2 * H + 3);
        assertThat(read(H + 1)).isEqualTo(6);
        assertThat(broken()).isEmpty();
    }
}
