package org.mmspec.zones;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.FrameRange;

/**
 * What the checks drive: a {@link ZoneAllocator} together with the {@link PageCacheReclaim} hook
 * its reclaim calls, which holds the caller's reclaimable allocations. The zone invariants are
 * stated over the allocator; {@link #INVARIANTS} lifts them, IDs unchanged.
 */
public final class ZoneSystem {
    final ZoneAllocator zones;
    final PageCacheReclaim cache;

    ZoneSystem(ZoneAllocator zones, PageCacheReclaim cache) {
        this.zones = zones;
        this.cache = cache;
        zones.reclaimHook(cache);
    }

    /** A fresh system whose zones allocate from {@code factory}'s allocators; {@code bug} seeds a defect. */
    static ZoneSystem of(WordSize word, List<FrameRange> map, ZoneAllocator.Bug bug, AllocatorFactory factory) {
        return of(word, map, FallbackOrder.standard(word), bug, factory);
    }

    /** A fresh system over {@code map} with the fallback matrix {@code fallback}, as the constructor checks them. */
    static ZoneSystem of(WordSize word, List<FrameRange> map, FallbackOrder fallback, ZoneAllocator.Bug bug,
            AllocatorFactory factory) {
        return new ZoneSystem(new ZoneAllocator(word, map, fallback, factory, bug), new PageCacheReclaim());
    }

    ZoneSystem copy() {
        PageCacheReclaim c = cache.copy();
        return new ZoneSystem(zones.copy(c), c);
    }

    public ZoneAllocator allocator() {
        return zones;
    }

    public PageCacheReclaim cache() {
        return cache;
    }

    Object key() {
        return List.of(zones.key(), new ArrayList<>(cache.cached()));
    }

    /** Frees a live allocation on the caller's behalf, dropping it from the cache too. */
    void free(FrameRange run) {
        zones.free(run);
        cache.remove(run);
    }

    @Override
    public String toString() {
        return zones + "\n  " + cache;
    }

    /** The zone invariants over a system. */
    public static final InvariantSet<ZoneSystem> INVARIANTS = lift(ZoneInvariants.ALL);

    private static InvariantSet<ZoneSystem> lift(InvariantSet<ZoneAllocator> set) {
        List<Invariant<ZoneSystem>> out = new ArrayList<>();
        for (Invariant<ZoneAllocator> inv : set.invariants()) {
            out.add(Invariant.of(inv.id(), inv.statement(),
                    s -> inv.evaluate(s.zones).map(v -> v.detail())));
        }
        return InvariantSet.of(set.component(), out, ZoneSystem::toString);
    }
}
