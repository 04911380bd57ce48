package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.RuleDriver;
import org.mmspec.check.Step;

/**
 * The inputs the frame machines draw, replayed draw by draw: which bad free each kind yields (at
 * the managed range's edges and at the physical limit), which reserved regions break which
 * construction rule, the disjoint reserved regions a run starts with, and the request sizes and
 * alignments. A draw past the end of a replayed sequence is 0.
 */
class BadInputDrawsTest {
    private static final long L = PhysFrame.LIMIT;

    private static Choices draws(long... d) {
        return Choices.replay(d);
    }

    // ---- drawBadFree ----

    /** Managed [4, 12): live [4, 7) and [7, 8), free 8 and 9, reserved [10, 12). */
    private static final FrameRange M = FrameRange.of(4, 8);
    private static final List<ReservedRegion> R = List.of(ReservedRegion.of(10, 2, "r"));

    private static ReferenceFrameAllocator model() {
        ReferenceFrameAllocator m = FrameOracle.reference(M, R);
        m.take(FrameRange.of(4, 3));
        m.take(FrameRange.of(7, 1));
        return m;
    }

    private static FrameRange badFree(long... d) {
        return FrameOracle.drawBadFree(draws(d), M, R, model());
    }

    @Test
    void kind0_isAFreeFramePickedFromTheFreeSet() {
        assertThat(badFree(0, 1)).isEqualTo(FrameRange.of(9, 1));
        assertThat(badFree(0, 0)).isEqualTo(FrameRange.of(8, 1));
    }

    @Test
    void kind1_isALiveAllocationOneFrameLongerOrShorter() {
        assertThat(badFree(1, 0, 1)).isEqualTo(FrameRange.of(4, 4));
        assertThat(badFree(1, 0, 0)).isEqualTo(FrameRange.of(4, 2));
        assertThat(badFree(1, 1, 1)).isEqualTo(FrameRange.of(7, 2));
        // a one-frame allocation cannot be shortened: the draw falls back to its first frame
        assertThat(badFree(1, 1, 0)).isEqualTo(FrameRange.of(7, 1));
    }

    @Test
    void kind1_atThePhysicalLimitFallsBackToTheSecondFrame() {
        FrameRange top = FrameRange.of(L - 4, 4);
        ReferenceFrameAllocator endsAtLimit = FrameOracle.reference(top, List.of());
        endsAtLimit.take(FrameRange.of(L - 3, 3));
        // one frame longer would pass the limit: the second frame of the allocation instead
        assertThat(FrameOracle.drawBadFree(draws(1, 0, 1), top, List.of(), endsAtLimit)).isEqualTo(FrameRange.of(L - 2, 1));
        ReferenceFrameAllocator endsBelow = FrameOracle.reference(top, List.of());
        endsBelow.take(FrameRange.of(L - 3, 2));
        // one frame longer ends exactly at the limit, which is allowed
        assertThat(FrameOracle.drawBadFree(draws(1, 0, 1), top, List.of(), endsBelow)).isEqualTo(FrameRange.of(L - 3, 3));
    }

    @Test
    void kinds2To4_areAReservedFrameAndRunsAcrossEitherEnd() {
        assertThat(badFree(2, 0)).isEqualTo(FrameRange.of(10, 1));
        assertThat(badFree(3, 1)).isEqualTo(FrameRange.of(12, 2));
        assertThat(badFree(3, 0)).isEqualTo(FrameRange.of(11, 2));
        assertThat(badFree(4)).isEqualTo(FrameRange.of(3, 2));
        assertThat(badFree(5, 6, 2)).isEqualTo(FrameRange.of(10, 3));
    }

    @Test
    void aKindWithNothingToDrawFromFallsBackToAnyShortRun() {
        ReferenceFrameAllocator empty = new ReferenceFrameAllocator(FrameRange.of(0, 4));
        FrameRange all = FrameRange.of(0, 4);
        empty.take(all);
        // no free frame (kind 0), no reserved region (kind 2), nothing below frame 0 (kind 4): a drawn start and length
        assertThat(FrameOracle.drawBadFree(draws(0, 3, 2), all, List.of(), empty)).isEqualTo(FrameRange.of(3, 3));
        assertThat(FrameOracle.drawBadFree(draws(2, 1, 1), all, List.of(), empty)).isEqualTo(FrameRange.of(1, 2));
        assertThat(FrameOracle.drawBadFree(draws(4, 2, 0), all, List.of(), empty)).isEqualTo(FrameRange.of(2, 1));
        ReferenceFrameAllocator fresh = new ReferenceFrameAllocator(all);
        // no live allocation (kind 1)
        assertThat(FrameOracle.drawBadFree(draws(1, 3, 1), all, List.of(), fresh)).isEqualTo(FrameRange.of(3, 2));
    }

    // ---- drawBadReserved ----

    @Test
    void overlappingRegionsShareAFrameEvenAtTheLastManagedFrame() {
        FrameRange m = FrameRange.of(10, 10);
        assertThat(FrameOracle.drawBadReserved(draws(9, 0, 0, 7), m, FrameOracle.ReservedRule.OVERLAPPING))
                .containsExactly(ReservedRegion.of(19, 1, "reserved#a"), ReservedRegion.of(19, 1, "reserved#b"));
        assertThat(FrameOracle.drawBadReserved(draws(2, 4, 3, 7), m, FrameOracle.ReservedRule.OVERLAPPING))
                .containsExactly(ReservedRegion.of(12, 5, "reserved#a"), ReservedRegion.of(15, 3, "reserved#b"));
    }

