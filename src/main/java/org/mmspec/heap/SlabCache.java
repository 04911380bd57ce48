package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;

/**
 * The slab layer of one size class: the seed's {@code Slab} entry of {@code slabs: [Slab; 12]}.
 *
 * <p>Encoding: three lists of slabs, Linux-style. {@code partial} holds slabs with some but not
 * all objects free, {@code full} slabs with none free, {@code empty} slabs with all free; a slab
 * is on exactly one, the one its counts say (SLAB-5). Allocation takes from the most recently
 * touched partial slab (the list's end), then from an empty slab, then from a new slab built
 * from fresh frames. At most {@link HeapConfig#emptySlabsKept()} empty slabs stay; a slab that
 * becomes empty beyond that returns its frames to the frame allocator at once. Lists are
 * {@code ArrayList}s in a deterministic order so that exhaustive exploration sees one canonical
 * state.
 */
final class SlabCache {
    final SizeClass cls;
    final List<Slab> partial = new ArrayList<>();
    final List<Slab> full = new ArrayList<>();
    final List<Slab> empty = new ArrayList<>();

    SlabCache(SizeClass cls) {
        this.cls = cls;
    }

    List<Slab> list(Slab.ListKind k) {
        switch (k) {
            case PARTIAL:
                return partial;
            case FULL:
                return full;
            default:
                return empty;
        }
    }

    /** Moves {@code s} to the list its counts call for; a no-op when it is already there. */
    void relist(Slab s) {
        Slab.ListKind want = s.expectedList();
        if (want == s.list) {
            return;
        }
        list(s.list).remove(s);
        list(want).add(s);
        s.list = want;
    }

    /** Every slab, partial then full then empty. */
    List<Slab> all() {
        List<Slab> out = new ArrayList<>(partial);
        out.addAll(full);
        out.addAll(empty);
        return out;
    }

    long freeObjects() {
        long n = 0;
        for (Slab s : all()) {
            n += s.freeCount;
        }
        return n;
    }

    long totalObjects() {
        long n = 0;
        for (Slab s : all()) {
            n += s.capacity;
        }
        return n;
    }
}
