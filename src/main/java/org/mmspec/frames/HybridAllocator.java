package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The seed's {@code HybridAllocator}: a {@link BitmapAllocator} for requests of fewer than
 * {@code threshold} frames (512 frames, 2 MiB, by default) and a {@link BuddyAllocator} for
 * requests of {@code threshold} frames or more, each with its own {@link AllocationStats}.
 *
 * <p>Which memory each half manages. The managed range {@code M} is cut at one frame, the
 * <em>split</em>: the bitmap manages {@code [M.start, split)} and the buddy manages
 * {@code [split, M.end)}; each half gets the reserved regions cut down to its part. By default
 * {@code split = min(M.end, roundUp(M.start + M.count / 4, threshold))}: the bitmap gets the lowest
 * quarter of memory, and the buddy's part starts on a threshold (2 MiB) boundary, so every block
 * of order {@code >= log2(threshold)} the buddy hands out is 2 MiB aligned. Either half may be
 * empty (absent) when {@code M} is small; a request that only the absent half could serve is then
 * IMPOSSIBLE_SIZE.
 *
 * <p>What happens at the threshold. A request of {@code n} frames with {@code n < threshold} goes
 * to the bitmap (first fit in the bitmap half). If the bitmap cannot serve it (OUT_OF_MEMORY, or
 * larger than the bitmap half) it <em>falls back</em> to the buddy, which serves it as an exact
 * allocation (aligned to {@code 2^ceil(log2 n)}); the buddy's stats count the fallback. A request
 * with {@code n >= threshold} goes to the buddy only and never falls back to the bitmap: a
 * first-fit run of 512 frames or more in the bitmap half would lose the buddy's alignment
 * guarantee and eat the memory kept for small requests. Free goes to the half that holds the run.
 *
 * <p>Aligned requests ({@link #allocate(long, long)}) route the same way, by the frame count
 * alone; the alignment only constrains placement inside the chosen half (the bitmap's aligned
 * first fit; the buddy's block of order {@code max(ceil(log2 n), log2 align)}). The seed's order
 * requests from zones and NUMA nodes are {@code allocate(2^order, 2^order)}.
 *
 * <p>Encoding: the two halves, the split, the threshold, and a third {@link AllocationStats} for
 * the hybrid as a whole. Invariants: HYBRID-1 (the halves partition {@code M} at the split),
 * HYBRID-2 (routing: no live allocation of {@code >= threshold} frames in the bitmap half),
 * HYBRID-3 (each half's stats agree with its live allocations), plus the bitmap's and buddy's own
 * invariants and FRAME-1..3, RESERVED-1..2 over the whole.
 */
public final class HybridAllocator implements FrameAllocator, FrameAccounting {
    /** The seed's threshold: 512 frames = 2 MiB. Requests of fewer frames go to the bitmap. */
    public static final long DEFAULT_THRESHOLD = 512;
    /** The bitmap half is {@code 1 / BITMAP_SHARE} of managed memory, rounded up to the threshold. */
    public static final long BITMAP_SHARE = 4;

    /** Which half serves an allocation. */
    public enum Half {
        BITMAP, BUDDY
    }

    /** Seeded bugs for showing that the checks catch them. */
    enum Bug {
        NONE,
        /** Routes a request of exactly {@code threshold} frames to the bitmap (off by one). */
        THRESHOLD_OFF_BY_ONE,
        /** Forgets to count a fallback allocation in the buddy's stats. */
        UNCOUNTED_FALLBACK
    }

    private final FrameRange managed;
    private final List<ReservedRegion> reservedRegions;
    private final long threshold;
    private final long split;
    private final BitmapAllocator bitmap;
    private final BuddyAllocator buddy;
    private final AllocationStats stats;
    private final Bug bug;

    /**
     * The seed's hybrid over {@code managed}: threshold 512 frames, default split, buddy orders
     * up to 18 (1 GiB).
     *
     * @throws FrameError BAD_REGION if reserved regions lie outside {@code managed} or overlap
     */
    public HybridAllocator(FrameRange managed, List<ReservedRegion> reserved) {
        this(managed, reserved, DEFAULT_THRESHOLD, defaultSplit(managed, DEFAULT_THRESHOLD), BuddyAllocator.GIB_ORDER);
    }

    /**
     * A hybrid with an explicit threshold, split and buddy max order (small scopes use, say,
     * threshold 4 over 16 frames).
     *
     * @throws FrameError IMPOSSIBLE_SIZE if {@code threshold < 1} or the split lies outside
     *         {@code [M.start, M.end]}; BAD_REGION for bad reserved regions
     */
    public HybridAllocator(FrameRange managed, List<ReservedRegion> reserved, long threshold, PhysFrame split, int maxOrder) {
        this(managed, reserved, threshold, split, maxOrder, Bug.NONE);
    }

    HybridAllocator(FrameRange managed, List<ReservedRegion> reserved, long threshold, PhysFrame split, int maxOrder, Bug bug) {
        this.managed = Objects.requireNonNull(managed, "managed");
        this.reservedRegions = ReservedRegion.validate(managed, reserved);
        if (threshold < 1) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "hybrid threshold %d must be at least 1 frame", threshold);
        }
        if (split.number() < managed.start().number() || split.number() > managed.endNumber()) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "hybrid split %s outside managed %s", split, managed);
        }
        this.threshold = threshold;
        this.split = split.number();
        this.bug = bug;
        long s = managed.start().number();
        long e = managed.endNumber();
        this.bitmap = this.split > s ? new BitmapAllocator(FrameRange.of(s, this.split - s), clip(reservedRegions, FrameRange.of(s, this.split - s))) : null;
        this.buddy = e > this.split ? new BuddyAllocator(FrameRange.of(this.split, e - this.split),
                clip(reservedRegions, FrameRange.of(this.split, e - this.split)), maxOrder) : null;
        this.stats = new AllocationStats();
    }

    private HybridAllocator(HybridAllocator o) {
        managed = o.managed;
        reservedRegions = o.reservedRegions;
        threshold = o.threshold;
        split = o.split;
        bug = o.bug;
        bitmap = o.bitmap == null ? null : o.bitmap.copy();
        buddy = o.buddy == null ? null : o.buddy.copy();
        stats = o.stats.copy();
    }

    /** Test hook: the same hybrid with other halves, as a bug that mis-built them would leave it. */
    static HybridAllocator corruptWithHalves(HybridAllocator h, BitmapAllocator bitmap, BuddyAllocator buddy) {
        return new HybridAllocator(h, bitmap, buddy);
    }

    private HybridAllocator(HybridAllocator o, BitmapAllocator bitmap, BuddyAllocator buddy) {
        managed = o.managed;
        reservedRegions = o.reservedRegions;
        threshold = o.threshold;
        split = o.split;
        bug = o.bug;
        this.bitmap = bitmap;
        this.buddy = buddy;
        stats = o.stats.copy();
    }

    public HybridAllocator copy() {
        return new HybridAllocator(this);
    }

    /**
     * Writes what actions change, for a state codec ({@link org.mmspec.check.Encoding#overwriting}):
     * the bitmap half's state, the buddy half's (each when the configuration has it) and the
     * counters.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        if (bitmap != null) {
            bitmap.writeState(out);
        }
        if (buddy != null) {
            buddy.writeState(out);
        }
        stats.write(out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        if (bitmap != null) {
            bitmap.readState(in);
        }
        if (buddy != null) {
            buddy.readState(in);
        }
        stats.read(in);
    }

    /** {@code min(M.end, roundUp(M.start + M.count / BITMAP_SHARE, threshold))}. */
    public static PhysFrame defaultSplit(FrameRange managed, long threshold) {
        long want = managed.start().number() + managed.count() / BITMAP_SHARE;
        long rounded = (want + threshold - 1) / threshold * threshold;
        return PhysFrame.of(Math.min(managed.endNumber(), rounded));
    }

    static List<ReservedRegion> clip(List<ReservedRegion> regions, FrameRange window) {
        List<ReservedRegion> out = new ArrayList<>();
        for (ReservedRegion r : regions) {
            ReservedRegion c = r.clip(window);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The half a request of {@code count} frames goes to first: the bitmap below the threshold. */
    public Half route(long count) {
        boolean small = bug == Bug.THRESHOLD_OFF_BY_ONE ? count <= threshold : count < threshold;
        return small ? Half.BITMAP : Half.BUDDY;
    }

    /**
     * Allocates {@code count} contiguous frames.
     *
     * <p>Pre: {@code count >= 1} (else ZERO_SIZE); some half could ever serve it (else
     * IMPOSSIBLE_SIZE). Post: a request below the threshold got the bitmap's first fit, or, if
     * the bitmap had no run, a buddy allocation (a counted fallback); a request at or above the
     * threshold got a buddy allocation; if neither applies, OUT_OF_MEMORY and nothing changed.
     */
    @Override
    public FrameRange allocate(long count) {
        return allocate(count, ANY_ALIGNMENT);
    }

    /**
     * Allocates {@code count} contiguous frames starting at a multiple of {@code alignFrames}.
     *
     * <p>Routing is by {@code count} alone, exactly as {@link #allocate(long)}: the alignment
     * only constrains where each half places the run. Below the threshold the bitmap takes its
     * aligned first fit; if it has none, the request falls back to the buddy, which takes a block
     * of order {@code max(ceil(log2 count), log2 alignFrames)}. At or above the threshold only the
     * buddy serves it.
     *
     * <p>Pre, in this order: {@code count >= 1} (else ZERO_SIZE); {@code alignFrames} a power of
     * two (else MISALIGNED); some half could ever serve it: the bitmap if routed there and
     * {@code count} fits its half, or the buddy if {@code count} fits a max-order block and its
     * half and {@code alignFrames <= 2^maxOrder} (else IMPOSSIBLE_SIZE). Post: as
     * {@link #allocate(long)}, and {@code result.start() % alignFrames == 0}.
     */
    @Override
    public FrameRange allocate(long count, long alignFrames) {
        stats.requireValidRequest("hybrid", count, alignFrames);
        boolean bitmapCould = route(count) == Half.BITMAP && bitmap != null && count <= bitmap.managedFrames();
        boolean buddyCould = buddy != null && buddy.couldEverHold(count) && alignFrames <= (1L << buddy.maxOrder());
        if (!bitmapCould && !buddyCould) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "hybrid allocate(%d): no half could ever serve it (bitmap %s, buddy %s, threshold %d)",
                    count, bitmapRange().map(Object::toString).orElse("absent"), buddyRange().map(Object::toString).orElse("absent"), threshold);
        }
        FrameError bitmapRefusal = null;
        if (bitmapCould) {
            try {
                FrameRange r = bitmap.allocate(count, alignFrames);
                stats.recordAllocation(count);
                return r;
            } catch (FrameError e) {
                bitmapRefusal = e;
            }
        }
        if (buddyCould) {
            try {
                FrameRange r = buddy.allocate(count, alignFrames);
                if (route(count) == Half.BITMAP && bug != Bug.UNCOUNTED_FALLBACK) {
                    buddy.stats().recordFallback();
                }
                stats.recordAllocation(count);
                return r;
            } catch (FrameError e) {
                stats.recordFailure();
                throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "hybrid allocate(%d): %s%s", count,
                        bitmapRefusal == null ? "" : "bitmap: " + bitmapRefusal.getMessage() + "; then ", "buddy: " + e.getMessage());
            }
        }
        stats.recordFailure();
        throw bitmapRefusal;
    }

    /**
     * Frees a live allocation.
     *
     * <p>Pre, in this order: inside {@code M} (else OUT_OF_RANGE); no reserved frame (else
     * RESERVED); first frame not free (else DOUBLE_FREE); exactly one live allocation of the half
     * holding it (else NOT_ALLOCATED; a run across the split is never one). Post: as the half's
     * free.
     */
    @Override
    public void free(FrameRange run) {
        Objects.requireNonNull(run, "run");
        if (!managed.contains(run)) {
            throw FrameError.of(FrameError.Kind.OUT_OF_RANGE, "hybrid free(%s): outside managed %s", run, managed);
        }
        if (run.endNumber() <= split) {
            bitmap.free(run);
        } else if (run.start().number() >= split) {
            buddy.free(run);
        } else {
            for (ReservedRegion r : reservedRegions) {
                if (r.overlaps(run)) {
                    throw FrameError.of(FrameError.Kind.RESERVED, "hybrid free(%s): overlaps reserved %s", run, r);
                }
            }
            if (bitmap.isFree(run.start().number())) {
                throw FrameError.of(FrameError.Kind.DOUBLE_FREE, "hybrid free(%s): %s is already free", run, run.start());
            }
            throw FrameError.of(FrameError.Kind.NOT_ALLOCATED, "hybrid free(%s): crosses the split at frame#%d, so it is no allocation", run, split);
        }
        stats.recordFree(run.count());
    }

    // ---- views ----

    public long threshold() {
        return threshold;
    }

    public PhysFrame split() {
        return PhysFrame.of(split);
    }

    public Optional<BitmapAllocator> bitmap() {
        return Optional.ofNullable(bitmap);
    }

    public Optional<BuddyAllocator> buddy() {
        return Optional.ofNullable(buddy);
    }

    public Optional<FrameRange> bitmapRange() {
        return bitmap().map(BitmapAllocator::managed);
    }

    public Optional<FrameRange> buddyRange() {
        return buddy().map(BuddyAllocator::managed);
    }

    /** The whole hybrid's counters: requests served and refused at its interface. */
    public AllocationStats stats() {
        return stats;
    }

    /** One half's counters; an absent half reports empty counters. */
    public AllocationStats stats(Half half) {
        if (half == Half.BITMAP) {
            return bitmap == null ? new AllocationStats() : bitmap.stats();
        }
        return buddy == null ? new AllocationStats() : buddy.stats();
    }

    /** Whether {@code frame} is free in the half whose memory holds it; false outside {@code M}. */
    @Override
    public boolean isFree(PhysFrame frame) {
        if (!managed.contains(frame)) {
            return false;
        }
        return halfOf(frame) == Half.BITMAP ? bitmap.isFree(frame) : buddy.isFree(frame);
    }

    @Override
    public boolean tracksFreeFrames() {
        return true;
    }

    /** The half whose memory holds {@code frame}. */
    public Half halfOf(PhysFrame frame) {
        return frame.number() < split ? Half.BITMAP : Half.BUDDY;
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
        bitmap().ifPresent(b -> out.addAll(b.freeRuns()));
        buddy().ifPresent(b -> out.addAll(b.freeRuns()));
        return out;
    }

    @Override
    public List<FrameRange> liveRuns() {
        List<FrameRange> out = new ArrayList<>();
        bitmap().ifPresent(b -> out.addAll(b.liveRuns()));
        buddy().ifPresent(b -> out.addAll(b.liveRuns()));
        return out;
    }

    @Override
    public long freeFrames() {
        return (bitmap == null ? 0 : bitmap.freeFrames()) + (buddy == null ? 0 : buddy.freeFrames());
    }

    @Override
    public long managedFrames() {
        return managed.count();
    }

    /** Canonical frame state of both halves (not the stats). */
    public String key() {
        return (bitmap == null ? "-" : bitmap.key()) + "#" + (buddy == null ? "-" : buddy.key());
    }

    @Override
    public String toString() {
        return "Hybrid" + managed + " split=" + split + " threshold=" + threshold + " {" + bitmap + " ; " + buddy + "}";
    }
}
