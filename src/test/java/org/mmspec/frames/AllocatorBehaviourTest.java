package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Worked examples of the bitmap, buddy and hybrid contracts of {@code spec/frames.md}. */
class AllocatorBehaviourTest {

    private static void assertRejected(Runnable op, FrameError.Kind kind, FrameAccounting state) {
        String before = state.freeRuns() + "" + state.liveRuns() + state.freeFrames();
        assertThatThrownBy(op::run).isInstanceOfSatisfying(FrameError.class, e -> assertThat(e.errorKind()).isEqualTo(kind));
        assertThat(state.freeRuns() + "" + state.liveRuns() + state.freeFrames()).as("ATOMIC-1").isEqualTo(before);
    }

    // ---- bitmap ----

    @Test
    void bitmapSingleFrameAllocationReadsSummaryWordsNotTheMap() {
        int frames = 1 << 20; // 4 GiB: 16,384 bitmap words, 256 summary words
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, frames), List.of(ReservedRegion.of(0, frames - 1, "all but the last frame")));
        assertThat(b.allocate()).isEqualTo(PhysFrame.of(frames - 1));
        assertThat(b.lastSearchProbes()).as("words read").isLessThanOrEqualTo(frames / (64 * 64) + 2);
    }

    @Test
    void bitmapRunsAreFirstFitAcrossWordBoundaries() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(100, 200), List.of(ReservedRegion.of(150, 10, "MMIO hole")));
        assertThat(b.allocate(40)).isEqualTo(FrameRange.of(100, 40));
        assertThat(b.allocate(20)).isEqualTo(FrameRange.of(160, 20)); // 10 frames left below the hole do not fit
        assertThat(b.allocate(100)).isEqualTo(FrameRange.of(180, 100));
        assertThat(b.allocate(10)).isEqualTo(FrameRange.of(140, 10));
        FrameInvariants.BITMAP.assertHolds(b);
    }

    @Test
    void bitmapRejectsBadInputAndChangesNothing() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 32), List.of(ReservedRegion.of(0, 2, "BIOS")));
        FrameRange a = b.allocate(3);
        assertRejected(() -> b.allocate(0), FrameError.Kind.ZERO_SIZE, b);
        assertRejected(() -> b.allocate(33), FrameError.Kind.IMPOSSIBLE_SIZE, b);
        assertRejected(() -> b.allocate(30), FrameError.Kind.OUT_OF_MEMORY, b);
        assertRejected(() -> b.free(FrameRange.of(10, 1)), FrameError.Kind.DOUBLE_FREE, b);
        assertRejected(() -> b.free(FrameRange.of(0, 1)), FrameError.Kind.RESERVED, b);
        assertRejected(() -> b.free(FrameRange.of(31, 2)), FrameError.Kind.OUT_OF_RANGE, b);
        assertRejected(() -> b.free(FrameRange.of(a.start().number(), 2)), FrameError.Kind.NOT_ALLOCATED, b);
        assertRejected(() -> b.free(FrameRange.of(a.start().number() + 1, 2)), FrameError.Kind.NOT_ALLOCATED, b);
        b.free(a);
        assertRejected(() -> b.free(a), FrameError.Kind.DOUBLE_FREE, b);
        assertThat(b.freeFrames()).isEqualTo(30);
    }

    // ---- buddy ----

    @Test
    void unalignedRegionIsCarvedIntoMaximalAlignedBlocks() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(3, 26), List.of(), 3);
        assertThat(b.base()).isEqualTo(PhysFrame.of(0));
        assertThat(b.freeBlockMap()).containsExactly(java.util.Map.entry(3L, 0), java.util.Map.entry(4L, 2), java.util.Map.entry(8L, 3),
                java.util.Map.entry(16L, 3), java.util.Map.entry(24L, 2), java.util.Map.entry(28L, 0));
    }

    @Test
    void unalignedRegionCoalescesBackToItsCarving() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(3, 26), List.of(), 3);
        String fresh = b.key();
        List<FrameRange> got = new ArrayList<>();
        try {
            while (true) {
                got.add(b.allocate(1));
            }
        } catch (FrameError e) {
            assertThat(e.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        }
        assertThat(got).hasSize(26);
        java.util.Collections.shuffle(got, new java.util.Random(7));
        for (FrameRange r : got) {
            b.free(r);
            FrameInvariants.BUDDY.assertHolds(b);
        }
        assertThat(b.key()).isEqualTo(fresh);
    }

    @Test
    void buddyCoversOrdersUpToOneGibibyte() {
        long gib = 1L << BuddyAllocator.GIB_ORDER;
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(gib / 2, 2 * gib), List.of(), BuddyAllocator.GIB_ORDER);
        FrameRange big = b.allocateOrder(BuddyAllocator.GIB_ORDER);
        assertThat(big).isEqualTo(FrameRange.of(gib, gib)); // the only 1 GiB-aligned block inside [0.5, 2.5) GiB
        assertThat(big.bytes()).isEqualTo(1L << 30);
        assertRejected(() -> b.allocateOrder(BuddyAllocator.GIB_ORDER + 1), FrameError.Kind.IMPOSSIBLE_SIZE, b);
        assertRejected(() -> b.allocateOrder(BuddyAllocator.GIB_ORDER), FrameError.Kind.OUT_OF_MEMORY, b);
        b.free(big);
        FrameInvariants.BUDDY.assertHolds(b);
    }

    @Test
    void exactAllocationReturnsTheRoundingTail() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 16), List.of(), 3);
        FrameRange r = b.allocate(5);
        assertThat(r).isEqualTo(FrameRange.of(0, 5));
        assertThat(b.freeFrames()).isEqualTo(11);
        assertThat(b.freeBlockMap()).containsEntry(5L, 0).containsEntry(6L, 1).containsEntry(8L, 3);
        b.free(r);
        assertThat(b.freeBlockMap()).containsExactly(java.util.Map.entry(0L, 3), java.util.Map.entry(8L, 3));
    }

    @Test
    void buddyRejectsBadInputAndChangesNothing() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 32), List.of(ReservedRegion.of(30, 2, "ACPI")), 3);
        FrameRange a = b.allocateOrder(2);
        assertThat(a).isEqualTo(FrameRange.of(24, 4)); // the smallest free block that fits: 24^2, left by the ACPI hole
        assertRejected(() -> b.allocate(0), FrameError.Kind.ZERO_SIZE, b);
        assertRejected(() -> b.allocate(9), FrameError.Kind.IMPOSSIBLE_SIZE, b);
        assertRejected(() -> b.allocateOrder(-1), FrameError.Kind.IMPOSSIBLE_SIZE, b);
        assertRejected(() -> b.freeBlock(PhysFrame.of(26), 1), FrameError.Kind.NOT_ALLOCATED, b);
        assertRejected(() -> b.freeBlock(PhysFrame.of(1), 1), FrameError.Kind.MISALIGNED, b);
        assertRejected(() -> b.freeBlock(PhysFrame.of(0), 4), FrameError.Kind.IMPOSSIBLE_SIZE, b);
        assertRejected(() -> b.freeBlock(PhysFrame.of(32), 0), FrameError.Kind.OUT_OF_RANGE, b);
        assertRejected(() -> b.free(FrameRange.of(30, 1)), FrameError.Kind.RESERVED, b);
        assertRejected(() -> b.free(FrameRange.of(8, 1)), FrameError.Kind.DOUBLE_FREE, b);
        b.freeBlock(a.start(), 2);
        assertRejected(() -> b.free(a), FrameError.Kind.DOUBLE_FREE, b);
    }

    // ---- hybrid ----

    @Test
    void hybridRoutesBySeedThreshold() {
        FrameRange m = FrameRange.of(0, 8192); // 32 MiB
        HybridAllocator h = new HybridAllocator(m, List.of(ReservedRegion.of(0, 256, ReservedRegion.BIOS_AREA)));
        assertThat(h.threshold()).isEqualTo(512);
        assertThat(h.split()).isEqualTo(PhysFrame.of(2048)); // a quarter, on a 2 MiB boundary
        assertThat(h.route(511)).isEqualTo(HybridAllocator.Half.BITMAP);
        assertThat(h.route(512)).isEqualTo(HybridAllocator.Half.BUDDY);
        FrameRange small = h.allocate(511);
        assertThat(h.halfOf(small.start())).isEqualTo(HybridAllocator.Half.BITMAP);
        assertThat(small.start()).isEqualTo(PhysFrame.of(256));
        FrameRange large = h.allocate(512);
        assertThat(h.halfOf(large.start())).isEqualTo(HybridAllocator.Half.BUDDY);
        assertThat(large.start().start().value() % (2L << 20)).as("2 MiB aligned").isZero();
        assertThat(h.stats(HybridAllocator.Half.BITMAP).allocations()).isEqualTo(1);
        assertThat(h.stats(HybridAllocator.Half.BUDDY).allocations()).isEqualTo(1);
        FrameInvariants.HYBRID.assertHolds(h);
    }

    @Test
    void smallRequestsFallBackToTheBuddyWhenTheBitmapIsFull() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        assertThat(h.allocate(3)).isEqualTo(FrameRange.of(0, 3));
        assertThat(h.allocate(3)).isEqualTo(FrameRange.of(3, 3));
        FrameRange fallback = h.allocate(3);
        assertThat(fallback).isEqualTo(FrameRange.of(8, 3));
        assertThat(h.stats(HybridAllocator.Half.BUDDY).fallbacks()).isEqualTo(1);
        assertThat(h.stats(HybridAllocator.Half.BITMAP).failures()).isEqualTo(1);
        assertRejected(() -> h.allocate(9), FrameError.Kind.IMPOSSIBLE_SIZE, h);
        assertRejected(() -> h.allocate(8), FrameError.Kind.OUT_OF_MEMORY, h);
        assertRejected(() -> h.free(FrameRange.of(7, 2)), FrameError.Kind.DOUBLE_FREE, h);
        assertRejected(() -> h.free(FrameRange.of(5, 4)), FrameError.Kind.NOT_ALLOCATED, h);
        h.free(fallback);
        FrameInvariants.HYBRID.assertHolds(h);
    }

    @Test
    void largeRequestsNeverFallBackToTheBitmap() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 32), List.of(), 4, PhysFrame.of(24), 3);
        assertThat(h.allocate(8)).isEqualTo(FrameRange.of(24, 8));
        assertRejected(() -> h.allocate(4), FrameError.Kind.OUT_OF_MEMORY, h); // 24 free bitmap frames, but 4 >= threshold
    }
}
