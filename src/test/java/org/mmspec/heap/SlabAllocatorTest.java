package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/** Examples of the heap's contract, one behaviour per test. */
class SlabAllocatorTest {

    private static HeapError.Kind kindOf(Runnable r) {
        try {
            r.run();
        } catch (HeapError e) {
            return e.errorKind();
        }
        throw new AssertionError("expected a HeapError");
    }

    @Test
    void twelveSizeClassesFrom8BytesTo16KiB() {
        assertThat(SizeClass.values()).hasSize(12);
        assertThat(SizeClass.B8.bytes()).isEqualTo(8);
        assertThat(SizeClass.B16K.bytes()).isEqualTo(16 * 1024);
        assertThat(SizeClass.fitting(9)).isEqualTo(SizeClass.B16);
        assertThat(SizeClass.fitting(16 * 1024 + 1)).isNull();
    }

    @Test
    void everyClassHandsOutObjectsAlignedToTheClassInsideTheHeapRegion() {
        SlabAllocator h = HeapFixtures.small().heap;
        for (SizeClass c : SizeClass.values()) {
            for (int i = 0; i < 3; i++) {
                HeapAddr a = h.allocate(i % 2, c.bytes());
                assertThat(a.isAligned(c.bytes())).as("%s object %s", c, a).isTrue();
                assertThat(HeapAddr.inRegion(a.virtual())).isTrue();
                assertThat(h.allocationAt(a).sizeClass()).isEqualTo(c);
            }
        }
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void eightAndSixteenKiBSlabsAreAlignedEvenWhenTheFrameAllocatorIsNot() {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(17, 40)); // frame 17: not 16 KiB aligned
        SlabAllocator h = new SlabAllocator(frames, HeapConfig.of(1, 2, 1, 0));
        HeapAddr a = h.allocate(0, 16 * 1024);
        HeapAddr b = h.allocate(0, 8 * 1024);
        assertThat(a.isAligned(16 * 1024)).isTrue();
        assertThat(b.isAligned(8 * 1024)).isTrue();
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void eightAndSixteenKiBSlabsTakeAnAlignedRunAndWasteNoFrames() {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(17, 40)); // frame 17: not 16 KiB aligned
        SlabAllocator h = new SlabAllocator(frames, HeapConfig.of(1, 2, 1, 0));
        h.allocate(0, 16 * 1024);
        assertThat(h.ledger.heldFrames()).isEqualTo(SizeClass.B16K.slabFrames());
        h.allocate(0, 8 * 1024);
        assertThat(h.ledger.heldFrames()).isEqualTo(SizeClass.B16K.slabFrames() + SizeClass.B8K.slabFrames());
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void anAllocatorThatCannotAlignRunsGetsTheSlideFallback() {
        ReferenceFrameAllocator ref = new ReferenceFrameAllocator(FrameRange.of(17, 40));
        FrameAllocator noAlignment = new FrameAllocator() { // keeps the default allocate(count, align): MISALIGNED
            @Override
            public FrameRange allocate(long count) {
                return ref.allocate(count);
            }

            @Override
            public void free(FrameRange run) {
                ref.free(run);
            }

            @Override
            public long freeFrames() {
                return ref.freeFrames();
            }

            @Override
            public long managedFrames() {
                return ref.managedFrames();
            }
        };
        SlabAllocator h = new SlabAllocator(noAlignment, HeapConfig.of(1, 2, 1, 0));
        HeapAddr a = h.allocate(0, 16 * 1024);
        assertThat(a.isAligned(16 * 1024)).isTrue();
        // The first run [17, 25) was misaligned and went back; the slab slid up inside [17, 28).
        assertThat(h.ledger.heldFrames()).isEqualTo(SizeClass.B16K.slabFrames() + SizeClass.B16K.alignFrames() - 1);
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void anObjectAllocatedOnOneCpuMayBeFreedOnAnother() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 64);
        h.free(1, a, 64);
        assertThat(h.mags[1][SizeClass.B64.ordinal()].contains(a.offset())).isTrue();
        assertThat(h.allocate(1, 64)).isEqualTo(a); // CPU 1's cache hands back the warm object
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void liveAllocationsNeverOverlap() {
        SlabAllocator h = HeapFixtures.small().heap;
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            HeapAddr a = h.allocate(i % 2, 24);
            assertThat(seen.add(a.offset())).isTrue();
        }
    }

