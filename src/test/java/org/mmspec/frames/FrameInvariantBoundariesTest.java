package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Invariant;
import org.mmspec.check.Violation;

/**
 * Each frame invariant at its exact boundary: the last state it accepts (adjacent regions and
 * runs, a full last word, a block at the largest order, a run one frame below the threshold) and
 * the first corrupted state it rejects, with the detail it reports.
 */
class FrameInvariantBoundariesTest {
    private static <S> Optional<String> detail(Invariant<S> inv, S state) {
        return inv.evaluate(state).map(Violation::detail);
    }

    /** A FrameAccounting whose parts are given directly. */
    private record Fake(FrameRange managed, List<ReservedRegion> reserved, List<FrameRange> freeRuns, List<FrameRange> liveRuns,
            long freeFrames) implements FrameAccounting {
    }

    private static Fake fake(List<ReservedRegion> reserved, List<FrameRange> free, List<FrameRange> live) {
        return new Fake(FrameRange.of(0, 16), reserved, free, live, free.stream().mapToLong(FrameRange::count).sum());
    }

    // ---- RESERVED-1, RESERVED-2 ----

    @Test
    void RESERVED_1_acceptsAdjacentRegionsAndRejectsAOneFrameOverlap() {
        Fake adjacent = fake(List.of(ReservedRegion.of(0, 4, "BIOS"), ReservedRegion.of(4, 2, "ACPI")),
                List.of(FrameRange.of(6, 10)), List.of());
        assertThat(FrameInvariants.FRAME.violations(adjacent)).isEmpty();
        Fake overlap = fake(List.of(ReservedRegion.of(0, 4, "BIOS"), ReservedRegion.of(3, 3, "ACPI")),
                List.of(FrameRange.of(6, 10)), List.of());
        assertThat(detail(FrameInvariants.RESERVED_1, overlap)).contains(
                "ACPI[frame#3..6) overlaps or precedes the region before it (which ends at frame#4)");
    }

    @Test
    void RESERVED_1_namesARegionReachingPastManagedMemory() {
        Fake past = fake(List.of(ReservedRegion.of(14, 3, "MMIO")), List.of(FrameRange.of(0, 14)), List.of());
        assertThat(detail(FrameInvariants.RESERVED_1, past)).contains("MMIO[frame#14..17) lies outside managed [frame#0..16)");
    }

    @Test
    void RESERVED_2_acceptsRunsTouchingARegionAndRejectsOneFrameInside() {
        List<ReservedRegion> hole = List.of(ReservedRegion.of(4, 2, "hole"));
        Fake touching = fake(hole, List.of(FrameRange.of(0, 4), FrameRange.of(8, 8)), List.of(FrameRange.of(6, 2)));
        assertThat(FrameInvariants.FRAME.violations(touching)).isEmpty();
        Fake freeInside = fake(hole, List.of(FrameRange.of(0, 5), FrameRange.of(8, 8)), List.of(FrameRange.of(6, 2)));
        assertThat(detail(FrameInvariants.RESERVED_2, freeInside)).contains("reserved hole[frame#4..6) overlaps free run [frame#0..5)");
        Fake liveInside = fake(hole, List.of(FrameRange.of(0, 4), FrameRange.of(8, 8)), List.of(FrameRange.of(5, 3)));
        assertThat(detail(FrameInvariants.RESERVED_2, liveInside)).contains(
                "reserved hole[frame#4..6) overlaps live allocation [frame#5..8)");
    }

    // ---- FRAME-1, FRAME-2, FRAME-3 ----

