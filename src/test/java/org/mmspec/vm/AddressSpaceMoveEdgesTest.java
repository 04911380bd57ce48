package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.PageSize;

/**
 * mremap's move ({@code move_vma}) at the edges the other move tests leave open: a target that
 * ends exactly where a transparent huge page starts or starts exactly where one ends, a shrinking
 * move whose tail ends exactly where one starts (none of them split it); the frames a move must
 * find free before it splits a huge page or replaces hugetlb pages, one frame short refused and
 * exactly enough allowed; how a moved, a replaced and a vacated shared mapping count in their
 * object (the object outlives a move, a replaced one goes with its page cache); and old length 0
 * from the middle of a shared area, which leaves that area whole.
 */
class AddressSpaceMoveEdgesTest extends AddressSpaceFixture {
    private static final MapFlags SHARED_ANON = new MapFlags(true, true, true, false, false);

    private void fresh(Layout layout, long frames) {
        sys = VmSystem.of(layout, frames);
        as = sys.space(0);
    }

    // ------------------------------------------------------------------ transparent huge pages at the edges

    /** [H - 4, 2H) populated, its aligned 2 MiB range [H, 2H) one huge leaf; four pages at 3H to move. */
    private void besideAHugePage() {
        fresh(Layout.small(4 * H), 1700);
        fixed(H - 4, H + 4, Prot.RW);
        for (long q = H - 4; q < 2 * H; q++) {
            write(q, 1000 + q);
        }
        as.collapseHuge(H);
        fixed(3 * H, 4, Prot.R);
        fixed(3 * H + 4, 4, Prot.RW);
        write(3 * H + 4, 77);
        assertThat(as.hugePages()).containsExactly(H);
    }

