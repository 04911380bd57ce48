package org.mmspec.frames;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;

/**
 * The invariants of physical frame allocation, as named predicates with the IDs of
 * {@code spec/frames.md}.
 *
 * <ul>
 * <li>RESERVED-n and FRAME-n are stated over {@link FrameAccounting} and hold for every
 * allocator of this package.</li>
 * <li>BITMAP-n are the {@link BitmapAllocator}'s encoding invariants, BUDDY-n the
 * {@link BuddyAllocator}'s, HYBRID-n the {@link HybridAllocator}'s.</li>
 * </ul>
 * The sets {@link #BITMAP}, {@link #BUDDY} and {@link #HYBRID} order the invariants so that the
 * most specific one breaks first: a corrupted summary word reports BITMAP-2, not a frame count.
 */
public final class FrameInvariants {
    private FrameInvariants() {
    }

    // ---- RESERVED-n and FRAME-n, over any FrameAccounting ----

    /** RESERVED-1, for any allocator type. */
    public static <T extends FrameAccounting> Invariant<T> reserved1() {
        return Invariant.of("RESERVED-1", "reserved regions are well formed, inside managed memory and pairwise disjoint", a -> {
            long prevEnd = Long.MIN_VALUE;
            for (ReservedRegion r : a.reserved()) {
                if (!a.managed().contains(r.range())) {
                    return broken("%s lies outside managed %s", r, a.managed());
                }
                if (r.start().number() < prevEnd) {
                    return broken("%s overlaps or precedes the region before it (which ends at frame#%d)", r, prevEnd);
                }
                prevEnd = r.end().number();
            }
            return holds();
        });
    }

    /** RESERVED-2, for any allocator type. */
    public static <T extends FrameAccounting> Invariant<T> reserved2() {
        return Invariant.of("RESERVED-2", "no reserved frame is free or allocated", a -> {
            for (ReservedRegion r : a.reserved()) {
                for (FrameRange f : a.freeRuns()) {
                    if (r.overlaps(f)) {
                        return broken("reserved %s overlaps free run %s", r, f);
                    }
                }
                for (FrameRange l : a.liveRuns()) {
                    if (r.overlaps(l)) {
                        return broken("reserved %s overlaps live allocation %s", r, l);
                    }
                }
            }
            return holds();
        });
    }

    /** FRAME-1, for any allocator type. */
    public static <T extends FrameAccounting> Invariant<T> frame1() {
        return Invariant.of("FRAME-1", "no frame is both free and allocated, and no frame is in two live allocations", a -> {
            long origin = a.managed().start().number();
            BitSet free = new BitSet();
            for (FrameRange f : a.freeRuns()) {
                if (a.managed().contains(f)) {
                    free.set((int) (f.start().number() - origin), (int) (f.endNumber() - origin));
                }
            }
            BitSet allocated = new BitSet();
            for (FrameRange l : a.liveRuns()) {
                if (!a.managed().contains(l)) {
                    continue; // FRAME-2 reports runs outside managed memory
                }
                int s = (int) (l.start().number() - origin);
                int e = (int) (l.endNumber() - origin);
                int both = free.nextSetBit(s);
                if (both >= 0 && both < e) {
                    return broken("frame#%d is free and in live allocation %s", origin + both, l);
                }
                int twice = allocated.nextSetBit(s);
                if (twice >= 0 && twice < e) {
                    return broken("frame#%d is in live allocation %s and another one", origin + twice, l);
                }
                allocated.set(s, e);
            }
            return holds();
        });
    }

    /** FRAME-2, for any allocator type. */
    public static <T extends FrameAccounting> Invariant<T> frame2() {
        return Invariant.of("FRAME-2", "free + allocated + reserved = managed: every managed frame is exactly one of them", a -> {
            FrameRange m = a.managed();
            long origin = m.start().number();
            BitSet covered = new BitSet();
            long sum = 0;
            List<FrameRange> all = new ArrayList<>(a.freeRuns());
            all.addAll(a.liveRuns());
            for (ReservedRegion r : a.reserved()) {
                all.add(r.range());
            }
            for (FrameRange r : all) {
                if (!m.contains(r)) {
                    return broken("%s lies outside managed %s", r, m);
                }
                covered.set((int) (r.start().number() - origin), (int) (r.endNumber() - origin));
                sum += r.count();
            }
            int lost = covered.nextClearBit(0);
            if (lost < m.count()) {
                return broken("frame#%d is neither free, allocated nor reserved (lost)", origin + lost);
            }
            return Invariant.require(sum == m.count(), "free + allocated + reserved = %d frames, managed = %d", sum, m.count());
        });
    }

