package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The buddy's aligned base for a region that starts off the largest block, a state given
 * explicitly (as the inductiveness check builds it: its free count and its stats), the messages of
 * an order or block outside the allocator, what each seeded bug does and does not change, and the
 * corruption hooks the negative tests use.
 */
class BuddyBaseAndExplicitStateTest {
    private static FrameError error(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).as("a FrameError").isNotNull();
        return e;
    }

    @Test
    void theBaseIsTheRegionStartRoundedDownToTheLargestBlock() {
        assertThat(new BuddyAllocator(FrameRange.of(13, 8), List.of(), 2).base()).isEqualTo(PhysFrame.of(12));
        assertThat(new BuddyAllocator(FrameRange.of(13, 8), List.of(), 3).base()).isEqualTo(PhysFrame.of(8));
        assertThat(new BuddyAllocator(FrameRange.of(13, 8), List.of(), 0).base()).isEqualTo(PhysFrame.of(13));
    }

    @Test
    void anExplicitStateCountsItsFreeBlocksAndItsLiveAllocations() {
        BuddyAllocator b = BuddyAllocator.fromState(FrameRange.of(0, 8), List.of(), 2, Map.of(4L, 2, 3L, 0), Map.of(0L, 3L));
        assertThat(b.freeFrames()).isEqualTo(5);
        assertThat(b.stats().allocations()).isEqualTo(1);
        assertThat(b.stats().framesAllocated()).isEqualTo(3);
        FrameInvariants.BUDDY.assertHolds(b);
        b.free(FrameRange.of(0, 3));
        assertThat(b.freeBlockMap()).containsExactly(Map.entry(0L, 2), Map.entry(4L, 2));
    }

    @Test
    void freeRunsAreSortedByStartWhateverTheirOrder() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 3);
        FrameRange low = b.allocate(4);
        b.allocate(1);
        b.free(low);
        assertThat(b.freeRuns()).containsExactly(FrameRange.of(0, 4), FrameRange.of(5, 1), FrameRange.of(6, 2));
        assertThat(b).hasToString("Buddy[frame#0..8) base=0 max=3 free={0^2 5^0 6^1} live={4=1}");
    }

    @Test
    void anOrderOrBlockOutsideTheAllocatorSaysSo() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(4, 8), List.of(), 2);
        assertThat(error(() -> b.allocateOrder(3)).getMessage()).isEqualTo("buddy allocateOrder(3): orders are 0..2");
        assertThat(error(() -> b.allocateOrder(-1)).getMessage()).isEqualTo("buddy allocateOrder(-1): orders are 0..2");
        assertThat(error(() -> b.freeBlock(PhysFrame.of(12), 2)).getMessage()).isEqualTo("buddy freeBlock(frame#12, 2): outside [frame#4..12)");
        assertThat(error(() -> b.freeBlock(PhysFrame.of(0), 2)).getMessage()).isEqualTo("buddy freeBlock(frame#0, 2): outside [frame#4..12)");
        assertThat(error(() -> b.freeBlock(PhysFrame.of(10), 1)).errorKind()).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        assertThat(error(() -> b.freeBlock(PhysFrame.of(4), 3)).getMessage()).isEqualTo("buddy freeBlock(frame#4, 3): orders are 0..2");
    }

    @Test
    void roundingDownOnlyAffectsSizesThatAreNotPowersOfTwo() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 3, BuddyAllocator.Bug.ROUND_DOWN);
        assertThat(b.allocate(4)).isEqualTo(FrameRange.of(0, 4));
        assertThat(b.allocate(2)).isEqualTo(FrameRange.of(4, 2));
        FrameInvariants.BUDDY.assertHolds(b);
        assertThat(b.allocate(1)).isEqualTo(FrameRange.of(6, 1));
        assertThat(FrameInvariants.BUDDY.violations(b)).isEmpty();
    }

    @Test
    void carvingFromTheRegionStartAlignsBlocksToTheStart() {
        BuddyAllocator bad = new BuddyAllocator(FrameRange.of(3, 8), List.of(), 2, BuddyAllocator.Bug.CARVE_FROM_REGION_START);
        assertThat(bad.freeBlockMap()).containsExactly(Map.entry(3L, 2), Map.entry(7L, 2));
        BuddyAllocator good = new BuddyAllocator(FrameRange.of(3, 8), List.of(), 2);
        assertThat(good.freeBlockMap()).containsExactly(Map.entry(3L, 0), Map.entry(4L, 2), Map.entry(8L, 1), Map.entry(10L, 0));
    }

    @Test
    void theCorruptionHooksKeepTheFreeCountInStepWithTheBlocks() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 3);
        b.corruptRemoveFreeBlock(0, 3);
        assertThat(b.freeFrames()).isZero();
        b.corruptAddFreeBlock(4, 2);
        assertThat(b.freeFrames()).isEqualTo(4);
        assertThat(FrameInvariants.FRAME_3.evaluate(b)).isEmpty();
        assertThat(FrameInvariants.FRAME_2.evaluate(b)).isPresent();
    }
}
