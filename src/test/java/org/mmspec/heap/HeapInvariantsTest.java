package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;

/**
 * Negative tests: each corrupts a healthy heap in one way and asserts that exactly the named
 * invariant reports it.
 */
class HeapInvariantsTest {

    /** A heap with two live 2 KiB objects, one cached object on CPU 1, and a live large block. */
    private static SlabAllocator populated() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        h.allocate(0, 2000);
        HeapAddr c = h.allocate(1, 2000);
        h.free(1, c, 2000);
        h.allocate(0, 40_000);
        h.allocate(0, 20_000);
        assertThat(HeapFixtures.broken(h)).isEmpty();
        return h;
    }

    private static Slab firstSlab(SlabAllocator h) {
        return h.slabsByStart.firstEntry().getValue();
    }

    /**
     * {@code id} is the first invariant broken, and nothing else is broken but HEAP-3, which sees
     * every corruption's consequence: a damaged heap cannot release everything cleanly.
     */
    private static void assertOnly(SlabAllocator h, String id) {
        assertThat(HeapInvariants.ALL.firstViolation(h)).hasValueSatisfying(v -> assertThat(v.invariantId()).isEqualTo(id));
        assertThat(HeapFixtures.broken(h)).containsAnyOf(id).isSubsetOf(id, "HEAP-3");
    }

    @Test
    void healthyHeapBreaksNothing() {
        assertThat(HeapFixtures.broken(populated())).isEmpty();
    }

    @Test
    void SLAB_1_catchesAnObjectBothCachedAndLive() {
        SlabAllocator h = populated();
        long liveObj = h.live.firstKey();
        h.mags[1][SizeClass.B2K.ordinal()].objs[0] = liveObj;
        // The cached object it replaced is now lost too, but SLAB-1 is what names the double role.
        assertThat(HeapFixtures.broken(h)).contains("SLAB-1");
        assertThat(HeapInvariants.SLAB_1.evaluate(h)).isPresent();
    }

    @Test
    void SLAB_2_catchesAMisalignedSlabBase() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.free(0, h.allocate(0, 100), 100);
        h.drainAll();
        Slab s = firstSlab(h);
        Slab moved = new Slab(s.cls, s.run, s.base + 8);
        for (int k = 0; k < s.freeCount; k++) {
            moved.freeStack[k] = s.freeStack[k];
        }
        h.caches[s.cls.ordinal()].empty.set(0, moved);
        moved.list = s.list;
        h.slabsByStart.put(s.runStart(), moved);
        assertOnly(h, "SLAB-2");
    }

    @Test
    void SLAB_3_catchesAFreeCountThatDisagreesWithTheFreeList() {
        SlabAllocator h = populated();
        h.allocate(0, 100);
        Slab s = h.caches[SizeClass.B128.ordinal()].partial.get(0);
        s.freeStack[0] = s.freeStack[1];
        assertOnly(h, "SLAB-3");
    }

    @Test
    void SLAB_4_catchesAnObjectCachedTwice() {
        SlabAllocator h = populated();
        CpuCache m = h.mags[1][SizeClass.B2K.ordinal()];
        m.push(m.objs[0]);
        assertOnly(h, "SLAB-4");
    }

    @Test
    void SLAB_4_catchesACachedObjectStillOnTheFreeList() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        h.allocate(0, 2000);
        h.allocate(0, 2000); // second slab, object 1 free on its list
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        long freeObj = s.object(s.freeStack[0]);
        h.mags[0][SizeClass.B2K.ordinal()].push(freeObj);
        assertOnly(h, "SLAB-4");
    }

    @Test
    void SLAB_5_catchesAnEmptySlabOnThePartialList() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 2000);
        h.allocate(0, 2000);
        h.allocate(0, 2000);
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        // Return its one allocated object behind the lists' back.
        h.live.remove(s.object(0));
        s.push(0);
        assertThat(a).isNotNull();
        assertOnly(h, "SLAB-5");
    }

    @Test
    void SLAB_6_catchesALostObject() {
        SlabAllocator h = populated();
        h.mags[1][SizeClass.B2K.ordinal()].count = 0;
        assertOnly(h, "SLAB-6");
    }

    @Test
    void SLAB_7_catchesAnOverfullReserveOfEmptySlabs() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.free(0, h.allocate(0, 100), 100);
        h.drainAll();
        SlabCache sc = h.caches[SizeClass.B128.ordinal()];
        Slab extra = new Slab(SizeClass.B128, h.ledger.take(1), 0);
        extra = new Slab(SizeClass.B128, extra.run, extra.runStart());
        sc.empty.add(extra);
        h.slabsByStart.put(extra.runStart(), extra);
        assertOnly(h, "SLAB-7");
    }

    @Test
    void LARGE_1_catchesOverlappingFreeBlocks() {
        SlabAllocator h = populated();
        long f = h.large.free.firstKey();
        long len = h.large.free.get(f);
        h.large.free.put(f, len + 64);
        h.large.free.put(f + len, 64L);
        assertThat(HeapInvariants.ALL.firstViolation(h).get().invariantId()).isEqualTo("LARGE-1");
    }

    @Test
    void LARGE_2_catchesUncoalescedNeighbours() {
        SlabAllocator h = populated();
        long f = h.large.free.firstKey();
        long len = h.large.free.remove(f);
        h.large.free.put(f, 64L);
        h.large.free.put(f + 64, len - 64);
        assertOnly(h, "LARGE-2");
    }

    @Test
    void LARGE_3_catchesBytesMissingFromBothLists() {
        SlabAllocator h = populated();
        long f = h.large.free.firstKey();
        h.large.free.put(f, h.large.free.get(f) - 64);
        assertOnly(h, "LARGE-3");
    }

    @Test
    void LARGE_4_catchesABlockOutsideTheArenas() {
        SlabAllocator h = populated();
        long f = h.large.free.firstKey();
        long len = h.large.free.remove(f);
        h.large.free.put(1L << 40, len);
        assertOnly(h, "LARGE-4");
    }

    @Test
    void LARGE_5_catchesAWhollyFreeArenaStillHeld() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 40_000);
        long block = h.large.used.remove(a.offset());
        long tail = h.large.free.remove(a.offset() + block);
        h.large.free.put(a.offset(), block + tail);
        h.live.remove(a.offset());
        assertOnly(h, "LARGE-5");
    }

    @Test
    void HEAP_1_catchesFramesHeldByNoSlabOrArena() {
        SlabAllocator h = populated();
        FrameRange stray = h.ledger.frames.allocate(1);
        h.ledger.held.put(stray.start().number(), stray);
        assertOnly(h, "HEAP-1");
    }

    @Test
    void HEAP_2_catchesALiveEntryWithTheWrongClass() {
        SlabAllocator h = populated();
        Allocation a = h.live.firstEntry().getValue();
        h.live.put(a.addr().offset(), new Allocation(a.addr(), 100, SizeClass.B128, 128, 0, CallSite.UNKNOWN));
        assertOnly(h, "HEAP-2");
    }

    @Test
    void HEAP_3_catchesASlabThatWouldReturnOtherFramesThanItTook() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 100);
        Slab s = firstSlab(h);
        // The slab believes it spans two frames; the heap took one. Releasing it would free a
        // frame the heap never held.
        Slab wide = new Slab(s.cls, new FrameRange(s.run.start(), 2), s.base);
        for (int k = 0; k < s.capacity; k++) {
            wide.freeStack[k] = s.freeStack[k];
            wide.onFree[k] = s.onFree[k];
        }
        wide.freeCount = s.freeCount;
        wide.list = s.list;
        h.caches[s.cls.ordinal()].partial.set(0, wide);
        h.slabsByStart.put(s.runStart(), wide);
        assertOnly(h, "HEAP-3");
    }

    @Test
    void HEAP_1_catchesAnEmptySlabWhoseFramesAreNeverReturned() {
        HeapState st = HeapState.fresh(64, new HeapConfig(2, 2, 1, 0, HeapDebugOptions.OFF), Bug.LEAK_EMPTY_SLAB);
        SlabAllocator h = st.heap;
        h.free(0, h.allocate(0, 100), 100);
        assertThat(HeapFixtures.broken(h)).isEmpty();
        h.drain(0);
        assertOnly(h, "HEAP-1");
    }

    @Test
    void HEAP_4_catchesFramesTakenBehindTheHeapsBack() {
        SlabAllocator h = populated();
        h.ledger.frames.allocate(1);
        assertOnly(h, "HEAP-4");
    }
}