    /** FRAME-3, for any allocator type. */
    public static <T extends FrameAccounting> Invariant<T> frame3() {
        return Invariant.of("FRAME-3", "the allocator's free-frame count equals the number of free frames", a -> {
            long counted = a.freeRuns().stream().mapToLong(FrameRange::count).sum();
            return Invariant.require(counted == a.freeFrames(), "freeFrames() = %d but %d frames are free", a.freeFrames(), counted);
        });
    }

    public static final Invariant<FrameAccounting> RESERVED_1 = reserved1();
    public static final Invariant<FrameAccounting> RESERVED_2 = reserved2();
    public static final Invariant<FrameAccounting> FRAME_1 = frame1();
    public static final Invariant<FrameAccounting> FRAME_2 = frame2();
    public static final Invariant<FrameAccounting> FRAME_3 = frame3();

    /** The invariants every frame allocator keeps, for other components' allocators. */
    public static final InvariantSet<FrameAccounting> FRAME = InvariantSet.of("frames", RESERVED_1, RESERVED_2, FRAME_1, FRAME_2, FRAME_3);

    // ---- BITMAP-n ----

    public static final Invariant<BitmapAllocator> BITMAP_1 = Invariant.of("BITMAP-1",
            "bits past the last managed frame are never free and never mark an allocation", b -> {
                int w = b.words() - 1;
                long padding = ~b.validMask(w);
                return Invariant.require((b.freeWord(w) & padding) == 0 && (b.headWord(w) & padding) == 0,
                        "last word %d has padding bits set: free %s, head %s", w, Long.toBinaryString(b.freeWord(w) & padding),
                        Long.toBinaryString(b.headWord(w) & padding));
            });

    public static final Invariant<BitmapAllocator> BITMAP_2 = Invariant.of("BITMAP-2",
            "a word's has-free summary bit is set exactly when the word has a free frame", b -> {
                for (int w = 0; w < b.words(); w++) {
                    if (b.hasFreeBit(w) != (b.freeWord(w) != 0)) {
                        return broken("word %d = %s but its has-free summary bit is %s", w, Long.toHexString(b.freeWord(w)), b.hasFreeBit(w));
                    }
                }
                return holds();
            });

    public static final Invariant<BitmapAllocator> BITMAP_3 = Invariant.of("BITMAP-3",
            "a word's all-free summary bit is set exactly when every frame of the word is free", b -> {
                for (int w = 0; w < b.words(); w++) {
                    if (b.allFreeBit(w) != (b.freeWord(w) == b.validMask(w))) {
                        return broken("word %d = %s but its all-free summary bit is %s", w, Long.toHexString(b.freeWord(w)), b.allFreeBit(w));
                    }
                }
                return holds();
            });

    public static final Invariant<BitmapAllocator> BITMAP_4 = Invariant.of("BITMAP-4",
            "an allocation-head bit marks only an allocated frame (neither free nor reserved)", b -> {
                for (int w = 0; w < b.words(); w++) {
                    long bad = b.headWord(w) & (b.freeWord(w) | b.reservedWord(w)) & b.validMask(w);
                    if (bad != 0) {
                        return broken("frame#%d carries a head bit but is %s", b.managed().start().number() + (w << 6) + Long.numberOfTrailingZeros(bad),
                                (b.freeWord(w) & bad) != 0 ? "free" : "reserved");
                    }
                }
                return holds();
            });

    public static final InvariantSet<BitmapAllocator> BITMAP = InvariantSet.of("frames/bitmap",
            List.of(reserved1(), BITMAP_1, BITMAP_2, BITMAP_3, BITMAP_4, reserved2(), frame1(), frame2(), frame3()), String::valueOf);

