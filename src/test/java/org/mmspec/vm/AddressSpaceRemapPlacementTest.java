package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;

/**
 * Where mremap with MREMAP_MAYMOVE puts a moved mapping ({@code get_unmapped_area} with the
 * moved range's file offset): a private anonymous move of whole 2 MiB multiples and a file move
 * spanning an aligned 2 MiB of the file are THP-aligned ({@code __thp_get_unmapped_area}: the
 * address congruent to the offset of the first moved page modulo 2 MiB); a shared anonymous
 * (shmem) mapping is placed as the plain search places it.
 */
class AddressSpaceRemapPlacementTest {
    private static final long P = Vma.PAGE_SIZE;
    private static final long H = AddressSpace.PMD_PAGES;
    private VmSystem sys;
    private AddressSpace as;
    private long base;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(8 * H), 64);
        as = sys.space(0);
        base = as.layout().mmapBase();
        assertThat(base).isEqualTo(8 * H - 4);
    }

    /** A read-only page at {@code page}, so that the area below cannot grow in place. */
    private void block(long page) {
        as.mmap(UserAddr.ofPage(page), P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private UserAddr grow(long page, long oldPages, long newPages) {
        UserAddr probed = as.probeRemapPlacement(UserAddr.ofPage(page), oldPages * P, newPages * P, RemapFlags.MAYMOVE, null).orElseThrow();
        UserAddr to = as.mremap(UserAddr.ofPage(page), oldPages * P, newPages * P, RemapFlags.MAYMOVE, null);
        assertThat(to).as("probeRemapPlacement names the same place").isEqualTo(probed);
        return to;
    }

    @Test
    void aPrivateAnonymousMoveOfWholeHugePagesIsAlignedToTheOffsetOfItsFirstMovedPage() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(12), Access.WRITE);
        as.store(12, 5);
        block(14);
        // Searched for H more pages top-down: base - 2H; then raised to the next page that is 12 modulo H.
        long searched = base - 2 * H;
        assertThat(grow(12, 2, H).page()).isEqualTo(searched + Math.floorMod(12 - searched, H)).isEqualTo(6 * H + 12);
        assertThat(as.load(6 * H + 12)).isEqualTo(5);
        assertThat(as.areaAt(6 * H + 12).orElseThrow().pgoff()).isEqualTo(12);
    }

    @Test
    void aPrivateAnonymousMoveOfAPartialHugePageIsPlacedPlainly() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        block(14);
        assertThat(grow(10, 4, H + 4).page()).isEqualTo(base - H - 4);
    }

    @Test
    void aFileMoveSpanningAnAlignedHugePageOfTheFileIsAlignedToItsOffset() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.R, new MapFlags(false, false, true, false, false), "lib.so", 0);
        block(14);
        long searched = base - 2 * H - 4;
        assertThat(grow(10, 4, H + 4).page()).isEqualTo(searched + Math.floorMod(-searched, H)).isEqualTo(6 * H);
        assertThat(as.areaAt(6 * H).orElseThrow().file()).isEqualTo("lib.so");
    }

    @Test
    void aSharedAnonymousMoveIsPlacedPlainlyEvenOverAWholeHugePage() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        assertThat(as.areaAt(10).orElseThrow().file()).startsWith(FrameTable.SHMEM_PREFIX);
        block(14);
        assertThat(grow(10, 4, H).page()).isEqualTo(base - H);
    }

    @Test
    void probeRemapPlacementIsEmptyWhenTheMappingWouldGrowInPlace() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 4 * P, 8 * P, RemapFlags.MAYMOVE, null)).isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(12), 2 * P, 6 * P, RemapFlags.MAYMOVE, null)).as("the tail grows in place too").isEmpty();
        assertThat(as.probeRemapPlacement(UserAddr.ofPage(10), 2 * P, 6 * P, RemapFlags.MAYMOVE, null)).as("the head must move")
                .contains(UserAddr.ofPage(base - 6));
        assertThat(as.mremap(UserAddr.ofPage(10), 4 * P, 8 * P, RemapFlags.MAYMOVE, null)).isEqualTo(UserAddr.ofPage(10));
    }
}
