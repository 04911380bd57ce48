package org.mmspec.heap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

/**
 * The heap's invariants, stated over a quiescent {@link SlabAllocator} (no operation in
 * flight). IDs are defined in {@code spec/heap.md}: SLAB-n for the slab layer and per-CPU caches,
 * LARGE-n for the LinkedListAllocator, HEAP-n for the heap as a whole.
 */
public final class HeapInvariants {
    private HeapInvariants() {
    }

    // ------------------------------------------------------------------ slab layer

    /** SLAB-1: no object is both free (on its slab's free list or in a per-CPU cache) and allocated (in the live table). */
    public static final Invariant<SlabAllocator> SLAB_1 = Invariant.of("SLAB-1",
            "no object is both free and allocated", h -> {
                for (long obj : h.freeSlabObjects()) {
                    if (h.live.containsKey(obj)) {
                        return broken("object 0x%x is free and also live as %s", obj, h.live.get(obj));
                    }
                }
                return holds();
            });

    /** SLAB-2: every object lies inside its slab's frames and is aligned to its class; slab runs are disjoint. */
    public static final Invariant<SlabAllocator> SLAB_2 = Invariant.of("SLAB-2",
            "objects lie inside their slab and are aligned to their class", h -> {
                long prevEnd = -1;
                for (Slab s : h.slabsByStart.values()) {
                    long size = s.cls.bytes();
                    if (s.base % size != 0) {
                        return broken("slab %s: base 0x%x is not %d-aligned", s.describe(), s.base, size);
                    }
                    if (s.base < s.runStart() || s.base + s.capacity * size > s.runEnd()) {
                        return broken("slab %s: objects [0x%x, 0x%x) leave the run %s", s.describe(), s.base,
                                s.base + s.capacity * size, s.run);
                    }
                    if (s.runStart() < prevEnd) {
                        return broken("slab %s overlaps the slab before it", s.describe());
                    }
                    prevEnd = s.runEnd();
                }
                for (int cpu = 0; cpu < h.mags.length; cpu++) {
                    for (SizeClass c : SizeClass.values()) {
                        CpuCache m = h.mags[cpu][c.ordinal()];
                        for (int k = 0; k < m.count; k++) {
                            Slab s = slabOf(h, m.objs[k]);
                            if (s == null || s.cls != c || s.indexOf(m.objs[k]) < 0 || s.object(s.indexOf(m.objs[k])) != m.objs[k]) {
                                return broken("cpu %d's %s cache holds 0x%x, not the start of a %s object", cpu, c.label(),
                                        m.objs[k], c.label());
                            }
                        }
                    }
                }
                return holds();
            });

    /** SLAB-3: each slab's free count matches its free list: distinct in-range indices, mirrored exactly by the free marks. */
    public static final Invariant<SlabAllocator> SLAB_3 = Invariant.of("SLAB-3",
            "free counts match the free structure", h -> {
                for (Slab s : h.slabsByStart.values()) {
                    if (s.freeCount < 0 || s.freeCount > s.capacity) {
                        return broken("slab %s: free count %d outside [0, %d]", s.describe(), s.freeCount, s.capacity);
                    }
                    boolean[] seen = new boolean[s.capacity];
                    for (int k = 0; k < s.freeCount; k++) {
                        int i = s.freeStack[k];
                        if (i < 0 || i >= s.capacity || seen[i]) {
                            return broken("slab %s: free list entry %d is out of range or repeated", s.describe(), i);
                        }
                        seen[i] = true;
                    }
                    for (int i = 0; i < s.capacity; i++) {
                        if (seen[i] != s.onFree[i]) {
                            return broken("slab %s: object %d is %s the free list but marked %s", s.describe(), i,
                                    seen[i] ? "on" : "off", s.onFree[i] ? "free" : "allocated");
                        }
                    }
                }
                return holds();
            });