    // ---- BUDDY-n ----

    public static final Invariant<BuddyAllocator> BUDDY_1 = Invariant.of("BUDDY-1",
            "every free block of order k (0 <= k <= max order) starts at base + a multiple of 2^k", b -> {
                long base = b.base().number();
                for (long[] blk : b.freeBlockList()) {
                    if (blk[1] < 0 || blk[1] > b.maxOrder() || ((blk[0] - base) & ((1L << blk[1]) - 1)) != 0) {
                        return broken("free block frame#%d of order %d is not aligned to 2^%d from base frame#%d", blk[0], blk[1], blk[1], base);
                    }
                }
                return holds();
            });

    public static final Invariant<BuddyAllocator> BUDDY_2 = Invariant.of("BUDDY-2",
            "free blocks lie inside the managed region and are pairwise disjoint", b -> {
                long prevEnd = Long.MIN_VALUE;
                long prevStart = -1;
                for (long[] blk : b.freeBlockList()) {
                    long end = blk[0] + (1L << blk[1]);
                    if (blk[0] < b.managed().start().number() || end > b.managed().endNumber()) {
                        return broken("free block frame#%d^%d = [%d, %d) leaves region %s", blk[0], blk[1], blk[0], end, b.managed());
                    }
                    if (blk[0] < prevEnd) {
                        return broken("free blocks at frame#%d and frame#%d^%d overlap", prevStart, blk[0], blk[1]);
                    }
                    prevEnd = Math.max(prevEnd, end);
                    prevStart = blk[0];
                }
                return holds();
            });

    public static final Invariant<BuddyAllocator> BUDDY_3 = Invariant.of("BUDDY-3",
            "no two buddies of the same order are both free (coalescing is maximal)", b -> {
                long base = b.base().number();
                for (int k = 0; k < b.maxOrder(); k++) {
                    List<Long> blocks = b.freeBlocks(k);
                    java.util.Set<Long> set = new java.util.HashSet<>(blocks);
                    for (long s : blocks) {
                        long buddy = base + ((s - base) ^ (1L << k));
                        if (s < buddy && set.contains(buddy)) {
                            return broken("free blocks frame#%d and frame#%d of order %d are buddies and were not coalesced", s, buddy, k);
                        }
                    }
                }
                return holds();
            });

    public static final Invariant<BuddyAllocator> BUDDY_4 = Invariant.of("BUDDY-4",
            "a live allocation of n frames has n <= 2^max order and starts at base + a multiple of 2^ceil(log2 n)", b -> {
                long base = b.base().number();
                for (Map.Entry<Long, Long> e : b.live().entrySet()) {
                    long n = e.getValue();
                    int k = BuddyAllocator.orderFor(n);
                    if (n < 1 || k > b.maxOrder() || ((e.getKey() - base) & ((1L << k) - 1)) != 0) {
                        return broken("live allocation frame#%d+%d is not aligned to 2^%d from base frame#%d", e.getKey(), n, k, base);
                    }
                }
                return holds();
            });

    public static final InvariantSet<BuddyAllocator> BUDDY = InvariantSet.of("frames/buddy",
            List.of(reserved1(), reserved2(), BUDDY_1, BUDDY_2, BUDDY_3, BUDDY_4, frame1(), frame2(), frame3()), String::valueOf);

    // ---- HYBRID-n ----

    public static final Invariant<HybridAllocator> HYBRID_1 = Invariant.of("HYBRID-1",
            "the bitmap manages [M.start, split), the buddy [split, M.end), each with the reserved regions clipped to its part", h -> {
                FrameRange m = h.managed();
                long split = h.split().number();
                Optional<FrameRange> bm = h.bitmapRange();
                Optional<FrameRange> bd = h.buddyRange();
                Optional<FrameRange> wantBm = split > m.start().number() ? Optional.of(FrameRange.of(m.start().number(), split - m.start().number())) : Optional.empty();
                Optional<FrameRange> wantBd = m.endNumber() > split ? Optional.of(FrameRange.of(split, m.endNumber() - split)) : Optional.empty();
                if (!bm.equals(wantBm) || !bd.equals(wantBd)) {
                    return broken("halves are bitmap %s, buddy %s; split frame#%d of %s wants bitmap %s, buddy %s", bm, bd, split, m, wantBm, wantBd);
                }
                if (h.bitmap().isPresent() && !h.bitmap().get().reserved().equals(HybridAllocator.clip(h.reserved(), wantBm.get()))) {
                    return broken("bitmap half reserves %s, not %s", h.bitmap().get().reserved(), HybridAllocator.clip(h.reserved(), wantBm.get()));
                }
                if (h.buddy().isPresent() && !h.buddy().get().reserved().equals(HybridAllocator.clip(h.reserved(), wantBd.get()))) {
                    return broken("buddy half reserves %s, not %s", h.buddy().get().reserved(), HybridAllocator.clip(h.reserved(), wantBd.get()));
                }
                return holds();
            });

