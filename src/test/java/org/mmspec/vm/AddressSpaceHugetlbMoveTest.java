package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.PageSize;

/**
 * MAP_HUGETLB placement ({@code hugetlb_get_unmapped_area}: the hint rounded up to the huge page
 * size, then top-down below the mmap base, then bottom-up, every candidate aligned) and MREMAP_FIXED
 * of hugetlb areas ({@code move_hugetlb_page_tables}: each present huge page moves as one leaf with
 * its frame), at exact alignment boundaries; and the range checks of a transparent huge page collapse.
 */
class AddressSpaceHugetlbMoveTest extends AddressSpaceFixture {
    private static final MapFlags HUGE_2M = MapFlags.PRIVATE_ANON.withHugetlb(PageSize.MIB_2);
    private static final MapFlags HUGE_2M_FIXED = MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2);
    private final RecordingTlbPort port = new RecordingTlbPort();

    /** A space of {@code regions} 2 MiB regions without its stack, so that every region is free. */
    private void fresh(long regions, long frames) {
        sys = VmSystem.of(Layout.small(regions * H), frames);
        as = sys.space(0);
        sys.frames().attach(port);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
    }

    private void fixed(long page, long pages) {
        fixed(page, pages, Prot.RW);
    }

    private long hugetlb(Long hint, long pages) {
        return as.mmap(hint == null ? null : UserAddr.ofPage(hint), pages * P, Prot.RW, HUGE_2M, null, 0).page();
    }

    private boolean leafAt(long first) {
        return as.mapper().mappings().values().stream()
                .anyMatch(m -> m.page().size() == PageSize.MIB_2 && m.page().start().value() == first * P);
    }

    // ------------------------------------------------------------------ placement

    @Test
    void aHintEndingExactlyAtTheTopOfUserSpaceIsTaken() {
        fresh(4, 40);
        assertThat(hugetlb(3 * H, H)).isEqualTo(3 * H);
        assertThat(as.areaAt(3 * H).orElseThrow().end()).isEqualTo(4 * H);
    }

    @Test
    void aHintBelowMmapMinAddrIsRaisedToItThenRoundedUp() {
        fresh(4, 40);
        assertThat(as.mmap(UserAddr.of(1), P, Prot.RW, HUGE_2M, null, 0).page()).isEqualTo(H);
        assertThat(hugetlb(null, H)).as("without a hint: top-down below the mmap base").isEqualTo(2 * H);
    }

    @Test
    void topDownTakesTheHighestAlignedGapThatFitsExactly() {
        fresh(8, 40);
        fixed(1, H - 1);
        fixed(2 * H, 2 * H);
        fixed(5 * H, 3 * H);
        assertThat(hugetlb(null, H)).as("of the gaps [H, 2H) and [4H, 5H), the higher").isEqualTo(4 * H);
        assertThat(hugetlb(null, H)).as("then the lower").isEqualTo(H);
        assertThatThrownBy(() -> hugetlb(null, H)).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.NO_SPACE);
            assertThat(e.errno()).isEqualTo("ENOMEM");
        });
    }

    @Test
    void aGapAboveTheMmapBaseIsFoundBottomUpWhenItFitsExactly() {
        fresh(8, 40);
        fixed(1, 7 * H - 1);
        assertThat(hugetlb(null, H)).as("[7H, 8H) reaches past the mmap base").isEqualTo(7 * H);
        assertThat(as.areaAt(7 * H).orElseThrow().flags().hugetlb()).isEqualTo(PageSize.MIB_2);
    }

    @Test
    void aGapOnePageShortOfAHugePageIsNotTaken() {
        fresh(8, 40);
        fixed(1, 7 * H);
        assertThatThrownBy(() -> hugetlb(null, H)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NO_SPACE));
    }

    // ------------------------------------------------------------------ MREMAP_FIXED of hugetlb areas

    /** A two-page hugetlb area [H, 3H), both pages present, words at H + 5 and 2H + 6. */
    private void twoHugePages() {
        fresh(8, 2400);
        as.mmap(UserAddr.ofPage(H), 2 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H + 5, 11);
        write(2 * H + 6, 22);
        port.flushes.clear();
    }

    @Test
    void movingTheSecondHugePageKeepsTheFirstAsTheHeadAndMovesTheLeafWithItsFrame() {
        twoHugePages();
        PhysFrame f = as.translation(2 * H).orElseThrow().frame();
        assertThat(as.mremap(UserAddr.ofPage(2 * H), H * P, H * P, FIXED, UserAddr.ofPage(5 * H)))
                .isEqualTo(UserAddr.ofPage(5 * H));
        Vma head = as.areaAt(H).orElseThrow();
        Vma moved = as.areaAt(5 * H).orElseThrow();
        assertThat(List.of(head.start(), head.end(), moved.start(), moved.end())).containsExactly(H, 2 * H, 5 * H, 6 * H);
        assertThat(moved.pgoff()).isEqualTo(head.pgoff() + H);
        assertThat(moved.flags().hugetlb()).isEqualTo(PageSize.MIB_2);
        assertThat(as.translations().subMap(2 * H, 3 * H)).isEmpty();
        assertThat(as.translations().subMap(5 * H, 6 * H)).hasSize((int) H);
        assertThat(as.translation(5 * H).orElseThrow().frame()).isEqualTo(f);
        assertThat(as.translation(5 * H + 7).orElseThrow().frame().number()).isEqualTo(f.number() + 7);
        assertThat(leafAt(5 * H)).isTrue();
        assertThat(leafAt(2 * H)).isFalse();
        assertThat(as.ghost()).containsOnlyKeys(H + 5, 5 * H + 6);
        assertThat(port.flushes).contains("UNMAP " + 2 * H + " " + H * P);
        assertThat(read(5 * H + 6)).isEqualTo(22);
        assertThat(read(H + 5)).isEqualTo(11);
        assertThat(broken()).isEmpty();
    }

    @Test
    void movingTheFirstHugePageKeepsTheSecondAsTheTail() {
        twoHugePages();
        as.mremap(UserAddr.ofPage(H), H * P, H * P, FIXED, UserAddr.ofPage(5 * H));
        Vma tail = as.areaAt(2 * H).orElseThrow();
        assertThat(List.of(tail.start(), tail.end())).containsExactly(2 * H, 3 * H);
        assertThat(as.areaAt(H)).isEmpty();
        assertThat(as.areaAt(5 * H).orElseThrow().end()).isEqualTo(6 * H);
        assertThat(as.ghost()).containsOnlyKeys(5 * H + 5, 2 * H + 6);
        assertThat(read(5 * H + 5)).isEqualTo(11);
        assertThat(read(2 * H + 6)).isEqualTo(22);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aShrinkingMoveUnmapsTheTailHugePageAndFreesItsRun() {
        twoHugePages();
        long free = sys.frames().allocator().freeFrames();
        as.mremap(UserAddr.ofPage(H), 2 * H * P, H * P, FIXED, UserAddr.ofPage(5 * H));
        assertThat(as.areaAt(2 * H)).isEmpty();
        assertThat(as.areaAt(H)).isEmpty();
        assertThat(as.translations().keySet()).allMatch(q -> q >= 5 * H && q < 6 * H).hasSize((int) H);
        assertThat(sys.frames().allocator().freeFrames()).as("the tail's 512 frames, at least").isGreaterThanOrEqualTo(free + H);
        assertThat(as.ghost()).containsOnlyKeys(5 * H + 5);
        assertThat(broken()).isEmpty();
    }

    @Test
    void theTargetsOccupantsGoAsMunmapWouldTakeThem() {
        twoHugePages();
        fixed(5 * H + 2, 4);
        write(5 * H + 5, 99);
        as.mremap(UserAddr.ofPage(H), H * P, H * P, FIXED, UserAddr.ofPage(5 * H));
        assertThat(as.areaAt(5 * H).orElseThrow().end()).isEqualTo(6 * H);
        assertThat(as.areaAt(5 * H + 2).orElseThrow().flags().hugetlb()).isEqualTo(PageSize.MIB_2);
        assertThat(read(5 * H + 5)).as("the moved page, not the replaced area's").isEqualTo(11);
        assertThat(as.ghost()).containsOnlyKeys(5 * H + 5, 2 * H + 6);
        assertThat(broken()).isEmpty();
    }

    // ------------------------------------------------------------------ hugetlb_no_page

    @Test
    void aHugetlbFaultZeroesARecycledRunAndGivesTheAreaTheNextAnonVma() {
        fresh(4, 1700);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H + 7, 77);
        PhysFrame run = as.translation(H).orElseThrow().frame();
        long anonVma = as.areaAt(H).orElseThrow().anonVma();
        assertThat(anonVma).isPositive();
        as.munmap(UserAddr.ofPage(H), H * P);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        assertThat(as.areaAt(H).orElseThrow().anonVma()).as("no anon_vma before the first fault").isZero();
        assertThat(read(H + 7)).as("hugetlb_no_page maps a zeroed run").isZero();
        assertThat(as.translation(H).orElseThrow().frame()).as("the freed run, recycled").isEqualTo(run);
        assertThat(as.areaAt(H).orElseThrow().anonVma()).as("the next anon_vma number").isEqualTo(anonVma + 1);
        assertThat(broken()).isEmpty();
    }

    @Test
    void onlyAPrivateAnonymousAreaThatIsNotHugetlbCollapses() {
        fresh(4, 1700);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(H, 1);
        as.mmap(UserAddr.ofPage(2 * H), H * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        for (long q = 2 * H; q < 3 * H; q++) {
            write(q, q);
        }
        Object before = sys.key();
        for (long pmd : new long[] {H, 2 * H}) {
            assertThatThrownBy(() -> as.collapseHuge(pmd)).as("page %d", pmd).isInstanceOfSatisfying(VmError.class,
                    e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_HUGE_ELIGIBLE));
        }
        assertThat(sys.key()).isEqualTo(before);
        assertThat(as.hugePages()).isEmpty();
    }

    // ------------------------------------------------------------------ collapse range checks

    @Test
    void aCollapseOfTheLastWholeHugePageBelowTheTopIsAllowedOnePastItIsNot() {
        fresh(4, 1700);
        assertThatThrownBy(() -> as.collapseHuge(4 * H)).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_RANGE);
            assertThat(e.errno()).isEqualTo("EINVAL");
        });
        assertThatThrownBy(() -> as.collapseHuge(-H)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_RANGE));
        fixed(3 * H, H);
        for (long q = 3 * H; q < 4 * H; q++) {
            write(q, q);
        }
        as.collapseHuge(3 * H);
        assertThat(as.hugePages()).containsExactly(3 * H);
        port.flushes.clear();
        Object before = sys.key();
        as.collapseHuge(3 * H);
        assertThat(sys.key()).as("already huge: nothing to do").isEqualTo(before);
        assertThat(port.flushes).isEmpty();
        assertThat(read(4 * H - 1)).isEqualTo(4 * H - 1);
        assertThat(broken()).isEmpty();
    }
}