    @Test
    void badInputIsRejectedWithATypedErrorAndChangesNothing() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100);
        HeapAddr big = h.allocate(0, 50_000);
        h.free(0, h.allocate(1, 100), 100);
        String before = h.snapshot();
        assertThat(kindOf(() -> h.allocate(0, 0))).isEqualTo(HeapError.Kind.ZERO_SIZE);
        assertThat(kindOf(() -> h.allocate(0, SlabAllocator.MAX_ALLOCATION + 1))).isEqualTo(HeapError.Kind.TOO_LARGE);
        assertThat(kindOf(() -> h.allocate(2, 8))).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(kindOf(() -> h.free(0, a.plus(8), 100))).isEqualTo(HeapError.Kind.INTERIOR_POINTER);
        assertThat(kindOf(() -> h.free(0, big.plus(4096), 50_000))).isEqualTo(HeapError.Kind.INTERIOR_POINTER);
        assertThat(kindOf(() -> h.free(0, a, 8))).isEqualTo(HeapError.Kind.SIZE_MISMATCH);
        assertThat(kindOf(() -> h.free(0, big, 8))).isEqualTo(HeapError.Kind.SIZE_MISMATCH);
        assertThat(kindOf(() -> h.free(0, a.plus(128), 100))).isEqualTo(HeapError.Kind.DOUBLE_FREE); // the cached neighbour
        assertThat(kindOf(() -> h.free(0, HeapAddr.ofOffset(1L << 40), 8))).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void aDoubleFreeIsRejectedWhereverTheObjectNowIs() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100);
        h.free(0, a, 100);
        assertThat(kindOf(() -> h.free(1, a, 100))).isEqualTo(HeapError.Kind.DOUBLE_FREE); // in CPU 0's cache
        h.allocate(0, 100);
        h.allocate(0, 100);
        HeapAddr x = h.allocate(0, 100);
        h.free(0, x, 100);
        h.drain(0);
        assertThat(kindOf(() -> h.free(0, x, 100))).isEqualTo(HeapError.Kind.DOUBLE_FREE); // on its slab's free list
        HeapAddr big = h.allocate(0, 40_000);
        h.allocate(0, 40_000);
        h.free(0, big, 40_000);
        assertThat(kindOf(() -> h.free(0, big, 40_000))).isEqualTo(HeapError.Kind.DOUBLE_FREE); // in a free large block
    }

    @Test
    void largeBlocksAreFirstFitAndCoalesce() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 20_000);
        HeapAddr b = h.allocate(0, 20_000);
        HeapAddr c = h.allocate(0, 20_000);
        h.free(0, a, 20_000);
        assertThat(h.large.free).hasSize(2); // a's block, and c's arena tail
        h.free(0, b, 20_000);
        // a and b coalesced into one block; the arena it then covered wholly went back to the frames.
        assertThat(h.large.free).hasSize(2);
        assertThat(h.large.arenas).hasSize(2);
        long lowest = h.large.free.firstKey();
        assertThat(lowest).isLessThan(c.offset());
        assertThat(h.allocate(0, 17_000).offset()).as("first fit: the lowest block that fits").isEqualTo(lowest);
        assertThat(HeapFixtures.broken(h)).isEmpty();
    }

    @Test
    void releasingEverythingReturnsEveryFrame() {
        HeapState st = HeapState.fresh(256, new HeapConfig(2, 2, 1, 1, HeapDebugOptions.OFF), Bug.NONE);
        SlabAllocator h = st.heap;
        List<Allocation> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            h.allocate(i % 2, i % 10 == 0 ? 20_000 + i : 1 + (i * 977) % 5000);
        }
        all.addAll(h.liveAllocations());
        for (Allocation a : all) {
            h.free((int) (a.addr().offset() % 2), a.addr(), a.requested());
        }
        h.drainAll();
        h.shrink();
        assertThat(h.heldFrames()).isZero();
        assertThat(st.frames.freeFrames()).isEqualTo(256);
    }

    @Test
    void outOfMemoryWhenNoFramesAreLeftChangesNothing() {
        HeapState st = HeapState.fresh(2, HeapConfig.of(1, 1, 1, 0), Bug.NONE);
        SlabAllocator h = st.heap;
        h.allocate(0, 4096);
        h.allocate(0, 4096);
        String before = h.snapshot();
        assertThatThrownBy(() -> h.allocate(0, 4096)).isInstanceOf(HeapError.class).hasMessageContaining("refused");
        assertThatThrownBy(() -> h.allocate(0, 20_000)).isInstanceOf(HeapError.class);
        assertThat(h.snapshot()).isEqualTo(before);
    }
}
