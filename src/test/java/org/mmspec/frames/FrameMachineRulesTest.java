package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.RuleDriver;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * The frame machines' rules one step at a time: the call each rule makes for given draws, and
 * that each comparison with the model is made. A model put out of step with the allocator on
 * purpose (it holds a frame the allocator does not, or the other way round) must make the rule
 * fail with a model mismatch naming what disagreed, and an allocator result the contract forbids
 * (wrong length, misaligned, not free in the model, served when it must be refused) must fail the
 * contract checks.
 */
class FrameMachineRulesTest {

    private static <S> String run(StateMachine<S> machine, String rule, S state, long... draws) {
        return RuleDriver.apply(machine, rule, state, draws);
    }

    private static <S> void mismatch(StateMachine<S> machine, String rule, S state, String what, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(machine, rule, state, draws)).isInstanceOf(ModelMismatch.class)
                .hasMessageStartingWith("model mismatch on " + what + ":");
    }

    private static <S> Rule<S> rule(StateMachine<S> machine, String name) {
        return machine.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- bitmap ----

    private static final StateMachine<FrameMachines.BitmapCase> BITMAP = FrameMachines.bitmap();

    private static FrameMachines.BitmapCase bitmap8() {
        return new FrameMachines.BitmapCase(new BitmapAllocator(FrameRange.of(0, 8), List.of()));
    }

    @Test
    void bitmapInit_drawsTheStartThenAWideOrNarrowSize() {
        FrameMachines.BitmapCase wide = BITMAP.init(Choices.replay(new long[] {5, 3, 300}));
        assertThat(wide.impl().managed()).isEqualTo(FrameRange.of(5, 301));
        FrameMachines.BitmapCase narrow = BITMAP.init(Choices.replay(new long[] {5, 0, 300}));
        assertThat(narrow.impl().managed()).isEqualTo(FrameRange.of(5, 61));
        assertThat(BITMAP.snapshot(wide)).isEqualTo(wide.impl().key());
        assertThat(wide).hasToString(wide.impl().toString());
    }

    @Test
    void bitmapAllocate_comparesOutcomeFirstFitRunAndFreeCount() {
        assertThat(run(BITMAP, "allocate", bitmap8(), 3, 0)).isEqualTo("allocate(1) -> [frame#0..1)");
        FrameMachines.BitmapCase full = bitmap8();
        full.model.take(FrameRange.of(0, 8));
        mismatch(BITMAP, "allocate", full, "allocate(1) outcome", 3, 0);
        FrameMachines.BitmapCase low = bitmap8();
        low.model.take(FrameRange.of(0, 1));
        mismatch(BITMAP, "allocate", low, "allocate(1) run (first fit)", 3, 0);
        FrameMachines.BitmapCase high = bitmap8();
        high.model.take(FrameRange.of(7, 1));
        mismatch(BITMAP, "allocate", high, "freeFrames", 3, 0);
    }

    @Test
    void bitmapAllocateAligned_comparesOutcomeAlignedRunAndFreeCount() {
        assertThat(run(BITMAP, "allocateAligned", bitmap8(), 3, 0, 2)).isEqualTo("allocate(1, align 2) -> [frame#0..1)");
        FrameMachines.BitmapCase full = bitmap8();
        full.model.take(FrameRange.of(0, 8));
        mismatch(BITMAP, "allocateAligned", full, "allocate(1, align 2) outcome", 3, 0, 2);
        FrameMachines.BitmapCase low = bitmap8();
        low.model.take(FrameRange.of(0, 1));
        mismatch(BITMAP, "allocateAligned", low, "allocate(1, align 2) run (aligned first fit)", 3, 0, 2);
        FrameMachines.BitmapCase high = bitmap8();
        high.model.take(FrameRange.of(7, 1));
        mismatch(BITMAP, "allocateAligned", high, "freeFrames", 3, 0, 2);
    }

    @Test
    void isFree_queriesAFrameFromOneBelowToOnePastTheRangeAndComparesWithTheModel() {
        FrameMachines.BitmapCase s = new FrameMachines.BitmapCase(new BitmapAllocator(FrameRange.of(0, 8), List.of()));
        assertThat(run(BITMAP, "isFree", s, 1)).isEqualTo("isFree(frame#0)");
        assertThat(run(BITMAP, "isFree", s, 0)).isEqualTo("isFree(frame#-1)");
        assertThat(run(BITMAP, "isFree", s, 9)).isEqualTo("isFree(frame#8)");
        FrameMachines.BitmapCase shifted = new FrameMachines.BitmapCase(new BitmapAllocator(FrameRange.of(4, 8), List.of()));
        assertThat(run(BITMAP, "isFree", shifted, 0)).isEqualTo("isFree(frame#3)");
        assertThat(run(BITMAP, "isFree", shifted, 9)).isEqualTo("isFree(frame#12)");
        s.model.take(FrameRange.of(2, 1));
        mismatch(BITMAP, "isFree", s, "isFree(frame#2)", 3);
    }

    @Test
    void free_isEnabledOnlyWithALiveAllocationAndMustSucceed() {
        FrameMachines.BitmapCase s = bitmap8();
        assertThat(rule(BITMAP, "free").enabled(s)).isFalse();
        s.model.take(FrameRange.of(2, 2));
        assertThat(rule(BITMAP, "free").enabled(s)).isTrue();
        mismatch(BITMAP, "free", s, "free([frame#2..4)) outcome", 0);
    }

    @Test
    void badFree_comparesTheErrorKindAndTheFreeCount() {
        FrameMachines.BitmapCase s = bitmap8();
        s.impl.allocate(1); // frame 0 is allocated, but the model holds it free: a "double free" the allocator accepts
        mismatch(BITMAP, "badFree", s, "free([frame#0..1)) outcome", 0, 0);
        FrameMachines.BitmapCase t = bitmap8();
        t.model.take(FrameRange.of(3, 1));
        mismatch(BITMAP, "badFree", t, "freeFrames", 3, 1);
        assertThat(run(BITMAP, "badFree", bitmap8(), 3, 1)).isEqualTo("free([frame#8..10)) -> rejected OUT_OF_RANGE");
    }

    // ---- buddy ----

    private static final StateMachine<FrameMachines.BuddyCase> BUDDY = FrameMachines.buddy();

    private static FrameMachines.BuddyCase buddy8() {
        return new FrameMachines.BuddyCase(new BuddyAllocator(FrameRange.of(0, 8), List.of(), 2));
    }

    @Test
    void buddyRules_drawSizesUpToTheLargestBlockAndOrdersOnePastEachEnd() {
        FrameMachines.BuddyCase s = buddy8();
        assertThat(BUDDY.snapshot(s)).isEqualTo(s.impl().key());
        assertThat(s).hasToString(s.impl().toString());
        assertThat(run(BUDDY, "allocate", buddy8(), 2, 3)).isEqualTo("allocate(4) -> [frame#0..4)");
        assertThat(run(BUDDY, "allocateAligned", buddy8(), 2, 3, 5)).isEqualTo("allocate(4, align 8) -> rejected IMPOSSIBLE_SIZE");
        assertThat(run(BUDDY, "allocateAligned", buddy8(), 2, 3, 0, 3)).isEqualTo("allocate(4, align 4) -> [frame#0..4)");
        assertThat(run(BUDDY, "allocateOrder", buddy8(), 4)).isEqualTo("allocateOrder(3) -> rejected IMPOSSIBLE_SIZE");
        assertThat(run(BUDDY, "allocateOrder", buddy8(), 0)).isEqualTo("allocateOrder(-1) -> rejected IMPOSSIBLE_SIZE");
        assertThat(run(BUDDY, "allocateOrder", buddy8(), 3)).isEqualTo("allocateOrder(2) -> [frame#0..4)");
        assertThat(run(BUDDY, "freeBlock", buddy8(), 4, 8)).isEqualTo("freeBlock(frame#8, 3) -> rejected IMPOSSIBLE_SIZE");
    }

    /** A buddy over [0, 8) holding the order-1 block [0, 2), in step with its model. */
    private static FrameMachines.BuddyCase buddyHolding01() {
        FrameMachines.BuddyCase s = buddy8();
        s.model.take(s.impl.allocateOrder(1));
        return s;
    }

    @Test
    void buddyFreeBlock_picksALiveStartOrAnyFrameAndComparesTheOutcomeAndFreeCount() {
        assertThat(run(BUDDY, "freeBlock", buddyHolding01(), 2, 1, 0)).isEqualTo("freeBlock(frame#0, 1) -> ok");
        assertThat(run(BUDDY, "freeBlock", buddyHolding01(), 2, 0, 1)).isEqualTo("freeBlock(frame#1, 1) -> rejected MISALIGNED");
        FrameMachines.BuddyCase desync = buddy8();
        desync.model.take(FrameRange.of(0, 2)); // the model holds [0, 2) live, the allocator holds it free
        mismatch(BUDDY, "freeBlock", desync, "freeBlock outcome", 2, 1, 0);
        FrameMachines.BuddyCase count = buddy8();
        count.model.take(FrameRange.of(7, 1));
        mismatch(BUDDY, "freeBlock", count, "freeFrames", 0, 0);
    }

    @Test
    void expectBuddy_holdsTheAllocatorToTheContract() {
        BuddyAllocator impl = new BuddyAllocator(FrameRange.of(0, 8), List.of(), 2);
        Step<Object> step = RuleDriver.step(new Object(), o -> "");
        FrameError oom = FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "no");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 0, 1,
                Outcome.ok(FrameRange.of(0, 1)))).isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(0, align 1) outcome");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 1, 3,
                Outcome.ok(FrameRange.of(0, 1)))).isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 3) outcome");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 5, 1,
                Outcome.ok(FrameRange.of(0, 5)))).isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(5, align 1) outcome");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 1, 1,
                Outcome.rejected(oom))).isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 1) outcome");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 1, 1,
                Outcome.ok(FrameRange.of(0, 2)))).isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 1) length");
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, new ReferenceFrameAllocator(FrameRange.of(0, 8)), 2, 1,
                Outcome.ok(FrameRange.of(1, 2)))).isInstanceOf(ModelMismatch.class)
                .hasMessageContaining("allocate(2, align 1) alignment to 2");
        ReferenceFrameAllocator taken = new ReferenceFrameAllocator(FrameRange.of(0, 8));
        taken.take(FrameRange.of(0, 1));
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, taken, 1, 1, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(AssertionError.class).hasMessage("allocate(1, align 1) returned [frame#0..1), which the model does not hold free");
        // a served request the model agrees with: the model takes it, and the free counts must then agree
        ReferenceFrameAllocator model = new ReferenceFrameAllocator(FrameRange.of(0, 8));
        assertThatThrownBy(() -> FrameMachines.expectBuddy(step, impl, model, 1, 1, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(ModelMismatch.class).hasMessage("model mismatch on freeFrames: implementation gave 8, model gave 7");
        assertThat(model.live()).containsEntry(0L, 1L);
    }

    // ---- hybrid ----

    private static final StateMachine<FrameMachines.HybridCase> HYBRID = FrameMachines.hybrid();

    /** Hybrid over [0, 16): bitmap [0, 8), buddy [8, 16) with orders 0..3, threshold 4. */
    private static FrameMachines.HybridCase hybrid16() {
        return hybrid16(8);
    }

    private static FrameMachines.HybridCase hybrid16(long split) {
        return new FrameMachines.HybridCase(new HybridAllocator(FrameRange.of(0, 16), List.of(), 4, PhysFrame.of(split), 3));
    }

    @Test
    void hybridInit_drawsTheSeedsScaleOrASmallScopeWithADrawnOrDefaultSplit() {
        FrameMachines.HybridCase seed = HYBRID.init(Choices.replay(new long[] {4, 100, 0}));
        assertThat(seed.impl().managed()).isEqualTo(FrameRange.of(100, 1024));
        assertThat(seed.impl().threshold()).isEqualTo(512);
        assertThat(seed.impl().split()).isEqualTo(PhysFrame.of(512));
        FrameMachines.HybridCase drawn = HYBRID.init(Choices.replay(new long[] {0, 4, 12, 3, 0, 5, 1}));
        assertThat(drawn.impl().managed()).isEqualTo(FrameRange.of(4, 16));
        assertThat(drawn.impl().threshold()).isEqualTo(4);
        assertThat(drawn.impl().split()).isEqualTo(PhysFrame.of(9));
        assertThat(drawn.impl().buddy().orElseThrow().maxOrder()).isEqualTo(3);
        FrameMachines.HybridCase byDefault = HYBRID.init(Choices.replay(new long[] {0, 4, 12, 3, 1, 0}));
        assertThat(byDefault.impl().split()).isEqualTo(PhysFrame.of(8));
        assertThat(byDefault.impl().buddy().orElseThrow().maxOrder()).isEqualTo(2);
        assertThat(HYBRID.snapshot(drawn)).isEqualTo(drawn.impl().key());
        assertThat(drawn).hasToString(drawn.impl().toString());
    }

    @Test
    void hybridAllocate_drawsSizesBelowAroundAndPastTheThresholdAndZero() {
        assertThat(run(HYBRID, "allocate", hybrid16(), 0, 5)).isEqualTo("allocate(3) -> [frame#0..3)");
        assertThat(run(HYBRID, "allocate", hybrid16(), 1, 0)).isEqualTo("allocate(3) -> [frame#0..3)");
        assertThat(run(HYBRID, "allocate", hybrid16(), 1, 2)).isEqualTo("allocate(5) -> [frame#8..13)");
        assertThat(run(HYBRID, "allocate", hybrid16(), 2, 16)).isEqualTo("allocate(17) -> rejected IMPOSSIBLE_SIZE");
        assertThat(run(HYBRID, "allocate", hybrid16(), 3, 3)).isEqualTo("allocate(4) -> [frame#8..12)");
        assertThat(run(HYBRID, "allocate", hybrid16(), 4, 2)).isEqualTo("allocate(0) -> rejected ZERO_SIZE");
        assertThat(run(HYBRID, "allocate", hybrid16(), 4, 0, 1)).isEqualTo("allocate(2) -> [frame#0..2)");
    }

    @Test
    void hybridOrderRequest_drawsOrdersOnePastTheLargestAndSometimesAnotherAlignment() {
        assertThat(run(HYBRID, "allocateOrder", hybrid16(), 4, 0)).isEqualTo("allocate(16, align 16) -> rejected IMPOSSIBLE_SIZE");
        assertThat(run(HYBRID, "allocateOrder", hybrid16(), 1, 0)).isEqualTo("allocate(2, align 2) -> [frame#0..2)");
        assertThat(run(HYBRID, "allocateOrder", hybrid16(), 1, 7, 4)).isEqualTo("allocate(2, align 8) -> [frame#0..2)");
    }

    @Test
    void hybridIsFree_queriesFromOneBelowToOnePastAndComparesWithTheHalfsModel() {
        assertThat(run(HYBRID, "isFree", hybrid16(), 0)).isEqualTo("isFree(frame#-1)");
        assertThat(run(HYBRID, "isFree", hybrid16(), 1)).isEqualTo("isFree(frame#0)");
        assertThat(run(HYBRID, "isFree", hybrid16(), 17)).isEqualTo("isFree(frame#16)");
        FrameMachines.HybridCase shifted = new FrameMachines.HybridCase(
                new HybridAllocator(FrameRange.of(4, 16), List.of(), 4, PhysFrame.of(12), 3));
        assertThat(run(HYBRID, "isFree", shifted, 0)).isEqualTo("isFree(frame#3)");
        assertThat(run(HYBRID, "isFree", shifted, 1)).isEqualTo("isFree(frame#4)");
        assertThat(run(HYBRID, "isFree", shifted, 17)).isEqualTo("isFree(frame#20)");
        FrameMachines.HybridCase s = hybrid16();
        s.bitmapModel.take(FrameRange.of(2, 1));
        mismatch(HYBRID, "isFree", s, "isFree(frame#2)", 3);
    }

    @Test
    void hybridFree_isEnabledByALiveAllocationInEitherHalfAndMustSucceed() {
        Rule<FrameMachines.HybridCase> free = rule(HYBRID, "free");
        FrameMachines.HybridCase s = hybrid16();
        assertThat(free.enabled(s)).isFalse();
        s.bitmapModel.take(FrameRange.of(0, 1));
        s.buddyModel.take(FrameRange.of(8, 1));
        assertThat(free.enabled(s)).isTrue();
        mismatch(HYBRID, "free", s, "free([frame#8..9)) outcome", 1);
        FrameMachines.HybridCase noBitmap = hybrid16(0);
        noBitmap.buddyModel.take(FrameRange.of(0, 1));
        assertThat(free.enabled(noBitmap)).isTrue();
        FrameMachines.HybridCase noBuddy = hybrid16(16);
        noBuddy.bitmapModel.take(FrameRange.of(0, 1));
        assertThat(free.enabled(noBuddy)).isTrue();
    }

    @Test
    void hybridBadFree_drawsFromTheHalfOfADrawnFrameAndComparesTheErrorKind() {
        assertThat(run(HYBRID, "badFree", hybrid16(), 10, 0, 0)).isEqualTo("free([frame#8..9)) -> rejected DOUBLE_FREE");
        assertThat(run(HYBRID, "badFree", hybrid16(), 2, 0, 0)).isEqualTo("free([frame#0..1)) -> rejected DOUBLE_FREE");
        FrameMachines.HybridCase s = hybrid16();
        s.impl.allocate(1); // frame 0 is allocated, but the bitmap model holds it free
        mismatch(HYBRID, "badFree", s, "free([frame#0..1)) outcome", 0, 0, 0);
    }

    @Test
    void expectHybrid_holdsTheHybridToItsContract() {
        Step<Object> step = RuleDriver.step(new Object(), o -> "");
        FrameMachines.HybridCase s = hybrid16();
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, s, 0, 1, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(0, align 1) outcome");
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, s, 1, 3, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 3) outcome");
        // exactly the largest block: the buddy can serve it
        FrameMachines.HybridCase largest = hybrid16();
        FrameMachines.expectHybrid(step, largest, 8, 1, Outcome.ok(largest.impl.allocate(8)));
        assertThat(largest.buddyModel.live()).containsEntry(8L, 8L);
        FrameMachines.HybridCase full = hybrid16();
        full.bitmapModel.take(FrameRange.of(0, 8));
        full.buddyModel.take(FrameRange.of(8, 8));
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, full, 1, 1, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 1) outcome");
        FrameMachines.HybridCase low = hybrid16();
        low.bitmapModel.take(FrameRange.of(0, 1));
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, low, 1, 1, Outcome.ok(FrameRange.of(0, 1))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(1, align 1) run (bitmap aligned first fit)");
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, hybrid16(), 4, 1, Outcome.ok(FrameRange.of(8, 2))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(4, align 1) length");
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, hybrid16(), 4, 1, Outcome.ok(FrameRange.of(10, 4))))
                .isInstanceOf(ModelMismatch.class).hasMessageContaining("allocate(4, align 1) alignment to 4");
        FrameMachines.HybridCase taken = hybrid16();
        taken.buddyModel.take(FrameRange.of(8, 1));
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, taken, 4, 1, Outcome.ok(FrameRange.of(8, 4))))
                .isInstanceOf(AssertionError.class)
                .hasMessage("allocate(4, align 1) returned [frame#8..12), which the model does not hold free");
        assertThatThrownBy(() -> FrameMachines.expectHybrid(step, hybrid16(), 4, 1, Outcome.ok(FrameRange.of(8, 4))))
                .isInstanceOf(ModelMismatch.class).hasMessage("model mismatch on freeFrames: implementation gave 16, model gave 12");
        for (long split : new long[] {0, 16}) {
            FrameMachines.HybridCase oneHalf = hybrid16(split);
            FrameMachines.expectHybrid(step, oneHalf, 0, 1, Outcome.rejected(FrameError.of(FrameError.Kind.ZERO_SIZE, "zero")));
            FrameMachines.expectHybrid(step, oneHalf, 2, 1, Outcome.ok(oneHalf.impl.allocate(2)));
        }
    }
}