    /** SLAB-4: an object in a per-CPU cache is not also on its slab's free list, and is in one cache, once. */
    public static final Invariant<SlabAllocator> SLAB_4 = Invariant.of("SLAB-4",
            "an object in a per-CPU cache is not also on its slab's free list, nor cached twice", h -> {
                Map<Long, String> where = new HashMap<>();
                for (int cpu = 0; cpu < h.mags.length; cpu++) {
                    for (SizeClass c : SizeClass.values()) {
                        CpuCache m = h.mags[cpu][c.ordinal()];
                        for (int k = 0; k < m.count; k++) {
                            String here = "cpu " + cpu + " " + c.label() + " cache";
                            String before = where.put(m.objs[k], here);
                            if (before != null) {
                                return broken("object 0x%x is cached twice: in %s and in %s", m.objs[k], before, here);
                            }
                            Slab s = slabOf(h, m.objs[k]);
                            int i = s == null ? -1 : s.indexOf(m.objs[k]);
                            if (i >= 0 && s.onFree[i]) {
                                return broken("object 0x%x is in %s and on its slab's free list", m.objs[k], here);
                            }
                        }
                    }
                }
                return holds();
            });

    /** SLAB-5: each slab is on exactly one list of its own class, the one its counts call for. */
    public static final Invariant<SlabAllocator> SLAB_5 = Invariant.of("SLAB-5",
            "slab state (partial, full, empty) matches its counts", h -> {
                Map<Slab, Boolean> listed = new IdentityHashMap<>();
                for (SlabCache sc : h.caches) {
                    for (Slab.ListKind lk : Slab.ListKind.values()) {
                        for (Slab s : sc.list(lk)) {
                            if (listed.put(s, true) != null) {
                                return broken("slab %s is on two lists", s.describe());
                            }
                            if (s.cls != sc.cls) {
                                return broken("slab %s is listed under class %s", s.describe(), sc.cls.label());
                            }
                            if (s.list != lk || s.expectedList() != lk) {
                                return broken("slab %s with %d of %d free is on the %s list", s.describe(), s.freeCount,
                                        s.capacity, lk);
                            }
                        }
                    }
                }
                for (Slab s : h.slabsByStart.values()) {
                    if (!listed.containsKey(s)) {
                        return broken("slab %s is registered but on no list", s.describe());
                    }
                }
                if (listed.size() != h.slabsByStart.size()) {
                    return broken("%d slabs listed but %d registered for pointer lookup", listed.size(), h.slabsByStart.size());
                }
                return holds();
            });

    /** SLAB-6: no object is lost: every object is on its slab's free list, in a per-CPU cache, or live. */
    public static final Invariant<SlabAllocator> SLAB_6 = Invariant.of("SLAB-6",
            "every slab object is free in its slab, cached, or live: none is lost", h -> {
                Set<Long> cached = new HashSet<>();
                for (CpuCache[] row : h.mags) {
                    for (CpuCache m : row) {
                        for (int k = 0; k < m.count; k++) {
                            cached.add(m.objs[k]);
                        }
                    }
                }
                for (Slab s : h.slabsByStart.values()) {
                    for (int i = 0; i < s.capacity; i++) {
                        long obj = s.object(i);
                        if (!s.onFree[i] && !cached.contains(obj) && !h.live.containsKey(obj)) {
                            return broken("object 0x%x (%s slab at 0x%x, index %d) is neither free, cached nor live",
                                    obj, s.cls.label(), s.base, i);
                        }
                    }
                }
                return holds();
            });

