package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The heap's canonical state key and snapshot, spelled out exactly, and a few more exact
 * behaviours: copies, the first byte of an object, the refill's choice between a partial and an
 * empty slab, and an unaligned frame allocator's lucky aligned run.
 */
class HeapStateKeyTest {

    @Test
    void theStateKeyListsCachesSlabsLargeBlocksLiveAllocationsAndFrames() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 4, 2, 1), Bug.NONE).heap;
        assertThat(h.stateKey()).isEqualTo("| large arenas[] free[] used[] | live | frames [] free 64");
        HeapAddr a = h.allocate(0, 2048); // a refill of two: object 0 cached, object 1 handed out
        assertThat(a.offset()).isEqualTo(0x10800);
        assertThat(h.stateKey()).isEqualTo("cpu0/2K[10000] 2K@10000 FULL free[]/2 | large arenas[] free[] used[]"
                + " | live 10800+2048@?:0 | frames [16] free 63");
        h.free(0, a, 2000);
        assertThat(h.stateKey()).isEqualTo("cpu0/2K[10000,10800] 2K@10000 FULL free[]/2 | large arenas[] free[] used[]"
                + " | live | frames [16] free 63");
        assertThat(h.toString()).isEqualTo(h.stateKey());
        h.allocate(0, 20_000, CallSite.of("f", 7)); // tracking is off: no site is recorded
        assertThat(h.stateKey()).endsWith("| large arenas[11000+5f] free[15e40+1c0] used[11000+4e40] | live 11000+20000@?:0"
                + " | frames [16, 17] free 58");
    }

    @Test
    void theSnapshotAddsEveryCounter() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(2, 4, 2, 1), Bug.NONE).heap;
        HeapAddr a = h.allocate(1, 2048);
        h.free(0, a, 2048);
        h.free(0, h.allocate(0, 20_000), 20_000);
        String counters = " [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]" // allocs per CPU
                + " [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" // frees
                + " [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" // hits
                + " [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]" // refills
                + " [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" // flushes
                + " large 1/1";
        assertThat(h.snapshot()).isEqualTo(h.stateKey() + counters);
    }

    @Test
    void debuggingAddsChecksumsMemoryAndTheLogToTheKey() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0).withDebug(HeapDebugOptions.ALL), Bug.NONE).heap;
        HeapAddr a = h.allocate(0, 64, CallSite.of("f", 1));
        String key = h.stateKey();
        assertThat(key).contains(" | sums " + h.checksums.hashCode()).contains(" | mem " + h.memory().digest());
        assertThat(key).doesNotContain("| log");
        h.free(0, a, 64);
        h.memory().write(a, (byte) 0);
        h.allocate(0, 64, CallSite.of("f", 1));
        assertThat(h.stateKey()).as("poison and checksum both found it").endsWith(" | log 2");
        SlabAllocator tracking = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0)
                .withDebug(new HeapDebugOptions(false, false, false, false, true)), Bug.NONE).heap;
        tracking.allocate(0, 64);
        assertThat(tracking.stateKey()).as("call sites touch no memory").doesNotContain("| mem").doesNotContain("| sums");
    }

    @Test
    void aCopyCarriesChecksumsTheLogAndEveryCounter() {
        HeapState st = HeapState.fresh(64, HeapConfig.of(2, 2, 1, 1).withDebug(HeapDebugOptions.ALL), Bug.NONE);
        SlabAllocator h = st.heap;
        HeapAddr a = h.allocate(0, 64);
        h.free(1, a, 64);
        h.memory().write(a.plus(40), (byte) 0);
        h.allocate(1, 64);
        h.allocate(0, 20_000);
        HeapState c = st.copy();
        assertThat(c.heap.snapshot()).isEqualTo(h.snapshot());
        assertThat(c.heap.checksums).isEqualTo(h.checksums).isNotEmpty();
        assertThat(c.heap.corruptionLog()).hasSize(2).isEqualTo(h.corruptionLog());
        assertThat(c.heap.scan()).isEqualTo(h.scan()).isEmpty();
        assertThat(c.frames.live()).isEqualTo(st.frames.live());
        assertThat(c.toString()).isEqualTo(h.stateKey());
        c.heap.allocate(0, 64);
        assertThat(h.snapshot()).isNotEqualTo(c.heap.snapshot());
    }

    @Test
    void aWriteIntoTheFirstByteOfAFreeObjectIsFound() {
        SlabAllocator h = HeapFixtures.small(new HeapDebugOptions(false, true, false, false, false)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.free(0, a, 64);
        h.memory().write(a, (byte) 0);
        assertThat(h.scan()).singleElement().satisfies(c -> assertThat(c.offset()).isZero());
        assertThat(h.allocate(0, 64)).isEqualTo(a);
        assertThat(h.corruptionLog()).singleElement().satisfies(c -> assertThat(c.offset()).isZero());
        HeapAddr big = h.allocate(0, 20_000);
        h.memory().write(big.plus(20_032), (byte) 0); // the first byte of the arena's free tail
        assertThat(h.scan()).singleElement().satisfies(c -> {
            assertThat(c.object()).isEqualTo(big.plus(20_032));
            assertThat(c.offset()).isZero();
        });
    }

    @Test
    void aDoubleFreeOfObjectZeroNamesIt() {
        SlabAllocator h = HeapFixtures.small().heap;
        HeapAddr a = h.allocate(0, 100);
        h.free(0, a, 100);
        try {
            h.free(0, a, 100);
        } catch (HeapError e) {
            assertThat(e.errorKind()).isEqualTo(HeapError.Kind.DOUBLE_FREE);
            assertThat(e.getMessage()).isEqualTo("free(" + a + "): 128 object 0 is already free");
            return;
        }
        throw new AssertionError("no error");
    }

    @Test
    void aRefillTakesThePartialSlabBeforeTheEmptyOne() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 1), Bug.NONE).heap;
        HeapAddr a = h.allocate(0, 2048); // slab 1, object 0
        HeapAddr b = h.allocate(0, 2048); // slab 1, object 1: slab 1 full
        HeapAddr c = h.allocate(0, 2048); // slab 2, object 0
        h.free(0, c, 2048);
        h.free(0, a, 2048); // flushes c: slab 2 empty (the kept one)
        h.free(0, b, 2048); // flushes a: slab 1 partial
        assertThat(h.caches[SizeClass.B2K.ordinal()].partial).hasSize(1);
        assertThat(h.caches[SizeClass.B2K.ordinal()].empty).hasSize(1);
        assertThat(h.allocate(0, 2048)).as("the cache's hit").isEqualTo(b);
        assertThat(h.allocate(0, 2048)).as("from the partial slab").isEqualTo(a);
        assertThat(h.allocate(0, 2048)).as("then the empty one").isEqualTo(c);
    }

    @Test
    void relistLeavesASlabThatStaysPutWhereItIs() {
        SlabCache sc = new SlabCache(SizeClass.B1K);
        Slab s1 = new Slab(SizeClass.B1K, FrameRange.of(20, 1), 20 * 4096);
        Slab s2 = new Slab(SizeClass.B1K, FrameRange.of(21, 1), 21 * 4096);
        for (Slab s : new Slab[] {s1, s2}) {
            sc.empty.add(s);
            s.pop();
            sc.relist(s);
        }
        assertThat(sc.partial).containsExactly(s1, s2);
        s1.pop();
        sc.relist(s1);
        assertThat(sc.partial).as("still partial: not moved to the end").containsExactly(s1, s2);
    }

    @Test
    void anUnalignedAllocatorsRunThatHappensToBeAlignedIsKept() {
        ReferenceFrameAllocator ref = new ReferenceFrameAllocator(FrameRange.of(16, 40)); // frame 16: 16 KiB aligned
        SlabAllocator h = new SlabAllocator(HeapErrorsTest.unaligned(ref), HeapConfig.of(1, 2, 1, 0));
        HeapAddr a = h.allocate(0, 16 * 1024);
        assertThat(a.offset()).isEqualTo(16 * 4096);
        assertThat(h.heldFrames()).isEqualTo(SizeClass.B16K.slabFrames());
        assertThat(h.ledger.held).containsOnlyKeys(16L);
    }

    @Test
    void unwrittenMemoryReadsAsZeroEverywhere() {
        HeapMemory m = new HeapMemory();
        assertThat(m.firstMismatch(HeapAddr.ofOffset(0x5000), 16, (byte) 0)).isEqualTo(-1);
        assertThat(m.firstMismatch(HeapAddr.ofOffset(0x5000), 16, (byte) 1)).isZero();
        m.fill(HeapAddr.ofOffset(0x9000), 16, (byte) 0);
        assertThat(m.digest()).isEmpty();
        assertThat(m.copy().digest()).isEmpty();
    }
}
