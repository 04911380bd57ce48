package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.PageSize;

/**
 * MAP_HUGETLB areas with Linux's semantics: the length rounded up to the huge page size, aligned
 * addresses, no split below the huge page size (EINVAL), faults that map a whole huge page over an
 * aligned run, private copy-on-write after fork of the whole huge page, mremap only shrinking or
 * moving, the TLB flushes each needs, HUGETLB-1 with its negative tests, and ATOMIC-1 for random
 * hugetlb calls.
 */
class AddressSpaceHugetlbTest {
    private static final long P = Vma.PAGE_SIZE;
    private static final long H = AddressSpace.PMD_PAGES;
    private static final MapFlags HUGE_2M = MapFlags.PRIVATE_ANON.withHugetlb(PageSize.MIB_2);
    private static final MapFlags HUGE_2M_FIXED = MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2);
    private VmSystem sys;
    private AddressSpace as;
    private final RecordingTlbPort port = new RecordingTlbPort();
    private final List<String> flushes = port.flushes;

    @BeforeEach
    void fresh() {
        fresh(VmSystem.Bug.NONE);
    }

    private void fresh(VmSystem.Bug bug) {
        sys = new VmSystem(Layout.small(4 * H), AddressSpace.WxPolicy.ENFORCE, 2200, bug);
        as = sys.space(0);
        flushes.clear();
        sys.frames().attach(port);
    }

    private List<String> broken() {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    private boolean leafAt(AddressSpace s, long first, PageSize size) {
        return s.mapper().mappings().values().stream()
                .anyMatch(m -> m.page().size() == size && m.page().start().value() == first * P);
    }

    private void write(AddressSpace s, long q, long word) {
        PageFaultHandler.access(s, FaultAddr.ofPage(q), Access.WRITE);
        s.store(q, word);
    }

    private long read(AddressSpace s, long q) {
        PageFaultHandler.access(s, FaultAddr.ofPage(q), Access.READ);
        return s.load(q);
    }

    private static void assertKind(Runnable call, VmError.Kind kind, String errno) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(kind);
            assertThat(e.errno()).isEqualTo(errno);
        });
    }

    @Test
    void theLengthRoundsUpToTheHugePageSizeAndPlacementIsAligned() {
        UserAddr hinted = as.mmap(UserAddr.ofPage(H + 5), P, Prot.R, HUGE_2M, null, 0);
        assertThat(hinted.page()).as("a hint is rounded up to the huge page size").isEqualTo(2 * H);
        UserAddr a = as.mmap(null, 3 * P, Prot.RW, HUGE_2M, null, 0);
        assertThat(a.page()).as("top-down below the mmap base, aligned to 2 MiB").isEqualTo(H);
        Vma v = as.areaAt(a.page()).orElseThrow();
        assertThat(v.pages()).isEqualTo(H);
        assertThat(v.flags().hugetlb()).isEqualTo(PageSize.MIB_2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void hugetlbAreasNeverMerge() {
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        as.mmap(UserAddr.ofPage(2 * H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        assertThat(as.areaAt(H).orElseThrow().end()).isEqualTo(2 * H);
        assertThat(broken()).isEmpty();
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        as.mmap(UserAddr.ofPage(H), 2 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, H, 5);
        Object before = sys.key();
        assertKind(() -> as.mmap(UserAddr.ofPage(H + 1), P, Prot.RW, HUGE_2M_FIXED, null, 0), VmError.Kind.MISALIGNED, "EINVAL");
        assertKind(() -> as.mmap(null, P, Prot.RW, new MapFlags(false, false, false, false, false, PageSize.MIB_2), "/lib/x.so", 0),
                VmError.Kind.BAD_FLAGS, "EINVAL");
        assertKind(() -> as.mmap(null, P, Prot.RW, new MapFlags(true, true, false, false, false, PageSize.MIB_2), null, 0),
                VmError.Kind.BAD_FLAGS, "EINVAL");
        assertKind(() -> as.mmap(null, P, Prot.RW, MapFlags.PRIVATE_ANON.withHugetlb(PageSize.MIB_32), null, 0),
                VmError.Kind.BAD_FLAGS, "EINVAL");
        assertKind(() -> as.munmap(UserAddr.ofPage(H), P), VmError.Kind.MISALIGNED, "EINVAL");
        assertKind(() -> as.munmap(UserAddr.ofPage(H + 64), H * P), VmError.Kind.MISALIGNED, "EINVAL");
        assertKind(() -> as.mprotect(UserAddr.ofPage(H), 3 * P, Prot.R), VmError.Kind.MISALIGNED, "EINVAL");
        assertKind(() -> as.mmap(UserAddr.ofPage(H + 8), P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0),
                VmError.Kind.MISALIGNED, "EINVAL");
        RemapFlags fixed = new RemapFlags(true, true, false, false);
        assertKind(() -> as.mremap(UserAddr.ofPage(H), H * P, 3 * H * P, RemapFlags.MAYMOVE, null),
                VmError.Kind.HUGETLB_RESIZE, "EINVAL");
        assertKind(() -> as.mremap(UserAddr.ofPage(H), H * P, H * P, new RemapFlags(true, false, true, false), null),
                VmError.Kind.HUGETLB_RESIZE, "EINVAL");
        assertKind(() -> as.mremap(UserAddr.ofPage(H), H * P, H * P, fixed, UserAddr.ofPage(3 * H + 1)),
                VmError.Kind.MISALIGNED, "EINVAL");
        assertKind(() -> as.mremap(UserAddr.ofPage(H + 2), P, P, RemapFlags.NONE, null), VmError.Kind.MISALIGNED, "EINVAL");
        assertThat(sys.key()).isEqualTo(before);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aFaultMapsTheWholeHugePageFromAnAlignedZeroedRunWithOneLeaf() {
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        long freeBefore = sys.frames().allocator().freeFrames();
        write(as, H + 7, 42);
        assertThat(leafAt(as, H, PageSize.MIB_2)).isTrue();
        assertThat(as.translations().subMap(H, 2 * H)).hasSize((int) H);
        assertThat(as.translation(H).orElseThrow().frame().number() % H).as("an order-9 run").isZero();
        assertThat(read(as, H + 7)).isEqualTo(42);
        assertThat(read(as, H + 8)).as("zeroed").isZero();
        assertThat(freeBefore - sys.frames().allocator().freeFrames()).as("512 frames and one PD at most")
                .isBetween(H, H + 2);
        assertThat(broken()).isEmpty();
    }

    @Test
    void wholeHugePagesUnmapAndReprotectAsOneLeafEach() {
        as.mmap(UserAddr.ofPage(H), 2 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, H, 1);
        write(as, 2 * H, 2);
        flushes.clear();
        as.mprotect(UserAddr.ofPage(2 * H), H * P, Prot.R);
        assertThat(flushes).as("one flush of the 2 MiB leaf").containsExactly("PROTECT " + 2 * H + " " + H * P);
        assertThat(as.translation(2 * H + 3).orElseThrow().write()).isFalse();
        assertThat(as.translation(H + 3).orElseThrow().write()).isTrue();
        assertThat(as.areaAt(2 * H).orElseThrow().start()).as("split at the 2 MiB boundary").isEqualTo(2 * H);
        long freeBefore = sys.frames().allocator().freeFrames();
        flushes.clear();
        as.munmap(UserAddr.ofPage(H), H * P);
        assertThat(flushes).contains("UNMAP " + H + " " + H * P);
        assertThat(sys.frames().allocator().freeFrames() - freeBefore).as("the run back").isGreaterThanOrEqualTo(H);
        assertThat(as.translations().subMap(H, 2 * H)).isEmpty();
        assertThat(broken()).isEmpty();
    }

    @Test
    void forkSharesHugetlbPagesCopyOnWriteAndTheWriterCopiesTheWholeHugePage() {
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, H + 1, 11);
        write(as, H + 2, 22);
        int c = sys.fork(0);
        AddressSpace child = sys.space(c);
        assertThat(leafAt(child, H, PageSize.MIB_2)).as("the child maps the same huge page").isTrue();
        assertThat(as.translation(H).orElseThrow().write()).isFalse();
        assertThat(broken()).isEmpty();
        write(child, H + 1, 99);
        assertThat(child.translation(H).orElseThrow().frame()).isNotEqualTo(as.translation(H).orElseThrow().frame());
        assertThat(leafAt(child, H, PageSize.MIB_2)).as("still one leaf after the copy").isTrue();
        assertThat(read(child, H + 2)).as("the copy holds every page").isEqualTo(22);
        assertThat(read(as, H + 1)).isEqualTo(11);
        assertThat(broken()).isEmpty();
        flushes.clear();
        write(as, H + 1, 12);
        assertThat(as.translation(H + 5).orElseThrow().write()).as("the last reference regains write whole").isTrue();
        assertThat(flushes).as("one update of the 2 MiB leaf").containsExactly("PROTECT " + H + " " + H * P);
        assertThat(broken()).isEmpty();
        sys.exit(c);
        assertThat(broken()).isEmpty();
    }

    @Test
    void mremapShrinksInPlaceAndMovesWholeLeavesToAnAlignedTarget() {
        as.mmap(UserAddr.ofPage(H), 2 * H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, H + 3, 33);
        write(as, 2 * H + 4, 44);
        as.mremap(UserAddr.ofPage(H), 2 * H * P, P, RemapFlags.NONE, null);
        assertThat(as.areaAt(H).orElseThrow().end()).as("new length rounded up to one huge page").isEqualTo(2 * H);
        assertThat(as.areaAt(2 * H)).isEmpty();
        UserAddr to = as.mremap(UserAddr.ofPage(H), H * P, H * P, new RemapFlags(true, true, false, false),
                UserAddr.ofPage(2 * H));
        assertThat(to.page()).isEqualTo(2 * H);
        assertThat(leafAt(as, 2 * H, PageSize.MIB_2)).isTrue();
        assertThat(read(as, 2 * H + 3)).isEqualTo(33);
        assertThat(as.areaAt(H)).isEmpty();
        assertThat(broken()).isEmpty();
    }

    @Test
    void onePageGigabytePagesOnX86_64() {
        long g = PageSize.GIB_1.frames();
        sys = new VmSystem(Layout.small(3 * g), AddressSpace.WxPolicy.ENFORCE, 2 * g, VmSystem.Bug.NONE);
        as = sys.space(0);
        MapFlags gig = MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.GIB_1);
        assertKind(() -> as.mmap(UserAddr.ofPage(H), P, Prot.RW, gig, null, 0), VmError.Kind.MISALIGNED, "EINVAL");
        as.mmap(UserAddr.ofPage(g), P, Prot.RW, gig, null, 0);
        assertThat(as.areaAt(g).orElseThrow().pages()).isEqualTo(g);
        write(as, g + 12345, 7);
        assertThat(leafAt(as, g, PageSize.GIB_1)).isTrue();
        assertThat(as.translation(g).orElseThrow().frame().number() % g).as("an order-18 run").isZero();
        assertThat(VmInvariants.HUGETLB_1.evaluate(sys)).isEmpty();
        assertThat(VmInvariants.COW_1.evaluate(sys)).isEmpty();
        assertKind(() -> as.munmap(UserAddr.ofPage(g + H), H * P), VmError.Kind.MISALIGNED, "EINVAL");
        as.munmap(UserAddr.ofPage(g), g * P);
        assertThat(as.translations()).isEmpty();
        assertThat(VmInvariants.XLAYER_2.evaluate(sys)).isEmpty();
    }

    @Test
    void aSizeTheFormatHasNoLeafForIsRefused() {
        VmSystem sv48 = new VmSystem(Layout.small(4 * H), AddressSpace.WxPolicy.ENFORCE, 1100, VmSystem.Bug.NONE,
                org.mmspec.paging.riscv.RiscvPte.SV48);
        assertKind(() -> sv48.space(0).mmap(null, P, Prot.RW, MapFlags.PRIVATE_ANON.withHugetlb(PageSize.GIB_512), null, 0),
                VmError.Kind.BAD_FLAGS, "EINVAL");
        sv48.space(0).mmap(UserAddr.ofPage(H), P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(sv48.space(0), H + 1, 3);
        assertThat(leafAt(sv48.space(0), H, PageSize.MIB_2)).as("a megapage").isTrue();
        assertThat(VmInvariants.ALL.violations(sv48)).isEmpty();
    }

    @Test
    void HUGETLB_1_catchesAnAreaNotAlignedToItsPageSize() {
        as.corruptPutArea(new Vma(H + 1, 2 * H, Prot.RW, new VmFlags(false, false, true, false, false, PageSize.MIB_2), null,
                H + 1, 0));
        assertThat(broken()).containsExactly("HUGETLB-1");
    }

    @Test
    void HUGETLB_1_catchesASmallLeafInAHugetlbArea() {
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        PhysFrame f = sys.frames().allocateFrame();
        as.corruptPutPteEverywhere(H + 4, Pte.of(f, Prot.RW, true));
        assertThat(broken()).contains("HUGETLB-1");
    }

    @Test
    void HUGETLB_1_catchesTheSeededFaultThatMapsOneSmallPage() {
        fresh(VmSystem.Bug.HUGETLB_FAULT_SMALL);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, H + 4, 9);
        assertThat(read(as, H + 4)).isEqualTo(9);
        assertThat(broken()).as("only the huge-page shape is wrong").containsExactly("HUGETLB-1");
    }

    /** ATOMIC-1 for hugetlb calls: random spaces with hugetlb and ordinary areas; every rejection changes nothing. */
    @Test
    void failedHugetlbCallsChangeNothingOnRandomSpaces() {
        Random r = new Random(17);
        int rejected = 0;
        for (int run = 0; run < 120; run++) {
            fresh();
            for (int i = 0; i < 3; i++) {
                try {
                    long at = (1 + r.nextInt(2)) * H + (r.nextInt(4) == 0 ? 64 * r.nextInt(8) : 0);
                    boolean huge = r.nextBoolean();
                    as.mmap(UserAddr.ofPage(at), (1 + r.nextInt(600)) * P, r.nextBoolean() ? Prot.RW : Prot.R,
                            huge ? HUGE_2M_FIXED : MapFlags.PRIVATE_ANON_FIXED, null, 0);
                    long q = at + r.nextInt(64);
                    if (as.areaAt(q).isPresent()) {
                        PageFaultHandler.access(as, FaultAddr.ofPage(q), Access.READ);
                    }
                } catch (VmError e) {
                    // a layout the draw could not make; the next draw goes on
                }
            }
            if (r.nextInt(3) == 0) {
                sys.fork(0);
            }
            Object before = sys.key();
            long from = H + 64 * r.nextInt(17);
            long len = 64 * (1 + r.nextInt(12));
            try {
                switch (r.nextInt(5)) {
                    case 0 -> as.munmap(UserAddr.ofPage(from), len * P);
                    case 1 -> as.mprotect(UserAddr.ofPage(from), len * P, r.nextBoolean() ? Prot.R : Prot.NONE);
                    case 2 -> as.mremap(UserAddr.ofPage(from), len * P, 64 * (1 + r.nextInt(12)) * P,
                            RemapFlags.ofBits(r.nextInt(8)), UserAddr.ofPage(H + 64 * r.nextInt(17)));
                    case 3 -> as.mmap(UserAddr.ofPage(from), len * P, Prot.RW, r.nextBoolean() ? HUGE_2M_FIXED
                            : MapFlags.PRIVATE_ANON_FIXED, null, 0);
                    default -> PageFaultHandler.access(as, FaultAddr.ofPage(from + r.nextInt(64)), Access.WRITE);
                }
            } catch (VmError e) {
                rejected++;
                assertThat(sys.key()).as("run %d: %s", run, e.getMessage()).isEqualTo(before);
            } catch (org.mmspec.fault.SegmentationFault e) {
                assertThat(sys.key()).as("run %d: %s", run, e.getMessage()).isEqualTo(before);
            }
            assertThat(broken()).as("run %d", run).isEmpty();
        }
        assertThat(rejected).as("the draw rejects often enough to mean something").isGreaterThan(30);
    }
}
