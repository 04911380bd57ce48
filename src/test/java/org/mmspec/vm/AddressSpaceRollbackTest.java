package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.PageSize;

/**
 * The rollback paths of mremap's moves when the target's page tables cannot all be had: a move
 * that maps some of its pages at the target and then finds no frame for the next table unmaps
 * what it mapped, gives the table back and puts back what that frame held while free, so that the
 * whole system (memory included) is exactly as before (ATOMIC-1); a hugetlb move and a move onto
 * hugetlb pages check for their worst case before the first change, one frame short of it
 * refused, exactly it allowed.
 */
class AddressSpaceRollbackTest extends AddressSpaceFixture {
    private void fresh(long pages, long frames) {
        sys = VmSystem.of(Layout.small(pages), frames);
        as = sys.space(0);
    }

    private void takeAllFreeFrames() {
        leaveFree(0);
    }

    private void invariantsHold() {
        giveBack();
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
    }

    @Test
    void aMoveThatRunsOutOfTablesHalfwayUnmapsWhatItMappedAndRestoresTheTablesStaleContents() {
        fresh(4 * H, 40);
        fixed(10, 6, Prot.RW);
        for (long q = 10; q < 16; q++) {
            write(q, 0x7000 + q);
        }
        PhysFrame stale = as.translation(15).orElseThrow().frame();
        takeAllFreeFrames();
        as.munmap(UserAddr.ofPage(15), P);
        assertThat(sys.frames().allocator().freeFrames()).as("only the stale frame is free").isEqualTo(1);
        // The target [2H - 2, 2H + 3) spans two 2 MiB regions without tables: the first table takes
        // the stale frame and maps two pages, the second finds no frame.
        outOfMemory("a move whose second table is missing", () -> remap(10, 5, 5, FIXED, 2 * H - 2));
        assertThat(sys.frames().memory().read64(stale.start())).as("the stale word is back").isEqualTo(0x7000 + 15);
        assertThat(as.translations().subMap(2 * H - 2, 2 * H + 3)).isEmpty();
        assertThat(as.hardwareAllows(2 * H - 2, org.mmspec.paging.Access.userRead())).isFalse();
        for (long q = 10; q < 15; q++) {
            assertThat(as.load(q)).as("page %d stays where it was", q).isEqualTo(0x7000 + q);
        }
        invariantsHold();
    }

    @Test
    void aMoveThatRunsOutOfTablesAtItsFirstPageChangesNothing() {
        fresh(4 * H, 40);
        fixed(10, 2, Prot.RW);
        write(10, 3);
        write(11, 4);
        takeAllFreeFrames();
        outOfMemory("no frame for the target's only table", () -> remap(10, 2, 2, FIXED, 2 * H));
        assertThat(as.load(11)).isEqualTo(4);
    }

    @Test
    void aMoveWhoseTargetPagesAreAllPresentNeedsNoTableAndSucceedsWithoutFreeFrames() {
        fresh(4 * H, 40);
        fixed(10, 2, Prot.RW);
        write(10, 3);
        write(11, 4);
        fixed(2 * H + 10, 2, Prot.R);
        read(2 * H + 10);
        read(2 * H + 11);
        takeAllFreeFrames();
        assertThat(remap(10, 2, 2, FIXED, 2 * H + 10)).isEqualTo(UserAddr.ofPage(2 * H + 10));
        assertThat(as.load(2 * H + 10)).isEqualTo(3);
        assertThat(as.load(2 * H + 11)).isEqualTo(4);
        assertThat(as.translation(2 * H + 11).orElseThrow().write()).as("rights move with the page").isTrue();
        assertThat(as.areaAt(2 * H + 10).orElseThrow().prot()).isEqualTo(Prot.RW);
        assertThat(as.areaAt(10)).isEmpty();
        invariantsHold();
    }

    // ------------------------------------------------------------------ hugetlb moves

    /** One present 2 MiB hugetlb page at [H, 2H) in a space of 8 regions without a stack. */
    private void oneHugetlbPage(long frames) {
        fresh(8 * H, frames);
        as.munmap(UserAddr.ofPage(as.layout().stackTop() - 1), P);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
        write(H + 5, 55);
    }

    @Test
    void aHugetlbMoveNeedsATableFramePerLevelAboveItsLeafFreeAndNoMore() {
        oneHugetlbPage(2400);
        long need = sys.frames().format().leafDepth(PageSize.MIB_2) * sys.frames().format().tableFrames();
        leaveFree(need - 1);
        outOfMemory("one frame short of the worst case",
                () -> as.mremap(UserAddr.ofPage(H), H * P, H * P, FIXED, UserAddr.ofPage(5 * H)));
        oneHugetlbPage(2400);
        PhysFrame f = as.translation(H).orElseThrow().frame();
        leaveFree(need);
        assertThat(as.mremap(UserAddr.ofPage(H), H * P, H * P, FIXED, UserAddr.ofPage(5 * H))).isEqualTo(UserAddr.ofPage(5 * H));
        assertThat(as.translation(5 * H).orElseThrow().frame()).isEqualTo(f);
        assertThat(as.load(5 * H + 5)).isEqualTo(55);
        assertThat(as.areaAt(H)).isEmpty();
        invariantsHold();
    }

    @Test
    void aHugetlbFaultWithoutFramesForItsTablesReleasesTheRunItTookAndChangesNothing() {
        fresh(4 * H, 2 * H);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2), null, 0);
        leaveFree(H);
        outOfMemory("a run but no table for its leaf", () -> as.installZeroPage(H + 1));
        assertThat(sys.frames().allocator().freeFrames()).as("the whole run is free again").isEqualTo(H);
        assertThat(as.translation(H + 1)).isEmpty();
    }
}
