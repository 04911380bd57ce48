package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;

/**
 * Hybrids and hybrid models with one half absent (copies, free queries, free counts), the hybrid
 * model's routing at its exact bounds, the reference allocator's copy, the defaults every
 * allocator inherits, boot maps of interleaved nodes and ones starting at 1 MiB, a memory entry
 * starting at the physical limit, and the frame invariants built afresh by their factories.
 */
class AbsentHalvesAndModelEdgesTest {

    @Test
    void aHybridWithOneHalfCopiesAndAnswersFreeQueriesOutsideItsMemory() {
        HybridAllocator noBuddy = new HybridAllocator(FrameRange.of(4, 16), List.of(), 4, PhysFrame.of(20), 3);
        HybridAllocator noBitmap = new HybridAllocator(FrameRange.of(4, 16), List.of(), 4, PhysFrame.of(4), 3);
        for (HybridAllocator h : List.of(noBuddy, noBitmap)) {
            HybridAllocator copy = h.copy();
            copy.allocate(1);
            assertThat(copy.freeFrames()).isEqualTo(15);
            assertThat(h.freeFrames()).isEqualTo(16);
            assertThat(h.isFree(PhysFrame.of(3))).isFalse();
            assertThat(h.isFree(PhysFrame.of(20))).isFalse();
            assertThat(h.isFree(PhysFrame.of(4))).isTrue();
        }
    }

