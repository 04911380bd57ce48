package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Invariant;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;

/**
 * Negative tests for each clause of each heap invariant (HeapInvariantsTest breaks each
 * invariant once; here every other way it can break is staged, one per test, and the
 * violation's detail names what broke).
 */
class HeapInvariantsBranchesTest {

    /** Two CPUs, magazines of 2, one kept slab: 2K objects on both CPUs, one cached, two large blocks. */
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

    private static String detail(Invariant<SlabAllocator> inv, SlabAllocator h) {
        Optional<Violation> v = inv.evaluate(h);
        assertThat(v).as("%s must report it", inv.id()).isPresent();
        return v.get().detail();
    }

    private static Slab slabOfClass(SlabAllocator h, SizeClass c) {
        return h.caches[c.ordinal()].all().get(0);
    }

    private static Slab replace(SlabAllocator h, Slab s, Slab t) {
        t.list = s.list;
        System.arraycopy(s.freeStack, 0, t.freeStack, 0, Math.min(s.capacity, t.capacity));
        System.arraycopy(s.onFree, 0, t.onFree, 0, Math.min(s.capacity, t.capacity));
        t.freeCount = s.freeCount;
        java.util.List<Slab> list = h.caches[s.cls.ordinal()].list(s.list);
        list.set(list.indexOf(s), t);
        h.slabsByStart.put(s.runStart(), t);
        return t;
    }

    // ---------------------------------------------------------------- SLAB-1

