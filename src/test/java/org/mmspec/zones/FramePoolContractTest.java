package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The pool's own contract at its edges: holes from the gaps of the usable ranges (and none
 * between adjacent ranges), the free-check order and the exact overlap boundary, a request of
 * exactly the free frames, which refusals become "cannot satisfy", journal replay, and the
 * accounting problems {@link FramePool#accountingProblem()} reports.
 */
class FramePoolContractTest {
    /** Usable 10..13 and 16..17: span [10, 18), one hole [14, 16). */
    private static FramePool pool() {
        return new FramePool(List.of(FrameRange.of(10, 4), FrameRange.of(16, 2)), AllocatorFactory.REFERENCE);
    }

    @Test
    void theGapsBetweenUsableRangesBecomeHolesAndAdjacentRangesLeaveNone() {
        FramePool p = pool();
        assertThat(p.span()).isEqualTo(FrameRange.of(10, 8));
        assertThat(p.holes()).containsExactly(FrameRange.of(14, 2));
        assertThat(p.holeFrames()).isEqualTo(2);
        assertThat(p.usableFrames()).isEqualTo(6);
        assertThat(p.usable()).containsExactly(FrameRange.of(10, 4), FrameRange.of(16, 2));
        assertThat(p.freeFrames()).isEqualTo(6);
        assertThat(p.allocatedFrames()).isZero();
        assertThat(p.toString()).isEqualTo("span [frame#10..18) holes [[frame#14..16)] free 6 live {}");

        FramePool adjacent = new FramePool(List.of(FrameRange.of(10, 4), FrameRange.of(14, 2)), AllocatorFactory.REFERENCE);
        assertThat(adjacent.holes()).isEmpty();
        assertThat(adjacent.usable()).containsExactly(FrameRange.of(10, 6));
        assertThat(adjacent.toString()).isEqualTo("span [frame#10..16) free 6 live {}");
    }

    @Test
    void emptyOverlappingOrUnsortedUsableMemoryIsRejected() {
        assertThatThrownBy(() -> new FramePool(List.of(), AllocatorFactory.REFERENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a pool needs usable memory");
        assertThatThrownBy(() -> new FramePool(List.of(FrameRange.of(10, 4), FrameRange.of(13, 2)), AllocatorFactory.REFERENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap or are unsorted");
    }

    @Test
    void aRequestForExactlyTheFreeFramesIsServedAndOneMoreIsNot() {
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.REFERENCE);
        assertThat(p.tryAllocate(5)).isEmpty();
        assertThat(p.tryAllocate(4, 4)).contains(FrameRange.of(8, 4));
        assertThat(p.freeFrames()).isZero();
        assertThat(p.allocatedFrames()).isEqualTo(4);
        assertThat(p.live()).containsEntry(8L, 4L).hasSize(1);
        assertThat(p.isLive(FrameRange.of(8, 4))).isTrue();
        assertThat(p.isLive(FrameRange.of(8, 2))).isFalse();
        assertThat(p.isLive(FrameRange.of(9, 3))).isFalse();
        assertThat(p.tryAllocate(1)).isEmpty();
    }

    @Test
    void outOfMemoryAndImpossibleSizeAreCannotSatisfyButABadAlignmentIsRethrown() {
        // No aligned pair left: the allocator says OUT_OF_MEMORY although 2 frames are free.
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.REFERENCE);
        p.tryAllocate(1);
        p.tryAllocate(1, 1);
        assertThat(p.tryAllocate(1, 2)).contains(FrameRange.of(10, 1));
        assertThat(p.freeFrames()).isEqualTo(1);
        assertThat(p.tryAllocate(1, 2)).isEmpty();
        assertThat(p.freeFrames()).isEqualTo(1);
        assertThat(p.live()).containsOnlyKeys(8L, 9L, 10L);
        // A hybrid whose buddy takes single frames only: 2 frames is IMPOSSIBLE_SIZE, not an error.
        FramePool single = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.hybrid(1, 0));
        assertThat(single.tryAllocate(2)).isEmpty();
        assertThat(single.freeFrames()).isEqualTo(4);
        assertThatThrownBy(() -> single.tryAllocate(1, 3)).isInstanceOf(FrameError.class)
                .satisfies(e -> assertThat(((FrameError) e).errorKind()).isEqualTo(FrameError.Kind.MISALIGNED));
        assertThat(single.allocatedFrames()).isZero();
    }

    @Test
    void checkFreeNamesTheFirstProblemInTheContractsOrderAtTheExactOverlapBoundary() {
        FramePool p = pool();
        FrameRange pair = p.tryAllocate(2, 2).orElseThrow();
        assertThat(pair).isEqualTo(FrameRange.of(10, 2));
        assertThat(p.checkFree(pair)).isEmpty();
        assertThat(p.checkFree(FrameRange.of(10, 1))).contains(FrameError.Kind.NOT_ALLOCATED);
        assertThat(p.checkFree(FrameRange.of(11, 1))).contains(FrameError.Kind.NOT_ALLOCATED);
        assertThat(p.checkFree(FrameRange.of(11, 2))).contains(FrameError.Kind.NOT_ALLOCATED);
        assertThat(p.checkFree(FrameRange.of(12, 1))).contains(FrameError.Kind.DOUBLE_FREE); // just past the run
        assertThat(p.checkFree(FrameRange.of(12, 2))).contains(FrameError.Kind.DOUBLE_FREE);
        assertThat(p.checkFree(FrameRange.of(13, 2))).contains(FrameError.Kind.RESERVED);
        assertThat(p.checkFree(FrameRange.of(15, 1))).contains(FrameError.Kind.RESERVED);
        assertThat(p.checkFree(FrameRange.of(17, 2))).contains(FrameError.Kind.OUT_OF_RANGE);
        assertThat(p.checkFree(FrameRange.of(9, 2))).contains(FrameError.Kind.OUT_OF_RANGE);
        FrameError e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> p.free(FrameRange.of(11, 1)), FrameError.class);
        assertThat(e.errorKind()).isEqualTo(FrameError.Kind.NOT_ALLOCATED);
        assertThat(e.getMessage()).isEqualTo("free([frame#11..12)): NOT_ALLOCATED");
        assertThat(p.isLive(pair)).isTrue();
        p.free(pair);
        assertThat(p.live()).isEmpty();
        assertThat(p.freeFrames()).isEqualTo(6);
        assertThat(p.checkFree(pair)).contains(FrameError.Kind.DOUBLE_FREE);
    }

    @Test
    void aFreeEndingJustBeforeALiveRunDoesNotOverlapIt() {
        FramePool p = new FramePool(List.of(FrameRange.of(8, 8)), AllocatorFactory.REFERENCE);
        p.tryAllocate(4, 4); // 8..11
        p.tryAllocate(2, 2); // 12..13
        p.free(FrameRange.of(12, 2));
        assertThat(p.live()).containsOnlyKeys(8L);
        assertThat(p.checkFree(FrameRange.of(12, 1))).contains(FrameError.Kind.DOUBLE_FREE);
        assertThat(p.checkFree(FrameRange.of(11, 1))).contains(FrameError.Kind.NOT_ALLOCATED);
    }

    @Test
    void adjacentLiveRunsAreNoAccountingProblem() {
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.REFERENCE);
        p.tryAllocate(2, 2);
        p.tryAllocate(2, 2);
        assertThat(p.live()).containsOnlyKeys(8L, 10L);
        assertThat(p.accountingProblem()).isEmpty();
    }

    @Test
    void accountingProblemsAreNamed() {
        FramePool outside = pool();
        outside.corruptAddLive(FrameRange.of(17, 2));
        assertThat(outside.accountingProblem()).contains("live run [frame#17..19) outside span [frame#10..18)");

        FramePool hole = pool();
        hole.corruptAddLive(FrameRange.of(13, 2));
        assertThat(hole.accountingProblem()).contains("live run [frame#13..15) overlaps hole [frame#14..16)");

        FramePool twice = pool();
        twice.tryAllocate(2, 2);
        twice.corruptAddLive(FrameRange.of(11, 1));
        assertThat(twice.accountingProblem()).contains("live run [frame#11..12) overlaps the run before it");

        FramePool leaked = pool();
        FrameRange r = leaked.tryAllocate(1).orElseThrow();
        leaked.allocator().free(r); // behind the pool's back
        assertThat(leaked.accountingProblem()).contains("free 6 + allocated 1 + holes 2 != span 8 ([frame#10..18))");
    }

    @Test
    void aCopyReplaysTheJournalAndCatchesANonDeterministicAllocator() {
        AllocatorFactory journaling = ReferenceFrameAllocator::new;
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), journaling);
        FrameRange a = p.tryAllocate(1).orElseThrow();
        p.tryAllocate(2, 2);
        p.free(a);
        FramePool c = p.copy();
        assertThat(c.live()).isEqualTo(p.live());
        assertThat(c.freeFrames()).isEqualTo(p.freeFrames()).isEqualTo(2);
        assertThat(c.tryAllocate(1)).isEqualTo(p.tryAllocate(1)).contains(FrameRange.of(8, 1));
        assertThat(c.copy().live()).isEqualTo(p.live());

        // Every allocator after the first takes the lowest frame for itself: a replay diverges.
        AtomicInteger made = new AtomicInteger();
        AllocatorFactory drifting = (managed, reserved) -> {
            ReferenceFrameAllocator r = new ReferenceFrameAllocator(managed, reserved);
            if (made.getAndIncrement() > 0) {
                r.take(FrameRange.of(managed.start().number(), 1));
            }
            return r;
        };
        FramePool d = new FramePool(List.of(FrameRange.of(8, 4)), drifting);
        d.tryAllocate(1);
        assertThatThrownBy(d::copy).isInstanceOf(IllegalStateException.class)
                .hasMessage("allocator is not deterministic: replay of allocate(1) returned [frame#9..10), first run returned [frame#8..9)");
    }

    @Test
    void aRestorableFactoryCopiesWithoutAJournal() {
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.HYBRID);
        FrameRange a = p.tryAllocate(1).orElseThrow();
        FramePool c = p.copy();
        c.free(a);
        assertThat(p.isLive(a)).isTrue();
        assertThat(c.isLive(a)).isFalse();
        assertThat(p.freeFrames()).isEqualTo(3);
        assertThat(c.freeFrames()).isEqualTo(4);
        assertThat(c.allocator()).isNotSameAs(p.allocator());
        Optional<FrameRange> again = c.tryAllocate(1, FrameAllocator.ANY_ALIGNMENT);
        assertThat(again).contains(a);
    }

    @Test
    void aRequestForMoreThanTheFreeFramesNeverReachesTheAllocator() {
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), AllocatorFactory.HYBRID);
        org.mmspec.frames.HybridAllocator h = (org.mmspec.frames.HybridAllocator) p.allocator();
        assertThat(p.tryAllocate(5)).isEmpty();
        assertThat(h.stats().failures()).isZero(); // spared the rejection
        p.tryAllocate(4, 4);
        assertThat(p.tryAllocate(1)).isEmpty();
        assertThat(h.stats().failures()).isZero();
        assertThat(h.stats().allocations()).isEqualTo(1);
    }
}
