package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;

/**
 * What the exhaustive models of {@code models/} do in one state: the actions each model enables
 * (their labels are the trace a counterexample prints), which of them are bad input and the error
 * kind each must raise, the order requests' postcondition, and how the bounds name the system.
 */
class ExhaustiveModelActionsTest {

    private static <S> List<String> labels(List<Action<S>> actions) {
        return actions.stream().map(Action::label).toList();
    }

    private static <S> Action<S> action(List<Action<S>> actions, String label) {
        return actions.stream().filter(a -> a.label().equals(label)).findFirst().orElseThrow(() -> new AssertionError(label));
    }

    private static <S> FrameError.Kind rejection(Consumer<S> effect, S state) {
        FrameError e = catchThrowableOfType(() -> effect.accept(state), FrameError.class);
        assertThat(e).as("a FrameError").isNotNull();
        return e.errorKind();
    }

    @Test
    void theModelsAreTheBuddyBitmapAndHybridOfTheFramesComponent() {
        assertThat(FrameModels.all()).extracting(ExhaustiveModel::name).containsExactly("buddy-32", "bitmap-16", "hybrid-16");
        assertThat(FrameModels.all()).extracting(ExhaustiveModel::component).containsOnly("frames");
    }

    @Test
    void reservedBoundsAreFrameRangesJoinedWithPlus() {
        assertThat(FrameModels.reserved(Bounds.parse("frames=16,reserved=2-4+8-9")))
                .containsExactly(ReservedRegion.of(2, 2, "reserved 2-4"), ReservedRegion.of(8, 1, "reserved 8-9"));
        assertThat(FrameModels.reserved(Bounds.parse("frames=16"))).isEmpty();
        assertThat(FrameModels.orders(Bounds.parse("frames=16,orders=0+2"))).containsExactly(0, 2);
        assertThat(FrameModels.counts(Bounds.parse("frames=16"), "1+5")).containsExactly(1L, 5L);
    }

    @Test
    void aSystemIsNamedByItsBoundsItsReservedRegionsAndItsSeededBug() {
        assertThat(FrameModels.buddySystem(Bounds.parse("frames=32")).name()).isEqualTo("buddy [frame#0..32) orders 0..3");
        assertThat(FrameModels.buddySystem(Bounds.parse("start=3,frames=13,maxOrder=2,reserved=4-5,bug=NO_COALESCE")).name())
                .isEqualTo("buddy [frame#3..16) orders 0..2 reserved [reserved 4-5[frame#4..5)] bug NO_COALESCE");
        assertThat(FrameModels.bitmapSystem(Bounds.parse("frames=16")).name()).isEqualTo("bitmap [frame#0..16)");
        assertThat(FrameModels.bitmapSystem(Bounds.parse("frames=16,reserved=0-1,bug=MISCOUNT_FREE")).name())
                .isEqualTo("bitmap [frame#0..16) reserved [reserved 0-1[frame#0..1)] bug MISCOUNT_FREE");
        assertThat(FrameModels.hybridSystem(Bounds.parse("frames=16")).name()).isEqualTo("hybrid [frame#0..16) threshold 4 split frame#4");
        assertThat(FrameModels.hybridSystem(Bounds.parse("frames=16,split=8,bug=UNCOUNTED_FALLBACK")).name())
                .isEqualTo("hybrid [frame#0..16) threshold 4 split frame#8 bug UNCOUNTED_FALLBACK");
    }

