package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.FaultType;
import org.mmspec.fault.PageFaultHandler;

/**
 * W^X under {@link AddressSpace.WxPolicy#PERMIT} (the replay's policy): areas may be W+X, their
 * translations never are (AS-4, WX-1), and an instruction fetch trades write for exec. The first
 * two tests are the reported ATOMIC-1 defects: mprotect(RWX) over a present page used to split
 * the areas and then throw the PageMapper's {@code PagingError} WX_VIOLATION, and a write fault
 * in an RWX area was refused as {@code VmError} OUT_OF_MEMORY.
 */
class WxPermitTest {
    private static final long P = Vma.PAGE_SIZE;
    private VmSystem sys;
    private AddressSpace as;

    @BeforeEach
    void fresh() {
        sys = new VmSystem(Layout.small(64), AddressSpace.WxPolicy.PERMIT, 16, VmSystem.Bug.NONE);
        as = sys.space(0);
    }

    private FaultType access(long page, Access a) {
        return PageFaultHandler.access(as, FaultAddr.ofPage(page), a).orElse(null);
    }

    private void assertClean() {
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
    }

    @Test
    void mprotectRwxOverAPresentPageSucceedsWithAW_XTranslation() {
        as.mmap(UserAddr.ofPage(10), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(11, Access.WRITE);
        as.mprotect(UserAddr.ofPage(11), P, Prot.RWX);
        assertThat(as.areaAt(11).orElseThrow().prot()).isEqualTo(Prot.RWX);
        Pte t = as.translation(11).orElseThrow();
        assertThat(t.write()).as("exclusive page keeps write").isTrue();
        assertThat(t.exec()).as("and so has no exec (W^X on the entry)").isFalse();
        assertClean();
    }

    @Test
    void writeFaultInAnRwxAreaIsDemandPagedNotOutOfMemory() {
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RWX, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        assertThat(access(10, Access.WRITE)).isEqualTo(FaultType.DEMAND_PAGE);
        as.store(10, 0x2a);
        assertThat(as.load(10)).isEqualTo(0x2a);
        assertClean();
    }

    @Test
    void execAndWriteTradeRightsOnTheEntryAndKeepTheContents() {
        as.mmap(UserAddr.ofPage(10), P, Prot.RWX, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(10, Access.WRITE);
        as.store(10, 7);
        assertThat(access(10, Access.EXECUTE)).isEqualTo(FaultType.WX_EXEC_FLIP);
        assertThat(as.translation(10).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(false, true);
        assertThat(access(10, Access.EXECUTE)).as("now executable: no fault").isNull();
        assertThat(access(10, Access.WRITE)).isEqualTo(FaultType.COPY_ON_WRITE_REUSE);
        assertThat(as.translation(10).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(true, false);
        assertThat(as.load(10)).isEqualTo(7);
        assertClean();
    }

    @Test
    void afterForkAWriteToAnExecPhasePageCopiesIntoAWritableNonExecutableFrame() {
        as.mmap(UserAddr.ofPage(10), P, Prot.RWX, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(10, Access.WRITE);
        as.store(10, 5);
        access(10, Access.EXECUTE);
        int child = sys.fork(0);
        assertThat(access(10, Access.WRITE)).isEqualTo(FaultType.COPY_ON_WRITE);
        Pte t = as.translation(10).orElseThrow();
        assertThat(t.write() && !t.exec()).isTrue();
        assertThat(sys.space(child).load(10)).isEqualTo(5);
        assertClean();
    }

    @Test
    void mprotectRwxOverASharedCopyOnWritePageKeepsExecWithoutWrite() {
        as.mmap(UserAddr.ofPage(10), P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(10, Access.WRITE);
        sys.fork(0);
        as.mprotect(UserAddr.ofPage(10), P, Prot.RWX);
        assertThat(as.translation(10).orElseThrow()).extracting(Pte::write, Pte::exec).containsExactly(false, true);
        assertClean();
    }

    @Test
    void aRejectedMprotectUnderPermitChangesNothing() {
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(10, Access.WRITE);
        Object before = sys.key();
        assertThatThrownBy(() -> as.mprotect(UserAddr.ofPage(10), 3 * P, Prot.RWX))
                .isInstanceOfSatisfying(VmError.class, e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_MAPPED));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void underEnforceTheSameRequestsAreRefusedAsWxViolationAndChangeNothing() {
        VmSystem enforce = VmSystem.of(Layout.small(64), 16);
        AddressSpace e = enforce.space(0);
        e.mmap(UserAddr.ofPage(10), P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(e, FaultAddr.ofPage(10), Access.WRITE);
        Object before = enforce.key();
        assertThatThrownBy(() -> e.mprotect(UserAddr.ofPage(10), P, Prot.RWX))
                .isInstanceOfSatisfying(VmError.class, x -> assertThat(x.errorKind()).isEqualTo(VmError.Kind.WX_VIOLATION));
        assertThat(enforce.key()).isEqualTo(before);
    }

    /**
     * AS-4 now holds under PERMIT too: a W+X record in a W+X area breaks AS-4 (not AS-2: the area
     * allows both), and XLAYER-3, since the PageMapper never encodes W+X bits.
     */
    @Test
    void AS_4_catchesWritableExecutableTranslationUnderPermit() {
        as.mmap(UserAddr.ofPage(10), P, Prot.RWX, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        access(10, Access.WRITE);
        assertClean();
        Pte p = as.translation(10).orElseThrow();
        as.corruptPutPte(10, new Pte(p.frame(), true, true, true));
        assertThat(VmInvariants.ALL.violations(sys)).extracting(org.mmspec.check.Violation::invariantId)
                .containsExactlyInAnyOrder("AS-4", "XLAYER-3");
    }

    /** The model-based check with every rule under PERMIT: Step.perform checks ATOMIC-1 on each rejection. */
    @Test
    void addressSpacesAgreeWithThePageModelUnderPermit() {
        StatefulChecker.Report r = StatefulChecker.check(VmStateMachine.permit(), CheckSettings.fromSystemProperties(60));
        System.out.println("vm/permit stateful: " + r);
    }
}
