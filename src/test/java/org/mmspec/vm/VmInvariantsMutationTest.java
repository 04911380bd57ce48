package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PagingFormats;

/**
 * The exact boundaries of the area invariants (an area may touch {@code mmap_min_addr},
 * {@code TASK_SIZE} and its neighbour, not cross them) and the two edges of the hardware view:
 * an address outside every canonical range grants nothing, and an access-state fault (AArch64
 * AF=0) still counts as a granted right.
 */
class VmInvariantsMutationTest {
    private static final long PAGES = 16;

    private VmSystem sys = VmSystem.of(Layout.small(PAGES), PAGES);
    private AddressSpace as = sys.space(0);

    private List<String> broken() {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    @Test
    void VMA_2_acceptsAnAreaFromExactlyMmapMinAddrAndOneEndingExactlyAtTaskSize() {
        // Layout.small(16): minPage 1, topPage 16, the stack at [15, 16).
        as.corruptPutArea(Vma.anonymous(1, 2, Prot.R, VmFlags.PRIVATE));
        as.corruptPutArea(Vma.anonymous(12, 15, Prot.R, VmFlags.PRIVATE));
        assertThat(broken()).isEmpty();
    }

    @Test
    void VMA_2_catchesAnAreaOnePagePastTaskSize() {
        as.munmap(UserAddr.ofPage(15), Vma.PAGE_SIZE);
        as.corruptPutArea(Vma.anonymous(15, 17, Prot.R, VmFlags.PRIVATE));
        assertThat(broken()).contains("VMA-2");
        assertThat(VmInvariants.VMA_2.evaluate(sys).orElseThrow().detail()).isEqualTo("P0: [15,17)r--p outside [1, 16)");
    }

    @Test
    void VMA_1_acceptsAreasThatTouchAndCatchesOneThatOverlapsByOnePage() {
        as.corruptPutArea(Vma.anonymous(3, 5, Prot.R, VmFlags.PRIVATE));
        as.corruptPutArea(Vma.anonymous(5, 6, Prot.RW, VmFlags.PRIVATE));
        assertThat(broken()).isEmpty();
        as.corruptPutArea(Vma.anonymous(6, 8, Prot.R, VmFlags.PRIVATE));
        as.corruptPutArea(Vma.anonymous(7, 9, Prot.RW, VmFlags.PRIVATE));
        assertThat(broken()).contains("VMA-1");
        assertThat(VmInvariants.VMA_1.evaluate(sys).orElseThrow().detail()).isEqualTo("P0: [6,8)r--p overlaps [7,9)rw-p");
    }

    @Test
    void AS_5_acceptsAStackReachingExactlyItsLimitAndCatchesOnePageBelow() {
        // The stack may span [13, 16): top 16, limit 3.
        Vma stack = as.areaAt(15).orElseThrow();
        as.expandStack(stack, 13);
        assertThat(broken()).isEmpty();
        as.corruptPutArea(new Vma(12, 13, Prot.RW, new VmFlags(false, true, true, false, false), null, 12, 0));
        assertThat(broken()).containsExactly("AS-5");
        assertThat(VmInvariants.AS_5.evaluate(sys).orElseThrow().detail()).isEqualTo("P0: stack [12,13)rw-pGA outside [13, 16)");
    }

    @Test
    void COW_2_allowsAWritableFrameWithOneReferenceAndASharedAreaWithTwo() {
        as.mmap(UserAddr.ofPage(5), Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(5), Access.WRITE);
        assertThat(as.translation(5).orElseThrow().write()).isTrue();
        as.mmap(UserAddr.ofPage(7), Vma.PAGE_SIZE, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(7), Access.WRITE);
        Pte shared = as.translation(7).orElseThrow();
        assertThat(shared.write()).isTrue();
        assertThat(sys.frames().refCount(shared.frame())).as("the mapping and the page cache").isEqualTo(2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void theHardwareViewGrantsNothingOutsideTheCanonicalLowerHalf() {
        // Page 2^35 starts at 2^47: above the 4-level user half, unmapped, so nothing is granted.
        assertThat(VmInvariants.hardwareGrants(as, 1L << 35)).isEqualTo(Prot.NONE);
        // Page 2^50 starts at 2^62, canonical in no paging mode: not even a walk, and still nothing.
        assertThat(VmInvariants.hardwareGrants(as, 1L << 50)).isEqualTo(Prot.NONE);
        assertThat(VmInvariants.hardwareGrants(as, 5)).isEqualTo(Prot.NONE);
    }

    @Test
    void anAccessFlagFaultStillCountsAsAGrantedRight() {
        sys = new VmSystem(Layout.small(PAGES), AddressSpace.WxPolicy.ENFORCE, PAGES, VmSystem.Bug.NONE,
                PagingFormats.byName("aarch64-4k"));
        as = sys.space(0);
        as.mmap(UserAddr.ofPage(5), Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(5), Access.WRITE);
        assertThat(VmInvariants.hardwareGrants(as, 5)).isEqualTo(Prot.RW);
        // AF cleared, as a page-ageing scan would: every access now takes an access-flag fault,
        // which the handler answers by setting AF and retrying, so the rights are still there.
        PageFlags aged = as.hwFlags(as.translation(5).orElseThrow()).without(PageFlags.ACCESSED);
        as.mapper().updateFlags(Page.of4k(5L << Vma.PAGE_SHIFT), aged);
        assertThat(VmInvariants.hardwareGrants(as, 5)).isEqualTo(Prot.RW);
        assertThat(VmInvariants.AS_6.evaluate(sys)).isEmpty();
    }
}
