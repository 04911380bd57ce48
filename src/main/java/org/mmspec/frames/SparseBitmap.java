package org.mmspec.frames;

import java.util.Arrays;

/**
 * A bitmap that stores only the parts that hold a set bit: the bitmap allocator's head and
 * reserved marks, which are all zero over almost all of memory at boot (no allocation yet, a few
 * small reserved regions) and stay sparse while allocations are few.
 *
 * <p>Encoding. Bit {@code i} is bit {@code i & 63} of word {@code i >>> 6}; word {@code w} is
 * word {@code w & (CHUNK_WORDS - 1)} of chunk {@code w >>> CHUNK_SHIFT}, a {@code long[CHUNK_WORDS]}
 * created by the first {@link #set} inside it. A {@code null} chunk reads as all zero words. A
 * chunk is never given back when its bits clear again: freeing it would only save memory that the
 * next allocation in the same 4,096 frames would take again.
 *
 * <p>Cost. A chunk covers {@value #CHUNK_BITS} bits, so an all-zero map costs one reference per
 * {@value #CHUNK_BITS} bits (about 0.008 bits per bit with compressed references) instead of one bit
 * per bit; a chunk that holds a set bit costs what a dense map would for its range.
 */
final class SparseBitmap {
    /** log2 of the words in a chunk. */
    static final int CHUNK_SHIFT = 6;
    /** Words in a chunk. */
    static final int CHUNK_WORDS = 1 << CHUNK_SHIFT;
    /** Bits in a chunk. */
    static final int CHUNK_BITS = CHUNK_WORDS * BitmapAllocator.WORD;

    private final int words;
    private final long[][] chunks;

    /** An all-zero map of {@code words} 64-bit words. */
    SparseBitmap(int words) {
        this.words = words;
        this.chunks = new long[(words + CHUNK_WORDS - 1) >>> CHUNK_SHIFT][];
    }

    private SparseBitmap(SparseBitmap o) {
        this.words = o.words;
        this.chunks = new long[o.chunks.length][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = o.chunks[c] == null ? null : o.chunks[c].clone();
        }
    }

    /** An independent copy. */
    SparseBitmap copy() {
        return new SparseBitmap(this);
    }

    /** Writes each chunk: a presence byte, then its words. */
    void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(chunks.length);
        for (long[] chunk : chunks) {
            org.mmspec.check.Encoding.writeNullable(chunk, org.mmspec.check.Encoding::writeLongs, out);
        }
    }

    /** Reads the chunks {@link #write} wrote over these (a map of the same size). */
    void read(java.io.DataInput in) throws java.io.IOException {
        if (in.readInt() != chunks.length) {
            throw new java.io.IOException("a bitmap of another size");
        }
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = org.mmspec.check.Encoding.readNullable(org.mmspec.check.Encoding::readLongs, in);
        }
    }

    /** Word {@code w}: 0 where no bit was ever set in its chunk. */
    long word(int w) {
        long[] chunk = chunks[w >>> CHUNK_SHIFT];
        return chunk == null ? 0 : chunk[w & (CHUNK_WORDS - 1)];
    }

    boolean get(int i) {
        return (word(i >>> BitmapAllocator.WORD_SHIFT) & (1L << (i & (BitmapAllocator.WORD - 1)))) != 0;
    }

    void set(int i) {
        int w = i >>> BitmapAllocator.WORD_SHIFT;
        long[] chunk = chunks[w >>> CHUNK_SHIFT];
        if (chunk == null) {
            chunk = new long[CHUNK_WORDS];
            chunks[w >>> CHUNK_SHIFT] = chunk;
        }
        chunk[w & (CHUNK_WORDS - 1)] |= 1L << (i & (BitmapAllocator.WORD - 1));
    }

    void clear(int i) {
        int w = i >>> BitmapAllocator.WORD_SHIFT;
        long[] chunk = chunks[w >>> CHUNK_SHIFT];
        if (chunk != null) {
            chunk[w & (CHUNK_WORDS - 1)] &= ~(1L << (i & (BitmapAllocator.WORD - 1)));
        }
    }

    /** Chunks created so far: the words this map stores are {@code CHUNK_WORDS} times this. */
    int chunksInUse() {
        return (int) Arrays.stream(chunks).filter(c -> c != null).count();
    }

    /** Chunk references: one per {@value #CHUNK_BITS} bits, created or not. */
    int chunkSlots() {
        return chunks.length;
    }

    /** The words as {@link Arrays#toString(long[])} writes a dense map of them: equal maps, equal strings. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int w = 0; w < words; w++) {
            sb.append(w == 0 ? "" : ", ").append(word(w));
        }
        return sb.append(']').toString();
    }
}
