package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Violation;

/**
 * One negative test per frame invariant: a corrupted state makes exactly that invariant the
 * first to report, and the fresh state before the corruption satisfies every invariant.
 */
class FrameInvariantsTest {

    private static <S> void assertFirstBroken(InvariantSet<S> set, S state, String id) {
        Optional<Violation> v = set.firstViolation(state);
        assertThat(v).as("some invariant of %s should break", set.component()).isPresent();
        assertThat(v.get().invariantId()).as(v.get().message()).isEqualTo(id);
        assertThat(v.get().message()).startsWith(id + " violated");
    }

    private static BuddyAllocator buddy16() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 16), List.of(), 3);
        FrameInvariants.BUDDY.assertHolds(b);
        return b;
    }

    private static BitmapAllocator bitmap(int frames) {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, frames), List.of());
        FrameInvariants.BITMAP.assertHolds(b);
        return b;
    }

    // ---- RESERVED ----

    /** A FrameAccounting whose parts are given directly, to state corruptions no allocator can reach. */
    private record Fake(FrameRange managed, List<ReservedRegion> reserved, List<FrameRange> freeRuns, List<FrameRange> liveRuns,
            long freeFrames) implements FrameAccounting {
    }

    @Test
    void RESERVED_1_catchesOverlappingReservedRegions() {
        Fake f = new Fake(FrameRange.of(0, 16), List.of(ReservedRegion.of(0, 4, "BIOS"), ReservedRegion.of(3, 2, "ACPI")),
                List.of(FrameRange.of(5, 11)), List.of(), 11);
        assertFirstBroken(FrameInvariants.FRAME, f, "RESERVED-1");
    }

    @Test
    void RESERVED_1_catchesReservedRegionOutsideManagedMemory() {
        Fake f = new Fake(FrameRange.of(4, 12), List.of(ReservedRegion.of(0, 4, "BIOS")), List.of(FrameRange.of(4, 12)), List.of(), 12);
        assertFirstBroken(FrameInvariants.FRAME, f, "RESERVED-1");
    }

    @Test
    void RESERVED_2_catchesFreeReservedFrame() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(4, 2, "MMIO hole")), 3);
        FrameInvariants.BUDDY.assertHolds(b);
        b.corruptAddFreeBlock(4, 0);
        assertFirstBroken(FrameInvariants.BUDDY, b, "RESERVED-2");
    }

    @Test
    void RESERVED_2_catchesAllocatedReservedFrame() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(4, 2, "kernel image")), 3);
        b.corruptLive(5, 1);
        assertFirstBroken(FrameInvariants.BUDDY, b, "RESERVED-2");
    }

    // ---- FRAME ----

    @Test
    void FRAME_1_catchesFrameBothFreeAndAllocated() {
        BuddyAllocator b = buddy16();
        b.corruptLive(8, 1);
        assertFirstBroken(FrameInvariants.BUDDY, b, "FRAME-1");
    }

    @Test
    void FRAME_1_catchesOverlappingAllocations() {
        BuddyAllocator b = buddy16();
        b.allocate(4);
        b.corruptLive(2, 1);
        assertFirstBroken(FrameInvariants.BUDDY, b, "FRAME-1");
    }

    @Test
    void FRAME_2_catchesLostFrames() {
        BuddyAllocator b = buddy16();
        b.corruptRemoveFreeBlock(8, 3);
        assertFirstBroken(FrameInvariants.BUDDY, b, "FRAME-2");
    }

    @Test
    void FRAME_3_catchesWrongFreeCount() {
        BitmapAllocator b = bitmap(16);
        b.corruptFreeCount(15);
        assertFirstBroken(FrameInvariants.BITMAP, b, "FRAME-3");
    }

    // ---- BITMAP ----

    @Test
    void BITMAP_1_catchesFreePaddingBit() {
        BitmapAllocator b = bitmap(10);
        b.corruptFreeBit(12, true);
        assertFirstBroken(FrameInvariants.BITMAP, b, "BITMAP-1");
    }

    @Test
    void BITMAP_2_catchesStaleHasFreeSummary() {
        BitmapAllocator b = bitmap(130);
        b.corruptHasFree(1, false);
        assertFirstBroken(FrameInvariants.BITMAP, b, "BITMAP-2");
    }

    @Test
    void BITMAP_3_catchesStaleAllFreeSummary() {
        BitmapAllocator b = bitmap(130);
        b.allocate(1);
        b.corruptAllFree(0, true);
        assertFirstBroken(FrameInvariants.BITMAP, b, "BITMAP-3");
    }

    @Test
    void BITMAP_4_catchesHeadBitOnFreeFrame() {
        BitmapAllocator b = bitmap(16);
        b.corruptHeadBit(3, true);
        assertFirstBroken(FrameInvariants.BITMAP, b, "BITMAP-4");
    }

    // ---- BUDDY ----

    @Test
    void BUDDY_1_catchesMisalignedFreeBlock() {
        BuddyAllocator b = buddy16();
        b.corruptRemoveFreeBlock(8, 3);
        b.corruptAddFreeBlock(9, 1);
        assertFirstBroken(FrameInvariants.BUDDY, b, "BUDDY-1");
    }

    @Test
    void BUDDY_2_catchesOverlappingFreeBlocks() {
        BuddyAllocator b = buddy16();
        b.corruptAddFreeBlock(0, 0);
        assertFirstBroken(FrameInvariants.BUDDY, b, "BUDDY-2");
    }

    @Test
    void BUDDY_2_catchesFreeBlockOutsideRegion() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(2, 14), List.of(), 3);
        FrameInvariants.BUDDY.assertHolds(b);
        b.corruptAddFreeBlock(0, 1);
        assertFirstBroken(FrameInvariants.BUDDY, b, "BUDDY-2");
    }

    @Test
    void BUDDY_3_catchesUncoalescedBuddies() {
        BuddyAllocator b = buddy16();
        b.corruptRemoveFreeBlock(0, 3);
        b.corruptAddFreeBlock(0, 2);
        b.corruptAddFreeBlock(4, 2);
        assertFirstBroken(FrameInvariants.BUDDY, b, "BUDDY-3");
    }

    @Test
    void BUDDY_4_catchesMisalignedLiveAllocation() {
        BuddyAllocator b = buddy16();
        FrameRange r = b.allocate(4);
        assertThat(r).isEqualTo(FrameRange.of(0, 4));
        b.corruptLive(0, 1);
        b.corruptLive(1, 3); // 3 frames must start on a multiple of 4
        assertFirstBroken(FrameInvariants.BUDDY, b, "BUDDY-4");
    }

    // ---- HYBRID ----

    private static HybridAllocator hybrid16() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(2, 1, "BIOS")), 4, PhysFrame.of(8), 3);
        FrameInvariants.HYBRID.assertHolds(h);
        return h;
    }

    @Test
    void HYBRID_1_catchesHalvesNotSplitAtTheSplit() {
        HybridAllocator h = hybrid16();
        HybridAllocator bad = HybridAllocator.corruptWithHalves(h, new BitmapAllocator(FrameRange.of(0, 6), List.of(ReservedRegion.of(2, 1, "BIOS"))),
                new BuddyAllocator(FrameRange.of(8, 8), List.of(), 3));
        assertFirstBroken(FrameInvariants.HYBRID, bad, "HYBRID-1");
    }

    @Test
    void HYBRID_1_catchesHalfMissingItsReservedRegion() {
        HybridAllocator h = hybrid16();
        HybridAllocator bad = HybridAllocator.corruptWithHalves(h, new BitmapAllocator(FrameRange.of(0, 8), List.of()),
                new BuddyAllocator(FrameRange.of(8, 8), List.of(), 3));
        assertFirstBroken(FrameInvariants.HYBRID, bad, "HYBRID-1");
    }

    @Test
    void HYBRID_2_catchesLargeAllocationInBitmapHalf() {
        HybridAllocator h = hybrid16();
        h.bitmap().get().allocate(4); // behind the hybrid's back: 4 frames = threshold, in the bitmap half
        h.bitmap().get().stats().corruptAllocations(0);
        assertFirstBroken(FrameInvariants.HYBRID, h, "HYBRID-2");
    }

    @Test
    void HYBRID_3_catchesStatsOutOfStep() {
        HybridAllocator h = hybrid16();
        h.allocate(1);
        h.stats(HybridAllocator.Half.BITMAP).corruptAllocations(-1);
        assertFirstBroken(FrameInvariants.HYBRID, h, "HYBRID-3");
    }

    @Test
    void HYBRID_4_catchesUncountedFallback() {
        HybridAllocator h = hybrid16();
        h.buddy().get().allocate(1); // a small allocation in the buddy half that no fallback counted
        assertFirstBroken(FrameInvariants.HYBRID, h, "HYBRID-4");
    }

    @Test
    void everyIdHasANegativeTest() {
        List<String> ids = new java.util.ArrayList<>();
        ids.addAll(FrameInvariants.BITMAP.ids());
        ids.addAll(FrameInvariants.BUDDY.ids());
        ids.addAll(FrameInvariants.HYBRID.ids());
        List<String> tests = java.util.Arrays.stream(getClass().getDeclaredMethods()).map(java.lang.reflect.Method::getName).toList();
        for (String id : new java.util.TreeSet<>(ids)) {
            String prefix = id.replace('-', '_') + "_catches";
            assertThat(tests).as("negative test for " + id).anyMatch(t -> t.startsWith(prefix));
        }
    }
}