    @Test
    void aTargetEndingWhereAHugePageStartsLeavesItWhole() {
        besideAHugePage();
        assertThat(remap(3 * H + 4, 4, 4, FIXED, H - 4)).isEqualTo(UserAddr.ofPage(H - 4));
        assertThat(as.hugePages()).as("the target [H - 4, H) ends at the huge page").containsExactly(H);
        assertThat(as.areaAt(H - 4).orElseThrow().end()).isEqualTo(H);
        assertThat(as.areaAt(H).orElseThrow().start()).isEqualTo(H);
        assertThat(read(H - 4)).isEqualTo(77);
        assertThat(as.translations().subMap(H - 3, H)).as("the replaced pages are unmapped").isEmpty();
        assertThat(read(H)).isEqualTo(1000 + H);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aTargetStartingWhereAHugePageEndsLeavesItWhole() {
        besideAHugePage();
        assertThat(remap(3 * H + 4, 4, 4, FIXED, 2 * H)).isEqualTo(UserAddr.ofPage(2 * H));
        assertThat(as.hugePages()).as("the target [2H, 2H + 4) starts where the huge page ends").containsExactly(H);
        assertThat(read(2 * H)).isEqualTo(77);
        assertThat(as.translation(2 * H).orElseThrow().write()).isTrue();
        assertThat(read(2 * H - 1)).isEqualTo(1000 + 2 * H - 1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveWhoseTailEndsWhereAHugePageStartsLeavesItWhole() {
        besideAHugePage();
        assertThat(remap(H - 4, 4, 2, FIXED, 3 * H + 16)).isEqualTo(UserAddr.ofPage(3 * H + 16));
        assertThat(as.hugePages()).as("the tail [H - 2, H) ends at the huge page").containsExactly(H);
        assertThat(as.translations().subMap(H - 4, H)).isEmpty();
        assertThat(as.areaAt(H - 1)).isEmpty();
        assertThat(as.areaAt(3 * H + 16).orElseThrow().end()).isEqualTo(3 * H + 18);
        assertThat(read(3 * H + 17)).isEqualTo(1000 + H - 3);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMoveThatSplitsAHugePageNeedsItsTableAndTheReserveFree() {
        // The split takes one table; the reserve is three per 2 MiB region of the target plus two: 3 * (4 / 512 + 2).
        long need = 1 + 3 * 2;
        besideAHugePage();
        leaveFree(need - 1);
        outOfMemory("one frame short", () -> remap(H, 4, 4, FIXED, 3 * H + 16));
        besideAHugePage();
        leaveFree(need);
        assertThat(remap(H, 4, 4, FIXED, 3 * H + 16)).isEqualTo(UserAddr.ofPage(3 * H + 16));
        assertThat(as.hugePages()).isEmpty();
        assertThat(read(3 * H + 19)).isEqualTo(1000 + H + 3);
        assertThat(read(H + 4)).isEqualTo(1000 + H + 4);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aMoveOntoHugetlbPagesNeedsTheReserveForTheirReplacingTablesFree() {
        // No huge page to split; the reserve for a 512-page target: 3 * (512 / 512 + 2).
        long need = 3 * 3;
        for (long left : new long[] {need - 1, need}) {
            fresh(Layout.small(4 * H), 1700);
            as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
            write(H + 3, 7);
            fixed(2 * H, H, Prot.RW);
            write(2 * H + 1, 9);
            write(2 * H + 2, 10);
            leaveFree(left);
            if (left < need) {
                outOfMemory("one frame short", () -> remap(2 * H, H, H, FIXED, H));
                continue;
            }
            assertThat(remap(2 * H, H, H, FIXED, H)).isEqualTo(UserAddr.ofPage(H));
            assertThat(as.translations().subMap(H, 2 * H)).containsOnlyKeys(H + 1, H + 2);
            assertThat(read(H + 2)).isEqualTo(10);
            assertThat(as.areaAt(H).orElseThrow().flags().hugetlb()).isNull();
            assertThat(broken()).isEmpty();
        }
    }

    // ------------------------------------------------------------------ shared objects

    @Test
    void aMovedSharedMappingKeepsItsObjectsPageCache() {
        fresh(Layout.small(64), 40);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, SHARED_ANON, null, 0);
        write(10, 4);
        write(11, 5);
        remap(10, 2, 2, FIXED, 30L);
        as.munmap(UserAddr.ofPage(31), P);
        assertThat(remap(30, 1, 2, RemapFlags.NONE, null)).as("grows in place again").isEqualTo(UserAddr.ofPage(30));
        assertThat(read(31)).as("the object's page 1, from its page cache").isEqualTo(5);
        assertThat(read(30)).isEqualTo(4);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aSharedMappingAMoveReplacesLosesItsObjectAndItsFrames() {
        fresh(Layout.small(64), 40);
        fixed(5, 1, Prot.RW);
        write(5, 1);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, SHARED_ANON, null, 0);
        write(11, 4);
        as.mmap(UserAddr.ofPage(40), 2 * P, Prot.RW, SHARED_ANON, null, 0);
        write(40, 6);
        long before = free();
        remap(10, 2, 2, FIXED, 40L);
        assertThat(free()).as("the replaced object's one page: its mapping's and its page cache's references go")
                .isEqualTo(before + 1);
        assertThat(read(41)).isEqualTo(4);
        assertThat(read(40)).isZero();
        as.munmap(UserAddr.ofPage(40), 2 * P);
        assertThat(free()).as("the moved object goes whole when its last mapping does: its two pages (page 40 read in above)")
                .isEqualTo(before + 2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void oldLengthZeroFromTheMiddleOfASharedAreaLeavesThatAreaWhole() {
        fresh(Layout.small(64), 40);
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, SHARED_ANON, null, 0);
        write(12, 8);
        UserAddr dup = remap(12, 0, 1, RemapFlags.MAYMOVE, null);
        assertThat(dup.page()).as("placed elsewhere: mmap base minus one").isEqualTo(as.layout().mmapBase() - 1);
        Vma original = as.areaAt(10).orElseThrow();
        assertThat(List.of(original.start(), original.end())).containsExactly(10L, 14L);
        assertThat(as.areaAt(dup.page()).orElseThrow().pgoff()).isEqualTo(2);
        assertThat(read(dup.page())).isEqualTo(8);
        assertThat(read(12)).isEqualTo(8);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aTargetFromBelowIntoAHugePageSplitsIt() {
        besideAHugePage();
        assertThat(remap(3 * H + 4, 4, 4, FIXED, H - 2)).isEqualTo(UserAddr.ofPage(H - 2));
        assertThat(as.hugePages()).as("the target [H - 2, H + 2) ends inside the huge page").isEmpty();
        assertThat(read(H - 2)).isEqualTo(77);
        assertThat(as.translations().subMap(H - 1, H + 2)).isEmpty();
        assertThat(read(H + 2)).isEqualTo(1000 + H + 2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveWhoseTailRunsFromBelowIntoAHugePageSplitsIt() {
        besideAHugePage();
        assertThat(remap(H - 4, 4 + 20, 2, FIXED, 3 * H + 16)).isEqualTo(UserAddr.ofPage(3 * H + 16));
        assertThat(as.hugePages()).as("the tail [H - 2, H + 20) ends inside the huge page").isEmpty();
        assertThat(as.translations().subMap(H - 4, H + 20)).isEmpty();
        assertThat(read(H + 20)).isEqualTo(1000 + H + 20);
        assertThat(read(3 * H + 17)).isEqualTo(1000 + H - 3);
        assertThat(broken()).isEmpty();
    }
}