    @Test
    void theHybridModelRoutesAtItsExactBounds() {
        // threshold 4, bitmap [0, 8), buddy [8, 16) with orders 0..3
        HybridModel m = new HybridModel(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        assertThat(m.expect(3, 1).half()).contains(HybridAllocator.Half.BITMAP);
        assertThat(m.expect(4, 1).half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(m.expect(8, 1).half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(m.expect(9, 1).served()).isFalse();
        assertThat(m.expect(4, 8)).isEqualTo(new HybridModel.Expectation(Optional.of(HybridAllocator.Half.BUDDY), Optional.empty(), 8));
        assertThat(m.expect(4, 16).served()).isFalse();
        // the bitmap takes a request of exactly its size below the threshold
        HybridModel wide = new HybridModel(FrameRange.of(0, 16), List.of(), 16, PhysFrame.of(8), 3);
        assertThat(wide.expect(8, 1).exactRun()).contains(FrameRange.of(0, 8));
        // the buddy takes a request of exactly its size
        HybridModel small = new HybridModel(FrameRange.of(0, 8), List.of(), 1, PhysFrame.of(0), 4);
        assertThat(small.expect(8, 1).half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(small.expect(9, 1).served()).isFalse();
    }

    @Test
    void aHybridModelWithOneHalfCopiesAndCountsItsFreeFrames() {
        HybridModel firstFit = HybridModel.firstFit(FrameRange.of(0, 8), List.of(FrameRange.of(6, 2)));
        assertThat(firstFit.freeFrames()).isEqualTo(6);
        HybridModel copy = firstFit.copy();
        copy.accept(copy.expect(2, 1), 2, FrameRange.of(0, 2));
        assertThat(copy.freeFrames()).isEqualTo(4);
        assertThat(firstFit.freeFrames()).isEqualTo(6);
        HybridModel noBitmap = new HybridModel(FrameRange.of(0, 8), List.of(), 4, PhysFrame.of(0), 3);
        assertThat(noBitmap.freeFrames()).isEqualTo(8);
        assertThat(noBitmap.copy().freeFrames()).isEqualTo(8);
        // a reserved range that ends exactly at the split belongs to the bitmap half only
        HybridModel touching = new HybridModel(FrameRange.of(0, 16), List.of(FrameRange.of(6, 2)), 4, PhysFrame.of(8), 3);
        assertThat(touching.freeFrames()).isEqualTo(14);
        assertThat(touching.isFree(PhysFrame.of(8))).isTrue();
    }

    @Test
    void aReferenceCopyKeepsTheLiveAllocations() {
        ReferenceFrameAllocator r = new ReferenceFrameAllocator(FrameRange.of(0, 8));
        r.allocate(3);
        ReferenceFrameAllocator copy = r.copy();
        assertThat(copy.live()).containsEntry(0L, 3L);
        copy.free(FrameRange.of(0, 3));
        assertThat(r.live()).containsEntry(0L, 3L);
        assertThat(r.isFree(6, 2)).isTrue();
        assertThat(r.isFree(6, 3)).isFalse();
    }

    @Test
    void theDefaultMethodsCheckTheRequestAndFreeOneFrameAsARun() {
        List<FrameRange> freed = new ArrayList<>();
        FrameAllocator a = new FrameAllocator() {
            @Override
            public FrameRange allocate(long count) {
                return FrameRange.of(0, 1);
            }

            @Override
            public void free(FrameRange run) {
                freed.add(run);
            }

            @Override
            public long freeFrames() {
                return 0;
            }

            @Override
            public long managedFrames() {
                return 1;
            }
        };
        assertThatThrownBy(() -> a.allocate(0, 1)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.ZERO_SIZE));
        a.free(PhysFrame.of(5));
        assertThat(freed).containsExactly(FrameRange.of(5, 1));
    }

    @Test
    void aMemoryEntryStartingAtThePhysicalLimitIsABadRegion() {
        assertThatThrownBy(() -> MemoryRegion.of(PhysAddr.LIMIT, 4096, MemoryRegion.Kind.USABLE)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION));
    }

    @Test
    void anotherNodesRamInsideANodesSpanIsReservedAndNamedByItsNode() {
        long mib = 1L << 20;
        BootMemoryMap map = BootMemoryMap.of(MemoryRegion.of(4 * mib, 6 * mib, MemoryRegion.Kind.USABLE, 1),
                MemoryRegion.of(6 * mib, 8 * mib, MemoryRegion.Kind.USABLE, 0),
                MemoryRegion.of(8 * mib, 10 * mib, MemoryRegion.Kind.USABLE, 1));
        assertThat(map.reservedRegions(1)).containsExactly(ReservedRegion.ofBytes(PhysAddr.of(6 * mib), PhysAddr.of(8 * mib), "usable RAM of node 0"));
        assertThat(map.reservedRegions()).isEmpty();
        assertThat(map.managedRange()).isEqualTo(FrameRange.ofBytes(PhysAddr.of(4 * mib), PhysAddr.of(10 * mib)));
        BootMemoryMap fromOneMib = BootMemoryMap.of(MemoryRegion.of(mib, 2 * mib, MemoryRegion.Kind.USABLE));
        assertThat(fromOneMib.reservedRegions()).isEmpty();
        assertThat(fromOneMib.usableFrames(BootMemoryMap.ALL_NODES)).isEqualTo(256);
    }

    /** A FrameAccounting whose parts are given directly. */
    private record Fake(FrameRange managed, List<ReservedRegion> reserved, List<FrameRange> freeRuns, List<FrameRange> liveRuns,
            long freeFrames) implements FrameAccounting {
    }

    private static Optional<String> detail(org.mmspec.check.Invariant<FrameAccounting> inv, FrameAccounting a) {
        return inv.evaluate(a).map(Violation::detail);
    }

    @Test
    void theFactoriesBuildInvariantsThatJudgeLikeTheSharedOnes() {
        Fake overlap = new Fake(FrameRange.of(0, 8), List.of(ReservedRegion.of(0, 4, "a"), ReservedRegion.of(3, 2, "b")),
                List.of(FrameRange.of(5, 3)), List.of(), 3);
        assertThat(detail(FrameInvariants.reserved1(), overlap)).contains("b[frame#3..5) overlaps or precedes the region before it (which ends at frame#4)");
        Fake reservedFree = new Fake(FrameRange.of(0, 8), List.of(ReservedRegion.of(0, 4, "a")), List.of(FrameRange.of(0, 8)), List.of(), 8);
        assertThat(detail(FrameInvariants.reserved2(), reservedFree)).contains("reserved a[frame#0..4) overlaps free run [frame#0..8)");
        Fake atStart = new Fake(FrameRange.of(0, 8), List.of(), List.of(FrameRange.of(0, 8)), List.of(FrameRange.of(0, 2)), 8);
        assertThat(detail(FrameInvariants.frame1(), atStart)).contains("frame#0 is free and in live allocation [frame#0..2)");
        assertThat(detail(FrameInvariants.frame2(), atStart)).contains("free + allocated + reserved = 10 frames, managed = 8");
        Fake counted = new Fake(FrameRange.of(0, 8), List.of(), List.of(FrameRange.of(0, 8)), List.of(), 7);
        assertThat(detail(FrameInvariants.frame3(), counted)).contains("freeFrames() = 7 but 8 frames are free");
    }

    @Test
    void FRAME_1_findsAFrameInTwoAllocationsAtTheStartAndInAnyOrder() {
        Fake sameStart = new Fake(FrameRange.of(0, 8), List.of(), List.of(FrameRange.of(2, 6)), List.of(FrameRange.of(0, 2), FrameRange.of(0, 1)), 6);
        assertThat(detail(FrameInvariants.frame1(), sameStart)).contains("frame#0 is in live allocation [frame#0..1) and another one");
        Fake unsorted = new Fake(FrameRange.of(0, 12), List.of(), List.of(FrameRange.of(0, 4)), List.of(FrameRange.of(8, 4), FrameRange.of(4, 4)), 4);
        assertThat(detail(FrameInvariants.frame1(), unsorted)).isEmpty();
        Fake below = new Fake(FrameRange.of(4, 8), List.of(), List.of(FrameRange.of(4, 8)), List.of(FrameRange.of(0, 2)), 8);
        assertThat(detail(FrameInvariants.frame1(), below)).isEmpty();
        assertThat(detail(FrameInvariants.frame2(), below)).contains("[frame#0..2) lies outside managed [frame#4..12)");
        Fake offset = new Fake(FrameRange.of(4, 8), List.of(), List.of(FrameRange.of(4, 8)), List.of(), 8);
        assertThat(detail(FrameInvariants.frame2(), offset)).isEmpty();
    }
}
