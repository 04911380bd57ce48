package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The bitmap, buddy and hybrid at their edges: the AllocationStats counters after each kind of
 * success and refusal, the bitmap's summary-word search cost, the buddy's order and free-block
 * boundaries and coalescing, the hybrid's threshold, split and cross-split frees, and the
 * renderings the traces show.
 */
class FrameAllocatorEdgesTest {
    private static FrameError.Kind kind(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).as("a FrameError").isNotNull();
        return e.errorKind();
    }

    private static FrameError error(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).as("a FrameError").isNotNull();
        return e;
    }

    // ---- AllocationStats ----

    @Test
    void bitmapStatsCountAllocationsFreesAndEveryRefusedRequest() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8), List.of());
        FrameRange a = b.allocate(3);
        b.allocate(2, 2);
        assertThat(kind(() -> b.allocate(0))).isEqualTo(FrameError.Kind.ZERO_SIZE);
        assertThat(kind(() -> b.allocate(1, 3))).isEqualTo(FrameError.Kind.MISALIGNED);
        assertThat(kind(() -> b.allocate(9))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.allocate(4))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(kind(() -> b.free(FrameRange.of(7, 1)))).isEqualTo(FrameError.Kind.DOUBLE_FREE); // frees are not counted as failures
        b.free(a);
        AllocationStats s = b.stats();
        assertThat(s.allocations()).isEqualTo(2);
        assertThat(s.framesAllocated()).isEqualTo(5);
        assertThat(s.frees()).isEqualTo(1);
        assertThat(s.framesFreed()).isEqualTo(3);
        assertThat(s.failures()).isEqualTo(4);
        assertThat(s.fallbacks()).isZero();
        assertThat(s.liveAllocations()).isEqualTo(1);
        assertThat(s.framesInUse()).isEqualTo(2);
        assertThat(s).hasToString("{alloc 2, free 1, fail 4, fallback 0, in use 2 frames}");
        AllocationStats copy = s.copy();
        b.allocate(1);
        assertThat(copy.allocations()).isEqualTo(2);
        assertThat(copy.framesAllocated()).isEqualTo(5);
        assertThat(copy.frees()).isEqualTo(1);
        assertThat(copy.framesFreed()).isEqualTo(3);
        assertThat(copy.failures()).isEqualTo(4);
        assertThat(s.allocations()).isEqualTo(3);
    }

    @Test
    void buddyStatsCountRefusedOrdersAndAlignments() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 2);
        assertThat(kind(() -> b.allocateOrder(-1))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.allocateOrder(3))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.allocate(1, 8))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.allocate(5))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.allocate(0))).isEqualTo(FrameError.Kind.ZERO_SIZE);
        assertThat(b.stats().failures()).isEqualTo(5);
        assertThat(b.allocateOrder(2)).isEqualTo(FrameRange.of(0, 4));
        assertThat(b.allocate(1, 4)).isEqualTo(FrameRange.of(4, 1));
        assertThat(b.allocate(2)).isEqualTo(FrameRange.of(6, 2));
        assertThat(b.stats().allocations()).isEqualTo(3);
        assertThat(b.stats().framesAllocated()).isEqualTo(7);
        assertThat(kind(() -> b.allocate(2))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY); // frame 5 is left, no pair
        assertThat(b.stats().failures()).isEqualTo(6);
    }

    // ---- bitmap ----

    @Test
    void aSingleFrameSearchReadsOneWordWhenTheFirstWordHasAFreeFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 128), List.of());
        assertThat(b.allocate()).isEqualTo(PhysFrame.of(0));
        assertThat(b.lastSearchProbes()).isEqualTo(1);
    }

    @Test
    void aSingleFrameSearchSkipsFullWordsThroughTheSummaryWords() {
        // frames 0..4095 (64 words, one summary word) reserved; 4096.. free
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8192), List.of(ReservedRegion.of(0, 4096, "low")));
        assertThat(b.allocate()).isEqualTo(PhysFrame.of(4096));
        assertThat(b.lastSearchProbes()).isEqualTo(4); // word 0, summary words 0 and 1, word 64
        assertThat(b.isReserved(4095)).isTrue();
        assertThat(b.isReserved(4096)).isFalse();
        assertThat(b.isReserved(8192)).isFalse();
        assertThat(b.isFree(8192L)).isFalse();
        assertThat(b.isFree(4097L)).isTrue();
    }

    @Test
    void aRunSearchJumpsWhollyFreeWordsAndStopsAtTheFirstTakenFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 320), List.of(ReservedRegion.of(300, 1, "MMIO")));
        assertThat(b.allocate(299)).isEqualTo(FrameRange.of(0, 299));
        b.free(FrameRange.of(0, 299));
        assertThat(b.allocate(300)).isEqualTo(FrameRange.of(0, 300));
        assertThat(kind(() -> b.allocate(20))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(b.allocate(19)).isEqualTo(FrameRange.of(301, 19));
        assertThat(b.freeFrames()).isZero();
        FrameInvariants.BITMAP.assertHolds(b);
    }

    @Test
    void alignedRunsStartOnTheNextMultipleEvenAcrossWords() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(3, 200), List.of());
        assertThat(b.allocate(1, 8)).isEqualTo(FrameRange.of(8, 1));
        assertThat(b.allocate(58)).isEqualTo(FrameRange.of(9, 58));
        assertThat(b.allocate(4, 4)).isEqualTo(FrameRange.of(4, 4));
        assertThat(b.allocate(2, 2)).isEqualTo(FrameRange.of(68, 2));
        assertThat(b.allocate(2, 64)).isEqualTo(FrameRange.of(128, 2));
        assertThat(kind(() -> b.allocate(2, 256))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(b.allocate(1)).isEqualTo(FrameRange.of(3, 1));
        FrameInvariants.BITMAP.assertHolds(b);
    }

    @Test
    void theBitmapRendersSmallMapsFrameByFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 6), List.of(ReservedRegion.of(5, 1, "r")));
        b.allocate(2);
        assertThat(b).hasToString("Bitmap[frame#0..6) free=3 Aa...R");
        BitmapAllocator big = new BitmapAllocator(FrameRange.of(0, 257), List.of());
        big.allocate(1);
        big.allocate(1);
        assertThat(big).hasToString("Bitmap[frame#0..257) free=255 live=2");
        String before = big.key();
        big.allocate(1);
        assertThat(big.key()).isNotEqualTo(before);
        assertThat(big.managedFrames()).isEqualTo(257);
        assertThat(big.frameCount()).isEqualTo(257);
        assertThat(big.words()).isEqualTo(5);
        assertThat(big.tracksFreeFrames()).isTrue();
        BitmapAllocator copy = big.copy();
        copy.allocate(1);
        assertThat(big.freeFrames()).isEqualTo(254);
        assertThat(copy.freeFrames()).isEqualTo(253);
    }

    @Test
    void aBitmapTooLargeForItsIndexIsImpossible() {
        FrameError e = error(() -> new BitmapAllocator(FrameRange.of(0, Integer.MAX_VALUE - 63L), List.of()));
        assertThat(e.errorKind()).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(e.getMessage()).isEqualTo("a bitmap over 2147483584 frames is too large");
    }

    @Test
    void aFreeIsExactWhenTheRunEndsAtTheMapsEndOrBeforeAHeadOrAReservedFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8), List.of(ReservedRegion.of(4, 1, "r")));
        FrameRange low = b.allocate(2);
        FrameRange mid = b.allocate(2);
        FrameRange high = b.allocate(3);
        assertThat(low).isEqualTo(FrameRange.of(0, 2));
        assertThat(mid).isEqualTo(FrameRange.of(2, 2));
        assertThat(high).isEqualTo(FrameRange.of(5, 3));
        assertThat(kind(() -> b.free(FrameRange.of(0, 3)))).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(kind(() -> b.free(FrameRange.of(5, 2)))).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(error(() -> b.free(FrameRange.of(3, 2))).getMessage()).isEqualTo("bitmap free([frame#3..5)): frame#4 is reserved (r)");
        b.free(high); // ends at the map's end
        b.free(mid); // ends before the reserved frame
        b.free(low); // ends before a free frame
        assertThat(b.freeFrames()).isEqualTo(7);
        assertThat(b.liveRuns()).isEmpty();
    }

    // ---- buddy ----

    @Test
    void ordersRoundUpToThePowerOfTwo() {
        assertThat(BuddyAllocator.orderFor(0)).isZero();
        assertThat(BuddyAllocator.orderFor(1)).isZero();
        assertThat(BuddyAllocator.orderFor(2)).isEqualTo(1);
        assertThat(BuddyAllocator.orderFor(3)).isEqualTo(2);
        assertThat(BuddyAllocator.orderFor(4)).isEqualTo(2);
        assertThat(BuddyAllocator.orderFor(5)).isEqualTo(3);
        assertThat(BuddyAllocator.orderFor(3, 8)).isEqualTo(3);
        assertThat(BuddyAllocator.orderFor(8, 2)).isEqualTo(3);
    }

    @Test
    void aBuddyHoldsAtMostOneLargestBlockAndItsRegion() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 6), List.of(), 2);
        assertThat(b.couldEverHold(4)).isTrue();
        assertThat(b.couldEverHold(5)).isFalse();
        assertThat(b.couldEverHold(0)).isFalse();
        assertThat(b.couldEverHold(1)).isTrue();
        BuddyAllocator small = new BuddyAllocator(FrameRange.of(0, 3), List.of(), 3);
        assertThat(small.couldEverHold(3)).isTrue();
        assertThat(small.couldEverHold(4)).isFalse();
        assertThat(new BuddyAllocator(FrameRange.of(0, 4), List.of(), 0).maxOrder()).isZero();
        assertThat(new BuddyAllocator(FrameRange.of(0, 4), List.of(), BuddyAllocator.MAX_SUPPORTED_ORDER).freeBlocks(0)).isEmpty();
        FrameError low = error(() -> new BuddyAllocator(FrameRange.of(0, 4), List.of(), -1));
        assertThat(low.errorKind()).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(low.getMessage()).isEqualTo("buddy max order -1 outside [0, 40]");
        assertThat(kind(() -> new BuddyAllocator(FrameRange.of(0, 4), List.of(), 41))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
    }

    @Test
    void freeBlockChecksOrderAlignmentAndTheRegionsEdges() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(4, 8), List.of(), 2);
        assertThat(b.base()).isEqualTo(PhysFrame.of(4));
        FrameRange blk = b.allocateOrder(2);
        assertThat(blk).isEqualTo(FrameRange.of(4, 4));
        assertThat(kind(() -> b.freeBlock(PhysFrame.of(4), -1))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(kind(() -> b.freeBlock(PhysFrame.of(4), 3))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(error(() -> b.freeBlock(PhysFrame.of(6), 2)).getMessage())
                .isEqualTo("buddy freeBlock(frame#6, 2): not aligned to 2^2 frames from base frame#4");
        assertThat(kind(() -> b.freeBlock(PhysFrame.of(0), 2))).isEqualTo(FrameError.Kind.OUT_OF_RANGE);
        assertThat(kind(() -> b.freeBlock(PhysFrame.of(12), 2))).isEqualTo(FrameError.Kind.OUT_OF_RANGE);
        assertThat(kind(() -> b.freeBlock(PhysFrame.of(8), 2))).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        b.freeBlock(PhysFrame.of(4), 2); // [4, 8) ends inside the region
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(4L, 2), Map.entry(8L, 2));
        FrameRange top = b.allocateOrder(2);
        assertThat(top).isEqualTo(FrameRange.of(4, 4));
        FrameRange last = b.allocateOrder(2);
        b.freeBlock(last.start(), 2); // [8, 12) ends exactly at the region's end
        assertThat(b.freeFrames()).isEqualTo(4);
    }

    @Test
    void freesCoalesceWithTheirBuddyOrderByOrder() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 3);
        FrameRange[] f = new FrameRange[8];
        for (int i = 0; i < 8; i++) {
            f[i] = b.allocate(1);
        }
        b.free(f[1]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(1L, 0));
        b.free(f[2]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(1L, 0), Map.entry(2L, 0)); // 1 and 2 are not buddies
        b.free(f[3]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(1L, 0), Map.entry(2L, 1));
        b.free(f[0]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(0L, 2));
        b.free(f[6]);
        b.free(f[7]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(0L, 2), Map.entry(6L, 1));
        b.free(f[5]);
        b.free(f[4]);
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(0L, 3));
        assertThat(b.isFree(PhysFrame.of(7))).isTrue();
        assertThat(b.freeFrames()).isEqualTo(8);
    }

    @Test
    void anExactRequestFreesItsTailAndAPartialFreeSaysHowLongTheAllocationIs() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 3);
        FrameRange a = b.allocate(3);
        assertThat(a).isEqualTo(FrameRange.of(0, 3));
        assertThat(b.isFree(PhysFrame.of(3))).isTrue();
        assertThat(b.isFree(PhysFrame.of(2))).isFalse();
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(3L, 0), Map.entry(4L, 2));
        assertThat(error(() -> b.free(FrameRange.of(0, 2))).getMessage())
                .isEqualTo("buddy free([frame#0..2)): not a live allocation (the allocation there holds 3 frames)");
        assertThat(error(() -> b.free(FrameRange.of(1, 1))).getMessage()).isEqualTo("buddy free([frame#1..2)): not a live allocation");
        assertThat(b).hasToString("Buddy[frame#0..8) base=0 max=3 free={3^0 4^2} live={0=3}");
        assertThat(b.key()).isEqualTo("3,||4,||0+3,|5");
        assertThat(b.liveRuns()).containsExactly(a);
        assertThat(b.freeRuns()).containsExactly(FrameRange.of(3, 1), FrameRange.of(4, 4));
        assertThat(b.managedFrames()).isEqualTo(8);
        BuddyAllocator copy = b.copy();
        copy.free(a);
        assertThat(b.live()).containsOnlyKeys(0L);
        assertThat(copy.live()).isEmpty();
        assertThat(copy.freeBlocks(3)).containsExactly(0L);
    }

    // ---- hybrid ----

    @Test
    void theDefaultSplitGivesTheBitmapAQuarterRoundedUpToTheThreshold() {
        assertThat(HybridAllocator.defaultSplit(FrameRange.of(0, 4096), 512)).isEqualTo(PhysFrame.of(1024));
        assertThat(HybridAllocator.defaultSplit(FrameRange.of(0, 4100), 512)).isEqualTo(PhysFrame.of(1536));
        assertThat(HybridAllocator.defaultSplit(FrameRange.of(100, 400), 512)).isEqualTo(PhysFrame.of(500));
        assertThat(HybridAllocator.defaultSplit(FrameRange.of(0, 16), 4)).isEqualTo(PhysFrame.of(4));
        assertThat(HybridAllocator.defaultSplit(FrameRange.of(1, 16), 4)).isEqualTo(PhysFrame.of(8));
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 4096), List.of());
        assertThat(h.split()).isEqualTo(PhysFrame.of(1024));
        assertThat(h.threshold()).isEqualTo(512);
        assertThat(h.buddy().orElseThrow().maxOrder()).isEqualTo(18);
    }

    @Test
    void theThresholdAndSplitAreCheckedAtTheirEdges() {
        FrameRange m = FrameRange.of(4, 8);
        assertThat(error(() -> new HybridAllocator(m, List.of(), 0, PhysFrame.of(8), 3)).getMessage())
                .isEqualTo("hybrid threshold 0 must be at least 1 frame");
        assertThat(error(() -> new HybridAllocator(m, List.of(), 4, PhysFrame.of(3), 3)).getMessage())
                .isEqualTo("hybrid split frame#3 outside managed [frame#4..12)");
        assertThat(kind(() -> new HybridAllocator(m, List.of(), 4, PhysFrame.of(13), 3))).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(new HybridAllocator(m, List.of(), 1, PhysFrame.of(4), 3).bitmapRange()).isEmpty();
        assertThat(new HybridAllocator(m, List.of(), 1, PhysFrame.of(12), 3).buddyRange()).isEmpty();
        HybridAllocator h = new HybridAllocator(m, List.of(), 4, PhysFrame.of(8), 3);
        assertThat(h.route(3)).isEqualTo(HybridAllocator.Half.BITMAP);
        assertThat(h.route(4)).isEqualTo(HybridAllocator.Half.BUDDY);
        assertThat(h.halfOf(PhysFrame.of(7))).isEqualTo(HybridAllocator.Half.BITMAP);
        assertThat(h.halfOf(PhysFrame.of(8))).isEqualTo(HybridAllocator.Half.BUDDY);
        assertThat(h.bitmapRange()).contains(FrameRange.of(4, 4));
        assertThat(h.buddyRange()).contains(FrameRange.of(8, 4));
    }

    @Test
    void aRequestNoHalfCouldEverServeIsImpossibleAndCounted() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 2);
        FrameError e = error(() -> h.allocate(5));
        assertThat(e.errorKind()).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(e.getMessage()).isEqualTo(
                "hybrid allocate(5): no half could ever serve it (bitmap [frame#0..8), buddy [frame#8..16), threshold 4)");
        h.allocate(1); // frame 0: the bitmap has no 8-aligned frame left, and the buddy's blocks are at most 4
        FrameError refused = error(() -> h.allocate(1, 8));
        assertThat(refused.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(refused.getMessage()).startsWith("bitmap allocate(1, align 8): no aligned run of 1 free frames in [frame#0..8)");
        assertThat(h.stats().failures()).isEqualTo(2);
        assertThat(h.stats().allocations()).isEqualTo(1);
    }

    @Test
    void aSmallRequestBothHalvesRefuseSaysWhatEachSaid() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        h.allocate(3);
        h.allocate(3);
        FrameRange pair = h.allocate(2);
        assertThat(pair).isEqualTo(FrameRange.of(6, 2));
        FrameRange fallback = h.allocate(1);
        assertThat(fallback).isEqualTo(FrameRange.of(8, 1));
        assertThat(h.stats(HybridAllocator.Half.BUDDY).fallbacks()).isEqualTo(1);
        h.free(fallback);
        h.allocate(8);
        FrameError e = error(() -> h.allocate(1));
        assertThat(e.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).isEqualTo("hybrid allocate(1): bitmap: bitmap allocate(1, align 1): no aligned run of 1 free frames "
                + "in [frame#0..8) (0 free); then buddy: buddy allocate(1): no free block of order >= 0 in [frame#8..16) (0 frames free)");
        assertThat(h.stats().failures()).isEqualTo(1);
        assertThat(h.stats().allocations()).isEqualTo(5);
        assertThat(h.stats().frees()).isEqualTo(1);
        assertThat(h.stats(HybridAllocator.Half.BITMAP).failures()).isEqualTo(2); // the fallback, then this request
        assertThat(h.stats(HybridAllocator.Half.BUDDY).failures()).isEqualTo(1);
        assertThat(h.freeFrames()).isZero();
        assertThat(h.managedFrames()).isEqualTo(16);
    }

    @Test
    void aFreeAcrossTheSplitIsReservedDoubleOrNoAllocation() {
        HybridAllocator r = new HybridAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(7, 2, "r")), 4, PhysFrame.of(8), 3);
        assertThat(error(() -> r.free(FrameRange.of(6, 4))).getMessage()).isEqualTo("hybrid free([frame#6..10)): overlaps reserved r[frame#7..9)");
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        assertThat(error(() -> h.free(FrameRange.of(7, 2))).getMessage()).isEqualTo("hybrid free([frame#7..9)): frame#7 is already free");
        h.allocate(3);
        h.allocate(3);
        FrameRange pair = h.allocate(2);
        FrameError across = error(() -> h.free(FrameRange.of(7, 2)));
        assertThat(across.errorKind()).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(across.getMessage()).isEqualTo("hybrid free([frame#7..9)): crosses the split at frame#8, so it is no allocation");
        FrameError outside = error(() -> h.free(FrameRange.of(15, 2)));
        assertThat(outside.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_RANGE);
        assertThat(outside.getMessage()).isEqualTo("hybrid free([frame#15..17)): outside managed [frame#0..16)");
        assertThat(h.stats().frees()).isZero();
        h.free(pair); // ends exactly at the split: the bitmap's
        assertThat(h.stats().frees()).isEqualTo(1);
        assertThat(h.isFree(PhysFrame.of(7))).isTrue();
        assertThat(h.isFree(PhysFrame.of(8))).isTrue();
        assertThat(h.isFree(PhysFrame.of(0))).isFalse();
        assertThat(h.isFree(PhysFrame.of(16))).isFalse();
        FrameRange big = h.allocate(4);
        assertThat(big).isEqualTo(FrameRange.of(8, 4));
        h.free(big); // starts exactly at the split: the buddy's
        assertThat(h.stats(HybridAllocator.Half.BUDDY).frees()).isEqualTo(1);
        HybridAllocator noBuddy = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(16), 3);
        assertThat(noBuddy.stats(HybridAllocator.Half.BUDDY).allocations()).isZero();
        HybridAllocator noBitmap = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(0), 3);
        assertThat(noBitmap.stats(HybridAllocator.Half.BITMAP).allocations()).isZero();
        assertThat(noBitmap.freeFrames()).isEqualTo(16);
        assertThat(noBuddy.freeFrames()).isEqualTo(16);
        assertThat(noBitmap.key()).startsWith("-#");
        assertThat(noBuddy.key()).endsWith("#-");
        assertThat(noBitmap).hasToString("Hybrid[frame#0..16) split=0 threshold=4 {null ; Buddy[frame#0..16) base=0 max=3 free={0^3 8^3} live={}}");
        HybridAllocator copy = h.copy();
        copy.allocate(1);
        assertThat(copy.freeFrames()).isEqualTo(h.freeFrames() - 1);
    }
}