    @Test
    void SLAB_1_catchesAnObjectOnItsSlabsFreeListThatIsAlsoLive() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        long free = s.object(s.freeStack[0]);
        h.live.put(free, new Allocation(HeapAddr.ofOffset(free), 2000, SizeClass.B2K, 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.SLAB_1, h)).startsWith("object 0x" + Long.toHexString(free) + " is free and also live");
    }

    // ---------------------------------------------------------------- SLAB-2

    @Test
    void SLAB_2_catchesObjectsThatLeaveTheirRunAtEitherEnd() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        Slab s = slabOfClass(h, SizeClass.B2K);
        replace(h, s, new Slab(SizeClass.B2K, s.run, s.base + 2048)); // the second object ends past the run
        assertThat(detail(HeapInvariants.SLAB_2, h)).contains("leave the run");
        SlabAllocator g = HeapFixtures.small().heap;
        g.allocate(0, 2000);
        Slab t = slabOfClass(g, SizeClass.B2K);
        replace(g, t, new Slab(SizeClass.B2K, t.run, t.base - 2048)); // the first object starts before it
        assertThat(detail(HeapInvariants.SLAB_2, g)).contains("leave the run");
    }

    @Test
    void SLAB_2_acceptsObjectsThatEndExactlyAtTheRunsEnd() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        Slab s = slabOfClass(h, SizeClass.B2K);
        assertThat(s.object(1) + 2048).isEqualTo(s.runEnd());
        assertThat(HeapInvariants.SLAB_2.evaluate(h)).isEmpty();
    }

    @Test
    void SLAB_2_catchesOverlappingSlabRuns() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        h.allocate(0, 1000);
        Slab a = slabOfClass(h, SizeClass.B2K);
        Slab b = slabOfClass(h, SizeClass.B1K);
        assertThat(b.runStart()).isEqualTo(a.runEnd());
        // The 2K slab claims two frames: its run now covers the 1K slab's frame.
        replace(h, a, new Slab(SizeClass.B2K, new FrameRange(a.run.start(), 2), a.base));
        assertThat(detail(HeapInvariants.SLAB_2, h)).endsWith("overlaps the slab before it");
    }

    @Test
    void SLAB_2_catchesACachedOffsetThatIsNoObjectStartOfItsClass() {
        SlabAllocator h = populated();
        CpuCache m = h.mags[1][SizeClass.B2K.ordinal()];
        long obj = m.objs[0];
        m.objs[0] = obj + 8; // inside the object
        assertThat(detail(HeapInvariants.SLAB_2, h)).isEqualTo("cpu 1's 2K cache holds 0x" + Long.toHexString(obj + 8)
                + ", not the start of a 2K object");
        m.objs[0] = obj;
        h.mags[1][SizeClass.B1K.ordinal()].push(obj); // a 2K object in the 1K cache
        assertThat(detail(HeapInvariants.SLAB_2, h)).contains("1K cache holds");
        h.mags[1][SizeClass.B1K.ordinal()].count = 0;
        m.objs[0] = 1L << 40; // in no slab
        assertThat(detail(HeapInvariants.SLAB_2, h)).contains("2K cache holds");
    }

    @Test
    void SLAB_2_catchesACachedOffsetInASlidSlabsGapBeforeItsObjects() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.free(0, h.allocate(0, 2000), 2000);
        Slab s = slabOfClass(h, SizeClass.B2K);
        // A 2K slab whose objects start one object in: its first 2 KiB belong to no object.
        Slab slid = replace(h, s, new Slab(SizeClass.B2K, new FrameRange(s.run.start(), 2), s.base + 2048));
        h.ledger.held.put(s.run.start().number(), slid.run);
        h.mags[0][SizeClass.B2K.ordinal()].objs[0] = s.base;
        assertThat(detail(HeapInvariants.SLAB_2, h)).contains("not the start of a 2K object");
    }

    // ---------------------------------------------------------------- SLAB-3

    @Test
    void SLAB_3_catchesFreeCountsOutsideZeroToCapacity() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        s.freeCount = -1;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("free count -1 outside [0, 2]");
        s.freeCount = 3;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("free count 3 outside [0, 2]");
    }

    @Test
    void SLAB_3_catchesOutOfRangeFreeListEntries() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        int saved = s.freeStack[0];
        s.freeStack[0] = 2;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("free list entry 2 is out of range or repeated");
        s.freeStack[0] = -1;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("free list entry -1");
        s.freeStack[0] = saved;
        assertThat(HeapInvariants.SLAB_3.evaluate(h)).isEmpty();
    }

    @Test
    void SLAB_3_catchesAFreeMarkWithoutAnEntryAndAnEntryWithoutAMark() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        int free = s.freeStack[0];
        s.onFree[free] = false;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("object " + free + " is on the free list but marked allocated");
        s.onFree[free] = true;
        s.onFree[1 - free] = true;
        assertThat(detail(HeapInvariants.SLAB_3, h)).contains("object " + (1 - free) + " is off the free list but marked free");
    }

    // ---------------------------------------------------------------- SLAB-4, SLAB-5

    @Test
    void SLAB_4_namesBothCachesOfAnObjectCachedOnTwoCpus() {
        SlabAllocator h = populated();
        long obj = h.mags[1][SizeClass.B2K.ordinal()].objs[0];
        h.mags[0][SizeClass.B2K.ordinal()].push(obj);
        assertThat(detail(HeapInvariants.SLAB_4, h)).isEqualTo("object 0x" + Long.toHexString(obj)
                + " is cached twice: in cpu 0 2K cache and in cpu 1 2K cache");
    }

    @Test
    void SLAB_5_catchesASlabOnTwoListsOrUnderAnotherClassOrOnNoList() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        h.caches[SizeClass.B2K.ordinal()].full.add(s);
        assertThat(detail(HeapInvariants.SLAB_5, h)).endsWith("is on two lists");
        h.caches[SizeClass.B2K.ordinal()].full.remove(s);
        h.caches[SizeClass.B1K.ordinal()].partial.add(s);
        h.caches[SizeClass.B2K.ordinal()].partial.remove(s);
        assertThat(detail(HeapInvariants.SLAB_5, h)).endsWith("is listed under class 1K");
        h.caches[SizeClass.B1K.ordinal()].partial.remove(s);
        assertThat(detail(HeapInvariants.SLAB_5, h)).endsWith("is registered but on no list");
    }

    @Test
    void SLAB_5_catchesASlabWhoseListFieldDisagreesWithTheListItIsOn() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        s.list = Slab.ListKind.FULL;
        assertThat(detail(HeapInvariants.SLAB_5, h)).contains("is on the PARTIAL list");
    }

    @Test
    void SLAB_5_catchesAListedSlabMissingFromThePointerLookup() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        h.slabsByStart.remove(s.runStart());
        assertThat(detail(HeapInvariants.SLAB_5, h)).contains("slabs listed but").contains("registered for pointer lookup");
    }

    // ---------------------------------------------------------------- SLAB-6, SLAB-7

    @Test
    void SLAB_6_namesTheLostObject() {
        SlabAllocator h = populated();
        CpuCache m = h.mags[1][SizeClass.B2K.ordinal()];
        long obj = m.objs[0];
        m.count = 0;
        Slab s = HeapInvariants.slabOf(h, obj);
        assertThat(detail(HeapInvariants.SLAB_6, h)).isEqualTo(String.format(
                "object 0x%x (2K slab at 0x%x, index %d) is neither free, cached nor live", obj, s.base, s.indexOf(obj)));
    }

    @Test
    void SLAB_7_catchesAnOverfullCacheButNotAFullOne() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(2, 2, 1, 1), Bug.NONE).heap;
        HeapAddr a = h.allocate(0, 64);
        HeapAddr b = h.allocate(0, 64);
        h.free(1, a, 64);
        h.free(1, b, 64);
        assertThat(h.mags[1][SizeClass.B64.ordinal()].count).isEqualTo(2);
        assertThat(HeapInvariants.SLAB_7.evaluate(h)).isEmpty();
        CpuCache wide = new CpuCache(3);
        System.arraycopy(h.mags[1][SizeClass.B64.ordinal()].objs, 0, wide.objs, 0, 2);
        wide.count = 2;
        wide.push(h.mags[0][SizeClass.B64.ordinal()].objs[0] + 0); // placeholder value; the count is what matters
        h.mags[1][SizeClass.B64.ordinal()] = wide;
        assertThat(detail(HeapInvariants.SLAB_7, h)).isEqualTo("cpu 1's 64 cache holds 3 of 2");
        wide.count = -1;
        assertThat(detail(HeapInvariants.SLAB_7, h)).isEqualTo("cpu 1's 64 cache holds -1 of 2");
    }

    @Test
    void SLAB_7_allowsExactlyTheReserveOfEmptySlabs() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 1), Bug.NONE).heap;
        h.free(0, h.allocate(0, 100), 100);
        h.drain(0);
        assertThat(h.caches[SizeClass.B128.ordinal()].empty).hasSize(1);
        assertThat(HeapInvariants.SLAB_7.evaluate(h)).isEmpty();
    }

    // ---------------------------------------------------------------- LARGE

    @Test
    void LARGE_1_catchesBlocksThatAreNotWholeGranules() {
        SlabAllocator h = populated();
        long f = h.large.free.firstKey();
        long len = h.large.free.get(f);
        h.large.free.put(f, len - 8);
        assertThat(detail(HeapInvariants.LARGE_1, h)).endsWith("is not whole granules");
        h.large.free.put(f, 0L);
        assertThat(detail(HeapInvariants.LARGE_1, h)).endsWith("is not whole granules");
        h.large.free.put(f, -64L);
        assertThat(detail(HeapInvariants.LARGE_1, h)).endsWith("is not whole granules");
        h.large.free.remove(f);
        h.large.free.put(f + 8, len - 64);
        assertThat(detail(HeapInvariants.LARGE_1, h)).endsWith("is not whole granules");
        h.large.free.remove(f + 8);
        h.large.free.put(f, len);
        assertThat(HeapInvariants.LARGE_1.evaluate(h)).isEmpty();
    }

    @Test
    void LARGE_1_andLARGE_2_acceptBlocksThatTouchOnlyAcrossAnAllocatedOne() {
        SlabAllocator h = populated();
        assertThat(HeapInvariants.LARGE_1.evaluate(h)).isEmpty();
        assertThat(HeapInvariants.LARGE_2.evaluate(h)).isEmpty();
        long f = h.large.free.firstKey();
        long len = h.large.free.remove(f);
        h.large.free.put(f, 64L);
        h.large.free.put(f + 64, len - 64);
        assertThat(HeapInvariants.LARGE_1.evaluate(h)).as("touching is not overlapping").isEmpty();
        assertThat(detail(HeapInvariants.LARGE_2, h)).endsWith("touch but were not coalesced");
    }

    @Test
    void LARGE_4_catchesAFreeAndAnAllocatedBlockAtOneStartAndOverlappingBlocks() {
        SlabAllocator h = populated();
        long u = h.large.used.firstKey();
        h.large.free.put(u, 64L);
        assertThat(detail(HeapInvariants.LARGE_4, h)).isEqualTo("two blocks start at 0x" + Long.toHexString(u));
        h.large.free.remove(u);
        h.large.free.put(u + 64, 64L);
        assertThat(detail(HeapInvariants.LARGE_4, h)).endsWith("overlaps the block before it");
    }

    @Test
    void LARGE_4_catchesABlockRunningPastItsArenasEnd() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 40_960); // an arena of exactly ten frames, wholly used
        assertThat(h.large.free).isEmpty();
        assertThat(HeapInvariants.LARGE_4.evaluate(h)).isEmpty();
        h.large.used.put(a.offset(), 40_960L + 64);
        assertThat(detail(HeapInvariants.LARGE_4, h)).endsWith("leaves the arenas");
    }

    @Test
    void LARGE_5_acceptsAnArenaWhoseFreeBlockStopsShortOfItsEnd() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 20_000); // arena [16, 21): block 20032, tail 448
        HeapAddr b = h.allocate(0, 20_000); // a second arena, joined to the tail; b starts in the tail
        assertThat(b).isEqualTo(a.plus(20_032));
        h.free(0, a, 20_000); // [A, A + 20032) free: 448 bytes short of the arena's end
        assertThat(h.large.free).containsEntry(a.offset(), 20_032L);
        assertThat(h.large.arenas).hasSize(2);
        assertThat(HeapInvariants.LARGE_5.evaluate(h)).isEmpty();
    }

    // ---------------------------------------------------------------- HEAP

    @Test
    void HEAP_1_catchesARunThatIsASlabAndAnArena() {
        SlabAllocator h = populated();
        Slab s = h.slabsByStart.firstEntry().getValue();
        h.large.arenas.put(s.runStart(), s.run);
        assertThat(detail(HeapInvariants.HEAP_1, h)).endsWith("belongs to a slab and an arena");
    }

    @Test
    void HEAP_1_catchesAnArenaMissingFromTheLedger() {
        SlabAllocator h = populated();
        FrameRange arena = h.large.arenas.firstEntry().getValue();
        h.ledger.held.remove(arena.start().number());
        assertThat(detail(HeapInvariants.HEAP_1, h)).endsWith("not in the heap's frame ledger");
    }

    @Test
    void HEAP_1_catchesOverlappingHeldRuns() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 2000);
        h.allocate(0, 1000);
        Slab a = slabOfClass(h, SizeClass.B2K);
        h.ledger.held.put(a.run.start().number(), new FrameRange(a.run.start(), 2));
        assertThat(detail(HeapInvariants.HEAP_1, h)).startsWith("held runs overlap at");
    }

    @Test
    void HEAP_2_catchesMalformedLiveEntries() {
        SlabAllocator h = populated();
        Allocation a = h.live.firstEntry().getValue();
        long off = a.addr().offset();
        h.live.put(off, new Allocation(a.addr().plus(2048), a.requested(), a.sizeClass(), a.blockBytes(), 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is malformed");
        h.live.put(off, new Allocation(a.addr(), 0, a.sizeClass(), a.blockBytes(), 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is malformed");
        h.live.put(off, new Allocation(a.addr(), 2049, a.sizeClass(), 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is malformed");
        h.live.put(off, new Allocation(a.addr(), 2048, a.sizeClass(), 2048, 0, CallSite.UNKNOWN));
        assertThat(HeapInvariants.HEAP_2.evaluate(h)).as("a request filling its block exactly").isEmpty();
        h.live.put(off, new Allocation(a.addr(), 1, a.sizeClass(), 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).as("1 byte belongs in the 8-byte class")
                .endsWith("is not an allocated 2K object of its class");
    }

    @Test
    void HEAP_2_countsTheRedZoneInTheBlock() {
        SlabAllocator h = HeapFixtures.small(new HeapDebugOptions(true, false, false, false, false)).heap;
        HeapAddr a = h.allocate(0, 2040);
        assertThat(HeapInvariants.HEAP_2.evaluate(h)).isEmpty();
        Allocation x = h.live.get(a.offset());
        h.live.put(a.offset(), new Allocation(a, 2041, x.sizeClass(), 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is malformed");
    }

    @Test
    void HEAP_2_catchesALiveSlabEntryThatIsFreeOrNotAnObjectStartOrInNoSlab() {
        SlabAllocator h = populated();
        Slab s = h.caches[SizeClass.B2K.ordinal()].partial.get(0);
        int i = s.freeStack[0];
        long off = s.object(i);
        h.live.put(off, new Allocation(HeapAddr.ofOffset(off), 2000, SizeClass.B2K, 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is not an allocated 2K object of its class");
        h.live.remove(off);
        long inside = h.live.firstKey() + 64;
        h.live.put(inside, new Allocation(HeapAddr.ofOffset(inside), 1000, SizeClass.B1K, 1024, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is not an allocated 1K object of its class");
        h.live.remove(inside);
        long nowhere = 1L << 40;
        h.live.put(nowhere, new Allocation(HeapAddr.ofOffset(nowhere), 1000, SizeClass.B1K, 1024, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is not an allocated 1K object of its class");
    }

    @Test
    void HEAP_2_catchesLargeEntriesAndBlocksThatDisagree() {
        SlabAllocator h = populated();
        long u = h.large.used.firstKey();
        Allocation a = h.live.get(u);
        h.live.put(u, new Allocation(a.addr(), a.requested(), null, a.blockBytes() + 64, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_2, h)).contains("is not an allocated block of");
        h.live.put(u, a);
        h.live.remove(u);
        assertThat(detail(HeapInvariants.HEAP_2, h)).endsWith("is allocated but not in the live table");
        h.live.put(u, new Allocation(a.addr(), 2000, SizeClass.B2K, 2048, 0, CallSite.UNKNOWN));
        assertThat(HeapInvariants.HEAP_2.evaluate(h)).isPresent();
        h.live.put(u, a);
        h.large.used.remove(u);
        assertThat(detail(HeapInvariants.HEAP_2, h)).contains("is not an allocated block of");
    }

    @Test
    void HEAP_3_catchesALiveEntryThatCannotBeReleased() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 2000);
        HeapAddr b = h.allocate(0, 2000);
        // b's entry names a's address: once a is released, releasing it fails.
        h.live.put(b.offset(), new Allocation(a, 2000, SizeClass.B2K, 2048, 0, CallSite.UNKNOWN));
        assertThat(detail(HeapInvariants.HEAP_3, h)).isEqualTo("releasing " + a + "+2000(2K) failed: free(" + a
                + "): freed concurrently by another CPU");
    }

    @Test
    void HEAP_4_catchesFramesReturnedBehindTheHeapsBack() {
        SlabAllocator h = populated();
        FrameRange arena = h.large.arenas.firstEntry().getValue();
        h.ledger.frames.free(arena);
        assertThat(detail(HeapInvariants.HEAP_4, h)).contains("!= 64 at the start");
    }

    @Test
    void theTrialReleaseRefusesToAllocateAndCountsWhatComesBack() {
        HeapInvariants.DetachedFrames d = new HeapInvariants.DetachedFrames();
        d.free(FrameRange.of(3, 4));
        assertThat(d.freeFrames()).isEqualTo(4);
        assertThat(d.managedFrames()).isEqualTo(org.mmspec.frames.PhysFrame.LIMIT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.allocate(1))
                .isInstanceOf(org.mmspec.frames.FrameError.class).hasMessageContaining("a trial release never allocates");
    }

    @Test
    void theSetsNameTheirInvariantsInOrder() {
        assertThat(HeapInvariants.SLAB.ids()).containsExactly("SLAB-1", "SLAB-2", "SLAB-3", "SLAB-4", "SLAB-5", "SLAB-6", "SLAB-7");
        assertThat(HeapInvariants.LARGE.ids()).containsExactly("LARGE-1", "LARGE-2", "LARGE-3", "LARGE-4", "LARGE-5");
        assertThat(HeapInvariants.ALL.ids()).hasSize(16).endsWith("HEAP-1", "HEAP-2", "HEAP-3", "HEAP-4");
        SlabAllocator h = populated();
        h.large.free.put(1L << 40, 64L);
        assertThat(HeapInvariants.brokenIds(HeapInvariants.LARGE, h)).containsExactly("LARGE-3", "LARGE-4");
    }
}