    @Test
    void aRegionOutsideManagedMemoryStartsBelowItOrReachesPastItsEnd() {
        FrameRange m = FrameRange.of(10, 10);
        assertThat(FrameOracle.drawBadReserved(draws(1, 3, 2), m, FrameOracle.ReservedRule.OUTSIDE_MANAGED))
                .containsExactly(ReservedRegion.of(6, 6, "reserved#below"));
        assertThat(FrameOracle.drawBadReserved(draws(0, 3, 0), m, FrameOracle.ReservedRule.OUTSIDE_MANAGED))
                .containsExactly(ReservedRegion.of(13, 8, "reserved#past-end"));
        FrameRange atZero = FrameRange.of(0, 10);
        // nothing lies below frame 0: no coin is drawn, the region reaches past the end
        assertThat(FrameOracle.drawBadReserved(draws(10, 0), atZero, FrameOracle.ReservedRule.OUTSIDE_MANAGED))
                .containsExactly(ReservedRegion.of(0, 11, "reserved#past-end"));
        assertThat(FrameOracle.drawBadReserved(draws(3, 0), atZero, FrameOracle.ReservedRule.OUTSIDE_MANAGED))
                .containsExactly(ReservedRegion.of(3, 8, "reserved#past-end"));
    }

    // ---- drawReserved ----

    @Test
    void reservedRegionsAreDisjointWithAGapAndStopAtTheEnd() {
        FrameRange m = FrameRange.of(0, 32);
        assertThat(FrameOracle.drawReserved(draws(2, 5, 4, 16, 4), m, 3))
                .containsExactly(ReservedRegion.of(5, 5, "reserved#0"), ReservedRegion.of(27, 5, "reserved#1"));
        assertThat(FrameOracle.drawReserved(draws(1, 5, 4), m, 3)).containsExactly(ReservedRegion.of(5, 5, "reserved#0"));
        assertThat(FrameOracle.drawReserved(draws(0), m, 3)).isEmpty();
    }

    @Test
    void aRegionNeedsTwoFramesOfRoomAndItsLengthIsBoundedByAnEighthOfMemory() {
        FrameRange m = FrameRange.of(8, 16);
        // a start is at most half of memory past the cursor, a length at most an eighth of it plus one
        assertThat(FrameOracle.drawReserved(draws(2, 0, 2), m, 3)).containsExactly(ReservedRegion.of(8, 3, "reserved#0"),
                ReservedRegion.of(12, 1, "reserved#1"));
        assertThat(FrameOracle.drawReserved(draws(2, 13, 5), m, 3))
                .containsExactly(ReservedRegion.of(12, 3, "reserved#0"), ReservedRegion.of(16, 1, "reserved#1"));
        // after [16, 19) and [20, 21) the cursor is at 22: two frames of room are enough for a third region
        assertThat(FrameOracle.drawReserved(draws(3, 8, 2, 0, 0, 1, 0), m, 3)).containsExactly(ReservedRegion.of(16, 3, "reserved#0"),
                ReservedRegion.of(20, 1, "reserved#1"), ReservedRegion.of(23, 1, "reserved#2"));
        assertThat(FrameOracle.drawReserved(draws(2, 8, 2, 0, 0), m, 3))
                .containsExactly(ReservedRegion.of(16, 3, "reserved#0"), ReservedRegion.of(20, 1, "reserved#1"));
        // five frames: every region is one frame long
        assertThat(FrameOracle.drawReserved(draws(2, 0, 2), FrameRange.of(8, 5), 3)).containsExactly(ReservedRegion.of(8, 1, "reserved#0"),
                ReservedRegion.of(10, 1, "reserved#1"));
    }

    // ---- request sizes and alignments ----

    private static Step<Object> step(long... d) {
        return RuleDriver.step(new Object(), s -> "", d);
    }

    @Test
    void requestSizesAreZeroPastTheLimitUpToTypicalOrSmall() {
        assertThat(FrameMachines.drawCount(step(0), 8, 20)).isZero();
        assertThat(FrameMachines.drawCount(step(1, 1), 8, 20)).isEqualTo(22);
        assertThat(FrameMachines.drawCount(step(1, 0), 8, 20)).isEqualTo(21);
        assertThat(FrameMachines.drawCount(step(2, 7), 8, 20)).isEqualTo(8);
        assertThat(FrameMachines.drawCount(step(3, 7), 8, 20)).isEqualTo(4);
        assertThat(FrameMachines.drawCount(step(5, 3), 2, 20)).isEqualTo(2);
    }

    @Test
    void alignmentsArePowersOfTwoUpTo8OrThreeOrZero() {
        assertThat(FrameMachines.drawAlign(step(0))).isEqualTo(1);
        assertThat(FrameMachines.drawAlign(step(2))).isEqualTo(2);
        assertThat(FrameMachines.drawAlign(step(3))).isEqualTo(4);
        assertThat(FrameMachines.drawAlign(step(4))).isEqualTo(8);
        assertThat(FrameMachines.drawAlign(step(5, 1))).isEqualTo(3);
        assertThat(FrameMachines.drawAlign(step(5, 0))).isZero();
        assertThat(FrameMachines.isPowerOfTwo(0)).isFalse();
        assertThat(FrameMachines.isPowerOfTwo(1)).isTrue();
        assertThat(FrameMachines.isPowerOfTwo(6)).isFalse();
    }
}
