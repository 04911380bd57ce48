package org.mmspec.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Layout;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.Pte;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmError;
import org.mmspec.vm.VmSystem;

/**
 * The fault handler's boundaries one example each: the stack limit and the guard gap at their
 * exact pages, the messages of kernel-address and out-of-memory faults, the write phase and exec
 * phase of pages in a W+X area (W^X PERMIT), what the access path hands to the handler, and the
 * user half's ends.
 */
class PageFaultHandlerDetailTest {
    private static final long P = Vma.PAGE_SIZE;

    /** Layout.small(32): stack top 32, one initial stack page (31), limit 3 (floor 29), guard gap 1. */
    private final VmSystem sys = VmSystem.of(Layout.small(32), 12);
    private final AddressSpace as = sys.space(0);

    private void fixed(AddressSpace s, long page, long pages, Prot prot) {
        s.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private static FaultType fault(AddressSpace s, long page, Access a) {
        return PageFaultHandler.handle(s, FaultAddr.ofPage(page), PageFaultError.user(s.translation(page).isPresent(), a));
    }

    private static <T extends Throwable> T thrown(Class<T> type, Runnable r) {
        T t = catchThrowableOfType(type, r::run);
        assertThat(t).as("throws %s", type.getSimpleName()).isNotNull();
        return t;
    }

    @Test
    void theStackGrowsDownToItsFloorPageAndNoFurther() {
        assertThat(as.layout().stackFloor()).isEqualTo(29);
        assertThat(fault(as, 29, Access.WRITE)).isEqualTo(FaultType.STACK_GROWTH);
        assertThat(as.areaAt(29).orElseThrow().start()).isEqualTo(29);
        SegmentationFault e = thrown(SegmentationFault.class, () -> fault(as, 28, Access.READ));
        assertThat(e.faultKind()).isEqualTo(SegmentationFault.Kind.STACK_LIMIT);
        assertThat(e.getMessage()).isEqualTo("0x1c000 is below the stack limit (lowest stack page 29)");
    }

    /** With the floor at the first mappable page, the floor page itself may still be taken. */
    @Test
    void aStackWhoseFloorIsTheFirstMappablePageReachesIt() {
        Layout l = new Layout(4, 16, 5, 4, 16, 1, 12, 1, 4, 1);
        assertThat(l.stackFloor()).isEqualTo(l.minPage());
        VmSystem s = VmSystem.of(l, 24);
        AddressSpace a = s.space(0);
        assertThat(fault(a, 4, Access.READ)).isEqualTo(FaultType.STACK_GROWTH);
        assertThat(thrown(SegmentationFault.class, () -> fault(a, 3, Access.READ)).faultKind())
                .isEqualTo(SegmentationFault.Kind.STACK_LIMIT);
    }

    @Test
    void theGuardGapIsExactlyGuardGapPages() {
        fixed(as, 27, 1, Prot.R);
        // Page 28 would leave no page between the area [27, 28) and the stack; page 29 leaves one.
        SegmentationFault e = thrown(SegmentationFault.class, () -> fault(as, 28, Access.READ));
        assertThat(e.faultKind()).isEqualTo(SegmentationFault.Kind.STACK_LIMIT);
        assertThat(fault(as, 30, Access.READ)).isEqualTo(FaultType.STACK_GROWTH);
        assertThat(fault(as, 29, Access.READ)).isEqualTo(FaultType.STACK_GROWTH);
        VmSystem s = VmSystem.of(Layout.small(32), 12);
        AddressSpace b = s.space(0);
        fixed(b, 28, 1, Prot.R);
        SegmentationFault gap = thrown(SegmentationFault.class, () -> fault(b, 29, Access.READ));
        assertThat(gap.faultKind()).isEqualTo(SegmentationFault.Kind.GUARD_GAP);
        assertThat(gap.getMessage()).contains("would leave less than 1 guard page(s) above");
    }

    @Test
    void kernelAddressMessagesNameWhoAccessed() {
        FaultAddr k = FaultAddr.of(0xffff_8000_0000_1000L);
        SegmentationFault user = thrown(SegmentationFault.class,
                () -> PageFaultHandler.handle(as, k, PageFaultError.user(false, Access.READ)));
        assertThat(user.getMessage()).isEqualTo("user access to kernel address 0xffff800000001000");
        SegmentationFault kernel = thrown(SegmentationFault.class,
                () -> PageFaultHandler.handle(as, k, new PageFaultError(false, Access.READ, false)));
        assertThat(kernel.getMessage()).isEqualTo("kernel access to kernel address 0xffff800000001000");
        assertThat(kernel.faultKind()).isEqualTo(SegmentationFault.Kind.KERNEL_ADDRESS);
    }

    @Test
    void outOfFramesIsNamedBeforeAnythingChanges() {
        fixed(as, 2, 16, Prot.RW);
        long p = 2;
        while (sys.frames().allocator().freeFrames() > 0) {
            fault(as, p++, Access.WRITE);
        }
        long next = p;
        Object before = sys.key();
        VmError demand = thrown(VmError.class, () -> fault(as, next, Access.READ));
        assertThat(demand.getMessage()).contains("fault at 0x" + Long.toHexString(next * P) + ": no free frame");
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void copyOnWriteWithoutAFreeFrameIsOutOfMemoryAndReuseKeepsTheFrame() {
        fixed(as, 2, 1, Prot.RW);
        fault(as, 2, Access.WRITE);
        int child = sys.fork(0);
        fixed(as, 4, 16, Prot.RW);
        long p = 4;
        while (sys.frames().allocator().freeFrames() > 0) {
            fault(as, p++, Access.WRITE);
        }
        Object before = sys.key();
        VmError cow = thrown(VmError.class, () -> fault(as, 2, Access.WRITE));
        assertThat(cow.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY);
        assertThat(cow.getMessage()).contains("fault at 0x2000: no free frame");
        assertThat(sys.key()).isEqualTo(before);
        // The child's copy is the frame's last other reference once the parent exits: reuse, no copy.
        sys.exit(0);
        AddressSpace c = sys.space(child - 1); // the parent's index is gone
        assertThat(c.translation(2).orElseThrow().write()).isFalse();
        assertThat(fault(c, 2, Access.WRITE)).isEqualTo(FaultType.COPY_ON_WRITE_REUSE);
        assertThat(c.translation(2).orElseThrow().write()).isTrue();
    }

    @Test
    void accessCallsTheHandlerOnlyWhenTheHardwareFaults() {
        fixed(as, 10, 1, Prot.R);
        assertThat(PageFaultHandler.access(as, FaultAddr.ofPage(10), Access.READ)).contains(FaultType.DEMAND_PAGE);
        assertThat(PageFaultHandler.access(as, FaultAddr.ofPage(10), Access.READ)).isEmpty();
        assertThat(fault(as, 10, Access.READ)).isEqualTo(FaultType.SPURIOUS);
    }

    @Test
    void pagesOfAWritableExecutableAreaStartInTheRightPhase() {
        VmSystem s = new VmSystem(Layout.small(64), AddressSpace.WxPolicy.PERMIT, 16, VmSystem.Bug.NONE);
        AddressSpace a = s.space(0);
        fixed(a, 10, 3, Prot.RWX);
        assertThat(PageFaultHandler.access(a, FaultAddr.ofPage(10), Access.EXECUTE)).contains(FaultType.DEMAND_PAGE);
        assertThat(a.translation(10).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(false, true);
        assertThat(PageFaultHandler.access(a, FaultAddr.ofPage(11), Access.READ)).contains(FaultType.DEMAND_PAGE);
        assertThat(a.translation(11).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(true, false);
        assertThat(PageFaultHandler.access(a, FaultAddr.ofPage(11), Access.EXECUTE)).contains(FaultType.WX_EXEC_FLIP);
        assertThat(a.translation(11).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(false, true);
        // An RX area's pages are executable from the start: nothing to flip.
        fixed(a, 20, 1, Prot.RX);
        assertThat(PageFaultHandler.access(a, FaultAddr.ofPage(20), Access.EXECUTE)).contains(FaultType.DEMAND_PAGE);
        assertThat(a.translation(20).orElseThrow().exec()).isTrue();
        // A W+X stack grown by an instruction fetch starts in its exec phase too.
        long top = a.layout().stackTop() - a.layout().stackInitialPages();
        a.mprotect(UserAddr.ofPage(top), a.layout().stackInitialPages() * P, Prot.RWX);
        assertThat(PageFaultHandler.access(a, FaultAddr.ofPage(top - 1), Access.EXECUTE)).contains(FaultType.STACK_GROWTH);
        assertThat(a.translation(top - 1).orElseThrow().exec()).isTrue();
    }

    @Test
    void theUserHalfEndsAtBothBoundaries() {
        assertThat(FaultAddr.of(0).isUser()).isTrue();
        assertThat(FaultAddr.of(-1).isUser()).isFalse();
        assertThat(FaultAddr.of(UserAddr.LIMIT - 1).isUser()).isTrue();
        assertThat(FaultAddr.of(UserAddr.LIMIT).isUser()).isFalse();
        assertThat(FaultAddr.of(UserAddr.LIMIT).isCanonical()).isFalse();
        assertThat(FaultAddr.of(-UserAddr.LIMIT).isCanonical()).isTrue();
        assertThat(FaultAddr.of(UserAddr.ofPage(3)).page()).isEqualTo(3);
        assertThat(FaultAddr.ofPage(3)).hasToString("0x3000");
    }

    @Test
    void aFaultStepRecordsTheTranslationsBefore() {
        fixed(as, 10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        assertThat(FaultInvariants.FaultStep.snapshot(as)).containsOnlyKeys(10L).isEqualTo(as.translations());
    }
}
