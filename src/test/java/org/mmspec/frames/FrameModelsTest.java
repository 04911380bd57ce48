package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/**
 * The exhaustive models of {@code models/}: each ci configuration reproduces its recorded
 * numbers, and each model finds a seeded bug with a shortest counterexample naming the right
 * invariant.
 */
class FrameModelsTest {

    private static ExplorationResult explore(ExhaustiveModel model, String bounds, int depth) {
        return Explorer.explore(model.build(Bounds.parse(bounds)), ExploreBounds.depth(depth));
    }

    private static void assertCaught(ExplorationResult r, String id) {
        assertThat(r.counterexample()).as(r.summary()).isPresent();
        assertThat(r.counterexample().get().invariantId()).as(r.counterexample().get().render()).isEqualTo(id);
    }

    @Test
    void buddyModel_catchesSeededNoCoalesceBug_BUDDY_3() {
        ExplorationResult r = explore(FrameModels.buddy(), "frames=32,maxOrder=3,bug=NO_COALESCE", 6);
        assertCaught(r, "BUDDY-3");
        assertThat(r.counterexample().get().length()).isEqualTo(2); // allocateOrder(0), free it
    }

    @Test
    void buddyModel_catchesSeededCarvingFromRegionStart_BUDDY_1() {
        assertCaught(explore(FrameModels.buddy(), "start=3,frames=29,maxOrder=3,bug=CARVE_FROM_REGION_START", 6), "BUDDY-1");
    }

    @Test
    void buddyModel_catchesSeededBuddiesFromRegionStart() {
        assertCaught(explore(FrameModels.buddy(), "start=3,frames=29,maxOrder=3,bug=BUDDY_FROM_REGION_START", 6), "BUDDY-3");
    }

    @Test
    void buddyModel_catchesSeededLeakedTail_FRAME_2() {
        assertCaught(explore(FrameModels.buddy(), "frames=32,maxOrder=3,bug=LEAK_TAIL", 6), "FRAME-2");
    }

    @Test
    void buddyModel_catchesSeededRoundDown_FRAME_1() {
        // allocate(3) takes a 2-frame block but records 3 frames: frame 2 is free and allocated
        ExplorationResult r = explore(FrameModels.buddy(), "frames=32,maxOrder=3,bug=ROUND_DOWN", 6);
        assertCaught(r, "FRAME-1");
        assertThat(r.counterexample().get().length()).isEqualTo(1);
    }

    @Test
    void bitmapModel_catchesSeededStaleHasFree_BITMAP_2() {
        assertCaught(explore(FrameModels.bitmap(), "frames=130,reserved=0-62+67-126,counts=1+2+4,bug=STALE_HAS_FREE_ON_FREE", 8), "BITMAP-2");
    }

    @Test
    void bitmapModel_catchesSeededStaleAllFree_BITMAP_3() {
        assertCaught(explore(FrameModels.bitmap(), "frames=16,bug=STALE_ALL_FREE_ON_ALLOC", 5), "BITMAP-3");
    }

    @Test
    void bitmapModel_catchesSeededMiscount_FRAME_3() {
        assertCaught(explore(FrameModels.bitmap(), "frames=16,bug=MISCOUNT_FREE", 5), "FRAME-3");
    }

    @Test
    void hybridModel_catchesSeededThresholdOffByOne_HYBRID_2() {
        ExplorationResult r = explore(FrameModels.hybrid(), "frames=16,threshold=4,split=8,maxOrder=3,bug=THRESHOLD_OFF_BY_ONE", 6);
        assertCaught(r, "HYBRID-2");
        assertThat(r.counterexample().get().steps().get(1).label()).isEqualTo("allocate(4)");
    }

    @Test
    void hybridModel_catchesSeededUncountedFallback_HYBRID_4() {
        assertCaught(explore(FrameModels.hybrid(), "frames=16,threshold=4,split=8,maxOrder=3,bug=UNCOUNTED_FALLBACK", 6), "HYBRID-4");
    }

    @Test
    void rejectedActionsAreExploredInEveryState() {
        // the models offer bad input in every state; the explorer checks each rejection changed nothing (ATOMIC-1)
        BuddyAllocator fresh = new BuddyAllocator(FrameRange.of(0, 32), List.of(ReservedRegion.of(0, 2, "BIOS")), 3);
        List<String> labels = FrameModels.buddyActions(fresh, List.of(0L, 3L)).stream().map(a -> a.label()).toList();
        assertThat(labels).contains("allocateOrder(-1)", "allocateOrder(4)", "allocate(0)", "free([frame#0..1)) reserved",
                "free([frame#31..33)) out of range", "free([frame#2..3)) double");
    }

    @Test
    void orderRequestPostcondition_catchesIgnoredAlignment() {
        // The bitmap's state does not record the alignment asked for, so no invariant can see it;
        // the order-request action checks its postcondition and fails the exploration instead.
        Bounds b = Bounds.parse("frames=10,counts=1,orders=1,bug=IGNORE_ALIGNMENT");
        ExplorationResult r = Explorer.explore(FrameModels.bitmap().build(b), ExploreBounds.unbounded());
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo("ActionFailure");
        assertThat(r.counterexample().get().failure()).contains("not a block aligned to 2");

    }
}
