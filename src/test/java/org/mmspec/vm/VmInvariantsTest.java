package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;

/**
 * One negative test per invariant: a healthy system is corrupted through a test hook so that
 * exactly that invariant breaks, and the check must name it.
 */
class VmInvariantsTest {
    private VmSystem sys;
    private AddressSpace as;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
    }

    private List<String> broken() {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    /** Maps page {@code page} of a fresh {@code prot} area and faults it in with a read. */
    private Pte present(long page, Prot prot) {
        as.mmap(UserAddr.ofPage(page), Vma.PAGE_SIZE, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(as, FaultAddr.ofPage(page), Access.READ);
        return as.translation(page).orElseThrow();
    }

    @Test
    void healthySystemBreaksNothing() {
        present(5, Prot.RW);
        as.store(5, 7);
        sys.fork(0);
        assertThat(broken()).isEmpty();
    }

    @Test
    void VMA_1_catchesOverlappingAreas() {
        as.corruptPutArea(Vma.anonymous(14, 16, Prot.R, VmFlags.PRIVATE));
        assertThat(broken()).containsExactly("VMA-1");
    }

    @Test
    void VMA_2_catchesAreaBelowMmapMinAddr() {
        as.corruptPutArea(Vma.anonymous(0, 1, Prot.R, VmFlags.PRIVATE));
        assertThat(broken()).containsExactly("VMA-2");
    }

    @Test
    void VMA_3_catchesUnmergedCompatibleNeighbours() {
        as.corruptPutArea(Vma.anonymous(3, 4, Prot.R, VmFlags.PRIVATE));
        as.corruptPutArea(Vma.anonymous(4, 5, Prot.R, VmFlags.PRIVATE));
        assertThat(broken()).containsExactly("VMA-3");
    }

    @Test
    void AS_1_catchesTranslationOutsideEveryArea() {
        PhysFrame f = sys.frames().allocateZeroed();
        as.corruptPutPteEverywhere(5, new Pte(f, true, false, false));
        // Record and bits are corrupted together, so the hardware view (AS-6) sees the user leaf too.
        assertThat(broken()).containsExactly("AS-1", "AS-6");
    }

    @Test
    void AS_2_catchesTranslationGrantingMoreThanItsArea() {
        Pte p = present(5, Prot.R);
        as.corruptPutPteEverywhere(5, p.withWrite(true));
        // Record and bits are corrupted together, so the hardware view (AS-6) sees the write right too.
        assertThat(broken()).containsExactly("AS-2", "AS-6");
    }

    @Test
    void AS_3_catchesWritableExecutableArea() {
        as.corruptPutArea(Vma.anonymous(5, 6, Prot.RWX, VmFlags.PRIVATE));
        assertThat(broken()).containsExactly("AS-3");
    }

    /**
     * AS-2 and AS-3 imply AS-4, so a W+X record in a W^X-clean space breaks AS-2 as well; and the
     * PageMapper refuses to encode W+X (its WX-1), so only the record can be corrupted, which
     * XLAYER-3 sees too.
     */
    @Test
    void AS_4_catchesWritableExecutableTranslation() {
        Pte p = present(5, Prot.RX);
        as.corruptPutPte(5, new Pte(p.frame(), true, true, true));
        assertThat(broken()).containsExactlyInAnyOrder("AS-2", "AS-4", "XLAYER-3");
    }

    @Test
    void AS_5_catchesStackBeyondItsLimit() {
        as.corruptPutArea(new Vma(5, 6, Prot.RW, new VmFlags(false, true, true, false, false), null, 5, 0));
        assertThat(broken()).containsExactly("AS-5");
    }

    @Test
    void COW_1_catchesWrongReferenceCount() {
        Pte p = present(5, Prot.R);
        sys.frames().corruptRefCount(p.frame(), 2);
        assertThat(broken()).containsExactly("COW-1");
    }

    @Test
    void COW_2_catchesWritableSharedFrame() {
        Pte p = present(5, Prot.RW);
        int child = sys.fork(0);
        sys.space(child).corruptPutPteEverywhere(5, p.withWrite(true));
        assertThat(broken()).containsExactly("COW-2");
    }

    @Test
    void XLAYER_1_catchesMappedFrameThatIsFree() {
        Pte p = present(5, Prot.RW);
        sys.frames().corruptLeak();
        sys.frames().corruptFreeInAllocator(p.frame());
        assertThat(broken()).containsExactly("XLAYER-1");
    }

    @Test
    void XLAYER_2_catchesLeakedFrame() {
        present(5, Prot.RW);
        sys.frames().corruptLeak();
        assertThat(broken()).containsExactly("XLAYER-2");
    }

    @Test
    void XLAYER_3_catchesRecordThatDisagreesWithThePageTableBits() {
        Pte p = present(5, Prot.RW);
        as.corruptPutPte(5, p.withWrite(false));
        assertThat(broken()).containsExactly("XLAYER-3");
    }

    @Test
    void XLAYER_1_catchesPageTableFrameMappedAsData() {
        present(5, Prot.R);
        PhysFrame table = as.mapper().tableFrames().last();
        sys.frames().corruptRefCount(table, 1);
        as.corruptPutPteEverywhere(6, new Pte(table, true, false, false));
        assertThat(broken()).contains("XLAYER-1");
    }

    @Test
    void SEC_1_catchesStaleDataInAMapping() {
        Pte p = present(5, Prot.RW);
        sys.frames().corruptMemory(p.frame(), 0x5ec);
        assertThat(broken()).containsExactly("SEC-1");
    }

    private String detail(org.mmspec.check.Invariant<VmSystem> inv) {
        return inv.evaluate(sys).orElseThrow().detail();
    }

    @Test
    void AS_2_catchesAReadableTranslationInAProtNoneAreaAndAnExecutableOneInANonExecArea() {
        Pte p = present(5, Prot.R);
        as.mprotect(UserAddr.ofPage(5), Vma.PAGE_SIZE, Prot.NONE);
        assertThat(broken()).isEmpty();
        as.corruptPutPte(5, new Pte(p.frame(), true, false, false));
        assertThat(broken()).containsExactlyInAnyOrder("AS-2", "XLAYER-3");
        assertThat(detail(VmInvariants.AS_2)).isEqualTo("P0: page 5 maps " + p.frame().number() + "r-- but its area allows only ---");
        as.corruptPutPte(5, new Pte(p.frame(), false, false, true));
        assertThat(broken()).containsExactlyInAnyOrder("AS-2", "XLAYER-3");
        assertThat(detail(VmInvariants.AS_2)).isEqualTo("P0: page 5 maps " + p.frame().number() + "--x but its area allows only ---");
        as.corruptPutPte(5, new Pte(p.frame(), false, false, false));
        assertThat(broken()).as("no rights at all is what PROT_NONE maps").isEmpty();
    }

    @Test
    void AS_5_catchesAStackEndingAboveTheStackTopButNotOneReachingExactlyTheFloor() {
        // Stack top 14 below the top page 16, limit 3: the stack may span [11, 14).
        sys = new VmSystem(new Layout(1, 16, 10, 1, 14, 1, 3, 1, 2, 3), AddressSpace.WxPolicy.ENFORCE, 16, VmSystem.Bug.NONE);
        as = sys.space(0);
        Vma stack = as.areaAt(13).orElseThrow();
        as.expandStack(stack, 11);
        assertThat(broken()).isEmpty();
        as.corruptPutArea(new Vma(14, 15, Prot.RW, new VmFlags(false, true, true, false, false), null, 14, 0));
        assertThat(broken()).containsExactly("AS-5");
        assertThat(detail(VmInvariants.AS_5)).isEqualTo("P0: stack [14,15)rw-pGA outside [11, 14)");
    }

    @Test
    void XLAYER_2_namesEveryTermOfTheFrameAccount() {
        present(5, Prot.RW);
        sys.frames().corruptLeak();
        // One data frame, the four x86_64 table frames (PML4, PDPT, PD, PT) and one leaked frame of 16.
        assertThat(detail(VmInvariants.XLAYER_2)).isEqualTo("1 mapped + 4 table + 10 free + 0 withheld != 16 managed: 1 frame(s) leaked");
    }

    @Test
    void COW_1_andCOW_2_nameTheFrameAndItsCount() {
        Pte p = present(5, Prot.RW);
        sys.frames().corruptRefCount(p.frame(), 2);
        long f = p.frame().number();
        assertThat(detail(VmInvariants.COW_1)).isEqualTo("reference counts {" + f + "=2} but mappings {" + f + "=1}");
        sys.frames().corruptRefCount(p.frame(), 1);
        int child = sys.fork(0);
        sys.space(child).corruptPutPteEverywhere(5, p.withWrite(true));
        assertThat(detail(VmInvariants.COW_2)).isEqualTo("P1: page 5 writes " + p.frame() + ", which has 2 references");
    }

    @Test
    void VMA_invariantsNameTheProcessAndTheAreas() {
        as.corruptPutArea(Vma.anonymous(14, 16, Prot.R, VmFlags.PRIVATE));
        assertThat(detail(VmInvariants.VMA_1)).isEqualTo("P0: [14,16)r--p overlaps [15,16)rw-pGA");
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        as.corruptPutArea(Vma.anonymous(0, 1, Prot.R, VmFlags.PRIVATE));
        assertThat(detail(VmInvariants.VMA_2)).isEqualTo("P0: [0,1)r--p outside [1, 16)");
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        as.corruptPutArea(Vma.anonymous(3, 4, Prot.R, VmFlags.PRIVATE));
        as.corruptPutArea(Vma.anonymous(4, 5, Prot.R, VmFlags.PRIVATE));
        assertThat(detail(VmInvariants.VMA_3)).isEqualTo("P0: [3,4)r--p and [4,5)r--p are mergeable but separate");
        // Two adjacent stack pieces (stack growth never merges) are allowed.
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        as.corruptPutArea(new Vma(14, 15, Prot.RW, new VmFlags(false, true, true, false, false), null, 14, 0));
        assertThat(broken()).isEmpty();
    }

    @Test
    void AS_1_AS_3_AS_4_andXLAYER_1_nameThePageOrArea() {
        PhysFrame f = sys.frames().allocateZeroed();
        as.corruptPutPte(9, new Pte(f, true, false, false));
        assertThat(detail(VmInvariants.AS_1)).isEqualTo("P0: page 9 is present but in no area");
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        as.corruptPutArea(Vma.anonymous(5, 6, Prot.RWX, VmFlags.PRIVATE));
        assertThat(detail(VmInvariants.AS_3)).isEqualTo("P0: area [5,6)rwxp is writable and executable");
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        Pte p = present(5, Prot.RX);
        as.corruptPutPte(5, new Pte(p.frame(), true, true, true));
        assertThat(detail(VmInvariants.AS_4)).isEqualTo("P0: page 5 maps " + p.frame().number() + "rwx");
        sys = VmSystem.of(Layout.small(16), 16);
        as = sys.space(0);
        Pte q = present(5, Prot.RW);
        sys.frames().corruptLeak();
        sys.frames().corruptFreeInAllocator(q.frame());
        assertThat(detail(VmInvariants.XLAYER_1)).isEqualTo("P0: page 5 maps " + q.frame() + ", which the allocator holds free");
    }

    @Test
    void SEC_1_namesWhatThePageShowsAndWhatItMustShow() {
        Pte p = present(5, Prot.RW);
        as.store(5, 0x11);
        sys.frames().corruptMemory(p.frame(), 0x5ec);
        assertThat(detail(VmInvariants.SEC_1)).isEqualTo("P0: page 5 shows 0x5ec but must show 0x11");
    }

    @Test
    void theInvariantsOfEverySpaceAreCheckedNotOnlyTheFirst() {
        present(5, Prot.RW);
        int child = sys.fork(0);
        sys.space(child).corruptPutArea(Vma.anonymous(5, 6, Prot.RWX, VmFlags.PRIVATE));
        assertThat(detail(VmInvariants.AS_3)).startsWith("P1: area [5,6)rwxp");
    }
}
