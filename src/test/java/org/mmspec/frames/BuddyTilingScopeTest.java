package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;

/**
 * The scopes of the buddy inductiveness check on regions of two and three frames, where every
 * tiling can be counted by hand: free blocks aligned from the base (not the region start), live
 * runs of any length or only aligned blocks, frames skipped for a reserved region, and the order
 * in which the enumeration emits them.
 */
class BuddyTilingScopeTest {
    private static List<BuddyAllocator> tilings(BuddyInductiveness.Scope scope) {
        List<BuddyAllocator> out = new ArrayList<>();
        BuddyInductiveness.states(scope).forEach(out::add);
        return out;
    }

    private static BuddyInductiveness.Scope scope(long start, long frames, List<ReservedRegion> reserved, BuddyInductiveness.Runs runs) {
        return new BuddyInductiveness.Scope(FrameRange.of(start, frames), reserved, 1, runs);
    }

    @Test
    void twoAlignedFramesHaveSixTilingsEitherWay() {
        // free^0 then free^0 or live 1; free^1; live 1 then free^0 or live 1; live 2
        List<BuddyAllocator> any = tilings(scope(0, 2, List.of(), BuddyInductiveness.Runs.ANY));
        assertThat(any).hasSize(6);
        assertThat(any.get(0).freeBlockMap()).containsExactly(Map.entry(0L, 0), Map.entry(1L, 0));
        assertThat(any.get(0).live()).isEmpty();
        assertThat(any.get(2).freeBlockMap()).containsExactly(Map.entry(0L, 1));
        assertThat(any.get(5).live()).containsExactly(Map.entry(0L, 2L));
        assertThat(tilings(scope(0, 2, List.of(), BuddyInductiveness.Runs.BLOCKS))).hasSize(6);
    }

    @Test
    void anUnalignedRegionAlignsBlocksToTheBaseAndOnlyAnyRunsStartOffIt() {
        // [1, 3), base 0: at frame 1 no order-1 block, and a 2-frame run only in ANY mode
        assertThat(tilings(scope(1, 2, List.of(), BuddyInductiveness.Runs.ANY))).hasSize(5);
        assertThat(tilings(scope(1, 2, List.of(), BuddyInductiveness.Runs.BLOCKS))).hasSize(4);
    }

    @Test
    void aReservedFrameIsSkippedAndNoSegmentCoversIt() {
        List<BuddyAllocator> around = tilings(scope(0, 3, List.of(ReservedRegion.of(1, 1, "hole")), BuddyInductiveness.Runs.ANY));
        assertThat(around).hasSize(4);
        assertThat(around.get(0).freeBlockMap()).containsExactly(Map.entry(0L, 0), Map.entry(2L, 0));
        assertThat(tilings(scope(0, 2, List.of(ReservedRegion.of(0, 1, "low")), BuddyInductiveness.Runs.ANY))).hasSize(2);
    }

    @Test
    void theEnumerationEndsAndSaysSo() {
        Iterator<BuddyAllocator> it = BuddyInductiveness.states(scope(0, 1, List.of(), BuddyInductiveness.Runs.ANY)).iterator();
        assertThat(it.next().freeBlockMap()).containsExactly(Map.entry(0L, 0));
        assertThat(it.next().live()).containsExactly(Map.entry(0L, 1L));
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void scopesAreNamedByRegionOrdersReservedFramesAndRuns() {
        List<BuddyInductiveness.Scope> defaults = BuddyInductiveness.defaultScopes();
        assertThat(defaults.get(0)).hasToString("buddy [frame#0..12) orders 0..3 live ANY");
        assertThat(defaults.get(2)).hasToString("buddy [frame#0..12) orders 0..3 reserved [hole[frame#5..6)] live ANY");
        assertThat(BuddyInductiveness.scopes()).isEqualTo(defaults); // mmspec.scale is 1 in the test run
        assertThat(BuddyInductiveness.heavyScopes()).extracting(BuddyInductiveness.Scope::runs)
                .containsExactly(BuddyInductiveness.Runs.BLOCKS, BuddyInductiveness.Runs.ANY);
        assertThat(BuddyInductiveness.system(defaults.get(1)).initialStates()).singleElement()
                .satisfies(b -> assertThat(b.managed()).isEqualTo(FrameRange.of(3, 11)));
    }
}