    @Test
    void theBuddyEnablesEveryOrderEveryFreeAPartialFreeAMisalignedBlockAndBadFrees() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 8), List.of(ReservedRegion.of(7, 1, "r")), 2);
        assertThat(b.allocate(3)).isEqualTo(FrameRange.of(0, 3));
        List<Action<BuddyAllocator>> actions = FrameModels.buddyActions(b, List.of(0L, 3L));
        assertThat(labels(actions)).containsExactly("allocateOrder(-1)", "allocateOrder(0)", "allocateOrder(1)", "allocateOrder(2)",
                "allocateOrder(3)", "allocate(0)", "allocate(3)", "free([frame#0..3))", "free([frame#0..2)) partial",
                "freeBlock(frame#1, 1) misaligned", "free([frame#3..4)) double", "free([frame#4..5)) double", "free([frame#6..7)) double",
                "free([frame#7..8)) reserved", "free([frame#7..9)) out of range");
        assertThat(rejection(action(actions, "free([frame#0..2)) partial").effect(), b.copy())).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(rejection(action(actions, "freeBlock(frame#1, 1) misaligned").effect(), b.copy())).isEqualTo(FrameError.Kind.MISALIGNED);
        assertThat(rejection(action(actions, "free([frame#4..5)) double").effect(), b.copy())).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        assertThat(rejection(action(actions, "free([frame#7..8)) reserved").effect(), b.copy())).isEqualTo(FrameError.Kind.RESERVED);
        assertThat(rejection(action(actions, "free([frame#7..9)) out of range").effect(), b.copy())).isEqualTo(FrameError.Kind.OUT_OF_RANGE);
        BuddyAllocator freed = b.copy();
        action(actions, "free([frame#0..3))").effect().accept(freed);
        assertThat(freed.live()).isEmpty();
        BuddyAllocator single = new BuddyAllocator(FrameRange.of(0, 4), List.of(), 1);
        single.allocate(1);
        assertThat(labels(FrameModels.buddyActions(single, List.of()))).containsExactly("allocateOrder(-1)", "allocateOrder(0)",
                "allocateOrder(1)", "allocateOrder(2)", "free([frame#0..1))", "free([frame#1..2)) double", "free([frame#2..3)) double",
                "free([frame#3..5)) out of range");
    }

    @Test
    void theBitmapEnablesItsCountsTooBigATailOnlyAndAnOverlongFreeAndBadFrees() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8), List.of(ReservedRegion.of(7, 1, "r")));
        b.allocate(3);
        b.allocate(1);
        List<Action<BitmapAllocator>> actions = FrameModels.bitmapActions(b, List.of(1L), List.of(1));
        assertThat(labels(actions)).containsExactly("allocate(1)", "allocate(2, align 2)", "allocate(2, align 3) misaligned", "allocate(9)",
                "free([frame#0..3))", "free([frame#1..3)) tail only", "free([frame#0..4)) overlong", "free([frame#3..4))",
                "free([frame#3..5)) overlong", "free([frame#4..5)) double", "free([frame#7..8)) reserved", "free([frame#7..9)) out of range");
        assertThat(rejection(action(actions, "free([frame#1..3)) tail only").effect(), b.copy())).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(rejection(action(actions, "free([frame#0..4)) overlong").effect(), b.copy())).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(rejection(action(actions, "allocate(9)").effect(), b.copy())).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE);
        assertThat(rejection(action(actions, "allocate(2, align 3) misaligned").effect(), b.copy())).isEqualTo(FrameError.Kind.MISALIGNED);
        assertThat(rejection(action(actions, "free([frame#4..5)) double").effect(), b.copy())).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        BitmapAllocator freed = b.copy();
        action(actions, "free([frame#3..4))").effect().accept(freed);
        assertThat(freed.liveRuns()).containsExactly(FrameRange.of(0, 3));
        BitmapAllocator full = new BitmapAllocator(FrameRange.of(0, 4), List.of());
        full.allocate(4);
        // a run ending at the managed end has no overlong free; no orders, no misaligned request
        assertThat(labels(FrameModels.bitmapActions(full, List.of(2L)))).containsExactly("allocate(2)", "allocate(5)", "free([frame#0..4))",
                "free([frame#1..4)) tail only", "free([frame#3..5)) out of range");
    }

    @Test
    void theHybridEnablesPartialFreesInBothHalvesAndAFreeAcrossTheSplit() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(8), 3);
        h.allocate(3);
        h.allocate(4);
        List<Action<HybridAllocator>> actions = FrameModels.hybridActions(h, List.of(1L), List.of(0));
        assertThat(labels(actions)).containsExactly("allocate(1)", "allocate(1, align 1)", "allocate(2, align 3) misaligned",
                "free([frame#0..3))", "free([frame#0..2)) partial", "free([frame#8..12))", "free([frame#8..11)) partial",
                "free([frame#7..9)) across the split", "free([frame#3..4)) double",
                "free([frame#12..13)) double", "free([frame#15..17)) out of range");
        assertThat(rejection(action(actions, "free([frame#0..2)) partial").effect(), h.copy())).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(rejection(action(actions, "free([frame#8..11)) partial").effect(), h.copy())).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(rejection(action(actions, "free([frame#7..9)) across the split").effect(), h.copy())).isEqualTo(FrameError.Kind.DOUBLE_FREE);
        HybridAllocator freed = h.copy();
        action(actions, "free([frame#8..12))").effect().accept(freed);
        action(actions, "free([frame#0..3))").effect().accept(freed);
        assertThat(freed.liveRuns()).isEmpty();
        for (long split : new long[] {0, 16}) {
            HybridAllocator oneHalf = new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(split), 3);
            assertThat(labels(FrameModels.hybridActions(oneHalf, List.of()))).as("split " + split).noneMatch(l -> l.contains("across"));
        }
    }

    @Test
    void anOrderRequestMustReturnABlockAlignedToItsSize() {
        List<Action<FrameAllocator>> actions = new ArrayList<>();
        FrameModels.orderRequests(actions, List.of(1));
        assertThat(labels(actions)).containsExactly("allocate(2, align 2)", "allocate(2, align 3) misaligned");
        Consumer<FrameAllocator> order1 = actions.get(0).effect();
        order1.accept(returning(FrameRange.of(2, 2)));
        assertThatThrownBy(() -> order1.accept(returning(FrameRange.of(1, 2)))).isInstanceOf(IllegalStateException.class)
                .hasMessage("order 1 request returned [frame#1..3), not a block aligned to 2");
        assertThatThrownBy(() -> order1.accept(returning(FrameRange.of(2, 1)))).isInstanceOf(IllegalStateException.class)
                .hasMessage("order 1 request returned [frame#2..3), not a block aligned to 2");
        List<Action<FrameAllocator>> none = new ArrayList<>();
        FrameModels.orderRequests(none, List.of());
        assertThat(none).isEmpty();
    }

    /** An allocator that answers every request with {@code run}. */
    private static FrameAllocator returning(FrameRange run) {
        return new FrameAllocator() {
            @Override
            public FrameRange allocate(long count) {
                return run;
            }

            @Override
            public FrameRange allocate(long count, long alignFrames) {
                return run;
            }

            @Override
            public void free(FrameRange r) {
            }

            @Override
            public long freeFrames() {
                return 0;
            }

            @Override
            public long managedFrames() {
                return 0;
            }
        };
    }
}
