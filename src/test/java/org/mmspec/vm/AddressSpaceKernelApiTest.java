package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;

/**
 * What the fault handler and fork rely on, case by case: demand paging and its page-cache key,
 * copy-on-write copying the data, rights after mprotect over shared and copy-on-write frames,
 * shared objects living exactly as long as their last mapping, the heap's growth merging with
 * itself, and a failed page-table allocation changing nothing.
 */
class AddressSpaceKernelApiTest {
    private static final long P = Vma.PAGE_SIZE;
    private VmSystem sys;
    private AddressSpace as;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(64), 24);
        as = sys.space(0);
    }

    private void fixed(long page, long pages, Prot prot) {
        as.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private static void fault(AddressSpace s, long page, Access a) {
        PageFaultHandler.access(s, FaultAddr.ofPage(page), a);
    }

    private List<String> broken() {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    private List<String> areas() {
        return as.areas().values().stream().map(v -> v.start() + "-" + v.end() + " " + v.prot()).toList();
    }

    @Test
    void aCopyOnWriteBreakCopiesTheDataIntoTheFreshFrame() {
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        as.store(10, 0x77);
        AddressSpace child = sys.space(sys.fork(0));
        fault(child, 10, Access.WRITE);
        assertThat(child.translation(10).orElseThrow().frame()).isNotEqualTo(as.translation(10).orElseThrow().frame());
        assertThat(child.load(10)).as("the copy holds the parent's word").isEqualTo(0x77);
        assertThat(broken()).isEmpty();
    }

    @Test
    void mprotectGivesWriteBackOnlyWhereTheFrameIsNotSharedCopyOnWrite() {
        fixed(10, 2, Prot.RW);
        fault(as, 10, Access.WRITE);
        fault(as, 11, Access.WRITE);
        as.mprotect(UserAddr.ofPage(10), 2 * P, Prot.R);
        assertThat(as.translation(10).orElseThrow().write()).isFalse();
        assertThatThrownBy(() -> as.store(10, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("store to page 10 without a writable translation");
        as.mprotect(UserAddr.ofPage(10), 2 * P, Prot.RW);
        assertThat(as.translation(10).orElseThrow().write()).as("the only reference: writable again").isTrue();
        int child = sys.fork(0);
        as.mprotect(UserAddr.ofPage(10), 2 * P, Prot.RW);
        assertThat(as.translation(10).orElseThrow().write()).as("shared with the child: stays copy-on-write").isFalse();
        assertThat(sys.space(child).translation(11).orElseThrow().write()).isFalse();
        assertThat(broken()).isEmpty();
    }

    @Test
    void mprotectOfASharedMappingKeepsItWritableAcrossFork() {
        as.mmap(UserAddr.ofPage(10), P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        fault(as, 10, Access.WRITE);
        sys.fork(0);
        as.mprotect(UserAddr.ofPage(10), P, Prot.R);
        as.mprotect(UserAddr.ofPage(10), P, Prot.RW);
        assertThat(as.translation(10).orElseThrow().write()).isTrue();
        assertThat(broken()).isEmpty();
    }

    @Test
    void mprotectToWritableChargesAnUnaccountedAreaSoItMergesWithAnAccountedNeighbour() {
        fixed(10, 2, Prot.R);
        fixed(12, 2, Prot.RW);
        as.mprotect(UserAddr.ofPage(10), 2 * P, Prot.RW);
        assertThat(areas()).startsWith("10-14 rw-");
    }

    @Test
    void aZeroLengthMprotectSucceedsWithoutLookingAtProtectionOrRange() {
        Object before = sys.key();
        as.mprotect(UserAddr.ofPage(10), 0, Prot.RWX);
        as.mprotect(UserAddr.ofPage(70), 0, Prot.R);
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void sharedFilePagesAreFoundInThePageCacheByTheirFileOffset() {
        MapFlags shared = new MapFlags(true, false, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, shared, "/data", 0);
        as.mmap(UserAddr.ofPage(20), 2 * P, Prot.RW, shared, "/data", P);
        fault(as, 11, Access.WRITE);
        as.store(11, 0xab);
        fault(as, 20, Access.READ);
        assertThat(as.translation(20).orElseThrow().frame()).as("file page 1 through both mappings")
                .isEqualTo(as.translation(11).orElseThrow().frame());
        assertThat(as.load(20)).isEqualTo(0xab);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aSharedObjectOutlivesAChildThatExitsAndAParentThatUnmaps() {
        MapFlags shared = new MapFlags(true, true, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, shared, null, 0);
        fault(as, 10, Access.WRITE);
        PhysFrame f = as.translation(10).orElseThrow().frame();
        int child = sys.fork(0);
        sys.exit(child);
        assertThat(sys.frames().cachedFrames()).as("the parent still maps the object").containsExactly(f.number());
        assertThat(broken()).isEmpty();
        child = sys.fork(0);
        as.munmap(UserAddr.ofPage(10), 2 * P);
        assertThat(sys.frames().cachedFrames()).as("the child still maps the object").containsExactly(f.number());
        assertThat(broken()).isEmpty();
        sys.space(child).munmap(UserAddr.ofPage(10), 2 * P);
        assertThat(sys.frames().cachedFrames()).isEmpty();
        assertThat(sys.frames().isFree(f)).isTrue();
    }

    @Test
    void unmappingForgetsWhatThePageHeldSoARemapShowsZero() {
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        as.store(10, 9);
        assertThat(as.ghost()).containsEntry(10L, 9L);
        as.store(10, 0);
        assertThat(as.ghost()).as("zero is the default").isEmpty();
        as.store(10, 9);
        as.munmap(UserAddr.ofPage(10), P);
        assertThat(as.ghost()).isEmpty();
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.READ);
        assertThat(as.load(10)).isZero();
        assertThat(broken()).isEmpty();
    }

    @Test
    void loadsAndStoresNeedAHardwareTranslationThatAllowsThem() {
        fixed(10, 1, Prot.R);
        fault(as, 10, Access.READ);
        as.mprotect(UserAddr.ofPage(10), P, Prot.NONE);
        assertThat(as.translation(10)).as("PROT_NONE keeps the page present").isPresent();
        assertThatThrownBy(() -> as.load(10)).isInstanceOf(IllegalStateException.class)
                .hasMessage("load from page 10 without a readable translation");
        assertThatThrownBy(() -> as.load(30)).isInstanceOf(IllegalStateException.class);
        assertThat(as.hardwareAllows(10, org.mmspec.paging.Access.userRead())).isFalse();
    }

    @Test
    void theHeapGrowsInStepsIntoOneAreaAndStopsAtAMappingOverItsEnd() {
        long start = as.layout().startBrkPage();
        as.brk(UserAddr.ofPage(start + 1));
        assertThat(as.brk(UserAddr.ofPage(start + 2))).isEqualTo(UserAddr.ofPage(start + 2));
        assertThat(areas()).startsWith(start + "-" + (start + 2) + " rw-");
        // A mapping over the heap's last page: the heap end now lies inside another area, so it cannot grow.
        fixed(start + 1, 3, Prot.R);
        assertThat(as.brk(UserAddr.ofPage(start + 3))).isEqualTo(UserAddr.ofPage(start + 2));
    }

    @Test
    void theHeapMayEndExactlyAtTheTopOfUserSpace() {
        Layout l = new Layout(1, 16, 12, 1, 16, 1, 3, 1, 2, 100);
        AddressSpace empty = AddressSpace.empty(l, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        assertThat(empty.brk(UserAddr.ofPage(16))).isEqualTo(UserAddr.ofPage(16));
        assertThat(empty.brk(UserAddr.of(UserAddr.ofPage(16).value() + 1))).isEqualTo(UserAddr.ofPage(16));
    }

    @Test
    void aHintWhoseRangeWouldLeaveUserSpaceIsNotTaken() {
        AddressSpace empty = AddressSpace.empty(as.layout(), AddressSpace.WxPolicy.ENFORCE, sys.frames());
        assertThat(empty.mmap(UserAddr.ofPage(63), 2 * P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(58));
    }

    @Test
    void demandPagingTwiceIsAnErrorOfTheCaller() {
        fixed(10, 1, Prot.RW);
        as.installZeroPage(10);
        assertThatThrownBy(() -> as.installZeroPage(10)).isInstanceOf(IllegalStateException.class)
                .hasMessage("page 10 is already present");
        assertThatThrownBy(() -> as.installZeroPage(30)).isInstanceOf(IllegalStateException.class).hasMessage("no area at page 30");
    }

    @Test
    void aFaultWithoutFramesForItsPageTablesFailsAndGivesTheDataFrameBack() {
        // Four frames: the root table, then one data frame and only two of the three tables below the root.
        VmSystem small = VmSystem.of(Layout.small(64), 4);
        AddressSpace s = small.space(0);
        s.mmap(UserAddr.ofPage(10), P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        Object before = small.key();
        assertThatThrownBy(() -> s.installZeroPage(10)).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY);
            assertThat(e.errno()).isEqualTo("ENOMEM");
            assertThat(e.getMessage()).startsWith("no frame for a page table: ");
        });
        assertThat(small.frames().allocator().freeFrames()).isEqualTo(3);
        assertThat(small.frames().refs()).isEmpty();
        assertThat(s.translation(10)).isEmpty();
        assertThat(s.areaAt(10).orElseThrow().anonVma()).isZero();
        assertThat(small.key()).isEqualTo(before);
    }

    @Test
    void aStackGrowthWithoutAFrameRestoresTheStack() {
        VmSystem small = VmSystem.of(Layout.small(64), 5);
        AddressSpace s = small.space(0);
        s.installZeroPage(63);
        Vma stack = s.areaAt(63).orElseThrow();
        // Root, three tables and the stack page: no frame is left for page 62.
        assertThatThrownBy(() -> s.growStackAndFault(stack, 62)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY));
        assertThat(s.areaAt(62)).isEmpty();
        assertThat(s.areaAt(63)).contains(stack);
        assertThat(s.translation(62)).isEmpty();
        VmSystem big = VmSystem.of(Layout.small(64), 16);
        AddressSpace b = big.space(0);
        b.growStackAndFault(b.areaAt(63).orElseThrow(), 62);
        assertThat(b.areaAt(62).orElseThrow().start()).isEqualTo(62);
        assertThat(b.translation(62)).isPresent();
    }

    @Test
    void areasAboveAndBelowAPage() {
        fixed(10, 2, Prot.R);
        fixed(20, 2, Prot.RW);
        assertThat(as.areaAbove(10).orElseThrow().start()).as("strictly above").isEqualTo(20);
        assertThat(as.areaAbove(9).orElseThrow().start()).isEqualTo(10);
        assertThat(as.areaBelow(20).orElseThrow().start()).as("ending at or below").isEqualTo(10);
        assertThat(as.areaBelow(21).orElseThrow().start()).isEqualTo(10);
        assertThat(as.areaBelow(22).orElseThrow().start()).isEqualTo(20);
        assertThat(as.areaBelow(11)).isEmpty();
        assertThat(as.areaBelow(5)).isEmpty();
        assertThat(as.areaAbove(63)).isEmpty();
    }

    @Test
    void anExecFlipOutsideAWritableExecutableAreaIsRefused() {
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        assertThatThrownBy(() -> as.execFlip(10)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("exec flip at page 10 outside a W+X area: [10,11)rw-");
        assertThatThrownBy(() -> as.execFlip(30)).isInstanceOf(IllegalStateException.class).hasMessage("no area at page 30");
    }

    @Test
    void probePlacementChoosesWithoutMapping() {
        Object before = sys.key();
        assertThat(as.probePlacement(null, 2 * P, null, 0, MapFlags.PRIVATE_ANON)).contains(UserAddr.ofPage(58));
        assertThat(as.probePlacement(null, 64 * P, null, 0, MapFlags.PRIVATE_ANON)).isEmpty();
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void execMappingsArePlacedAsGivenAndNeverOverAnotherMapping() {
        AddressSpace empty = AddressSpace.empty(as.layout(), AddressSpace.WxPolicy.ENFORCE, sys.frames());
        empty.execMapping(2, 4, Prot.RWX, VmFlags.PRIVATE, null, 99);
        assertThat(empty.areaAt(2).orElseThrow()).as("anonymous: pgoff is the start page, no W^X check")
                .isEqualTo(new Vma(2, 4, Prot.RWX, VmFlags.PRIVATE, null, 2, 0));
        empty.execMapping(4, 5, Prot.R, VmFlags.PRIVATE, "/bin/x", 7);
        assertThat(empty.areaAt(4).orElseThrow().pgoff()).isEqualTo(7);
        assertThat(empty.areas()).hasSize(2);
        assertThatThrownBy(() -> empty.execMapping(3, 6, Prot.R, VmFlags.PRIVATE, null, 0))
                .isInstanceOfSatisfying(VmError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(VmError.Kind.EXISTS);
                    assertThat(e.getMessage()).isEqualTo("exec mapping [3, 6) overlaps");
                });
        empty.execMapping(10, 12, Prot.RW, new VmFlags(true, false, false, false, false), "/shm", 0);
        empty.installZeroPage(10);
        assertThat(sys.frames().cachedFrames()).hasSize(1);
        empty.munmap(UserAddr.ofPage(10), P);
        assertThat(sys.frames().cachedFrames()).as("the shared object counted the exec mapping's two pages").hasSize(1);
        empty.munmap(UserAddr.ofPage(11), P);
        assertThat(sys.frames().cachedFrames()).isEmpty();
    }

    @Test
    void aSpaceRendersItsAreasTranslationsAndHeapEnd() {
        fixed(10, 1, Prot.R);
        fault(as, 10, Access.READ);
        long f = as.translation(10).orElseThrow().frame().number();
        assertThat(as).hasToString("AS{areas=[[10,11)r--p av1, [63,64)rw-pGA], ptes={10=" + f + "r--}, brk=0x2000}");
        assertThat(as.wxPolicy()).isEqualTo(AddressSpace.WxPolicy.ENFORCE);
        assertThat(as.frames()).isSameAs(sys.frames());
        assertThat(sys).hasToString(sys.frames() + "\n  P0: " + as);
    }

    @Test
    void aCopiedSystemIsIndependentAndEqualInValue() {
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        as.store(10, 5);
        VmSystem copy = sys.copy();
        assertThat(copy.key()).isEqualTo(sys.key());
        assertThat(VmInvariants.ALL.violations(copy)).isEmpty();
        copy.space(0).store(10, 6);
        copy.space(0).munmap(UserAddr.ofPage(10), P);
        assertThat(as.load(10)).isEqualTo(5);
        assertThat(copy.key()).isNotEqualTo(sys.key());
        assertThat(as.translation(10)).isPresent();
    }

    @Test
    void everyNarrowedTranslationAndFreedFrameGoesThroughTheMachinesTlbPort() {
        List<String> seen = new java.util.ArrayList<>();
        sys.frames().attach(new TlbPort() {
            @Override
            public void flush(AddressSpace space, org.mmspec.paging.TlbFlush flush) {
                seen.add("flush " + (space == as));
            }

            @Override
            public void freeTable(AddressSpace space, org.mmspec.frames.FrameRange run, org.mmspec.frames.FrameAllocator allocator) {
                seen.add("table " + (space == as));
                allocator.free(run);
            }

            @Override
            public void freeFrame(PhysFrame frame, org.mmspec.frames.FrameAllocator allocator) {
                seen.add("frame");
                allocator.free(frame);
            }

            @Override
            public java.util.Set<Long> withheld() {
                return java.util.Set.of();
            }
        });
        fixed(10, 1, Prot.RW);
        fault(as, 10, Access.WRITE);
        as.mprotect(UserAddr.ofPage(10), P, Prot.R);
        assertThat(seen).as("the downgrade is flushed for this space").containsExactly("flush true");
        as.munmap(UserAddr.ofPage(10), P);
        assertThat(seen).startsWith("flush true", "flush true").contains("frame", "table true");
        assertThat(broken()).isEmpty();
    }

    @Test
    void aForkWithoutFramesForTheChildsTablesFailsAndChangesNothing() {
        // Parent: root, three tables and one data page; the sixth frame is the child's root, none is left for its tables.
        VmSystem small = VmSystem.of(Layout.small(64), 6);
        AddressSpace s = small.space(0);
        s.mmap(UserAddr.ofPage(10), P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        fault(s, 10, Access.WRITE);
        s.store(10, 3);
        Object before = small.key();
        assertThatThrownBy(() -> small.fork(0)).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY);
            assertThat(e.getMessage()).startsWith("fork: no frame for the child's page tables: ");
        });
        assertThat(small.spaces()).hasSize(1);
        assertThat(small.key()).as("stale contents of the frames the child's tables took included").isEqualTo(before);
        assertThat(s.translation(10).orElseThrow().write()).isTrue();
    }

    @Test
    void aSpacesKeyChangesWithItsAreasAlone() {
        Object k = as.key();
        fixed(10, 1, Prot.R);
        assertThat(as.key()).isNotEqualTo(k);
        Object mapped = as.key();
        as.mprotect(UserAddr.ofPage(10), P, Prot.RX);
        assertThat(as.key()).isNotEqualTo(mapped);
    }
}
