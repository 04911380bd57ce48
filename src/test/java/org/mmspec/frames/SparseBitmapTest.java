package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The bitmap allocator's sparse head and reserved marks: the same bits as a dense map under any
 * sequence of sets and clears, chunks created only where a bit was set, copies independent of
 * their original, and what that saves at boot.
 */
class SparseBitmapTest {
    @Test
    void readsAsTheDenseMapOfTheSameSetsAndClears() {
        int words = 3 * SparseBitmap.CHUNK_WORDS + 5;
        int bits = words * BitmapAllocator.WORD;
        Random r = new Random(20261204);
        SparseBitmap sparse = new SparseBitmap(words);
        long[] dense = new long[words];
        for (int step = 0; step < 20_000; step++) {
            int i = r.nextInt(bits);
            if (r.nextBoolean()) {
                sparse.set(i);
                dense[i >>> 6] |= 1L << (i & 63);
            } else {
                sparse.clear(i);
                dense[i >>> 6] &= ~(1L << (i & 63));
            }
            int probe = r.nextInt(bits);
            assertThat(sparse.get(probe)).isEqualTo((dense[probe >>> 6] & (1L << (probe & 63))) != 0);
        }
        for (int w = 0; w < words; w++) {
            assertThat(sparse.word(w)).as("word %d", w).isEqualTo(dense[w]);
        }
        assertThat(sparse).hasToString(Arrays.toString(dense));
        assertThat(new SparseBitmap(0)).hasToString("[]");
    }

    @Test
    void aChunkIsCreatedByTheFirstSetInItOnly() {
        SparseBitmap m = new SparseBitmap(4 * SparseBitmap.CHUNK_WORDS);
        assertThat(m.chunkSlots()).isEqualTo(4);
        m.clear(5);
        assertThat(m.get(5)).isFalse();
        assertThat(m.chunksInUse()).as("a clear creates nothing").isZero();
        m.set(SparseBitmap.CHUNK_BITS - 1);
        m.set(SparseBitmap.CHUNK_BITS);
        assertThat(m.chunksInUse()).isEqualTo(2);
        assertThat(m.word(SparseBitmap.CHUNK_WORDS - 1)).isEqualTo(Long.MIN_VALUE);
        assertThat(m.word(SparseBitmap.CHUNK_WORDS)).isEqualTo(1L);
        assertThat(m.word(3 * SparseBitmap.CHUNK_WORDS)).isZero();
        assertThat(new SparseBitmap(SparseBitmap.CHUNK_WORDS + 1).chunkSlots()).isEqualTo(2);
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        SparseBitmap a = new SparseBitmap(2 * SparseBitmap.CHUNK_WORDS);
        a.set(1);
        SparseBitmap b = a.copy();
        b.set(2);
        b.clear(1);
        a.set(SparseBitmap.CHUNK_BITS + 3);
        assertThat(a.get(1)).isTrue();
        assertThat(a.get(2)).isFalse();
        assertThat(b.get(1)).isFalse();
        assertThat(b.get(SparseBitmap.CHUNK_BITS + 3)).isFalse();
        assertThat(b.chunksInUse()).isEqualTo(1);
    }

    @Test
    void aBitmapOver64GiBWithAFewReservedRegionsHoldsUnderOnePointOneBitsPerFrameAtBoot() {
        long frames = 1L << 24; // 64 GiB of 4 KiB frames
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, frames),
                List.of(ReservedRegion.of(0, 256, "low memory"), ReservedRegion.of(1 << 20, 8192, "kernel image")));
        long atBoot = b.metadataBits();
        double perFrame = (double) atBoot / frames;
        // the free map (1), its two summaries (2/64), reference slots (2 x 32 / 4096) and 3 chunks of reserved marks
        assertThat(perFrame).isBetween(1.0 + 2.0 / 64, 1.1);
        long allocations = 1000;
        for (int i = 0; i < allocations; i++) {
            b.allocate(1);
        }
        assertThat(b.metadataBits()).as("the head marks of 1,000 low frames take one more chunk")
                .isEqualTo(atBoot + SparseBitmap.CHUNK_BITS);
    }
}