    /** SLAB-7: per-CPU caches stay within capacity, and each class keeps at most its reserve of empty slabs. */
    public static final Invariant<SlabAllocator> SLAB_7 = Invariant.of("SLAB-7",
            "per-CPU caches hold at most their capacity; at most emptySlabsKept empty slabs per class", h -> {
                for (int cpu = 0; cpu < h.mags.length; cpu++) {
                    for (SizeClass c : SizeClass.values()) {
                        CpuCache m = h.mags[cpu][c.ordinal()];
                        if (m.count < 0 || m.count > h.config.magazineCapacity()) {
                            return broken("cpu %d's %s cache holds %d of %d", cpu, c.label(), m.count, h.config.magazineCapacity());
                        }
                    }
                }
                for (SlabCache sc : h.caches) {
                    if (sc.empty.size() > h.config.emptySlabsKept()) {
                        return broken("class %s keeps %d empty slabs, more than %d", sc.cls.label(), sc.empty.size(),
                                h.config.emptySlabsKept());
                    }
                }
                return holds();
            });

    // ------------------------------------------------------------------ large allocator

    /** LARGE-1: free blocks are sorted, disjoint, and whole granules. */
    public static final Invariant<SlabAllocator> LARGE_1 = Invariant.of("LARGE-1",
            "free blocks are sorted, disjoint and multiples of the granule", h -> {
                long prevEnd = -1;
                for (Map.Entry<Long, Long> e : h.large.free.entrySet()) {
                    if (e.getValue() <= 0 || e.getValue() % LinkedListAllocator.GRANULE != 0
                            || e.getKey() % LinkedListAllocator.GRANULE != 0) {
                        return broken("free block 0x%x+0x%x is not whole granules", e.getKey(), e.getValue());
                    }
                    if (e.getKey() < prevEnd) {
                        return broken("free block 0x%x overlaps the block before it (ends 0x%x)", e.getKey(), prevEnd);
                    }
                    prevEnd = e.getKey() + e.getValue();
                }
                return holds();
            });

    /** LARGE-2: no two free blocks are adjacent: coalescing is maximal. */
    public static final Invariant<SlabAllocator> LARGE_2 = Invariant.of("LARGE-2",
            "free blocks are never adjacent (coalescing is maximal)", h -> {
                Map.Entry<Long, Long> prev = null;
                for (Map.Entry<Long, Long> e : h.large.free.entrySet()) {
                    if (prev != null && prev.getKey() + prev.getValue() == e.getKey()) {
                        return broken("free blocks 0x%x+0x%x and 0x%x+0x%x touch but were not coalesced", prev.getKey(),
                                prev.getValue(), e.getKey(), e.getValue());
                    }
                    prev = e;
                }
                return holds();
            });

    /** LARGE-3: free plus allocated bytes equal the bytes of the arenas. */
    public static final Invariant<SlabAllocator> LARGE_3 = Invariant.of("LARGE-3",
            "free plus allocated bytes equal the managed bytes", h -> {
                long free = LinkedListAllocator.sum(h.large.free);
                long used = LinkedListAllocator.sum(h.large.used);
                long managed = h.large.managedBytes();
                return Invariant.require(free + used == managed, "free 0x%x + used 0x%x != managed 0x%x", free, used, managed);
            });

    /** LARGE-4: free and allocated blocks are pairwise disjoint and lie inside the arenas. */
    public static final Invariant<SlabAllocator> LARGE_4 = Invariant.of("LARGE-4",
            "free and allocated blocks are disjoint and lie inside the arenas", h -> {
                TreeMap<Long, Long> all = new TreeMap<>();
                for (Map<Long, Long> m : List.of(h.large.free, h.large.used)) {
                    for (Map.Entry<Long, Long> e : m.entrySet()) {
                        if (all.put(e.getKey(), e.getValue()) != null) {
                            return broken("two blocks start at 0x%x", e.getKey());
                        }
                    }
                }
                long prevEnd = -1;
                for (Map.Entry<Long, Long> e : all.entrySet()) {
                    if (e.getKey() < prevEnd) {
                        return broken("block 0x%x+0x%x overlaps the block before it", e.getKey(), e.getValue());
                    }
                    prevEnd = e.getKey() + e.getValue();
                    if (!insideArenas(h.large, e.getKey(), prevEnd)) {
                        return broken("block 0x%x+0x%x leaves the arenas", e.getKey(), e.getValue());
                    }
                }
                return holds();
            });

