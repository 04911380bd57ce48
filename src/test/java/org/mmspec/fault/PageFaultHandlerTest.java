package org.mmspec.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Layout;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmError;
import org.mmspec.vm.VmInvariants;
import org.mmspec.vm.VmSystem;

/** Each of the seed's fault types, and each way an access is invalid; failed faults change nothing. */
class PageFaultHandlerTest {
    private static final long P = Vma.PAGE_SIZE;
    private VmSystem sys;
    private AddressSpace as;
    private Layout l;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(32), 12); // 4 page-table frames per process, the rest for data
        as = sys.space(0);
        l = as.layout();
    }

    private void fixed(long page, long pages, Prot prot) {
        as.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private FaultType fault(long page, Access a) {
        return PageFaultHandler.handle(as, FaultAddr.ofPage(page), PageFaultError.user(as.translation(page).isPresent(), a));
    }

    private void assertSegv(long addr, Access a, SegmentationFault.Kind kind) {
        Object before = sys.key();
        assertThatThrownBy(() -> PageFaultHandler.access(as, FaultAddr.of(addr), a))
                .isInstanceOfSatisfying(SegmentationFault.class, e -> assertThat(e.faultKind()).isEqualTo(kind));
        assertThat(sys.key()).as("a failed fault changes nothing").isEqualTo(before);
    }

    @Test
    void demandPagingMapsAZeroedFrameOnFirstAccess() {
        fixed(10, 2, Prot.RW);
        assertThat(fault(10, Access.READ)).isEqualTo(FaultType.DEMAND_PAGE);
        assertThat(as.load(10)).isZero();
        assertThat(fault(10, Access.READ)).isEqualTo(FaultType.SPURIOUS);
        assertThat(as.translation(11)).isEmpty();
    }

    @Test
    void copyOnWriteCopiesASharedFrameAndReusesTheLastReference() {
        fixed(10, 1, Prot.RW);
        fault(10, Access.WRITE);
        as.store(10, 42);
        int child = sys.fork(0);
        assertThat(PageFaultHandler.access(as, FaultAddr.ofPage(10), Access.WRITE)).contains(FaultType.COPY_ON_WRITE);
        as.store(10, 43);
        AddressSpace c = sys.space(child);
        assertThat(PageFaultHandler.access(c, FaultAddr.ofPage(10), Access.WRITE)).contains(FaultType.COPY_ON_WRITE_REUSE);
        assertThat(c.load(10)).isEqualTo(42);
        assertThat(as.load(10)).isEqualTo(43);
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
    }

    @Test
    void stackGrowsDownWithinItsLimit() {
        long below = l.stackTop() - l.stackInitialPages() - 1;
        assertThat(fault(below, Access.WRITE)).isEqualTo(FaultType.STACK_GROWTH);
        assertThat(as.areaAt(below)).hasValueSatisfying(v -> assertThat(v.flags().growsDown()).isTrue());
        assertSegv((l.stackFloor() - 1) * P, Access.READ, SegmentationFault.Kind.STACK_LIMIT);
    }

    @Test
    void stackMayNotGrowIntoTheGuardGapOfAnAccessibleAreaBelow() {
        long stackStart = l.stackTop() - l.stackInitialPages();
        fixed(stackStart - 3, 1, Prot.R);
        assertSegv((stackStart - 2) * P, Access.READ, SegmentationFault.Kind.GUARD_GAP);
        as.mprotect(UserAddr.ofPage(stackStart - 3), P, Prot.NONE);
        assertThat(fault(stackStart - 2, Access.READ)).as("PROT_NONE areas do not count (vma_is_accessible)")
                .isEqualTo(FaultType.STACK_GROWTH);
    }

    @Test
    void invalidAccessesAreSegmentationFaults() {
        fixed(10, 1, Prot.R);
        fixed(12, 1, Prot.RW);
        assertSegv(5 * P, Access.READ, SegmentationFault.Kind.MAPERR);
        assertSegv(10 * P, Access.WRITE, SegmentationFault.Kind.ACCERR);
        assertSegv(12 * P, Access.EXECUTE, SegmentationFault.Kind.ACCERR);
        assertSegv(0xffff_8000_0000_1000L, Access.READ, SegmentationFault.Kind.KERNEL_ADDRESS);
        assertSegv(0x0000_9000_0000_0000L, Access.READ, SegmentationFault.Kind.NON_CANONICAL);
        as.mprotect(UserAddr.ofPage(12), P, Prot.NONE);
        assertSegv(12 * P, Access.READ, SegmentationFault.Kind.ACCERR);
    }

    @Test
    void protectionFaultOnAPresentPageAfterMprotect() {
        fixed(10, 1, Prot.RW);
        fault(10, Access.WRITE);
        as.mprotect(UserAddr.ofPage(10), P, Prot.R);
        assertThat(as.translation(10).orElseThrow().write()).isFalse();
        assertSegv(10 * P, Access.WRITE, SegmentationFault.Kind.ACCERR);
    }

    @Test
    void outOfMemoryFailsTheFaultAndChangesNothing() {
        fixed(2, 16, Prot.RW);
        long p = 2;
        while (sys.frames().allocator().freeFrames() > 0) {
            fault(p++, Access.READ);
        }
        long next = p;
        Object before = sys.key();
        assertThatThrownBy(() -> fault(next, Access.READ)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY));
        assertThatThrownBy(() -> sys.fork(0)).isInstanceOf(VmError.class);
        long below = l.stackTop() - l.stackInitialPages() - 1;
        assertThatThrownBy(() -> fault(below, Access.READ)).isInstanceOf(VmError.class);
        assertThat(sys.key()).isEqualTo(before);
    }
}
