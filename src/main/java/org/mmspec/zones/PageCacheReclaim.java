package org.mmspec.zones;

import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

import org.mmspec.frames.FrameRange;

/**
 * A reclaim hook modelling a page cache: the caller marks some of its allocations as cache
 * (clean pages it can drop), and reclaim frees them.
 *
 * <p>Encoding: {@code cached} holds the runs marked reclaimable, ordered by first frame. On
 * reclaim the hook frees, lowest first, the cached runs that lie in one of the request's allowed
 * zones, until it has freed at least the requested number of frames or has none left. Dropping
 * lowest-first (rather than least-recently-used) keeps the hook a function of its set, so the
 * exhaustive explorer can treat it as part of the state.
 */
public final class PageCacheReclaim implements ReclaimHook {
    private final TreeSet<FrameRange> cached = new TreeSet<>();

    public PageCacheReclaim() {
    }

    private PageCacheReclaim(PageCacheReclaim other) {
        cached.addAll(other.cached);
    }

    public PageCacheReclaim copy() {
        return new PageCacheReclaim(this);
    }

    /** Writes the cached runs (start, length), for a state codec. */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeList(List.copyOf(cached), ZoneCodec::writeRun, out);
    }

    /** Reads what {@link #writeState} wrote over these runs. */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        cached.clear();
        cached.addAll(org.mmspec.check.Encoding.readList(ZoneCodec::readRun, in));
    }

    /** Marks a live allocation as reclaimable cache. */
    public void add(FrameRange run) {
        cached.add(run);
    }

    /** Unmarks a run (the caller freed it itself). */
    public boolean remove(FrameRange run) {
        return cached.remove(run);
    }

    public NavigableSet<FrameRange> cached() {
        return Collections.unmodifiableNavigableSet(cached);
    }

    @Override
    public long reclaim(ZoneAllocator allocator, ZoneRequest request, List<ZoneType> zones) {
        long freed = 0;
        for (FrameRange run : List.copyOf(cached)) {
            if (freed >= request.frames()) {
                break;
            }
            boolean inAllowed = allocator.zoneContaining(run.start()).map(z -> zones.contains(z.type())).orElse(false);
            if (inAllowed) {
                allocator.free(run);
                cached.remove(run);
                freed += run.count();
            }
        }
        return freed;
    }

    @Override
    public String toString() {
        return "cache " + cached;
    }
}