    @Test
    void FRAME_1_acceptsAdjacentRunsAndNamesTheFirstSharedFrame() {
        Fake adjacent = fake(List.of(), List.of(FrameRange.of(0, 4), FrameRange.of(12, 4)),
                List.of(FrameRange.of(4, 4), FrameRange.of(8, 4)));
        assertThat(FrameInvariants.FRAME.violations(adjacent)).isEmpty();
        Fake freeAndLive = fake(List.of(), List.of(FrameRange.of(0, 5), FrameRange.of(12, 4)),
                List.of(FrameRange.of(4, 4), FrameRange.of(8, 4)));
        assertThat(detail(FrameInvariants.FRAME_1, freeAndLive)).contains("frame#4 is free and in live allocation [frame#4..8)");
        Fake twice = fake(List.of(), List.of(FrameRange.of(0, 4), FrameRange.of(12, 4)),
                List.of(FrameRange.of(4, 4), FrameRange.of(7, 5)));
        assertThat(detail(FrameInvariants.FRAME_1, twice)).contains("frame#7 is in live allocation [frame#7..12) and another one");
    }

    @Test
    void FRAME_1_leavesRunsOutsideManagedMemoryToFrame2() {
        Fake outside = fake(List.of(), List.of(FrameRange.of(0, 16)), List.of(FrameRange.of(16, 2)));
        assertThat(detail(FrameInvariants.FRAME_1, outside)).isEmpty();
        assertThat(detail(FrameInvariants.FRAME_2, outside)).contains("[frame#16..18) lies outside managed [frame#0..16)");
        Fake freeOutside = new Fake(FrameRange.of(4, 12), List.of(), List.of(FrameRange.of(0, 6), FrameRange.of(6, 10)), List.of(), 16);
        assertThat(detail(FrameInvariants.FRAME_1, freeOutside)).isEmpty();
        assertThat(detail(FrameInvariants.FRAME_2, freeOutside)).contains("[frame#0..6) lies outside managed [frame#4..16)");
    }

    @Test
    void FRAME_2_namesTheFirstLostFrameAndADoubleCount() {
        Fake lastLost = fake(List.of(), List.of(FrameRange.of(0, 15)), List.of());
        assertThat(detail(FrameInvariants.FRAME_2, lastLost)).contains("frame#15 is neither free, allocated nor reserved (lost)");
        Fake doubled = fake(List.of(), List.of(FrameRange.of(0, 16)), List.of(FrameRange.of(15, 1)));
        assertThat(detail(FrameInvariants.FRAME_2, doubled)).contains("free + allocated + reserved = 17 frames, managed = 16");
    }

    @Test
    void FRAME_3_comparesTheCountWithTheFreeRuns() {
        Fake off = new Fake(FrameRange.of(0, 16), List.of(), List.of(FrameRange.of(0, 16)), List.of(), 15);
        assertThat(detail(FrameInvariants.FRAME_3, off)).contains("freeFrames() = 15 but 16 frames are free");
        assertThat(detail(FrameInvariants.FRAME_3, fake(List.of(), List.of(FrameRange.of(0, 16)), List.of()))).isEmpty();
    }

    // ---- BITMAP-n ----

