package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The per-CPU caches step by step, through the counters {@link HeapStats} reports: which object a
 * refill of {@code batch} hands out, hits, refills, flushes of the coldest objects, drains, the
 * reserve of empty slabs and shrinking, and the LinkedListAllocator's figures.
 */
class HeapStatsTest {

    private static HeapStats.CpuStats cpu(SlabAllocator h, int cpu, SizeClass c) {
        return h.stats().cpus().stream().filter(r -> r.cpu() == cpu && r.cls() == c).findFirst().orElseThrow();
    }

    private static HeapStats.ClassStats cls(SlabAllocator h, SizeClass c) {
        return h.stats().classes().stream().filter(r -> r.cls() == c).findFirst().orElseThrow();
    }

    @Test
    void refillHitAndFlushCountsFollowTheMagazines() {
        // Two CPUs, magazines of 4 moved 2 at a time, one empty slab kept.
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(2, 4, 2, 1), Bug.NONE).heap;
        SizeClass c = SizeClass.B64;
        long base = 16 * 4096;
        // A refill of two pushes objects 0 and 1; the caller gets the top, object 1.
        assertThat(h.allocate(0, 64).offset()).isEqualTo(base + 64);
        assertThat(cpu(h, 0, c)).isEqualTo(new HeapStats.CpuStats(0, c, 1, 1, 0, 0, 1, 0));
        assertThat(h.allocate(0, 64).offset()).as("a hit: the cached object 0").isEqualTo(base);
        assertThat(cpu(h, 0, c)).isEqualTo(new HeapStats.CpuStats(0, c, 0, 2, 0, 1, 1, 0));
        assertThat(h.allocate(0, 64).offset()).as("second refill: objects 2 and 3").isEqualTo(base + 192);
        assertThat(cpu(h, 0, c)).isEqualTo(new HeapStats.CpuStats(0, c, 1, 3, 0, 1, 2, 0));
        h.free(1, HeapAddr.ofOffset(base + 64), 64);
        h.free(1, HeapAddr.ofOffset(base), 64);
        h.free(1, HeapAddr.ofOffset(base + 192), 64);
        assertThat(h.allocate(0, 64).offset()).isEqualTo(base + 128);
        h.free(1, HeapAddr.ofOffset(base + 128), 64);
        assertThat(cpu(h, 1, c)).as("CPU 1's cache is full, nothing flushed yet")
                .isEqualTo(new HeapStats.CpuStats(1, c, 4, 0, 4, 0, 0, 0));
        assertThat(h.mags[1][c.ordinal()].isFull()).isTrue();
        assertThat(h.allocate(0, 64).offset()).isEqualTo(base + 5 * 64);
        h.free(1, HeapAddr.ofOffset(base + 5 * 64), 64);
        // The full cache flushed its two coldest objects (1 then 0) back to the slab first.
        assertThat(cpu(h, 1, c)).isEqualTo(new HeapStats.CpuStats(1, c, 3, 0, 5, 0, 0, 1));
        assertThat(h.mags[1][c.ordinal()].objs).startsWith(base + 192, base + 128, base + 5 * 64);
        Slab s = h.caches[c.ordinal()].partial.get(0);
        assertThat(s.freeCount).isEqualTo(64 - 6 + 2);
        assertThat(s.freeStack[s.freeCount - 1]).as("object 0 went back last").isZero();
        assertThat(cls(h, c)).isEqualTo(new HeapStats.ClassStats(c, 1, 0, 0, 1, 64, 60, 4, 0, 0, 5, 5));
        assertThat(cpu(h, 0, c)).isEqualTo(new HeapStats.CpuStats(0, c, 1, 5, 0, 2, 3, 0));
    }

    @Test
    void drainingFlushesEveryCachedObjectOnceAndAnEmptyCacheNotAtAll() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(2, 4, 2, 1), Bug.NONE).heap;
        SizeClass c = SizeClass.B64;
        HeapAddr a = h.allocate(0, 64);
        HeapAddr b = h.allocate(1, 64);
        h.free(1, a, 64);
        h.free(1, b, 64);
        h.drain(1);
        assertThat(cpu(h, 1, c).flushes()).isEqualTo(1);
        assertThat(cpu(h, 1, c).cached()).isZero();
        h.drain(1);
        assertThat(cpu(h, 1, c).flushes()).as("nothing to flush: no flush counted").isEqualTo(1);
        assertThat(cpu(h, 0, c).cached()).isEqualTo(1);
        h.drainAll();
        assertThat(cpu(h, 0, c).flushes()).isEqualTo(1);
        assertThat(cls(h, c)).isEqualTo(new HeapStats.ClassStats(c, 0, 0, 1, 1, 64, 64, 0, 0, 0, 2, 2));
        assertThat(h.heldFrames()).as("the one empty slab stays as the reserve").isEqualTo(1);
        assertThat(h.shrink()).isEqualTo(1);
        assertThat(h.heldFrames()).isZero();
        assertThat(h.shrink()).isZero();
        assertThat(h.stats().heldFrames()).isZero();
    }

    @Test
    void anEmptySlabBeyondTheReserveGoesBackAtOnce() {
        SlabAllocator none = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0), Bug.NONE).heap;
        none.free(0, none.allocate(0, 2048), 2048);
        none.drain(0);
        assertThat(none.heldFrames()).isZero();
        assertThat(none.shrink()).isZero();
        SlabAllocator two = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 2), Bug.NONE).heap;
        HeapAddr[] objs = new HeapAddr[6];
        for (int i = 0; i < 6; i++) {
            objs[i] = two.allocate(0, 2048); // three 2K slabs of two objects
        }
        for (HeapAddr o : objs) {
            two.free(0, o, 2048);
        }
        two.drain(0);
        assertThat(two.caches[SizeClass.B2K.ordinal()].empty).as("two kept, the third returned").hasSize(2);
        assertThat(two.heldFrames()).isEqualTo(2);
        assertThat(two.shrink()).isEqualTo(2);
    }

    @Test
    void aRefillTakesFromThePartialSlabBeforeAnEmptyOneAndBuildsNoSlabWhileAnyObjectIsFree() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 4, 4, 1), Bug.NONE).heap;
        // 2K objects, two per slab: a refill of four builds one slab and stops when it is used up.
        HeapAddr first = h.allocate(0, 2048);
        assertThat(h.ledger.heldFrames()).isEqualTo(1);
        assertThat(first.offset()).as("object 1, pushed last").isEqualTo(16 * 4096 + 2048);
        assertThat(cpu(h, 0, SizeClass.B2K).cached()).isEqualTo(1);
        h.drain(0);
        h.free(0, first, 2048);
        h.drain(0);
        assertThat(h.heldFrames()).isEqualTo(1);
        SlabAllocator p = HeapState.fresh(64, HeapConfig.of(1, 2, 2, 1), Bug.NONE).heap;
        HeapAddr x = p.allocate(0, 1024); // refill of 2: objects 0, 1; gets 1
        HeapAddr y = p.allocate(0, 1024); // hit: object 0
        p.free(0, x, 1024);
        p.free(0, y, 1024);
        p.drain(0);
        // One slab, now empty and kept. A refill of 2 from it: no new frames.
        p.allocate(0, 1024);
        assertThat(p.heldFrames()).isEqualTo(1);
        assertThat(cpu(p, 0, SizeClass.B1K).refills()).isEqualTo(2);
        HeapAddr z = p.allocate(0, 1024);
        HeapAddr w = p.allocate(0, 1024); // refill: objects 2 and 3 of the partial slab
        assertThat(p.heldFrames()).isEqualTo(1);
        assertThat(z.offset() / 4096).isEqualTo(w.offset() / 4096);
        assertThat(p.allocate(0, 1024).offset()).as("hit").isEqualTo(16 * 4096 + 2 * 1024);
        assertThat(p.heldFrames()).isEqualTo(1);
        assertThat(p.caches[SizeClass.B1K.ordinal()].full).hasSize(1);
        p.allocate(0, 1024); // the slab is full: a refill builds a second slab
        assertThat(p.heldFrames()).isEqualTo(2);
    }

    @Test
    void aRefillStopsAtWhatTheDepotHasOnceItGotOneObject() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(2, 4, 4, 1), Bug.NONE).heap;
        h.allocate(0, 4096); // a refill of four builds one 4K slab (two objects) and stops there
        assertThat(h.heldFrames()).isEqualTo(2);
        assertThat(cpu(h, 0, SizeClass.B4K).cached()).isEqualTo(1);
        HeapAddr b = h.allocate(1, 4096); // CPU 1: the depot is empty, builds a second slab, takes both its objects
        assertThat(h.heldFrames()).isEqualTo(4);
        assertThat(cpu(h, 1, SizeClass.B4K).cached()).isEqualTo(1);
        h.free(1, b, 4096);
        h.drain(1); // both objects back: the second slab is empty, kept
        HeapAddr c = h.allocate(1, 4096); // refill takes the two from the empty slab and stops: no third slab
        assertThat(h.heldFrames()).isEqualTo(4);
        assertThat(cpu(h, 1, SizeClass.B4K).cached()).isEqualTo(1);
        assertThat(c).isNotNull();
    }

    @Test
    void largeStatisticsCountArenasBlocksAndBytes() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 20_000); // arena [16, 21): block 20032, free tail 448
        h.allocate(1, 30_000); // arena [21, 29) joins the tail; the 30016-byte block starts in it
        HeapStats.LargeStats ls = h.stats().large();
        assertThat(ls).isEqualTo(new HeapStats.LargeStats(2, 13 * 4096, 13 * 4096 - 50_048, 50_048, 1, 2,
                13 * 4096 - 50_048, 50_000, 2, 0));
        h.free(0, a, 20_000);
        ls = h.stats().large();
        assertThat(ls).isEqualTo(new HeapStats.LargeStats(2, 13 * 4096, 13 * 4096 - 30_016, 30_016, 2, 1,
                20_032, 30_000, 2, 1));
        assertThat(h.stats().heldFrames()).isEqualTo(13);
    }

    @Test
    void classStatisticsCountLiveObjectsAndRequestedBytesPerClass() {
        SlabAllocator h = HeapFixtures.small().heap;
        h.allocate(0, 100);
        h.allocate(1, 120);
        h.allocate(0, 65);
        h.allocate(0, 64);
        h.allocate(0, 20_000);
        HeapStats.ClassStats b128 = cls(h, SizeClass.B128);
        assertThat(b128.live()).isEqualTo(3);
        assertThat(b128.liveBytes()).isEqualTo(285);
        assertThat(b128.allocs()).isEqualTo(3);
        assertThat(b128.slabsPartial()).isEqualTo(1);
        assertThat(b128.objects()).isEqualTo(32);
        assertThat(b128.frames()).isEqualTo(1);
        assertThat(b128.freeInSlabs() + b128.cached()).isEqualTo(29);
        assertThat(cls(h, SizeClass.B64).liveBytes()).isEqualTo(64);
        assertThat(cls(h, SizeClass.B8).objects()).isZero();
        assertThat(h.stats().classes()).hasSize(12);
        assertThat(h.stats().cpus()).hasSize(24);
    }
}
