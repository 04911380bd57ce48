package org.mmspec.frames;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The seed's {@code BuddyAllocator}: power-of-two blocks from order 0 (one 4 KiB frame) up to
 * {@link #maxOrder()} (18, 1 GiB, by default), split on allocation and coalesced on free.
 *
 * <p>Notation: the allocator manages the region {@code R = [R.start, R.end)}. Its <em>base</em>
 * is {@code R.start} rounded down to a multiple of {@code 2^maxOrder}. A block of order {@code k}
 * is {@code 2^k} frames starting at {@code base + j * 2^k}; its <em>buddy</em> is the block of
 * the same order at {@code base + ((start - base) XOR 2^k)}. Because buddies are found relative to
 * the aligned base and not relative to {@code R.start}, a region that starts unaligned still pairs
 * and coalesces blocks exactly as the hardware alignment requires; frames in
 * {@code [base, R.start)} are simply never free, so no block there is ever coalesced with.
 *
 * <p>Encoding: {@code freeLists[k]} is the sorted set of start frames of the free blocks of order
 * {@code k}; {@code live} maps the first frame of each live allocation to its length. Reserved
 * frames are in neither. At construction each maximal run of non-reserved frames of {@code R} is
 * carved into maximal aligned blocks (from the left, each time the largest order whose alignment
 * and size fit), which is exactly the state reached by freeing those frames one by one.
 *
 * <p>Allocation of {@code n} frames takes order {@code k = ceil(log2 n)}: the lowest block of
 * the smallest non-empty order {@code j >= k} is removed and split down to order {@code k},
 * putting each upper half back on its list; the first {@code n} frames become the live
 * allocation and the tail {@code [start + n, start + 2^k)} is freed again (Linux's
 * {@code alloc_pages_exact}). So a request of {@code n} frames gets exactly {@code n} frames,
 * aligned to {@code 2^k}, and never wastes the rounding. Free carves the run into maximal aligned
 * blocks and inserts each, merging with its buddy while the buddy is free at the same order.
 *
 * <p>Invariants (see {@link FrameInvariants}): BUDDY-1 (free blocks aligned to their order),
 * BUDDY-2 (inside the region, disjoint), BUDDY-3 (no two free buddies of one order: coalescing is
 * maximal), BUDDY-4 (live allocations aligned to their rounded order), FRAME-1..3, RESERVED-1..2.
 * {@code proofs/buddy-coalescing.md} argues that allocation and free preserve them.
 */
public final class BuddyAllocator implements FrameAllocator, FrameAccounting {
    /** Order of a 1 GiB block of 4 KiB frames; the default largest order. */
    public static final int GIB_ORDER = 18;
    /** The largest order this model accepts at all (2^40 frames is past the 2^52-byte address space). */
    public static final int MAX_SUPPORTED_ORDER = 40;

    /** Seeded bugs for showing that the checks catch them; {@link #NONE} in real use. */
    enum Bug {
        NONE,
        /** free() never merges with the buddy. */
        NO_COALESCE,
        /** Buddies computed relative to the region start instead of the aligned base. */
        BUDDY_FROM_REGION_START,
        /** An exact allocation forgets to free the rounding tail. */
        LEAK_TAIL,
        /** Allocation rounds the order down instead of up for non-powers of two. */
        ROUND_DOWN,
        /** The initial carving aligns blocks to the region start instead of the base. */
        CARVE_FROM_REGION_START
    }

    private final FrameRange region;
    private final int maxOrder;
    private final long base;
    private final List<ReservedRegion> reservedRegions;
    private final TreeSet<Long>[] freeLists;
    private final TreeMap<Long, Long> live;
    private long freeCount;
    private final AllocationStats stats;
    private final Bug bug;

    /** A buddy allocator over {@code region} with orders 0..{@link #GIB_ORDER}. */
    public BuddyAllocator(FrameRange region, List<ReservedRegion> reserved) {
        this(region, reserved, GIB_ORDER);
    }

    /**
     * A buddy allocator over {@code region} with orders {@code 0..maxOrder}.
     *
     * @throws FrameError IMPOSSIBLE_SIZE for an order outside {@code [0, MAX_SUPPORTED_ORDER]};
     *         BAD_REGION for reserved regions outside {@code region} or overlapping (RESERVED-1)
     */
    public BuddyAllocator(FrameRange region, List<ReservedRegion> reserved, int maxOrder) {
        this(region, reserved, maxOrder, Bug.NONE);
    }

    BuddyAllocator(FrameRange region, List<ReservedRegion> reserved, int maxOrder, Bug bug) {
        this(region, reserved, maxOrder, bug, true);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private BuddyAllocator(FrameRange region, List<ReservedRegion> reserved, int maxOrder, Bug bug, boolean carve) {
        this.region = Objects.requireNonNull(region, "region");
        if (maxOrder < 0 || maxOrder > MAX_SUPPORTED_ORDER) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "buddy max order %d outside [0, %d]", maxOrder, MAX_SUPPORTED_ORDER);
        }
        this.maxOrder = maxOrder;
        this.base = region.start().number() & -(1L << maxOrder);
        this.reservedRegions = ReservedRegion.validate(region, reserved);
        this.bug = bug;
        this.freeLists = new TreeSet[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++) {
            freeLists[k] = new TreeSet<>();
        }
        this.live = new TreeMap<>();
        this.stats = new AllocationStats();
        if (carve) {
            long cursor = region.start().number();
            for (ReservedRegion r : reservedRegions) {
                release(cursor, r.start().number());
                cursor = r.end().number();
            }
            release(cursor, region.endNumber());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private BuddyAllocator(BuddyAllocator o) {
        region = o.region;
        maxOrder = o.maxOrder;
        base = o.base;
        reservedRegions = o.reservedRegions;
        bug = o.bug;
        freeLists = new TreeSet[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++) {
            freeLists[k] = new TreeSet<>(o.freeLists[k]);
        }
        live = new TreeMap<>(o.live);
        freeCount = o.freeCount;
        stats = o.stats.copy();
    }

    /**
     * Writes what actions change, for a state codec ({@link org.mmspec.check.Encoding#overwriting}):
     * each order's free blocks (ascending), the live allocations (start, length; ascending), the
     * free count and the counters. The rest (region, reserved frames, orders, bug) is the
     * configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        for (TreeSet<Long> blocks : freeLists) {
            org.mmspec.check.Encoding.writeLongs(blocks.stream().mapToLong(Long::longValue).toArray(), out);
        }
        out.writeInt(live.size());
        for (Map.Entry<Long, Long> e : live.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeLong(freeCount);
        stats.write(out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        for (TreeSet<Long> blocks : freeLists) {
            blocks.clear();
            for (long b : org.mmspec.check.Encoding.readLongs(in)) {
                blocks.add(b);
            }
        }
        live.clear();
        for (int n = in.readInt(); n > 0; n--) {
            live.put(in.readLong(), in.readLong());
        }
        freeCount = in.readLong();
        stats.read(in);
    }

    /**
     * A buddy allocator in an explicit state, for the bounded inductiveness check: the free
     * blocks (start frame to order) and live allocations (start frame to length) are taken as
     * given, not validated; the invariants judge them.
     */
    static BuddyAllocator fromState(FrameRange region, List<ReservedRegion> reserved, int maxOrder,
            Map<Long, Integer> freeBlocks, Map<Long, Long> liveRuns) {
        return fromState(region, reserved, maxOrder, freeBlocks, liveRuns, Bug.NONE);
    }

    static BuddyAllocator fromState(FrameRange region, List<ReservedRegion> reserved, int maxOrder,
            Map<Long, Integer> freeBlocks, Map<Long, Long> liveRuns, Bug bug) {
        BuddyAllocator b = new BuddyAllocator(region, reserved, maxOrder, bug, false);
        for (Map.Entry<Long, Integer> e : freeBlocks.entrySet()) {
            b.freeLists[e.getValue()].add(e.getKey());
            b.freeCount += 1L << e.getValue();
        }
        b.live.putAll(liveRuns);
        for (Map.Entry<Long, Long> e : liveRuns.entrySet()) {
            b.stats.recordAllocation(e.getValue());
        }
        return b;
    }

    public BuddyAllocator copy() {
        return new BuddyAllocator(this);
    }

    /** The smallest order whose block holds {@code count} frames: {@code ceil(log2 count)}. */
    public static int orderFor(long count) {
        return count <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(count - 1);
    }

    /** Whether a request of {@code count} frames could ever be served: at most one max-order block and the region. */
    public boolean couldEverHold(long count) {
        return count >= 1 && count <= (1L << maxOrder) && count <= region.count();
    }

    /**
     * Allocates {@code count} frames aligned to {@code 2^ceil(log2 count)}.
     *
     * <p>Pre: {@code count >= 1} (else ZERO_SIZE) and {@code count <= 2^maxOrder} and no larger
     * than the region (else IMPOSSIBLE_SIZE). Post: if some free block of order
     * {@code >= ceil(log2 count)} existed, the returned run was free, is now one live allocation,
     * and starts at {@code base + j * 2^ceil(log2 count)}; otherwise OUT_OF_MEMORY and nothing
     * changed.
     */
    @Override
    public FrameRange allocate(long count) {
        return allocate(count, ANY_ALIGNMENT);
    }

    /** The order of the block an aligned request takes: {@code max(ceil(log2 count), log2 alignFrames)}. */
    public static int orderFor(long count, long alignFrames) {
        return Math.max(orderFor(count), Long.numberOfTrailingZeros(alignFrames));
    }

    /**
     * Allocates {@code count} frames aligned to {@code max(2^ceil(log2 count), alignFrames)}.
     *
     * <p>Every block of order {@code k} starts at {@code base + j * 2^k} and {@code base} is a
     * multiple of {@code 2^maxOrder}, so a block of order {@code k <= maxOrder} is aligned to
     * {@code 2^k} in absolute frame numbers: the request takes a block of order
     * {@code orderFor(count, alignFrames)}, exactly as {@link #allocate(long)} takes one of order
     * {@code orderFor(count)}, and frees the tail past {@code count}.
     *
     * <p>Pre, in this order: {@code count >= 1} (else ZERO_SIZE); {@code alignFrames} a power of
     * two (else MISALIGNED); {@code count} fits a max-order block and the region, and
     * {@code alignFrames <= 2^maxOrder} (else IMPOSSIBLE_SIZE). Post: as {@link #allocate(long)}.
     */
    @Override
    public FrameRange allocate(long count, long alignFrames) {
        stats.requireValidRequest("buddy", count, alignFrames);
        if (!couldEverHold(count) || alignFrames > (1L << maxOrder)) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE,
                    "buddy allocate(%d, align %d): more than a max-order block (2^%d frames) or the region %s",
                    count, alignFrames, maxOrder, region);
        }
        int k = orderFor(count, alignFrames);
        if (bug == Bug.ROUND_DOWN && (count & (count - 1)) != 0) {
            k--;
        }
        int j = k;
        while (j <= maxOrder && freeLists[j].isEmpty()) {
            j++;
        }
        if (j > maxOrder) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "buddy allocate(%d): no free block of order >= %d in %s (%d frames free)",
                    count, k, region, freeCount);
        }
        long start = freeLists[j].pollFirst();
        while (j > k) {
            j--;
            freeLists[j].add(start + (1L << j));
        }
        freeCount -= 1L << k;
        live.put(start, count);
        if (count < (1L << k) && bug != Bug.LEAK_TAIL) {
            release(start + count, start + (1L << k));
        }
        stats.recordAllocation(count);
        return FrameRange.of(start, count);
    }

    /**
     * Allocates one block of {@code order}.
     *
     * @throws FrameError IMPOSSIBLE_SIZE for an order outside {@code [0, maxOrder]}
     */
    public FrameRange allocateOrder(int order) {
        if (order < 0 || order > maxOrder) {
            stats.recordFailure();
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "buddy allocateOrder(%d): orders are 0..%d", order, maxOrder);
        }
        return allocate(1L << order);
    }

    /**
     * Frees the block of {@code order} at {@code start}.
     *
     * <p>Pre: order in {@code [0, maxOrder]} (else IMPOSSIBLE_SIZE); {@code start} a multiple of
     * {@code 2^order} from the base (else MISALIGNED); then as {@link #free(FrameRange)}.
     */
    public void freeBlock(PhysFrame start, int order) {
        if (order < 0 || order > maxOrder) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "buddy freeBlock(%s, %d): orders are 0..%d", start, order, maxOrder);
        }
        if (((start.number() - base) & ((1L << order) - 1)) != 0) {
            throw FrameError.of(FrameError.Kind.MISALIGNED, "buddy freeBlock(%s, %d): not aligned to 2^%d frames from base frame#%d",
                    start, order, order, base);
        }
        if (start.number() + (1L << order) > region.endNumber() || start.number() < region.start().number()) {
            throw FrameError.of(FrameError.Kind.OUT_OF_RANGE, "buddy freeBlock(%s, %d): outside %s", start, order, region);
        }
        free(new FrameRange(start, 1L << order));
    }

    /**
     * Frees a live allocation.
     *
     * <p>Pre, in this order: inside the region (else OUT_OF_RANGE); no reserved frame (else
     * RESERVED); first frame not free (else DOUBLE_FREE); exactly one live allocation (else
     * NOT_ALLOCATED). Post: its frames are free and maximally coalesced with free buddies
     * (BUDDY-3); nothing else changed.
     */
    @Override
    public void free(FrameRange run) {
        Objects.requireNonNull(run, "run");
        FrameError err = checkFree(run);
        if (err != null) {
            throw err;
        }
        live.remove(run.start().number());
        release(run.start().number(), run.endNumber());
        stats.recordFree(run.count());
    }

    FrameError checkFree(FrameRange run) {
        if (!region.contains(run)) {
            return FrameError.of(FrameError.Kind.OUT_OF_RANGE, "buddy free(%s): outside region %s", run, region);
        }
        for (ReservedRegion r : reservedRegions) {
            if (r.overlaps(run)) {
                return FrameError.of(FrameError.Kind.RESERVED, "buddy free(%s): overlaps reserved %s", run, r);
            }
        }
        if (isFree(run.start().number())) {
            return FrameError.of(FrameError.Kind.DOUBLE_FREE, "buddy free(%s): %s is already free", run, run.start());
        }
        Long len = live.get(run.start().number());
        if (len == null || len != run.count()) {
            return FrameError.of(FrameError.Kind.NOT_ALLOCATED, "buddy free(%s): not a live allocation%s", run,
                    len == null ? "" : " (the allocation there holds " + len + " frames)");
        }
        return null;
    }

    /** Frees {@code [s, e)} as maximal aligned blocks, each coalesced with free buddies. */
    private void release(long s, long e) {
        while (s < e) {
            long origin = bug == Bug.CARVE_FROM_REGION_START ? region.start().number() : base;
            int k = Math.min(maxOrder, Long.numberOfTrailingZeros(s - origin == 0 ? 1L << maxOrder : s - origin));
            while ((1L << k) > e - s) {
                k--;
            }
            insert(s, k);
            s += 1L << k;
        }
    }

    private void insert(long start, int order) {
        freeCount += 1L << order;
        while (order < maxOrder && bug != Bug.NO_COALESCE) {
            long buddy = buddyOf(start, order);
            if (!freeLists[order].remove(buddy)) {
                break;
            }
            start = Math.min(start, buddy);
            order++;
        }
        freeLists[order].add(start);
    }

    /** The start of the buddy of the order-{@code order} block at {@code start}. */
    long buddyOf(long start, int order) {
        if (bug == Bug.BUDDY_FROM_REGION_START) {
            long origin = region.start().number();
            return origin + ((start - origin) ^ (1L << order));
        }
        return base + ((start - base) ^ (1L << order));
    }

    @Override
    public boolean isFree(PhysFrame frame) {
        return isFree(frame.number());
    }

    @Override
    public boolean tracksFreeFrames() {
        return true;
    }

    /** Whether {@code frame} lies in a free block. */
    boolean isFree(long frame) {
        for (int k = 0; k <= maxOrder; k++) {
            long blockStart = base + ((frame - base) & -(1L << k));
            if (freeLists[k].contains(blockStart)) {
                return true;
            }
        }
        return false;
    }

    // ---- views ----

    public int maxOrder() {
        return maxOrder;
    }

    /** The aligned base buddies are computed from. */
    public PhysFrame base() {
        return PhysFrame.of(base);
    }

    /** Free block starts of {@code order}, sorted. */
    public List<Long> freeBlocks(int order) {
        return List.copyOf(freeLists[order]);
    }

    /** Free blocks, start frame to order, sorted by start. */
    public NavigableMap<Long, Integer> freeBlockMap() {
        TreeMap<Long, Integer> out = new TreeMap<>();
        for (int k = 0; k <= maxOrder; k++) {
            for (long s : freeLists[k]) {
                out.merge(s, k, Math::max); // a start on two lists is corruption; keep the larger so BUDDY-2 sees the overlap
            }
        }
        return out;
    }

    /** Every free block as (start, order) pairs, including duplicates, for the invariants. */
    List<long[]> freeBlockList() {
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k <= maxOrder; k++) {
            for (long s : freeLists[k]) {
                out.add(new long[] {s, k});
            }
        }
        out.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        return out;
    }

    /** Live allocations, first frame to length. */
    public NavigableMap<Long, Long> live() {
        return Collections.unmodifiableNavigableMap(live);
    }

    public AllocationStats stats() {
        return stats;
    }

    @Override
    public FrameRange managed() {
        return region;
    }

    @Override
    public List<ReservedRegion> reserved() {
        return reservedRegions;
    }

    @Override
    public List<FrameRange> freeRuns() {
        List<FrameRange> out = new ArrayList<>();
        for (long[] b : freeBlockList()) {
            out.add(FrameRange.of(b[0], 1L << b[1]));
        }
        return out;
    }

    @Override
    public List<FrameRange> liveRuns() {
        List<FrameRange> out = new ArrayList<>();
        live.forEach((s, c) -> out.add(FrameRange.of(s, c)));
        return out;
    }

    @Override
    public long freeFrames() {
        return freeCount;
    }

    @Override
    public long managedFrames() {
        return region.count();
    }

    /** Canonical frame state: free lists, live allocations and the free count (not the stats). */
    public String key() {
        StringBuilder sb = new StringBuilder(64);
        for (int k = 0; k <= maxOrder; k++) {
            for (long s : freeLists[k]) {
                sb.append(s).append(',');
            }
            sb.append('|');
        }
        for (Map.Entry<Long, Long> e : live.entrySet()) {
            sb.append(e.getKey()).append('+').append(e.getValue()).append(',');
        }
        return sb.append('|').append(freeCount).toString();
    }

    // ---- corruption hooks for the negative tests ----

    void corruptAddFreeBlock(long start, int order) {
        freeLists[order].add(start);
        freeCount += 1L << order;
    }

    void corruptRemoveFreeBlock(long start, int order) {
        freeLists[order].remove(start);
        freeCount -= 1L << order;
    }

    void corruptLive(long start, long count) {
        live.put(start, count);
    }

    void corruptFreeCount(long value) {
        freeCount = value;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Buddy").append(region).append(" base=").append(base).append(" max=").append(maxOrder)
                .append(" free={");
        boolean first = true;
        for (long[] b : freeBlockList()) {
            sb.append(first ? "" : " ").append(b[0]).append('^').append(b[1]);
            first = false;
        }
        return sb.append("} live=").append(live).toString();
    }
}
