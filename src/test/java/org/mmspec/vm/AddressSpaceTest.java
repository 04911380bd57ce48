package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;

/** Linux's split/merge semantics, case by case, on a 64-page layout. */
class AddressSpaceTest {
    private static final long P = Vma.PAGE_SIZE;
    private VmSystem sys;
    private AddressSpace as;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(64), 16);
        as = sys.space(0);
    }

    private UserAddr fixed(long page, long pages, Prot prot) {
        return as.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private List<String> areas(long from, long to) {
        return as.areas().subMap(from, to).values().stream().map(v -> v.start() + "-" + v.end() + " " + v.prot()).toList();
    }

    private void fault(long page, Access a) {
        PageFaultHandler.access(as, FaultAddr.ofPage(page), a);
    }

    @Test
    void mprotectInsideAnAreaSplitsItInThreeAndTheReverseMergesIt() {
        fixed(10, 16, Prot.RW);
        as.mprotect(UserAddr.ofPage(14), 4 * P, Prot.R);
        assertThat(areas(0, 40)).containsExactly("10-14 rw-", "14-18 r--", "18-26 rw-");
        as.mprotect(UserAddr.ofPage(14), 4 * P, Prot.RW);
        assertThat(areas(0, 40)).containsExactly("10-26 rw-");
    }

    @Test
    void mprotectOverSeveralAreasChangesAllAndMergesThem() {
        fixed(10, 2, Prot.R);
        fixed(12, 2, Prot.RX);
        fixed(14, 2, Prot.NONE);
        assertThat(areas(0, 40)).hasSize(3);
        as.mprotect(UserAddr.ofPage(11), 4 * P, Prot.R);
        assertThat(areas(0, 40)).containsExactly("10-15 r--", "15-16 ---");
    }

    @Test
    void mprotectOverAHoleIsRejectedWithEnomemAndChangesNothing() {
        fixed(10, 2, Prot.RW);
        fixed(13, 2, Prot.RW);
        Object before = sys.key();
        assertThatThrownBy(() -> as.mprotect(UserAddr.ofPage(10), 5 * P, Prot.R))
                .isInstanceOfSatisfying(VmError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_MAPPED);
                    assertThat(e.errno()).isEqualTo("ENOMEM");
                });
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void munmapPartlyOutsideAMappingUnmapsTheOverlapAndSucceeds() {
        fixed(10, 4, Prot.RW);
        as.munmap(UserAddr.ofPage(12), 8 * P);
        assertThat(areas(0, 40)).containsExactly("10-12 rw-");
        as.munmap(UserAddr.ofPage(30), 2 * P);
        assertThat(areas(0, 40)).containsExactly("10-12 rw-");
    }

    @Test
    void munmapAcrossAreasSplitsWithoutMerging() {
        fixed(10, 4, Prot.R);
        fixed(14, 4, Prot.RW);
        as.munmap(UserAddr.ofPage(12), 4 * P);
        assertThat(areas(0, 40)).containsExactly("10-12 r--", "16-18 rw-");
    }

    @Test
    void mapFixedReplacesTheMiddleAndMergesWithMatchingNeighbours() {
        fixed(10, 8, Prot.RW);
        as.mprotect(UserAddr.ofPage(12), 2 * P, Prot.R);
        fixed(12, 2, Prot.RW);
        assertThat(areas(0, 40)).containsExactly("10-18 rw-");
        fixed(13, 2, Prot.RX);
        assertThat(areas(0, 40)).containsExactly("10-13 rw-", "13-15 r-x", "15-18 rw-");
    }

    @Test
    void mmapTakesAFreeHintAndOtherwiseTheHighestGapBelowTheMmapBase() {
        long base = as.layout().mmapBase();
        assertThat(as.mmap(UserAddr.ofPage(20), 2 * P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(20));
        assertThat(as.mmap(UserAddr.ofPage(20), 2 * P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(base - 2));
        assertThat(as.mmapAnonymous(3 * P, Prot.R)).isEqualTo(UserAddr.ofPage(base - 5));
        assertThat(areas(base - 8, base)).as("adjacent compatible anonymous mappings merge").containsExactly(
                (base - 5) + "-" + base + " r--");
    }

    @Test
    void topDownSearchKeepsTheStackGuardGapFree() {
        Layout l = as.layout();
        long stackStart = l.stackTop() - l.stackInitialPages();
        as.munmap(UserAddr.ofPage(l.minPage()), (stackStart - l.minPage()) * P);
        fixed(l.minPage(), stackStart - l.guardGapPages() - 1 - l.minPage(), Prot.R);
        // One page is free just below the guard gap; the guard gap itself must stay free.
        UserAddr got = as.mmapAnonymous(P, Prot.R);
        assertThat(got.page()).isEqualTo(stackStart - l.guardGapPages() - 1);
        assertThatThrownBy(() -> as.mmapAnonymous(P, Prot.R)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NO_SPACE));
    }

    @Test
    void writeExecuteRequestsAreRejectedAndChangeNothing() {
        fixed(10, 2, Prot.RW);
        Object before = sys.key();
        assertThatThrownBy(() -> as.mmapAnonymous(P, Prot.RWX)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.WX_VIOLATION));
        assertThatThrownBy(() -> as.mprotect(UserAddr.ofPage(10), P, new Prot(false, true, true)))
                .isInstanceOfSatisfying(VmError.class, e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.WX_VIOLATION));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void badArgumentsGetLinuxErrnos() {
        assertThatThrownBy(() -> as.mmapAnonymous(0, Prot.R)).hasFieldOrPropertyWithValue("errno", "EINVAL");
        assertThatThrownBy(() -> as.mmap(UserAddr.of(10 * P + 1), P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0))
                .hasFieldOrPropertyWithValue("errno", "EINVAL");
        assertThatThrownBy(() -> as.munmap(UserAddr.ofPage(10), 0)).hasFieldOrPropertyWithValue("errno", "EINVAL");
        assertThatThrownBy(() -> fixed(0, 1, Prot.R)).hasFieldOrPropertyWithValue("errno", "EPERM");
        assertThatThrownBy(() -> fixed(63, 2, Prot.R)).hasFieldOrPropertyWithValue("errno", "ENOMEM");
        as.mprotect(UserAddr.ofPage(10), 0, Prot.R); // length 0 is a successful no-op, as on Linux
    }

    @Test
    void accountingFlagKeepsOnceWritableMemoryApartFromNeverWritableMemory() {
        fixed(10, 2, Prot.R);
        fixed(12, 2, Prot.RW);
        as.mprotect(UserAddr.ofPage(12), 2 * P, Prot.R);
        // Linux keeps VM_ACCOUNT after write is dropped, so the two r-- areas differ in vm_flags.
        assertThat(areas(0, 40)).containsExactly("10-12 r--", "12-14 r--");
    }

    @Test
    void separatelyFaultedAreasDoNotMergeButUnfaultedOnesDo() {
        fixed(10, 2, Prot.R);
        fixed(12, 2, Prot.RX);
        fault(10, Access.READ);
        fault(12, Access.READ);
        as.mprotect(UserAddr.ofPage(12), 2 * P, Prot.R);
        assertThat(areas(0, 40)).as("distinct anon_vmas").containsExactly("10-12 r--", "12-14 r--");
        fixed(20, 2, Prot.R);
        fixed(22, 2, Prot.RX);
        fault(20, Access.READ);
        as.mprotect(UserAddr.ofPage(22), 2 * P, Prot.R);
        assertThat(areas(20, 40)).containsExactly("20-24 r--");
    }

    @Test
    void brkGrowsShrinksAndRefusesWhatLinuxRefuses() {
        Layout l = as.layout();
        UserAddr start = UserAddr.ofPage(l.startBrkPage());
        assertThat(as.brk(null)).isEqualTo(start);
        assertThat(as.brk(UserAddr.of(start.value() + 2 * P + 8))).isEqualTo(UserAddr.of(start.value() + 2 * P + 8));
        assertThat(areas(0, 10)).containsExactly(l.startBrkPage() + "-" + (l.startBrkPage() + 3) + " rw-");
        assertThat(as.brk(UserAddr.of(start.value() - P))).as("below start_brk").isEqualTo(UserAddr.of(start.value() + 2 * P + 8));
        assertThat(as.brk(UserAddr.ofPage(l.startBrkPage() + 1))).isEqualTo(UserAddr.ofPage(l.startBrkPage() + 1));
        assertThat(areas(0, 10)).containsExactly(l.startBrkPage() + "-" + (l.startBrkPage() + 1) + " rw-");
        fixed(l.startBrkPage() + 2, 1, Prot.R);
        assertThat(as.brk(UserAddr.ofPage(l.startBrkPage() + 2))).as("needs a free page below the next mapping")
                .isEqualTo(UserAddr.ofPage(l.startBrkPage() + 1));
    }

    @Test
    void zeroingNoMappingEverShowsAPreviousOwnersData() {
        fixed(10, 1, Prot.RW);
        fault(10, Access.WRITE);
        as.store(10, 0x5ec12e7L);
        long frame = as.translation(10).orElseThrow().frame().number();
        as.munmap(UserAddr.ofPage(10), P);
        fixed(20, 1, Prot.R);
        fault(20, Access.READ);
        assertThat(as.translation(20).orElseThrow().frame().number()).as("the same frame is reused").isEqualTo(frame);
        assertThat(as.load(20)).isZero();
    }

    @Test
    void withoutZeroingTheSecretLeaks() {
        VmSystem bad = new VmSystem(Layout.small(64), AddressSpace.WxPolicy.ENFORCE, 16, VmSystem.Bug.SKIP_ZEROING);
        AddressSpace b = bad.space(0);
        b.mmap(UserAddr.ofPage(10), P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(b, FaultAddr.ofPage(10), Access.WRITE);
        b.store(10, 0x5ec12e7L);
        b.munmap(UserAddr.ofPage(10), P);
        b.mmap(UserAddr.ofPage(20), P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(b, FaultAddr.ofPage(20), Access.READ);
        assertThat(b.load(20)).isEqualTo(0x5ec12e7L);
        assertThat(VmInvariants.SEC_1.evaluate(bad)).isPresent();
    }

    @Test
    void forkSharesFramesCopyOnWriteAndExitReturnsThemAll() {
        fixed(10, 2, Prot.RW);
        fault(10, Access.WRITE);
        as.store(10, 1);
        long freeBefore = sys.frames().allocator().freeFrames();
        int child = sys.fork(0);
        assertThat(sys.frames().refCount(as.translation(10).orElseThrow().frame())).isEqualTo(2);
        assertThat(as.translation(10).orElseThrow().write()).isFalse();
        PageFaultHandler.access(sys.space(child), FaultAddr.ofPage(10), Access.WRITE);
        sys.space(child).store(10, 2);
        assertThat(as.load(10)).isEqualTo(1);
        assertThat(sys.space(child).load(10)).isEqualTo(2);
        sys.exit(child);
        assertThat(sys.frames().allocator().freeFrames()).isEqualTo(freeBefore);
        sys.exit(0 + 0 * child);
        assertThat(sys.spaces()).isEmpty();
        assertThat(sys.frames().allocator().freeFrames()).isEqualTo(16);
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
    }

    @Test
    void sharedAnonymousMemoryStaysSharedAcrossForkAndNeverMerges() {
        MapFlags shared = new MapFlags(true, true, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, shared, null, 0);
        as.mmap(UserAddr.ofPage(12), 2 * P, Prot.RW, shared, null, 0);
        assertThat(areas(0, 40)).as("each shared anonymous mapping is its own shmem object").hasSize(2);
        fault(10, Access.WRITE);
        as.store(10, 7);
        int child = sys.fork(0);
        AddressSpace c = sys.space(child);
        assertThat(c.translation(10).orElseThrow().write()).as("shared pages stay writable after fork").isTrue();
        c.store(10, 8);
        assertThat(as.load(10)).as("the parent sees the child's store").isEqualTo(8);
        // A page first touched after the fork is found in the page cache by the second process.
        PageFaultHandler.access(c, FaultAddr.ofPage(11), Access.WRITE);
        c.store(11, 9);
        fault(11, Access.READ);
        assertThat(as.load(11)).isEqualTo(9);
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
        sys.exit(child);
        as.munmap(UserAddr.ofPage(10), 4 * P);
        assertThat(sys.frames().cachedFrames()).as("the object died with its last mapping").isEmpty();
        assertThat(VmInvariants.ALL.violations(sys)).isEmpty();
    }

    @Test
    void fileMappingsMergeOnlyAtContiguousOffsetsOfTheSameFile() {
        MapFlags priv = new MapFlags(false, false, true, false, false);
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.R, priv, "/lib/a.so", 0);
        as.mmap(UserAddr.ofPage(12), 2 * P, Prot.R, priv, "/lib/a.so", 2 * P);
        assertThat(areas(0, 40)).containsExactly("10-14 r--");
        as.mmap(UserAddr.ofPage(14), 2 * P, Prot.R, priv, "/lib/a.so", 8 * P);
        as.mmap(UserAddr.ofPage(16), 2 * P, Prot.R, priv, "/lib/b.so", 10 * P);
        assertThat(areas(0, 40)).containsExactly("10-14 r--", "14-16 r--", "16-18 r--");
    }

    @Test
    void largeMappingsAreHugePageAlignedAsInLinux6() {
        AddressSpace big = new AddressSpace(Layout.linuxX86_64(), AddressSpace.WxPolicy.ENFORCE, sys.frames());
        long pmd = AddressSpace.PMD_PAGES;
        UserAddr small = big.mmapAnonymous(3 * P, Prot.RW);
        assertThat(small.page() + 3).as("small mappings go right below the mmap base").isEqualTo(Layout.linuxX86_64().mmapBase());
        UserAddr huge = big.mmapAnonymous(2 * pmd * P, Prot.RW);
        assertThat(huge.page() % pmd).as("a multiple of 2 MiB, no hint: 2 MiB-aligned").isZero();
        UserAddr odd = big.mmapAnonymous((pmd + 1) * P, Prot.RW);
        assertThat(odd.page() + pmd + 1).as("not a multiple of 2 MiB: plain top-down").isEqualTo(huge.page());
        UserAddr file = big.mmap(null, 3 * pmd * P, Prot.R, new MapFlags(false, false, false, false, false), "/lib/big.so",
                pmd * P + 5 * P);
        assertThat(Math.floorMod(file.page() - (pmd + 5), pmd)).as("file pages congruent to their offset mod 2 MiB").isZero();
    }

    @Test
    void aslrIsSeededReproducibleAndWithinTheStatedEntropy() {
        Layout base = Layout.linuxX86_64();
        Layout a = Aslr.randomize(base, 1);
        assertThat(Aslr.randomize(base, 1)).isEqualTo(a);
        Layout b = Aslr.randomize(base, 2);
        assertThat(b.mmapBase()).isNotEqualTo(a.mmapBase());
        assertThat(b.stackTop()).isNotEqualTo(a.stackTop());
        assertThat(b.startBrkPage()).isNotEqualTo(a.startBrkPage());
        for (long seed = 0; seed < 200; seed++) {
            Layout r = Aslr.randomize(base, seed);
            assertThat(base.stackTop() - r.stackTop()).isBetween(0L, (1L << Aslr.STACK_BITS) - 1);
            assertThat(r.startBrkPage() - base.startBrkPage()).isBetween(0L, (1L << Aslr.HEAP_BITS) - 1);
            long gap = base.stackLimitPages() + base.guardGapPages() + (1L << Aslr.STACK_BITS);
            assertThat(base.topPage() - gap - r.mmapBase()).isBetween(0L, (1L << Aslr.MMAP_BITS) - 1);
            assertThat(r.mmapBase()).isLessThan(r.stackFloor());
        }
        AddressSpace x = new AddressSpace(a, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        AddressSpace y = new AddressSpace(b, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        assertThat(x.mmapAnonymous(P, Prot.R)).isNotEqualTo(y.mmapAnonymous(P, Prot.R));
    }
}