    public static final Invariant<HybridAllocator> HYBRID_2 = Invariant.of("HYBRID-2",
            "the hybrid routes by the threshold: no live allocation of threshold frames or more lies in the bitmap half", h -> {
                if (h.bitmap().isEmpty()) {
                    return holds();
                }
                for (FrameRange r : h.bitmap().get().liveRuns()) {
                    if (r.count() >= h.threshold()) {
                        return broken("bitmap half holds live allocation %s of %d frames >= threshold %d", r, r.count(), h.threshold());
                    }
                }
                return holds();
            });

    public static final Invariant<HybridAllocator> HYBRID_3 = Invariant.of("HYBRID-3",
            "each half's stats agree with it: allocations - frees = live allocations, frames allocated - freed = frames held", h -> {
                for (HybridAllocator.Half half : HybridAllocator.Half.values()) {
                    List<FrameRange> live = half == HybridAllocator.Half.BITMAP
                            ? h.bitmap().map(BitmapAllocator::liveRuns).orElse(List.of())
                            : h.buddy().map(BuddyAllocator::liveRuns).orElse(List.of());
                    AllocationStats s = h.stats(half);
                    long frames = live.stream().mapToLong(FrameRange::count).sum();
                    if (s.liveAllocations() != live.size() || s.framesInUse() != frames) {
                        return broken("%s stats %s but it holds %d allocations of %d frames", half, s, live.size(), frames);
                    }
                }
                return holds();
            });

    public static final Invariant<HybridAllocator> HYBRID_4 = Invariant.of("HYBRID-4",
            "every live allocation below the threshold in the buddy half was counted as a fallback", h -> {
                if (h.buddy().isEmpty()) {
                    return holds();
                }
                long small = h.buddy().get().liveRuns().stream().filter(r -> r.count() < h.threshold()).count();
                return Invariant.require(h.stats(HybridAllocator.Half.BUDDY).fallbacks() >= small,
                        "buddy half holds %d allocations below the threshold but counted %d fallbacks", small,
                        h.stats(HybridAllocator.Half.BUDDY).fallbacks());
            });

    private static <T> Invariant<HybridAllocator> onHalf(Invariant<T> inv, String half, Function<HybridAllocator, Optional<T>> get) {
        return Invariant.of(inv.id(), inv.statement(), h -> get.apply(h).flatMap(inv::evaluate).map(v -> half + " half: " + v.detail()));
    }

    public static final InvariantSet<HybridAllocator> HYBRID = InvariantSet.of("frames/hybrid", List.of(
            reserved1(), HYBRID_1, reserved2(), HYBRID_2, HYBRID_3, HYBRID_4,
            onHalf(BITMAP_1, "bitmap", HybridAllocator::bitmap), onHalf(BITMAP_2, "bitmap", HybridAllocator::bitmap),
            onHalf(BITMAP_3, "bitmap", HybridAllocator::bitmap), onHalf(BITMAP_4, "bitmap", HybridAllocator::bitmap),
            onHalf(BUDDY_1, "buddy", HybridAllocator::buddy), onHalf(BUDDY_2, "buddy", HybridAllocator::buddy),
            onHalf(BUDDY_3, "buddy", HybridAllocator::buddy), onHalf(BUDDY_4, "buddy", HybridAllocator::buddy),
            frame1(), frame2(), frame3()), String::valueOf);
}
