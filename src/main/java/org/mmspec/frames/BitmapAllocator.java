package org.mmspec.frames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The seed's {@code BitmapAllocator}: first-fit allocation of runs of fewer than 512 frames (the
 * hybrid's threshold), one bit per frame, with summary words so that finding a free frame does not
 * scan the map.
 *
 * <p>Encoding. Frame {@code f} of the managed range {@code M} has index {@code i = f - M.start}.
 * <ul>
 * <li>{@code free[i >>> 6]} bit {@code i & 63} is 1 exactly when frame {@code i} is free. Bits
 * past the last frame (padding of the last word) are 0: BITMAP-1.</li>
 * <li>{@code hasFree[w >>> 6]} bit {@code w & 63} is 1 exactly when bitmap word {@code w} has a
 * free bit ({@code free[w] != 0}): BITMAP-2.</li>
 * <li>{@code allFree[w >>> 6]} bit {@code w & 63} is 1 exactly when every frame of word {@code w}
 * is free ({@code free[w] == validMask(w)}): BITMAP-3.</li>
 * <li>{@code head} marks the first frame of each live allocation; {@code reserved} marks reserved
 * frames. A kernel bitmap would trust its callers and omit both; the spec keeps them so that a
 * double free, a partial free or a free of a reserved frame is rejected with a typed error
 * instead of corrupting the map. A live allocation is a head frame followed by the allocated,
 * non-head, non-reserved frames up to the next free, reserved or head frame. Both are
 * {@link SparseBitmap}s: stored only in the 4,096-frame chunks that hold a mark, so that at boot
 * (no allocation, a few reserved regions) the allocator costs the free map, its two summaries and
 * one reference per chunk, about 1.04 bits per frame ({@link #metadataBits()}), not three.</li>
 * </ul>
 * A single-frame allocation reads the {@code hasFree} summary, one bit per 64 frames, to find the
 * first word with a free frame and takes that word's lowest free bit: it touches
 * {@code n / 4096} summary words and one bitmap word, not {@code n / 64} bitmap words. A run search
 * jumps over empty words with {@code hasFree} and over wholly free words with {@code allFree}.
 * Every search starts at {@code searchFrom}, a word below which no frame is free: the word where
 * the last search found its first free frame, lowered by every free below it. It is a hint, not
 * state (two allocators with the same bits answer every request alike whatever their hints, and
 * {@link #key()} leaves it out); without it a search from frame 0 over 1 TiB with its lowest
 * eighth in use read 8,192 summary words per allocation (README, "Performance").
 *
 * <p>Allocation is first fit: {@code allocate(n)} returns the lowest run of {@code n} free
 * frames, exactly what {@link ReferenceFrameAllocator#allocate(long)} returns on the same state,
 * which is how the model-based checks compare them; {@code allocate(n, a)} returns the lowest
 * such run that starts at a multiple of {@code a} (aligned first fit).
 *
 * <p>Invariants (see {@link FrameInvariants}): BITMAP-1..4, FRAME-1..3, RESERVED-1..2.
 */
public final class BitmapAllocator implements FrameAllocator, FrameAccounting {
    /** Frames per bitmap word (and bitmap words per summary word). */
    static final int WORD = 64;
    /** log2 of {@link #WORD}. */
    static final int WORD_SHIFT = 6;

    /** Seeded bugs for showing that the checks catch them; {@link #NONE} in real use. */
    enum Bug {
        NONE,
        /** free() forgets to set the word's has-free summary bit. */
        STALE_HAS_FREE_ON_FREE,
        /** allocate() forgets to clear the word's all-free summary bit. */
        STALE_ALL_FREE_ON_ALLOC,
        /** free() forgets to count the freed frames. */
        MISCOUNT_FREE,
        /** allocate(count, align) ignores the alignment and returns the plain first fit. */
        IGNORE_ALIGNMENT,
        /**
         * The constructor skips the check of the reserved regions (RESERVED-1's input rule switched
         * off): overlapping or out-of-range regions are accepted as given.
         */
        RESERVED_UNCHECKED
    }

    private final FrameRange managed;
    private final List<ReservedRegion> reservedRegions;
    private final int n;
    private final long[] free;
    private final SparseBitmap head;
    private final SparseBitmap reservedBits;
    private final long[] hasFree;
    private final long[] allFree;
    private long freeCount;
    /** No frame below word {@code searchFrom} is free; where every search starts. A hint, not state. */
    private int searchFrom;
    /** Bitmap and summary words read by the last search; observes cost, not part of the state. */
    private long probes;
    private final AllocationStats stats;
    private final Bug bug;

    /**
     * A bitmap over {@code managed} with {@code reserved} frames never handed out.
     *
     * @throws FrameError {@link FrameError.Kind#BAD_REGION} if a reserved region lies outside
     *         {@code managed} or two overlap (RESERVED-1)
     */
    public BitmapAllocator(FrameRange managed, List<ReservedRegion> reserved) {
        this(managed, reserved, Bug.NONE);
    }

    BitmapAllocator(FrameRange managed, List<ReservedRegion> reserved, Bug bug) {
        this.managed = Objects.requireNonNull(managed, "managed");
        if (managed.count() > Integer.MAX_VALUE - WORD) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "a bitmap over %s frames is too large", managed.count());
        }
        this.reservedRegions = bug == Bug.RESERVED_UNCHECKED ? List.copyOf(reserved) : ReservedRegion.validate(managed, reserved);
        this.bug = bug;
        this.n = (int) managed.count();
        int words = (n + WORD - 1) >>> WORD_SHIFT;
        this.free = new long[words];
        this.head = new SparseBitmap(words);
        this.reservedBits = new SparseBitmap(words);
        this.hasFree = new long[(words + WORD - 1) >>> WORD_SHIFT];
        this.allFree = new long[hasFree.length];
        this.stats = new AllocationStats();
        for (int i = 0; i < n; i++) {
            set(free, i);
        }
        for (ReservedRegion r : reservedRegions) {
            for (long f = r.start().number(); f < r.end().number(); f++) {
                if (f < managed.start().number() || f >= managed.endNumber()) {
                    continue; // only RESERVED_UNCHECKED lets a region reach outside; RESERVED-1 reports it
                }
                int i = index(f);
                clear(free, i);
                reservedBits.set(i);
            }
        }
        for (int w = 0; w < words; w++) {
            updateSummary(w);
        }
        this.freeCount = n - ReservedRegion.totalFrames(reservedRegions);
    }

    private BitmapAllocator(BitmapAllocator o) {
        managed = o.managed;
        reservedRegions = o.reservedRegions;
        n = o.n;
        free = o.free.clone();
        head = o.head.copy();
        reservedBits = o.reservedBits;
        hasFree = o.hasFree.clone();
        allFree = o.allFree.clone();
        freeCount = o.freeCount;
        searchFrom = o.searchFrom;
        stats = o.stats.copy();
        bug = o.bug;
    }

    /** A deep copy (the exhaustive explorer copies states before applying an action). */
    public BitmapAllocator copy() {
        return new BitmapAllocator(this);
    }

    /**
     * Writes what actions change, for a state codec ({@link org.mmspec.check.Encoding#overwriting}):
     * the free bits, the allocation heads, both summaries, the free count, the search hint and the
     * counters. The rest (range, reserved frames, bug) is the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeLongs(free, out);
        head.write(out);
        org.mmspec.check.Encoding.writeLongs(hasFree, out);
        org.mmspec.check.Encoding.writeLongs(allFree, out);
        out.writeLong(freeCount);
        out.writeInt(searchFrom);
        stats.write(out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        org.mmspec.check.Encoding.fillLongs(free, in);
        head.read(in);
        org.mmspec.check.Encoding.fillLongs(hasFree, in);
        org.mmspec.check.Encoding.fillLongs(allFree, in);
        freeCount = in.readLong();
        searchFrom = in.readInt();
        stats.read(in);
    }

    /**
     * Allocates the lowest run of {@code count} free frames.
     *
     * <p>Pre: {@code 1 <= count <= managed frames}, else ZERO_SIZE / IMPOSSIBLE_SIZE. Post: the run
     * was free and is now one live allocation; every other frame is unchanged; if no run exists,
     * OUT_OF_MEMORY and nothing changed.
     */
    @Override
    public FrameRange allocate(long count) {
        return allocate(count, ANY_ALIGNMENT);
    }

    /**
     * Allocates the lowest run of {@code count} free frames that starts at a frame number that is
     * a multiple of {@code alignFrames} (aligned first fit).
     *
     * <p>Pre, in this order: {@code count >= 1} (else ZERO_SIZE); {@code alignFrames} a power of
     * two (else MISALIGNED); {@code count <= managed frames} (else IMPOSSIBLE_SIZE). Post: as
     * {@link #allocate(long)}, and the run is aligned; it is exactly what
     * {@link ReferenceFrameAllocator#allocateAligned} returns on the same state.
     */
    @Override
    public FrameRange allocate(long count, long alignFrames) {
        stats.requireValidRequest("bitmap", count, alignFrames);
        if (count > n) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "bitmap allocate(%d): more than the %d frames of %s", count, n, managed);
        }
        long at = findRun((int) count, bug == Bug.IGNORE_ALIGNMENT ? ANY_ALIGNMENT : alignFrames);
        if (at < 0) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "bitmap allocate(%d, align %d): no aligned run of %d free frames in %s (%d free)",
                    count, alignFrames, count, managed, freeCount);
        }
        int s = (int) at;
        int e = s + (int) count;
        for (int i = s; i < e; i++) {
            clear(free, i);
        }
        head.set(s);
        for (int w = s >>> WORD_SHIFT; w <= (e - 1) >>> WORD_SHIFT; w++) {
            updateSummary(w);
            if (bug == Bug.STALE_ALL_FREE_ON_ALLOC) {
                set(allFree, w);
            }
        }
        freeCount -= count;
        stats.recordAllocation(count);
        return FrameRange.of(managed.start().number() + s, count);
    }

    /**
     * Frees a live allocation.
     *
     * <p>Pre, checked in this order: {@code run} inside managed memory (else OUT_OF_RANGE); no
     * reserved frame in it (else RESERVED); its first frame not free (else DOUBLE_FREE); it is
     * exactly one live allocation (else NOT_ALLOCATED). Post: its frames are free; nothing else
     * changed.
     */
    @Override
    public void free(FrameRange run) {
        Objects.requireNonNull(run, "run");
        FrameError err = checkFree(run);
        if (err != null) {
            throw err;
        }
        int s = index(run.start().number());
        int e = s + (int) run.count();
        for (int i = s; i < e; i++) {
            set(free, i);
        }
        head.clear(s);
        searchFrom = Math.min(searchFrom, s >>> WORD_SHIFT);
        for (int w = s >>> WORD_SHIFT; w <= (e - 1) >>> WORD_SHIFT; w++) {
            updateSummary(w);
            if (bug == Bug.STALE_HAS_FREE_ON_FREE) {
                clear(hasFree, w);
            }
        }
        if (bug != Bug.MISCOUNT_FREE) {
            freeCount += run.count();
        }
        stats.recordFree(run.count());
    }

    /** The error {@link #free} would raise for {@code run}, or null if it is a live allocation. */
    FrameError checkFree(FrameRange run) {
        if (!managed.contains(run)) {
            return FrameError.of(FrameError.Kind.OUT_OF_RANGE, "bitmap free(%s): outside managed %s", run, managed);
        }
        int s = index(run.start().number());
        int e = s + (int) run.count();
        for (int i = s; i < e; i++) {
            if (reservedBits.get(i)) {
                return FrameError.of(FrameError.Kind.RESERVED, "bitmap free(%s): frame#%d is reserved (%s)", run,
                        managed.start().number() + i, reservedAt(managed.start().number() + i));
            }
        }
        if (get(free, s)) {
            return FrameError.of(FrameError.Kind.DOUBLE_FREE, "bitmap free(%s): %s is already free", run, run.start());
        }
        boolean exact = head.get(s) && (e == n || get(free, e) || head.get(e) || reservedBits.get(e));
        for (int i = s + 1; exact && i < e; i++) {
            exact = !get(free, i) && !head.get(i);
        }
        if (!exact) {
            return FrameError.of(FrameError.Kind.NOT_ALLOCATED, "bitmap free(%s): not exactly one live allocation", run);
        }
        return null;
    }

    private String reservedAt(long frame) {
        return reservedRegions.stream().filter(r -> r.contains(PhysFrame.of(frame))).map(ReservedRegion::description)
                .findFirst().orElse("?");
    }

    /**
     * Index of the first frame of the lowest run of {@code count} free frames whose frame number
     * is a multiple of {@code align}, or -1. From each free frame {@code p} the search rounds up to
     * the next aligned candidate {@code c}; if a non-free frame {@code q} lies in
     * {@code [c, c + count)}, every aligned start in {@code [c, q]} covers {@code q}, so the search
     * resumes at the next free frame after {@code q}.
     */
    private long findRun(int count, long align) {
        probes = 0;
        long base = managed.start().number();
        int p = nextFree(searchFrom << WORD_SHIFT);
        if (p >= 0) {
            searchFrom = p >>> WORD_SHIFT;
        }
        while (p >= 0) {
            long c = Math.floorDiv(base + p + align - 1, align) * align - base;
            if (c + count > n) {
                return -1;
            }
            int start = (int) c;
            int q = start == p ? nextNotFree(p + 1, p + count) : nextNotFree(start, start + count);
            if (q < 0) {
                return start;
            }
            p = nextFree(q + 1);
        }
        return -1;
    }

    /** The lowest free index {@code >= from}, or -1; skips words without a free bit via {@code hasFree}. */
    private int nextFree(int from) {
        if (from >= n) {
            return -1;
        }
        int w = from >>> WORD_SHIFT;
        probes++;
        long bits = free[w] & (-1L << (from & (WORD - 1)));
        if (bits != 0) {
            return (w << WORD_SHIFT) + Long.numberOfTrailingZeros(bits);
        }
        int nw = nextSummaryBit(hasFree, w + 1, false);
        return nw < 0 ? -1 : (nw << WORD_SHIFT) + Long.numberOfTrailingZeros(free[nw]);
    }

    /** The lowest non-free index in {@code [from, limit)}, or -1; skips all-free words via {@code allFree}. */
    private int nextNotFree(int from, int limit) {
        if (from >= limit) {
            return -1;
        }
        int w = from >>> WORD_SHIFT;
        probes++;
        long bits = ~free[w] & (-1L << (from & (WORD - 1)));
        int found;
        if (bits != 0) {
            found = (w << WORD_SHIFT) + Long.numberOfTrailingZeros(bits);
        } else {
            int nw = nextSummaryBit(allFree, w + 1, true);
            found = nw < 0 ? n : (nw << WORD_SHIFT) + Long.numberOfTrailingZeros(~free[nw]);
        }
        return found < limit ? found : -1;
    }

    /** The lowest word index {@code >= fromWord} whose summary bit is set (or clear, if {@code inverted}), or -1. */
    private int nextSummaryBit(long[] summary, int fromWord, boolean inverted) {
        int words = free.length;
        if (fromWord >= words) {
            return -1;
        }
        int s = fromWord >>> WORD_SHIFT;
        probes++;
        long bits = (inverted ? ~summary[s] : summary[s]) & (-1L << (fromWord & (WORD - 1)));
        while (true) {
            if (bits != 0) {
                int w = (s << WORD_SHIFT) + Long.numberOfTrailingZeros(bits);
                probes++; // the bitmap word the caller reads next
                return w < words ? w : -1;
            }
            if (++s >= summary.length) {
                return -1;
            }
            probes++;
            bits = inverted ? ~summary[s] : summary[s];
        }
    }

    private void updateSummary(int w) {
        if (free[w] != 0) {
            set(hasFree, w);
        } else {
            clear(hasFree, w);
        }
        if (free[w] == validMask(w)) {
            set(allFree, w);
        } else {
            clear(allFree, w);
        }
    }

    /** The bits of word {@code w} that name managed frames (all but the last word's padding). */
    long validMask(int w) {
        int bitsInWord = Math.min(WORD, n - (w << WORD_SHIFT));
        return bitsInWord == WORD ? -1L : (1L << bitsInWord) - 1;
    }

    private int index(long frame) {
        return (int) (frame - managed.start().number());
    }

    static boolean get(long[] bits, int i) {
        return (bits[i >>> WORD_SHIFT] & (1L << (i & (WORD - 1)))) != 0;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> WORD_SHIFT] |= 1L << (i & (WORD - 1));
    }

    private static void clear(long[] bits, int i) {
        bits[i >>> WORD_SHIFT] &= ~(1L << (i & (WORD - 1)));
    }

    // ---- views for the invariants and the checks ----

    /** Words (bitmap and summary) the last allocation's search read. */
    long lastSearchProbes() {
        return probes;
    }

    int frameCount() {
        return n;
    }

    int words() {
        return free.length;
    }

    long freeWord(int w) {
        return free[w];
    }

    long headWord(int w) {
        return head.word(w);
    }

    long reservedWord(int w) {
        return reservedBits.word(w);
    }

    boolean hasFreeBit(int w) {
        return get(hasFree, w);
    }

    boolean allFreeBit(int w) {
        return get(allFree, w);
    }

    boolean isFree(long frame) {
        return managed.contains(PhysFrame.of(frame)) && get(free, index(frame));
    }

    @Override
    public boolean isFree(PhysFrame frame) {
        return isFree(frame.number());
    }

    @Override
    public boolean tracksFreeFrames() {
        return true;
    }

    boolean isReserved(long frame) {
        return managed.contains(PhysFrame.of(frame)) && reservedBits.get(index(frame));
    }

    public AllocationStats stats() {
        return stats;
    }

    @Override
    public FrameRange managed() {
        return managed;
    }

    @Override
    public List<ReservedRegion> reserved() {
        return reservedRegions;
    }

    @Override
    public List<FrameRange> freeRuns() {
        List<FrameRange> out = new ArrayList<>();
        long base = managed.start().number();
        int i = 0;
        while (i < n) {
            if (!get(free, i)) {
                i++;
                continue;
            }
            int j = i;
            while (j < n && get(free, j)) {
                j++;
            }
            out.add(FrameRange.of(base + i, j - i));
            i = j;
        }
        return out;
    }

    @Override
    public List<FrameRange> liveRuns() {
        List<FrameRange> out = new ArrayList<>();
        long base = managed.start().number();
        for (int i = 0; i < n; i++) {
            if (head.get(i)) {
                int j = i + 1;
                while (j < n && !get(free, j) && !head.get(j) && !reservedBits.get(j)) {
                    j++;
                }
                out.add(FrameRange.of(base + i, j - i));
            }
        }
        return out;
    }

    @Override
    public long freeFrames() {
        return freeCount;
    }

    @Override
    public long managedFrames() {
        return n;
    }

    /**
     * Bits of metadata this allocator holds for its frames: the free map and its two summaries,
     * the chunks of head and reserved marks created so far, and one 32-bit reference (compressed)
     * per chunk slot. Fixed-size fields and array headers are left out: they do not grow with memory.
     */
    public long metadataBits() {
        long words = free.length + hasFree.length + allFree.length
                + (long) (head.chunksInUse() + reservedBits.chunksInUse()) * SparseBitmap.CHUNK_WORDS;
        return words * WORD + (long) (head.chunkSlots() + reservedBits.chunkSlots()) * Integer.SIZE;
    }

    /** Canonical frame state: bitmap, heads and summaries (not the stats); equal iff the states are equal. */
    public String key() {
        return Arrays.toString(free) + head + Arrays.toString(hasFree) + Arrays.toString(allFree) + freeCount;
    }

    // ---- corruption hooks for the negative tests ----

    void corruptFreeBit(int index, boolean value) {
        if (value) {
            set(free, index);
            searchFrom = Math.min(searchFrom, index >>> WORD_SHIFT);
        } else {
            clear(free, index);
        }
    }

    void corruptHeadBit(int index, boolean value) {
        if (value) {
            head.set(index);
        } else {
            head.clear(index);
        }
    }

    void corruptHasFree(int word, boolean value) {
        if (value) {
            set(hasFree, word);
        } else {
            clear(hasFree, word);
        }
    }

    void corruptAllFree(int word, boolean value) {
        if (value) {
            set(allFree, word);
        } else {
            clear(allFree, word);
        }
    }

    void corruptFreeCount(long value) {
        freeCount = value;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Bitmap").append(managed).append(" free=").append(freeCount).append(' ');
        if (n <= 256) {
            for (int i = 0; i < n; i++) {
                sb.append(reservedBits.get(i) ? 'R' : get(free, i) ? '.' : head.get(i) ? 'A' : 'a');
            }
        } else {
            sb.append("live=").append(liveRuns().size());
        }
        return sb.toString();
    }
}
