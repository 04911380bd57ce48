package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * Every rejection of the heap, at its exact boundary, with its kind and message, and each
 * leaving the heap exactly as it was (ATOMIC-1).
 */
class HeapErrorsTest {

    private static HeapError rejection(Runnable r) {
        try {
            r.run();
        } catch (HeapError e) {
            return e;
        }
        throw new AssertionError("expected a HeapError");
    }

    private static String at(long offset) {
        return HeapAddr.ofOffset(offset).toString();
    }

    @Test
    void sizesFromOneByteToOneGiBAreAcceptedAndNothingElse() {
        SlabAllocator h = HeapFixtures.small().heap;
        assertThat(h.allocationAt(h.allocate(0, 1)).sizeClass()).isEqualTo(SizeClass.B8);
        String before = h.snapshot();
        HeapError zero = rejection(() -> h.allocate(1, 0));
        assertThat(zero.errorKind()).isEqualTo(HeapError.Kind.ZERO_SIZE);
        assertThat(zero.getMessage()).isEqualTo("allocate(cpu 1, 0): size must be at least 1");
        assertThat(rejection(() -> h.allocate(0, -5)).errorKind()).isEqualTo(HeapError.Kind.ZERO_SIZE);
        HeapError huge = rejection(() -> h.allocate(0, SlabAllocator.MAX_ALLOCATION + 1));
        assertThat(huge.errorKind()).isEqualTo(HeapError.Kind.TOO_LARGE);
        assertThat(huge.getMessage()).isEqualTo("allocate(cpu 0, 1073741825): above the 1073741824-byte maximum");
        // Exactly 1 GiB is within the contract: only the 64-frame machine is too small for it.
        HeapError max = rejection(() -> h.allocate(0, SlabAllocator.MAX_ALLOCATION));
        assertThat(max.errorKind()).isEqualTo(HeapError.Kind.OUT_OF_MEMORY);
        assertThat(max.getMessage()).isEqualTo("frame allocator refused 262144 frames: IMPOSSIBLE_SIZE");
        assertThat(SlabAllocator.MAX_ALLOCATION).isEqualTo(1L << 30);
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void cpusOutsideTheConfiguredOnesAreRejected() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(1, 8);
        String before = h.snapshot();
        assertThat(rejection(() -> h.allocate(2, 8)).getMessage()).isEqualTo("cpu 2: the heap has 2 CPUs");
        assertThat(rejection(() -> h.allocate(-1, 8)).getMessage()).isEqualTo("cpu -1: the heap has 2 CPUs");
        assertThat(rejection(() -> h.free(2, a, 8)).errorKind()).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(rejection(() -> h.free(-1, a, 8)).errorKind()).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(rejection(() -> h.drain(2)).errorKind()).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(rejection(() -> h.drain(-1)).errorKind()).isEqualTo(HeapError.Kind.BAD_CPU);
        assertThat(h.snapshot()).isEqualTo(before);
        h.free(1, a, 8);
    }