    /** LARGE-5: no arena is wholly free: an arena that becomes free is returned to the frame allocator. */
    public static final Invariant<SlabAllocator> LARGE_5 = Invariant.of("LARGE-5",
            "no arena lies wholly inside a free block (empty arenas go back to the frame allocator)", h -> {
                for (Map.Entry<Long, FrameRange> a : h.large.arenas.entrySet()) {
                    long f = h.large.freeContaining(a.getKey());
                    if (f >= 0 && f + h.large.free.get(f) >= a.getKey() + a.getValue().bytes()) {
                        return broken("arena %s at 0x%x is wholly free but still held", a.getValue(), a.getKey());
                    }
                }
                return holds();
            });

    // ------------------------------------------------------------------ heap-wide

    /** HEAP-1: every frame run the heap holds is exactly one slab's run or one arena; runs are disjoint. */
    public static final Invariant<SlabAllocator> HEAP_1 = Invariant.of("HEAP-1",
            "every frame the heap holds is accounted for by exactly one slab or arena", h -> {
                Map<Long, String> owners = new TreeMap<>();
                for (Slab s : h.slabsByStart.values()) {
                    owners.put(s.run.start().number(), "slab " + s.describe());
                }
                for (FrameRange r : h.large.arenas.values()) {
                    if (owners.put(r.start().number(), "arena " + r) != null) {
                        return broken("run at %s belongs to a slab and an arena", r);
                    }
                }
                for (Map.Entry<Long, FrameRange> e : h.ledger.held.entrySet()) {
                    if (owners.remove(e.getKey()) == null) {
                        return broken("frames %s are held by the heap but belong to no slab or arena", e.getValue());
                    }
                }
                if (!owners.isEmpty()) {
                    return broken("%s not in the heap's frame ledger", owners.values());
                }
                long prevEnd = -1;
                for (FrameRange r : h.ledger.held.values()) {
                    if (r.start().number() < prevEnd) {
                        return broken("held runs overlap at %s", r);
                    }
                    prevEnd = r.endNumber();
                }
                return holds();
            });

    /** HEAP-2: the live table and the allocators agree on what is allocated. */
    public static final Invariant<SlabAllocator> HEAP_2 = Invariant.of("HEAP-2",
            "every live allocation is an allocated slab object or large block of its size, and vice versa", h -> {
                long guard = h.config.debug().guardBytes();
                for (Map.Entry<Long, Allocation> e : h.live.entrySet()) {
                    Allocation a = e.getValue();
                    long off = e.getKey();
                    if (a.addr().offset() != off || a.requested() < 1 || a.requested() + guard > a.blockBytes()) {
                        return broken("live entry 0x%x: %s is malformed", off, a);
                    }
                    if (a.isLarge()) {
                        Long len = h.large.used.get(off);
                        if (len == null || len != a.blockBytes()) {
                            return broken("live large %s is not an allocated block of 0x%x bytes", a, a.blockBytes());
                        }
                    } else {
                        Slab s = slabOf(h, off);
                        int i = s == null ? -1 : s.indexOf(off);
                        if (i < 0 || s.cls != a.sizeClass() || s.object(i) != off || s.onFree[i]
                                || SizeClass.fitting(a.requested() + guard) != a.sizeClass()) {
                            return broken("live %s is not an allocated %s object of its class", a,
                                    a.sizeClass().label());
                        }
                    }
                }
                for (Map.Entry<Long, Long> u : h.large.used.entrySet()) {
                    Allocation a = h.live.get(u.getKey());
                    if (a == null || !a.isLarge()) {
                        return broken("large block 0x%x+0x%x is allocated but not in the live table", u.getKey(), u.getValue());
                    }
                }
                return holds();
            });