    @Test
    void BITMAP_1_hasNoPaddingInAFullLastWordAndCatchesTheFirstPaddingBit() {
        BitmapAllocator full = new BitmapAllocator(FrameRange.of(0, 64), List.of());
        assertThat(full.validMask(0)).isEqualTo(-1L);
        FrameInvariants.BITMAP.assertHolds(full);
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 70), List.of());
        assertThat(b.validMask(1)).isEqualTo(0b111111L);
        b.corruptFreeBit(70, true);
        assertThat(detail(FrameInvariants.BITMAP_1, b)).contains("last word 1 has padding bits set: free 1000000, head 0");
        BitmapAllocator h = new BitmapAllocator(FrameRange.of(0, 70), List.of());
        h.corruptHeadBit(127, true);
        assertThat(detail(FrameInvariants.BITMAP_1, h)).hasValueSatisfying(d -> assertThat(d).startsWith("last word 1 has padding bits set: free 0, head 1"));
    }

    @Test
    void BITMAP_2_and_3_nameTheWordWhoseSummaryIsStale() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 130), List.of());
        b.corruptHasFree(2, false);
        assertThat(detail(FrameInvariants.BITMAP_2, b)).contains("word 2 = 3 but its has-free summary bit is false");
        BitmapAllocator c = new BitmapAllocator(FrameRange.of(0, 130), List.of());
        c.allocate(64); // word 0 now has no free frame
        assertThat(c.hasFreeBit(0)).isFalse();
        c.corruptHasFree(0, true);
        assertThat(detail(FrameInvariants.BITMAP_2, c)).contains("word 0 = 0 but its has-free summary bit is true");
        BitmapAllocator d = new BitmapAllocator(FrameRange.of(0, 130), List.of());
        assertThat(d.allFreeBit(2)).isTrue(); // the 2-frame last word is all free
        d.corruptAllFree(2, false);
        assertThat(detail(FrameInvariants.BITMAP_3, d)).contains("word 2 = 3 but its all-free summary bit is false");
        BitmapAllocator e = new BitmapAllocator(FrameRange.of(0, 130), List.of());
        e.allocate(1);
        e.corruptAllFree(0, true);
        assertThat(detail(FrameInvariants.BITMAP_3, e)).contains("word 0 = fffffffffffffffe but its all-free summary bit is true");
    }

    @Test
    void BITMAP_4_namesTheFrameAndWhetherItIsFreeOrReserved() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(100, 70), List.of(ReservedRegion.of(166, 2, "ACPI")));
        b.corruptHeadBit(66, true);
        assertThat(detail(FrameInvariants.BITMAP_4, b)).contains("frame#166 carries a head bit but is reserved");
        BitmapAllocator c = new BitmapAllocator(FrameRange.of(100, 70), List.of());
        c.corruptHeadBit(65, true);
        assertThat(detail(FrameInvariants.BITMAP_4, c)).contains("frame#165 carries a head bit but is free");
        BitmapAllocator ok = new BitmapAllocator(FrameRange.of(100, 70), List.of());
        ok.allocate(66);
        assertThat(detail(FrameInvariants.BITMAP_4, ok)).isEmpty();
    }

    // ---- BUDDY-n ----

    private static BuddyAllocator buddy(Map<Long, Integer> free, Map<Long, Long> live) {
        return BuddyAllocator.fromState(FrameRange.of(0, 16), List.of(), 3, free, live);
    }

    @Test
    void BUDDY_1_acceptsTheLargestOrderAndRejectsAMisalignedBlock() {
        assertThat(detail(FrameInvariants.BUDDY_1, buddy(Map.of(0L, 3, 8L, 3), Map.of()))).isEmpty();
        assertThat(detail(FrameInvariants.BUDDY_1, buddy(Map.of(0L, 3, 12L, 3), Map.of()))).contains(
                "free block frame#12 of order 3 is not aligned to 2^3 from base frame#0");
    }

    @Test
    void BUDDY_2_acceptsBlocksFillingTheRegionToItsEdges() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(2, 14), List.of(), 3);
        assertThat(detail(FrameInvariants.BUDDY_2, b)).isEmpty();
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(2L, 1), Map.entry(4L, 2), Map.entry(8L, 3));
        b.corruptAddFreeBlock(1, 0);
        assertThat(detail(FrameInvariants.BUDDY_2, b)).contains("free block frame#1^0 = [1, 2) leaves region [frame#2..16)");
        BuddyAllocator c = new BuddyAllocator(FrameRange.of(0, 14), List.of(), 3);
        c.corruptAddFreeBlock(14, 1);
        assertThat(detail(FrameInvariants.BUDDY_2, c)).contains("free block frame#14^1 = [14, 16) leaves region [frame#0..14)");
        BuddyAllocator d = new BuddyAllocator(FrameRange.of(0, 16), List.of(), 3);
        d.corruptAddFreeBlock(7, 0);
        assertThat(detail(FrameInvariants.BUDDY_2, d)).contains("free blocks at frame#0 and frame#7^0 overlap");
    }

    @Test
    void BUDDY_3_checksEveryOrderBelowTheLargest() {
        assertThat(detail(FrameInvariants.BUDDY_3, buddy(Map.of(0L, 3, 8L, 3), Map.of()))).isEmpty();
        assertThat(detail(FrameInvariants.BUDDY_3, buddy(Map.of(0L, 2, 4L, 2, 8L, 3), Map.of()))).contains(
                "free blocks frame#0 and frame#4 of order 2 are buddies and were not coalesced");
        assertThat(detail(FrameInvariants.BUDDY_3, buddy(Map.of(0L, 0, 1L, 0, 2L, 1, 4L, 2, 8L, 3), Map.of()))).contains(
                "free blocks frame#0 and frame#1 of order 0 are buddies and were not coalesced");
        assertThat(detail(FrameInvariants.BUDDY_3, buddy(Map.of(1L, 0, 2L, 0, 8L, 3), Map.of(0L, 1L, 3L, 1L, 4L, 4L)))).isEmpty();
    }

    @Test
    void BUDDY_4_acceptsALargestOrderRunAndRejectsOneFrameMore() {
        assertThat(detail(FrameInvariants.BUDDY_4, buddy(Map.of(), Map.of(0L, 8L, 8L, 8L)))).isEmpty();
        assertThat(detail(FrameInvariants.BUDDY_4, buddy(Map.of(), Map.of(0L, 9L)))).contains(
                "live allocation frame#0+9 is not aligned to 2^4 from base frame#0");
        assertThat(detail(FrameInvariants.BUDDY_4, buddy(Map.of(), Map.of(0L, 0L)))).contains(
                "live allocation frame#0+0 is not aligned to 2^0 from base frame#0");
        assertThat(detail(FrameInvariants.BUDDY_4, buddy(Map.of(), Map.of(6L, 2L, 10L, 3L)))).contains(
                "live allocation frame#10+3 is not aligned to 2^2 from base frame#0");
        assertThat(detail(FrameInvariants.BUDDY_4, buddy(Map.of(), Map.of(6L, 2L, 8L, 3L)))).isEmpty();
    }

    // ---- HYBRID-n ----

    private static HybridAllocator hybrid16() {
        return new HybridAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(2, 1, "BIOS")), 4, PhysFrame.of(8), 3);
    }

    @Test
    void HYBRID_1_namesHalvesSplitElsewhereAndHalvesWithTheWrongRegions() {
        HybridAllocator h = hybrid16();
        assertThat(detail(FrameInvariants.HYBRID_1, h)).isEmpty();
        HybridAllocator moved = HybridAllocator.corruptWithHalves(h, new BitmapAllocator(FrameRange.of(0, 6),
                List.of(ReservedRegion.of(2, 1, "BIOS"))), new BuddyAllocator(FrameRange.of(6, 10), List.of(), 3));
        assertThat(detail(FrameInvariants.HYBRID_1, moved)).contains("halves are bitmap Optional[[frame#0..6)], buddy "
                + "Optional[[frame#6..16)]; split frame#8 of [frame#0..16) wants bitmap Optional[[frame#0..8)], buddy Optional[[frame#8..16)]");
        HybridAllocator bitmapNoHole = HybridAllocator.corruptWithHalves(h, new BitmapAllocator(FrameRange.of(0, 8), List.of()),
                new BuddyAllocator(FrameRange.of(8, 8), List.of(), 3));
        assertThat(detail(FrameInvariants.HYBRID_1, bitmapNoHole)).contains("bitmap half reserves [], not [BIOS[frame#2..3)]");
        HybridAllocator withHole = new HybridAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(10, 1, "MMIO")), 4,
                PhysFrame.of(8), 3);
        HybridAllocator buddyNoHole = HybridAllocator.corruptWithHalves(withHole, new BitmapAllocator(FrameRange.of(0, 8), List.of()),
                new BuddyAllocator(FrameRange.of(8, 8), List.of(), 3));
        assertThat(detail(FrameInvariants.HYBRID_1, buddyNoHole)).contains("buddy half reserves [], not [MMIO[frame#10..11)]");
    }

    @Test
    void HYBRID_1_acceptsAHybridWithOnlyOneHalf() {
        HybridAllocator allBitmap = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(16), 3);
        assertThat(allBitmap.buddy()).isEmpty();
        FrameInvariants.HYBRID.assertHolds(allBitmap);
        HybridAllocator allBuddy = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(0), 3);
        assertThat(allBuddy.bitmap()).isEmpty();
        FrameInvariants.HYBRID.assertHolds(allBuddy);
        allBuddy.allocate(1);
        FrameInvariants.HYBRID.assertHolds(allBuddy);
    }

    @Test
    void HYBRID_2_acceptsOneFrameBelowTheThresholdInTheBitmapAndRejectsTheThreshold() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 32), List.of(), 4, PhysFrame.of(16), 3);
        h.allocate(3);
        assertThat(h.bitmap().get().liveRuns()).containsExactly(FrameRange.of(0, 3));
        assertThat(detail(FrameInvariants.HYBRID_2, h)).isEmpty();
        h.bitmap().get().allocate(4); // behind the hybrid's back
        assertThat(detail(FrameInvariants.HYBRID_2, h)).contains(
                "bitmap half holds live allocation [frame#3..7) of 4 frames >= threshold 4");
    }

    @Test
    void HYBRID_3_comparesAllocationsAndFramesOfEachHalf() {
        HybridAllocator h = hybrid16();
        h.allocate(1);
        h.allocate(4);
        assertThat(detail(FrameInvariants.HYBRID_3, h)).isEmpty();
        h.stats(HybridAllocator.Half.BUDDY).corruptAllocations(1);
        assertThat(detail(FrameInvariants.HYBRID_3, h)).hasValueSatisfying(d -> assertThat(d).startsWith("BUDDY stats {alloc 2, free 0")
                .endsWith("but it holds 1 allocations of 4 frames"));
        HybridAllocator g = hybrid16();
        g.allocate(1);
        g.bitmap().get().stats().recordFree(0);
        assertThat(detail(FrameInvariants.HYBRID_3, g)).hasValueSatisfying(d -> assertThat(d).startsWith("BITMAP stats"));
    }

    @Test
    void HYBRID_4_acceptsCountedFallbacksAndRejectsOneTooFew() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(1), 3);
        h.allocate(1); // the bitmap's only frame
        h.allocate(1); // falls back to the buddy, counted
        assertThat(h.stats(HybridAllocator.Half.BUDDY).fallbacks()).isEqualTo(1);
        assertThat(detail(FrameInvariants.HYBRID_4, h)).isEmpty();
        h.buddy().get().allocate(2);
        assertThat(detail(FrameInvariants.HYBRID_4, h)).contains("buddy half holds 2 allocations below the threshold but counted 1 fallbacks");
    }

    @Test
    void theHybridSetPrefixesAHalfsViolationWithTheHalf() {
        HybridAllocator h = hybrid16();
        h.bitmap().get().corruptHasFree(0, false);
        Violation v = FrameInvariants.HYBRID.firstViolation(h).orElseThrow();
        assertThat(v.invariantId()).isEqualTo("BITMAP-2");
        assertThat(v.detail()).isEqualTo("bitmap half: word 0 = fb but its has-free summary bit is false");
        HybridAllocator g = hybrid16();
        g.buddy().get().corruptAddFreeBlock(9, 0);
        Violation w = FrameInvariants.HYBRID.firstViolation(g).orElseThrow();
        assertThat(w.invariantId()).isEqualTo("BUDDY-2");
        assertThat(w.detail()).startsWith("buddy half: free blocks at frame#8 and frame#9^0 overlap");
    }
}
