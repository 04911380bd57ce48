package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The trivially correct models the checks compare against: the reference allocator's first fit,
 * its errors and its free-run query at the managed range's edges, and the hybrid model's
 * expectations for each half.
 */
class ReferenceModelsTest {
    private static FrameError error(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).isNotNull();
        return e;
    }

    @Test
    void theReferenceAllocatorIsFirstFitAndAlignedFirstFit() {
        ReferenceFrameAllocator r = new ReferenceFrameAllocator(FrameRange.of(3, 10), List.of(FrameRange.of(5, 1)));
        assertThat(r.reservedFrames()).isEqualTo(1);
        assertThat(r.freeFrames()).isEqualTo(9);
        assertThat(r.managedFrames()).isEqualTo(10);
        assertThat(r.tracksFreeFrames()).isTrue();
        assertThat(r.allocate(2)).isEqualTo(FrameRange.of(3, 2));
        assertThat(r.allocate(2, 4)).isEqualTo(FrameRange.of(8, 2));
        assertThat(r.allocate(2)).isEqualTo(FrameRange.of(6, 2));
        assertThat(r.hasRun(2, 1)).isTrue();
        assertThat(r.hasRun(3, 1)).isTrue();
        assertThat(r.hasRun(4, 1)).isFalse();
        assertThat(r.hasRun(2, 2)).isTrue();
        assertThat(r.hasRun(2, 4)).isFalse(); // 12 is aligned, but 13 is past the managed range
        assertThat(r.hasRun(3, 4)).isFalse();
        assertThat(r.freeSet()).containsExactly(10L, 11L, 12L);
        assertThat(r.live()).containsEntry(3L, 2L).containsEntry(8L, 2L).containsEntry(6L, 2L);
        assertThat(r).hasToString("Reference{managed=[frame#3..13), free=3, live={3=2, 6=2, 8=2}}");
        ReferenceFrameAllocator c = r.copy();
        c.allocate(3);
        assertThat(r.freeFrames()).isEqualTo(3);
        assertThat(c.freeFrames()).isZero();
        assertThat(c.reservedFrames()).isEqualTo(1);
    }

    @Test
    void theReferenceAllocatorRejectsInTheContractsOrder() {
        ReferenceFrameAllocator r = new ReferenceFrameAllocator(FrameRange.of(0, 4));
        assertThat(error(() -> r.allocate(0, 3)).errorKind()).isEqualTo(FrameError.Kind.ZERO_SIZE);
        assertThat(error(() -> r.allocate(1, 3)).errorKind()).isEqualTo(FrameError.Kind.MISALIGNED);
        FrameError big = error(() -> r.allocate(5));
        assertThat(big.errorKind()).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(big.getMessage()).isEqualTo("allocate(5): larger than managed [frame#0..4)");
        assertThat(r.allocate(4)).isEqualTo(FrameRange.of(0, 4));
        FrameError oom = error(() -> r.allocate(1));
        assertThat(oom.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(oom.getMessage()).isEqualTo("allocate(1): no free run");
        assertThat(error(() -> r.free(FrameRange.of(0, 2))).errorKind()).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        r.free(FrameRange.of(0, 4));
        assertThat(error(() -> r.free(FrameRange.of(0, 4))).errorKind()).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        assertThat(error(() -> r.take(FrameRange.of(3, 2))).getMessage()).isEqualTo("take([frame#3..5)): not all free");
    }

    @Test
    void aFreeRunQueryStaysInsideTheManagedRange() {
        ReferenceFrameAllocator r = new ReferenceFrameAllocator(FrameRange.of(4, 4));
        assertThat(r.isFree(4, 4)).isTrue();
        assertThat(r.isFree(3, 1)).isFalse();
        assertThat(r.isFree(5, 4)).isFalse();
        assertThat(r.isFree(7, 1)).isTrue();
        assertThat(r.isFree(PhysFrame.of(8))).isFalse();
        r.take(FrameRange.of(5, 1));
        assertThat(r.isFree(4, 2)).isFalse();
        assertThat(r.isFree(6, 2)).isTrue();
    }

    @Test
    void theHybridModelExpectsTheBitmapsExactRunBelowTheThreshold() {
        HybridModel m = new HybridModel(FrameRange.of(0, 16), List.of(FrameRange.of(1, 1)), 4, PhysFrame.of(8), 3);
        HybridModel.Expectation e = m.expect(2, 2);
        assertThat(e.half()).contains(HybridAllocator.Half.BITMAP);
        assertThat(e.exactRun()).contains(FrameRange.of(2, 2));
        assertThat(e.window()).isEqualTo(2);
        assertThat(e.served()).isTrue();
        assertThat(m.accept(e, 2, FrameRange.of(4, 2))).contains(
                "bitmap aligned first fit is [frame#2..4), the allocator returned [frame#4..6)");
        assertThat(m.accept(e, 2, FrameRange.of(2, 2))).isEmpty();
        assertThat(m.liveAt(2)).contains(2L);
        assertThat(m.isFree(PhysFrame.of(2))).isFalse();
        assertThat(m.freeFrames()).isEqualTo(13);
        HybridModel copy = m.copy();
        m.free(FrameRange.of(2, 2));
        assertThat(m.freeFrames()).isEqualTo(15);
        assertThat(copy.freeFrames()).isEqualTo(13);
        assertThat(m.liveAt(2)).isEmpty();
    }

    @Test
    void theHybridModelLetsTheBuddyChooseAnAlignedFreeWindow() {
        HybridModel m = new HybridModel(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        HybridModel.Expectation e = m.expect(3, 1);
        assertThat(e.half()).contains(HybridAllocator.Half.BITMAP); // 3 < threshold and the bitmap has room
        HybridModel.Expectation big = m.expect(5, 1);
        assertThat(big.half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(big.exactRun()).isEmpty();
        assertThat(big.window()).isEqualTo(8);
        assertThat(m.accept(big, 5, FrameRange.of(8, 4))).hasValueSatisfying(p -> assertThat(p).startsWith("the buddy half must return 5 frames aligned to 8"));
        assertThat(m.accept(big, 5, FrameRange.of(9, 5))).isPresent();
        assertThat(m.accept(big, 5, FrameRange.of(0, 5))).isPresent();
        assertThat(m.accept(big, 5, FrameRange.of(8, 5))).isEmpty();
        assertThat(m.isFree(PhysFrame.of(12))).isFalse();
        assertThat(m.isFree(PhysFrame.of(13))).isTrue();
        assertThat(m.liveAt(8)).contains(5L);
        assertThat(m.expect(8, 1).served()).isFalse(); // the only 8-window is partly taken
        assertThat(m.expect(9, 1).served()).isFalse(); // more than a largest block
        assertThat(m.expect(4, 16).served()).isFalse(); // alignment past the largest block
        HybridModel.Expectation none = m.expect(9, 1);
        assertThat(m.accept(none, 9, FrameRange.of(0, 9))).contains(
                "the model cannot serve 9 frames, but the allocator returned [frame#0..9)");
    }

    @Test
    void aModelOfAnAllocatorTakesTheHybridsConfigurationOrFirstFit() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 2);
        HybridModel m = HybridModel.of(h, FrameRange.of(0, 16), List.of());
        assertThat(m.expect(4, 1).half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(m.expect(5, 1).served()).isFalse(); // buddy orders up to 2 only
        assertThat(m).hasToString("HybridModel{split=8, threshold=4, bitmap=Reference{managed=[frame#0..8), free=8, live={}}, "
                + "buddy=Reference{managed=[frame#8..16), free=8, live={}}}");
        HybridModel ff = HybridModel.of(new ReferenceFrameAllocator(FrameRange.of(0, 16)), FrameRange.of(0, 16), List.of());
        HybridModel.Expectation e = ff.expect(12, 1);
        assertThat(e.exactRun()).contains(FrameRange.of(0, 12));
        HybridModel allBuddy = new HybridModel(FrameRange.of(0, 8), List.of(), 4, PhysFrame.of(0), 3);
        assertThat(allBuddy.expect(1, 1).half()).contains(HybridAllocator.Half.BUDDY);
        assertThat(allBuddy.liveAt(0)).isEqualTo(Optional.empty());
        HybridModel allBitmap = HybridModel.firstFit(FrameRange.of(0, 8), List.of());
        assertThat(allBitmap.isFree(PhysFrame.of(9))).isFalse();
        assertThat(allBitmap.liveAt(9)).isEmpty();
        assertThat(allBitmap.expect(9, 1).served()).isFalse();
    }
}
