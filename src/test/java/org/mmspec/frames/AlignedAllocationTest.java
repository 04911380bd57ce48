package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link FrameAllocator#allocate(long, long)} and {@link FrameAllocator#isFree(PhysFrame)} on
 * each allocator: order requests return naturally aligned blocks, bad alignments are MISALIGNED
 * and change nothing, and an allocator that cannot align says so instead of returning an
 * unaligned run.
 */
class AlignedAllocationTest {

    private static List<FrameAllocator> allocators() {
        FrameRange m = FrameRange.of(3, 61); // starts unaligned on purpose
        return List.of(new ReferenceFrameAllocator(m), new BitmapAllocator(m, List.of()), new BuddyAllocator(m, List.of(), 4),
                new HybridAllocator(m, List.of(), 4, PhysFrame.of(32), 4));
    }

    @Test
    void orderRequests_returnBlocksAlignedToTheirSize() {
        for (FrameAllocator a : allocators()) {
            a.allocate(1); // frame 3 is taken, so the lowest aligned pair is at 4
            for (int order = 0; order <= 3; order++) {
                long n = 1L << order;
                FrameRange r = a.allocate(n, n);
                assertThat(r.count()).as("%s order %d", a.getClass().getSimpleName(), order).isEqualTo(n);
                assertThat(r.start().number() % n).as("%s order %d at %s", a.getClass().getSimpleName(), order, r).isZero();
                for (long f = r.start().number(); f < r.endNumber(); f++) {
                    assertThat(a.isFree(PhysFrame.of(f))).isFalse();
                }
            }
        }
    }

    @Test
    void bitmapAndReference_placeAlignedRunsIdentically() {
        FrameRange m = FrameRange.of(5, 200);
        BitmapAllocator b = new BitmapAllocator(m, List.of(ReservedRegion.of(64, 3, "hole")));
        ReferenceFrameAllocator ref = new ReferenceFrameAllocator(m, List.of(FrameRange.of(64, 3)));
        long[][] requests = {{1, 1}, {2, 2}, {3, 4}, {8, 8}, {1, 64}, {5, 16}, {2, 32}, {70, 2}};
        for (long[] q : requests) {
            assertThat(b.allocate(q[0], q[1])).as("allocate(%d, align %d)", q[0], q[1]).isEqualTo(ref.allocate(q[0], q[1]));
        }
    }

    @Test
    void badAlignment_isMisalignedAndChangesNothing() {
        for (FrameAllocator a : allocators()) {
            long free = a.freeFrames();
            for (long align : new long[] {0, 3, 6, -4}) {
                assertThatThrownBy(() -> a.allocate(2, align)).isInstanceOfSatisfying(FrameError.class,
                        e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.MISALIGNED));
            }
            assertThat(a.freeFrames()).isEqualTo(free);
        }
    }

    @Test
    void alignmentPastTheBuddysLargestBlock_isImpossible() {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 64), List.of(), 4);
        String before = b.key();
        assertThatThrownBy(() -> b.allocate(1, 32)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.IMPOSSIBLE_SIZE));
        assertThat(b.key()).isEqualTo(before);
    }

    @Test
    void hybrid_routesAlignedRequestsByCountAlone() {
        HybridAllocator h = new HybridAllocator(FrameRange.of(0, 64), List.of(), 4, PhysFrame.of(32), 4);
        FrameRange small = h.allocate(2, 8); // below the threshold: the bitmap's aligned first fit
        assertThat(h.halfOf(small.start())).isEqualTo(HybridAllocator.Half.BITMAP);
        assertThat(small.start().number()).isZero();
        FrameRange big = h.allocate(4, 4); // at the threshold: the buddy, even though the bitmap has room
        assertThat(h.halfOf(big.start())).isEqualTo(HybridAllocator.Half.BUDDY);
        assertThat(big.start().number() % 4).isZero();
    }

    @Test
    void defaultMethods_serveOnlyAlignmentOneAndRefuseFreeQueries() {
        FrameAllocator plain = new FrameAllocator() {
            private final ReferenceFrameAllocator inner = new ReferenceFrameAllocator(FrameRange.of(1, 8));

            @Override
            public FrameRange allocate(long count) {
                return inner.allocate(count);
            }

            @Override
            public void free(FrameRange run) {
                inner.free(run);
            }

            @Override
            public long freeFrames() {
                return inner.freeFrames();
            }

            @Override
            public long managedFrames() {
                return inner.managedFrames();
            }
        };
        assertThat(plain.allocate(2, 1)).isEqualTo(FrameRange.of(1, 2));
        assertThatThrownBy(() -> plain.allocate(2, 2)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.MISALIGNED));
        assertThat(plain.freeFrames()).isEqualTo(6);
        assertThat(plain.tracksFreeFrames()).isFalse();
        assertThatThrownBy(() -> plain.isFree(PhysFrame.of(1))).isInstanceOf(UnsupportedOperationException.class);
        for (FrameAllocator a : allocators()) {
            assertThat(a.tracksFreeFrames()).isTrue();
            assertThat(a.isFree(PhysFrame.of(2))).as("frame outside managed memory").isFalse();
        }
    }
}