    /** HEAP-3: releasing every allocation, draining every CPU and shrinking returns every frame. */
    public static final Invariant<SlabAllocator> HEAP_3 = Invariant.of("HEAP-3",
            "releasing every allocation returns every frame (no leaks)", h -> {
                DetachedFrames sink = new DetachedFrames();
                // The trial runs the correct code: HEAP-3 is a property of the state (nothing in it
                // is leaked), so that a seeded bug shows up as the structural invariant it breaks.
                SlabAllocator c = h.copy(sink, Bug.NONE);
                for (Allocation a : c.liveAllocations()) {
                    try {
                        c.release(a);
                    } catch (HeapError e) {
                        return broken("releasing %s failed: %s", a, e.getMessage());
                    }
                }
                c.drainAll();
                c.shrink();
                if (!c.ledger.held.isEmpty()) {
                    return broken("after releasing everything the heap still holds %s", c.ledger.held.values());
                }
                long returned = sink.returned;
                long held = h.ledger.heldFrames();
                return Invariant.require(returned == held, "released %d frames but held %d", returned, held);
            });

    /** HEAP-4: the frame allocator lost exactly the frames the heap holds (the heap being its only client). */
    public static final Invariant<SlabAllocator> HEAP_4 = Invariant.of("HEAP-4",
            "the frame allocator's free frames plus the heap's held frames equal its free frames at the start", h -> {
                long free = h.ledger.frames.freeFrames();
                long held = h.ledger.heldFrames();
                return Invariant.require(free + held == h.ledger.freeAtStart, "free %d + held %d != %d at the start",
                        free, held, h.ledger.freeAtStart);
            });

    /** The slab invariants. */
    public static final InvariantSet<SlabAllocator> SLAB = InvariantSet.of("slab", SLAB_1, SLAB_2, SLAB_3, SLAB_4,
            SLAB_5, SLAB_6, SLAB_7);
    /** The large-allocator invariants. */
    public static final InvariantSet<SlabAllocator> LARGE = InvariantSet.of("large", LARGE_1, LARGE_2, LARGE_3, LARGE_4,
            LARGE_5);
    /** Every heap invariant: SLAB, LARGE and HEAP. */
    public static final InvariantSet<SlabAllocator> ALL = InvariantSet.of("heap", List.of(SLAB_1, SLAB_2, SLAB_3, SLAB_4,
            SLAB_5, SLAB_6, SLAB_7, LARGE_1, LARGE_2, LARGE_3, LARGE_4, LARGE_5, HEAP_1, HEAP_2, HEAP_3, HEAP_4),
            SlabAllocator::stateKey);

    static Slab slabOf(SlabAllocator h, long off) {
        Map.Entry<Long, Slab> e = h.slabsByStart.floorEntry(off);
        return e != null && off < e.getValue().runEnd() ? e.getValue() : null;
    }

    private static boolean insideArenas(LinkedListAllocator l, long start, long end) {
        long cursor = start;
        while (cursor < end) {
            Map.Entry<Long, FrameRange> a = l.arenas.floorEntry(cursor);
            if (a == null || cursor >= a.getKey() + a.getValue().bytes()) {
                return false;
            }
            cursor = a.getKey() + a.getValue().bytes();
        }
        return true;
    }

    /** Where HEAP-3's trial release sends frames: accepts every free, refuses every allocation. */
    static final class DetachedFrames implements FrameAllocator {
        long returned;

        @Override
        public FrameRange allocate(long count) {
            throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "a trial release never allocates");
        }

        @Override
        public void free(FrameRange run) {
            returned += run.count();
        }

        @Override
        public long freeFrames() {
            return returned;
        }

        @Override
        public long managedFrames() {
            return PhysFrame.LIMIT;
        }
    }

    /** Collects every violation's ID; handy in tests. */
    public static List<String> brokenIds(InvariantSet<SlabAllocator> set, SlabAllocator h) {
        List<String> out = new ArrayList<>();
        set.violations(h).forEach(v -> out.add(v.invariantId()));
        return out;
    }
}
