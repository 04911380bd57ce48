package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Stateful, model-based random tests of the three frame allocators: random operation sequences
 * (bad input included) against {@link ReferenceFrameAllocator}, every invariant after every step,
 * ATOMIC-1 on every rejection, and shrinking on failure. Seeded bugs show the machines can fail.
 */
class FrameStatefulTest {

    @Test
    void bitmap_agreesWithReferenceModel() {
        StatefulChecker.check(FrameMachines.bitmap(), CheckSettings.fromSystemProperties(60));
    }

    @Test
    void buddy_agreesWithReferenceModel() {
        StatefulChecker.check(FrameMachines.buddy(), CheckSettings.fromSystemProperties(60));
    }

    @Test
    void hybrid_agreesWithReferenceModel() {
        StatefulChecker.check(FrameMachines.hybrid(), CheckSettings.fromSystemProperties(60));
    }

    private static CheckSettings fixed() {
        return CheckSettings.fromSystemProperties(60).withSeed(42).withRuns(300);
    }

    private static String failedInvariant(StatefulFailure f) {
        return f.failure() instanceof InvariantViolation iv ? iv.invariantId() : f.failure().getClass().getSimpleName();
    }

    @Test
    void BITMAP_2_statefulCatchesStaleHasFreeSummary() {
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.bitmap(BitmapAllocator.Bug.STALE_HAS_FREE_ON_FREE), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(failedInvariant(f)).isEqualTo("BITMAP-2"));
    }

    @Test
    void BITMAP_3_statefulCatchesStaleAllFreeSummary() {
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.bitmap(BitmapAllocator.Bug.STALE_ALL_FREE_ON_ALLOC), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(failedInvariant(f)).isEqualTo("BITMAP-3"));
    }

    @Test
    void modelComparison_catchesMiscountedFree() {
        // the rule compares freeFrames with the model right after the free, before FRAME-3 runs
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.bitmap(BitmapAllocator.Bug.MISCOUNT_FREE), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> {
                    assertThat(failedInvariant(f)).isEqualTo("ModelMismatch");
                    assertThat(f.failure()).hasMessageContaining("freeFrames");
                    assertThat(f.steps()).hasSizeLessThanOrEqualTo(3);
                });
    }

    @Test
    void BUDDY_3_statefulCatchesMissingCoalesce() {
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.buddy(BuddyAllocator.Bug.NO_COALESCE), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(failedInvariant(f)).isEqualTo("BUDDY-3"));
    }

    @Test
    void BUDDY_1_statefulCatchesBuddiesFromRegionStart() {
        // The bug breaks BUDDY-1 or BUDDY-3 first depending on the sequence; seed 1 reaches a misaligned block first
        // (seeds 1, 3, 4, 6, 7, 9, 10 do since init also offers bad reserved regions; 2, 5, 8, 11, 12 meet BUDDY-3).
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.buddy(BuddyAllocator.Bug.BUDDY_FROM_REGION_START), fixed().withSeed(1)))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(failedInvariant(f)).isEqualTo("BUDDY-1"));
    }

    @Test
    void modelComparison_catchesLeakedTail() {
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.buddy(BuddyAllocator.Bug.LEAK_TAIL), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> {
                    assertThat(failedInvariant(f)).isEqualTo("ModelMismatch");
                    assertThat(f.failure()).hasMessageContaining("freeFrames");
                });
    }

    @Test
    void modelComparison_catchesThresholdOffByOne() {
        // the routing rule restated over the per-half models sees the run in the wrong half first
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.hybrid(HybridAllocator.Bug.THRESHOLD_OFF_BY_ONE), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(f.failure()).hasMessageContaining("buddy half"));
    }

    @Test
    void HYBRID_4_statefulCatchesUncountedFallback() {
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.hybrid(HybridAllocator.Bug.UNCOUNTED_FALLBACK), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(failedInvariant(f)).isEqualTo("HYBRID-4"));
    }

    @Test
    void modelComparison_catchesIgnoredAlignment() {
        // an aligned request served by plain first fit: the run differs from the model's aligned first fit
        assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.bitmap(BitmapAllocator.Bug.IGNORE_ALIGNMENT), fixed()))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> {
                    assertThat(failedInvariant(f)).isEqualTo("ModelMismatch");
                    assertThat(f.failure()).hasMessageContaining("align");
                });
    }
}
