package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The debugging features byte by byte: where red zones start and end and how they move a
 * request into the next class, what poison covers (fresh slabs, freed objects, fresh arenas'
 * tails, freed large blocks), what zeroing clears, and what checksums and the corruption log
 * and scan report, with kind, object and offset.
 */
class HeapDebugBytesTest {
    private static final byte RZ = HeapDebugOptions.RED_ZONE_BYTE;
    private static final byte POISON = HeapDebugOptions.POISON_FREE;

    private static HeapDebugOptions only(boolean redZones, boolean poison, boolean zero, boolean sums) {
        return new HeapDebugOptions(redZones, poison, zero, sums, false);
    }

    @Test
    void aRedZoneOfAtLeastEightBytesChoosesTheClass() {
        SlabAllocator h = HeapFixtures.small(only(true, false, false, false)).heap;
        HeapAddr a = h.allocate(0, 120); // 120 + 8 = 128: the 128 class, a red zone of exactly 8
        assertThat(h.allocationAt(a).sizeClass()).isEqualTo(SizeClass.B128);
        assertThat(h.memory().firstMismatch(a.plus(120), 8, RZ)).isEqualTo(-1);
        assertThat(h.memory().read(a.plus(119))).as("the caller's bytes are not red zone").isZero();
        assertThat(h.memory().read(a.plus(128))).as("nor is the next object").isZero();
        HeapAddr b = h.allocate(0, 121); // 129: the 256 class, a red zone of 135
        assertThat(h.allocationAt(b).sizeClass()).isEqualTo(SizeClass.B256);
        assertThat(h.memory().firstMismatch(b.plus(121), 135, RZ)).isEqualTo(-1);
        HeapAddr top = h.allocate(0, 16_376); // the largest slab request with a red zone
        assertThat(h.allocationAt(top).sizeClass()).isEqualTo(SizeClass.B16K);
        HeapAddr big = h.allocate(0, 16_377); // large: a block of 16448 bytes, red zone 71
        assertThat(h.allocationAt(big).isLarge()).isTrue();
        assertThat(h.allocationAt(big).blockBytes()).isEqualTo(16_448);
        assertThat(h.memory().firstMismatch(big.plus(16_377), 71, RZ)).isEqualTo(-1);
        // Frees name the same class through the same rule.
        h.free(0, a, 113);
        h.free(0, b, 121);
        h.free(0, big, 16_377);
        assertThat(h.scan()).isEmpty();
    }