    @Test
    void freeOfZeroBytesIsRejectedBeforeTheAddressIsLookedAt() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 1);
        HeapError e = rejection(() -> h.free(0, a, 0));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.ZERO_SIZE);
        assertThat(e.getMessage()).isEqualTo("free(cpu 0, " + a + ", 0): size must be at least 1");
        HeapError nowhere = rejection(() -> h.free(0, HeapAddr.ofOffset(8), 0));
        assertThat(nowhere.errorKind()).isEqualTo(HeapError.Kind.ZERO_SIZE);
        h.free(0, a, 1);
    }

    @Test
    void aFreeMustNameTheSizeClassTheAllocationWasMadeIn() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100, CallSite.of("f", 1));
        String before = h.snapshot();
        for (long size : new long[] {64, 129, 20_000}) {
            HeapError e = rejection(() -> h.free(0, a, size));
            assertThat(e.errorKind()).as("%d bytes", size).isEqualTo(HeapError.Kind.SIZE_MISMATCH);
        }
        assertThat(rejection(() -> h.free(0, a, 129)).getMessage())
                .isEqualTo("free(" + a + ", 129): allocated as " + a + "+100(128)");
        assertThat(h.snapshot()).isEqualTo(before);
        h.free(0, a, 65); // any size of the same class is accepted
        HeapAddr big = h.allocate(0, 20_000);
        String bigBefore = h.snapshot();
        assertThat(rejection(() -> h.free(0, big, 20_033)).errorKind()).isEqualTo(HeapError.Kind.SIZE_MISMATCH);
        assertThat(rejection(() -> h.free(0, big, 16_384)).errorKind()).isEqualTo(HeapError.Kind.SIZE_MISMATCH);
        assertThat(h.snapshot()).isEqualTo(bigBefore);
        h.free(0, big, 19_969); // rounds up to the same 20032-byte block
        assertThat(h.liveAllocations()).isEmpty();
    }

    @Test
    void freesOfSlabAddressesThatAreNotLiveSayWhatTheAddressIs() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100); // B128 object 0; objects 1.. are free on the slab
        HeapAddr cached = h.allocate(0, 100);
        h.free(0, cached, 100); // now in CPU 0's cache
        String before = h.snapshot();
        HeapError dbl = rejection(() -> h.free(1, cached, 100));
        assertThat(dbl.errorKind()).isEqualTo(HeapError.Kind.DOUBLE_FREE);
        assertThat(dbl.getMessage()).isEqualTo("free(" + cached + "): 128 object 1 is already free");
        HeapError interior = rejection(() -> h.free(0, a.plus(127), 100));
        assertThat(interior.errorKind()).isEqualTo(HeapError.Kind.INTERIOR_POINTER);
        assertThat(interior.getMessage()).isEqualTo("free(" + a.plus(127) + "): inside 128 object at " + a);
        HeapError slot = rejection(() -> h.free(0, a.plus(129), 100));
        assertThat(slot.errorKind()).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(slot.getMessage()).isEqualTo("free(" + a.plus(129) + "): inside a free 128 slot");
        HeapError onSlab = rejection(() -> h.free(0, a.plus(4 * 128), 100));
        assertThat(onSlab.getMessage()).isEqualTo("free(" + a.plus(512) + "): 128 object 4 is already free");
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void anAddressJustPastASlabsFramesIsNotThatSlabs() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 2048); // the 2K slab spans frame 16 exactly
        assertThat(a.offset()).isEqualTo(16 * 4096);
        HeapAddr past = HeapAddr.ofOffset(17 * 4096);
        HeapError e = rejection(() -> h.free(0, past, 2048));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(e.getMessage()).isEqualTo("free(" + past + "): the heap holds no memory there");
        HeapError lastByte = rejection(() -> h.free(0, past.plus(-1), 2048));
        assertThat(lastByte.getMessage()).isEqualTo("free(" + past.plus(-1) + "): inside a free 2K slot");
    }

    @Test
    void aSlidSlabsBytesBeforeItsFirstObjectAreNotAllocated() {
        ReferenceFrameAllocator ref = new ReferenceFrameAllocator(FrameRange.of(17, 40));
        SlabAllocator h = new SlabAllocator(unaligned(ref), HeapConfig.of(1, 2, 1, 0));
        HeapAddr a = h.allocate(0, 16 * 1024); // run [17, 28), objects from frame 20
        assertThat(a.offset()).isEqualTo(20 * 4096);
        HeapError e = rejection(() -> h.free(0, HeapAddr.ofOffset(17 * 4096), 16 * 1024));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(e.getMessage()).isEqualTo("free(" + HeapAddr.ofOffset(17 * 4096) + "): inside a free 16K slot");
    }

    @Test
    void freesOfLargeAddressesThatAreNotLiveSayWhatTheAddressIs() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr big = h.allocate(0, 20_000); // block [big, big + 20032), arena tail free
        HeapAddr other = h.allocate(0, 30_000);
        h.free(0, other, 30_000);
        String before = h.snapshot();
        HeapError interior = rejection(() -> h.free(0, big.plus(20_031), 20_000));
        assertThat(interior.errorKind()).isEqualTo(HeapError.Kind.INTERIOR_POINTER);
        assertThat(interior.getMessage()).isEqualTo("free(" + big.plus(20_031) + "): inside the large block at " + big);
        HeapError tail = rejection(() -> h.free(0, big.plus(20_032), 20_000));
        assertThat(tail.errorKind()).isEqualTo(HeapError.Kind.DOUBLE_FREE);
        assertThat(tail.getMessage()).isEqualTo("free(" + big.plus(20_032) + "): inside a free large block");
        HeapError beyond = rejection(() -> h.free(0, big.plus(20_480), 20_000));
        assertThat(beyond.errorKind()).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(beyond.getMessage()).isEqualTo("free(" + big.plus(20_480) + "): the heap holds no memory there");
        HeapError below = rejection(() -> h.free(0, big.plus(-64), 20_000));
        assertThat(below.errorKind()).isEqualTo(HeapError.Kind.NOT_ALLOCATED);
        assertThat(h.snapshot()).isEqualTo(before);
    }

    @Test
    void releasingAnAllocationThatIsNoLongerLiveIsADoubleFree() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100);
        Allocation stale = h.allocationAt(a);
        h.free(1, a, 100);
        HeapError e = rejection(() -> h.release(stale));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.DOUBLE_FREE);
        assertThat(e.getMessage()).isEqualTo("free(" + a + "): freed concurrently by another CPU");
        HeapAddr big = h.allocate(0, 20_000);
        Allocation staleBig = h.allocationAt(big);
        h.free(0, big, 20_000);
        HeapError eb = rejection(() -> h.release(staleBig));
        assertThat(eb.errorKind()).isEqualTo(HeapError.Kind.DOUBLE_FREE);
        assertThat(eb.getMessage()).isEqualTo("free(" + big + "): freed concurrently by another CPU");
    }

    @Test
    void outOfMemoryNamesTheFramesRefusedAndChangesNothing() {
        HeapState st = HeapState.fresh(6, HeapConfig.of(1, 1, 1, 0), Bug.NONE);
        SlabAllocator h = st.heap;
        h.allocate(0, 20_000); // an arena of five frames; one frame left
        String before = h.snapshot();
        HeapError slab = rejection(() -> h.allocate(0, 4096));
        assertThat(slab.errorKind()).isEqualTo(HeapError.Kind.OUT_OF_MEMORY);
        assertThat(slab.getMessage()).isEqualTo("frame allocator refused 2 frames aligned to 1: OUT_OF_MEMORY");
        HeapError large = rejection(() -> h.allocate(0, 20_000));
        assertThat(large.getMessage()).isEqualTo("frame allocator refused 5 frames: OUT_OF_MEMORY");
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.allocate(0, 2048)).as("the last frame still serves a one-frame class").isNotNull();
    }

    @Test
    void framesAboveTheHeapRegionGoBackAndTheAllocationFails() {
        long firstAbove = HeapAddr.HEAP_SIZE / 4096; // frame 2^32: its first byte is past the region
        ReferenceFrameAllocator ref = new ReferenceFrameAllocator(FrameRange.of(firstAbove - 2, 4));
        SlabAllocator h = new SlabAllocator(ref, HeapConfig.of(1, 1, 1, 0));
        HeapAddr low = h.allocate(0, 4096); // 4K slab: frames [2^32 - 2, 2^32), the region's last two
        assertThat(low.offset()).isEqualTo(HeapAddr.HEAP_SIZE - 8192);
        assertThat(h.allocate(0, 4096).offset()).isEqualTo(HeapAddr.HEAP_SIZE - 4096);
        String before = h.snapshot();
        HeapError e = rejection(() -> h.allocate(0, 4096));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).isEqualTo("[frame#" + firstAbove + ".." + (firstAbove + 2)
                + ") lies above the 16 TiB the heap region maps linearly");
        assertThat(ref.freeFrames()).as("the run went back").isEqualTo(2);
        assertThat(h.snapshot()).isEqualTo(before);
    }

    /** A frame allocator that cannot place runs by alignment (the interface's default). */
    static FrameAllocator unaligned(ReferenceFrameAllocator ref) {
        return new FrameAllocator() {
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
    }

    @Test
    void anAlignedRequestRefusedForAnotherReasonThanAlignmentIsOutOfMemory() {
        FrameLedger l = new FrameLedger(new ReferenceFrameAllocator(FrameRange.of(16, 4)));
        assertThat(l.takeAligned(2, 2)).isEqualTo(FrameRange.of(16, 2));
        HeapError e = rejection(() -> l.takeAligned(4, 4));
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).isEqualTo("frame allocator refused 4 frames aligned to 4: OUT_OF_MEMORY");
        FrameLedger noAlign = new FrameLedger(unaligned(new ReferenceFrameAllocator(FrameRange.of(16, 4))));
        assertThat(noAlign.takeAligned(1, 2)).isNull();
        assertThat(noAlign.takeAligned(1, 1)).as("alignment 1 is no alignment").isEqualTo(FrameRange.of(16, 1));
        assertThat(noAlign.held).containsOnlyKeys(16L);
        assertThat(l.heldFrames()).isEqualTo(2);
        FrameLedger copy = l.copy(new ReferenceFrameAllocator(FrameRange.of(16, 4)));
        assertThat(copy.held).isEqualTo(l.held);
        assertThat(copy.freeAtStart).isEqualTo(4);
        l.give(FrameRange.of(16, 2));
        assertThat(l.heldFrames()).isZero();
        assertThat(copy.heldFrames()).isEqualTo(2);
        assertThat(FrameError.Kind.MISALIGNED).isNotNull();
    }
}
