package org.mmspec.hwsec.aarch64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.frames.PhysAddr;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapDebugOptions;
import org.mmspec.paging.VirtAddr;

/** A negative test per invariant (a corrupted state or a seeded bug it catches), and the behaviour each states. */
class ArmSecInvariantsTest {
    static final long PAGE = 3;
    static final long BASE = PAGE << 12;

    static ArmMm machine(ArmMm.Bug bug) {
        return new ArmMm(2, 4, 4, 4, bug);
    }

    static List<String> broken(ArmMm s) {
        return ArmSecInvariants.MM.violations(s).stream().map(Violation::invariantId).toList();
    }

    @Test
    void aFreshMachineKeepsEveryInvariant() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, true);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        assertThat(broken(s)).isEmpty();
    }

    @Test
    void TBI_1_twoPointersDifferingOnlyInTheTopByteReachTheSamePage() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, false);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.NONE);
        PhysAddr a = s.access(0, BASE + 8);
        PhysAddr b = s.access(0, TopByteIgnore.withTopByte(BASE + 8, 0xA5));
        assertThat(a).isEqualTo(b);
        assertThatThrownBy(() -> s.access(0, BASE | (1L << 52))).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.NON_CANONICAL));
        s.setTaggedAddrCtrl(1, false, TagCheckMode.NONE);
        assertThatThrownBy(() -> s.access(0, TopByteIgnore.withTopByte(BASE, 0xA5))).isInstanceOfSatisfying(ArmSecError.class,
                e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.NON_CANONICAL));
        assertThat(broken(s)).isEmpty();
    }

    @Test
    void TBI_1_catchesTranslationThatIgnoresBits55To52() {
        ArmMm s = machine(ArmMm.Bug.IGNORE_BITS_63_52);
        s.mmap(1, PAGE, false);
        assertThat(broken(s)).doesNotContain("TBI-1");
        s.setTaggedAddrCtrl(1, true, TagCheckMode.NONE);
        assertThat(broken(s)).contains("TBI-1");
    }

    @Test
    void TBI_1_catchesTopByteIgnoredWithTheModeOff() {
        ArmMm s = machine(ArmMm.Bug.IGNORE_WHEN_OFF);
        s.mmap(1, PAGE, false);
        assertThat(broken(s)).containsExactly("TBI-1");
    }

    @Test
    void TBI_1_catchesALastAccessThatReachedAnotherPage() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, false);
        s.access(0, BASE);
        s.last = new ArmMm.LastAccess(BASE, false, TagCheckMode.NONE, false, 0, 0, PAGE + 1);
        assertThat(broken(s)).containsExactly("TBI-1");
    }

    @Test
    void TBI_2_rejectsKernelPointersWithMetadataAndCatchesTbi1() {
        long kernel = TopByteIgnore.withTopByte(VirtAddr.UPPER_HALF_START, 0x01);
        assertThatThrownBy(() -> TopByteIgnore.translate(kernel, true)).isInstanceOfSatisfying(ArmSecError.class,
                e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.KERNEL_METADATA));
        assertThat(TopByteIgnore.translate(VirtAddr.UPPER_HALF_START, true).value()).isEqualTo(VirtAddr.UPPER_HALF_START);
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        assertThatThrownBy(() -> s.access(0, kernel)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.KERNEL_METADATA));
        assertThat(broken(machine(ArmMm.Bug.KERNEL_TBI))).containsExactly("TBI-2");
    }

    @Test
    void TBI_3_catchesAContextSwitchThatKeepsTbi0() {
        ArmMm s = machine(ArmMm.Bug.SWITCH_KEEPS_TBI);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.NONE);
        int child = s.fork(1);
        s.exec(child);
        s.switchTo(0, child);
        assertThat(broken(s)).containsExactly("TBI-3");
    }

    @Test
    void MTE_1_aSynchronousMismatchFaultsAndChangesNothing() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, true);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        long tagged = AllocationTag.of(3).onPointer(BASE + 16);
        s.storeTag(0, tagged);
        assertThat(s.access(0, tagged).value() & 0xFFF).isEqualTo(16);
        String before = s.key();
        assertThatThrownBy(() -> s.access(0, BASE + 16)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.TAG_CHECK_FAULT));
        assertThat(s.key()).isEqualTo(before);
        // granule 0 still has tag 0: the neighbouring granule's tag is its own
        s.access(0, BASE);
    }

    @Test
    void MTE_1_catchesAnUncheckedSynchronousAccess() {
        ArmMm s = machine(ArmMm.Bug.SYNC_UNCHECKED);
        s.mmap(1, PAGE, true);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        s.access(0, AllocationTag.of(5).onPointer(BASE));
        assertThat(broken(s)).containsExactly("MTE-1");
    }

    @Test
    void MTE_2_anAsynchronousMismatchIsRecordedAndReportedAtTheNextCheckPoint() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, true);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.ASYNC);
        s.access(0, AllocationTag.of(5).onPointer(BASE));
        assertThat(s.asyncFaultPending(0)).isTrue();
        assertThat(s.asyncFaultsReported(1)).isZero();
        s.checkpoint(0);
        assertThat(s.asyncFaultPending(0)).isFalse();
        assertThat(s.asyncFaultsReported(1)).isEqualTo(1);
        assertThat(broken(s)).isEmpty();
    }

    @Test
    void MTE_2_catchesAnUnrecordedAsynchronousMismatch() {
        ArmMm s = machine(ArmMm.Bug.ASYNC_NOT_RECORDED);
        s.mmap(1, PAGE, true);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.ASYNC);
        s.access(0, AllocationTag.of(5).onPointer(BASE));
        assertThat(broken(s)).containsExactly("MTE-2");
    }

    @Test
    void MTE_3_catchesAProtMteMappingWrittenAsNormalMemory() {
        ArmMm s = machine(ArmMm.Bug.TAGGED_AS_NORMAL);
        s.mmap(1, PAGE, true);
        assertThat(broken(s)).containsExactly("MTE-3");
        ArmMm ok = machine(ArmMm.Bug.NONE);
        ok.mmap(1, PAGE, false);
        ok.procs.get(1).ghostTagged.add(PAGE);
        assertThat(broken(ok)).containsExactly("MTE-3");
    }

    @Test
    void MTE_3_mprotectSwitchesTheAttributeAndAFreshlyTaggedPageHasTagZero() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, false);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        s.mprotect(1, PAGE, true);
        assertThat(org.mmspec.paging.aarch64.Mair.isTagged(s.descriptorOf(1, PAGE))).isTrue();
        s.access(0, BASE);
        s.storeTag(0, AllocationTag.of(2).onPointer(BASE));
        s.mprotect(1, PAGE, false);
        s.access(0, BASE);
        assertThat(broken(s)).isEmpty();
        assertThatThrownBy(() -> s.mprotect(1, PAGE + 1, true)).isInstanceOfSatisfying(ArmSecError.class,
                e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.NOT_MAPPED));
        ArmMm bad = machine(ArmMm.Bug.TAGGED_AS_NORMAL);
        bad.mmap(1, PAGE, false);
        bad.mprotect(1, PAGE, true);
        assertThat(broken(bad)).containsExactly("MTE-3");
    }

    @Test
    void MTE_3_untaggedPagesAreNeverTagCheckedAndRefuseStg() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        s.mmap(1, PAGE, false);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        s.access(0, AllocationTag.of(7).onPointer(BASE));
        assertThatThrownBy(() -> s.storeTag(0, AllocationTag.of(7).onPointer(BASE))).isInstanceOfSatisfying(ArmSecError.class,
                e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.NOT_TAGGED));
    }

    @Test
    void MTE_4_aStalePointerFaultsAfterFreeAndAfterReuse() {
        MteSlab h = new MteSlab(8, new HeapConfig(1, 1, 1, 1, HeapDebugOptions.OFF), MteSlab.SlabBug.NONE);
        MteSlab.TaggedRef a = h.allocate(0, 32);
        h.access(a, 31);
        h.free(0, a, 32);
        assertThatThrownBy(() -> h.access(a, 0)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.TAG_CHECK_FAULT));
        MteSlab.TaggedRef b = h.allocate(0, 32);
        assertThat(b.addr()).isEqualTo(a.addr());
        assertThat(b.tag()).isNotEqualTo(a.tag());
        assertThatThrownBy(() -> h.access(a, 0)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.TAG_CHECK_FAULT));
        assertThatThrownBy(() -> h.free(0, a, 32)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.TAG_CHECK_FAULT));
        assertThat(ArmSecInvariants.SLAB.violations(h)).isEmpty();
    }

    @Test
    void MTE_4_catchesAFreeThatKeepsTheTag() {
        MteSlab h = new MteSlab(8, new HeapConfig(1, 1, 1, 1, HeapDebugOptions.OFF), MteSlab.SlabBug.FREE_KEEPS_TAG);
        MteSlab.TaggedRef a = h.allocate(0, 32);
        h.free(0, a, 32);
        assertThat(ArmSecInvariants.SLAB.violations(h)).extracting(Violation::invariantId).containsExactly("MTE-4");
    }

    @Test
    void MTE_4_catchesReuseWithTheOldTag() {
        MteSlab h = new MteSlab(8, new HeapConfig(1, 1, 1, 1, HeapDebugOptions.OFF), MteSlab.SlabBug.REUSE_OLD_TAG);
        MteSlab.TaggedRef a = h.allocate(0, 32);
        h.free(0, a, 32);
        assertThat(ArmSecInvariants.SLAB.violations(h)).isEmpty();
        h.allocate(0, 32);
        assertThat(ArmSecInvariants.SLAB.violations(h)).extracting(Violation::invariantId).containsExactly("MTE-4");
    }

    @Test
    void PAC_2_forkInheritsTheKeysAndExecDrawsFreshOnes() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        int child = s.fork(1);
        assertThat(s.keys(child)).isEqualTo(s.keys(1));
        s.exec(child);
        assertThat(s.keys(child).sharesAnyKey(s.keys(1))).isFalse();
        assertThat(broken(s)).isEmpty();
    }

    @Test
    void PAC_2_catchesAForkWithFreshKeys() {
        ArmMm s = machine(ArmMm.Bug.FORK_FRESH_KEYS);
        s.fork(1);
        assertThat(broken(s)).contains("PAC-2");
    }

    @Test
    void PAC_1_catchesAnExecThatKeepsTheKeys() {
        ArmMm s = machine(ArmMm.Bug.EXEC_KEEPS_KEYS);
        int child = s.fork(1);
        s.exec(child);
        assertThat(broken(s)).containsExactly("PAC-1");
    }

    @Test
    void PAC_3_keysAreSwitchedWithTheAddressSpace() {
        ArmMm s = machine(ArmMm.Bug.NONE);
        int child = s.fork(1);
        s.exec(child);
        s.switchTo(1, child);
        assertThat(s.keyRegisters(1)).isEqualTo(s.keys(child));
        assertThat(s.keyRegisters(0)).isEqualTo(s.keys(1));
        assertThatThrownBy(() -> s.switchTo(0, child)).isInstanceOfSatisfying(ArmSecError.class,e -> assertThat(e.errorKind()).isEqualTo(ArmSecError.Kind.PROCESS_RUNNING));
        assertThat(broken(s)).isEmpty();
    }

    @Test
    void PAC_3_catchesASwitchThatLeavesTheOldKeys() {
        ArmMm s = machine(ArmMm.Bug.SWITCH_KEEPS_KEYS);
        int child = s.fork(1);
        s.exec(child);
        s.switchTo(0, child);
        assertThat(broken(s)).containsExactly("PAC-3");
    }
}