    @Test
    void aRedZoneOverwriteIsRefusedWithTheFirstBadByteAndTheAllocationsSite() {
        SlabAllocator h = HeapFixtures.small(new HeapDebugOptions(true, false, false, false, true)).heap;
        HeapAddr a = h.allocate(0, 100, CallSite.of("vfs_open", 12)); // red zone [100, 128)
        h.memory().write(a.plus(127), (byte) 0);
        h.memory().write(a.plus(103), (byte) 0);
        String before = h.snapshot();
        HeapError e = null;
        try {
            h.free(1, a, 100);
        } catch (HeapError x) {
            e = x;
        }
        assertThat(e).isNotNull();
        assertThat(e.errorKind()).isEqualTo(HeapError.Kind.RED_ZONE_CORRUPTED);
        assertThat(e.getMessage()).isEqualTo("free(" + a
                + "): red zone byte 3 past the 100 requested bytes was overwritten (allocated at vfs_open:12)");
        assertThat(h.snapshot()).isEqualTo(before);
        assertThat(h.scan()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.RED_ZONE);
            assertThat(c.object()).isEqualTo(a);
            assertThat(c.offset()).isEqualTo(103);
            assertThat(c.detail()).isEqualTo("overflow past " + a + "+100(128)@vfs_open:12");
        });
    }

    @Test
    void withoutRedZonesTheSlackIsNotCheckedAndNoGuardIsAdded() {
        SlabAllocator h = HeapFixtures.small(only(false, false, false, false)).heap;
        HeapAddr a = h.allocate(0, 128);
        assertThat(h.allocationAt(a).sizeClass()).isEqualTo(SizeClass.B128);
        HeapAddr b = h.allocate(0, 100);
        assertThat(h.memory().read(b.plus(100))).isZero();
        h.memory().write(b.plus(110), (byte) 1);
        h.free(0, b, 100);
        assertThat(h.scan()).isEmpty();
    }

    @Test
    void aFreshSlabIsPoisonedWholeAndAFreedObjectIsPoisonedWhole() {
        SlabAllocator h = HeapFixtures.small(only(false, true, false, false)).heap;
        HeapAddr a = h.allocate(0, 2000); // a fresh 2K slab: both objects poisoned, then object 0 handed out
        assertThat(h.memory().firstMismatch(a, 4096, POISON)).as("not cleared on allocation").isEqualTo(-1);
        h.memory().fill(a, 2048, (byte) 0x11);
        h.free(0, a, 2000);
        assertThat(h.memory().firstMismatch(a, 2048, POISON)).isEqualTo(-1);
        assertThat(h.scan()).isEmpty();
        assertThat(h.corruptionLog()).isEmpty();
    }

    @Test
    void aWriteIntoAFreedObjectIsLoggedWhenItIsHandedOutAgain() {
        SlabAllocator h = HeapFixtures.small(only(false, true, false, false)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.free(0, a, 64);
        h.memory().write(a.plus(63), (byte) 0);
        assertThat(h.allocate(0, 64)).isEqualTo(a);
        assertThat(h.corruptionLog()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.POISON);
            assertThat(c.object()).isEqualTo(a);
            assertThat(c.offset()).isEqualTo(63);
            assertThat(c.detail()).isEqualTo("written while free");
        });
        assertThat(h.snapshot()).contains("| log 1");
        h.free(0, a, 64);
        assertThat(h.allocate(0, 64)).isEqualTo(a);
        assertThat(h.corruptionLog()).as("freeing re-poisoned it").hasSize(1);
    }

    @Test
    void aChecksumMismatchIsLoggedWhenTheObjectIsHandedOutAgain() {
        SlabAllocator h = HeapFixtures.small(only(false, false, false, true)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.memory().write(a, (byte) 9); // the caller's data: part of the checksum taken at free
        h.free(0, a, 64);
        assertThat(h.checksums).containsKey(a.offset());
        assertThat(h.allocate(0, 64)).isEqualTo(a);
        assertThat(h.corruptionLog()).as("unchanged while free").isEmpty();
        assertThat(h.checksums).as("a live object has no checksum").doesNotContainKey(a.offset());
        h.free(0, a, 64);
        h.memory().write(a.plus(40), (byte) 1);
        assertThat(h.scan()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.CHECKSUM);
            assertThat(c.object()).isEqualTo(a);
            assertThat(c.offset()).isZero();
            assertThat(c.detail()).isEqualTo("free 64 object's checksum");
        });
        assertThat(h.allocate(0, 64)).isEqualTo(a);
        assertThat(h.corruptionLog()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.CHECKSUM);
            assertThat(c.object()).isEqualTo(a);
            assertThat(c.detail()).isEqualTo("checksum changed while free");
        });
    }

    @Test
    void everyObjectOfAFreshSlabHasAChecksumAndAReturnedSlabDropsThem() {
        SlabAllocator h = HeapState.fresh(64, HeapConfig.of(1, 1, 1, 0).withDebug(only(false, false, false, true)), Bug.NONE).heap;
        HeapAddr a = h.allocate(0, 1024); // four objects; object 0 handed out
        assertThat(h.checksums).containsOnlyKeys(a.offset() + 1024, a.offset() + 2048, a.offset() + 3072);
        assertThat(h.scan()).isEmpty();
        h.free(0, a, 1024);
        h.drain(0); // the slab is empty and nothing is kept: its frames and checksums go
        assertThat(h.heldFrames()).isZero();
        assertThat(h.checksums).isEmpty();
        assertThat(h.snapshot()).doesNotContain("| sums");
    }

    @Test
    void aScanReportsAFreeObjectWithoutAChecksum() {
        SlabAllocator h = HeapFixtures.small(only(false, false, false, true)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.free(0, a, 64);
        h.checksums.remove(a.offset());
        assertThat(h.scan()).singleElement().satisfies(c -> assertThat(c.kind()).isEqualTo(Corruption.Kind.CHECKSUM));
    }

    @Test
    void aScanReportsAWriteIntoAPoisonedFreeSlabObject() {
        SlabAllocator h = HeapFixtures.small(only(false, true, false, false)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.memory().write(a.plus(64 + 7), (byte) 0); // object 1, free on the slab
        assertThat(h.scan()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.POISON);
            assertThat(c.object()).isEqualTo(a.plus(64));
            assertThat(c.offset()).isEqualTo(7);
            assertThat(c.detail()).isEqualTo("free 64 object written");
        });
    }

    @Test
    void aFreshArenasTailIsPoisonedAndAFreedLargeBlockToo() {
        SlabAllocator h = HeapFixtures.small(only(false, true, false, false)).heap;
        HeapAddr x = h.allocate(0, 20_000); // arena [16, 21): block 20032, tail 448 poisoned
        assertThat(h.memory().firstMismatch(x.plus(20_032), 448, POISON)).isEqualTo(-1);
        assertThat(h.memory().read(x.plus(20_031))).as("the block itself is not poisoned").isZero();
        h.memory().fill(x, 20_032, (byte) 0x22);
        h.free(0, x, 20_000);
        assertThat(h.memory().firstMismatch(x, 20_480, POISON)).isEqualTo(-1);
        assertThat(h.scan()).isEmpty();
    }

    @Test
    void aWriteIntoAFreeLargeBlockSurvivesAnAllocationThatDrawsNoArenaAndAScanFindsIt() {
        SlabAllocator h = HeapFixtures.small(only(false, true, false, false)).heap;
        HeapAddr x = h.allocate(0, 30_000); // arena A = [16, 24): block 30016, tail 2752
        HeapAddr k = h.allocate(0, 20_000); // arena B = [24, 29) joins A's tail; k starts in the tail
        assertThat(k).isEqualTo(x.plus(30_016));
        h.free(0, x, 30_000); // [A, A + 30016) free; A is not wholly free
        assertThat(h.large.arenas).hasSize(2);
        h.memory().write(x.plus(30_015), (byte) 0); // a write after free, at the block's last byte
        HeapAddr w = h.allocate(0, 17_000); // first fit: the front of x's old block; no new arena
        assertThat(w).isEqualTo(x);
        assertThat(h.large.arenas).hasSize(2);
        assertThat(h.scan()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Corruption.Kind.POISON);
            assertThat(c.object()).isEqualTo(x.plus(17_024));
            assertThat(c.offset()).isEqualTo(30_015 - 17_024);
            assertThat(c.detail()).isEqualTo("free large block written");
        });
    }

    @Test
    void zeroingClearsTheRequestedBytesOnly() {
        SlabAllocator h = HeapFixtures.small(only(false, false, true, false)).heap;
        HeapAddr a = h.allocate(0, 64);
        h.memory().fill(a, 128, (byte) 0x77); // this object and the next
        h.free(0, a, 64);
        assertThat(h.allocate(0, 40)).isEqualTo(a);
        assertThat(h.memory().firstMismatch(a, 40, (byte) 0)).isEqualTo(-1);
        assertThat(h.memory().read(a.plus(40))).as("slack is not the caller's").isEqualTo((byte) 0x77);
        assertThat(h.memory().read(a.plus(64))).isEqualTo((byte) 0x77);
    }
}
