package org.mmspec.zones;

import java.util.List;
import java.util.Optional;

import org.mmspec.frames.FrameRange;

/**
 * One memory zone: its type, its window, and the pool over the usable memory of the memory map
 * that falls in the window. A zone without usable memory exists (its window does) but is empty:
 * it has no pool and satisfies nothing.
 *
 * <p>Accounting: {@code allocatedFrames} counts the frames of live allocations this zone served;
 * ZONE-6 requires it to equal both the sum over the allocator's live allocations served here and
 * the pool's own count. The zone keeps no event counters: every field is a function of the live
 * allocations, so the reachable states of a bounded machine are finite and exhaustive
 * exploration terminates.
 */
public final class Zone {
    private final ZoneType type;
    private final FrameRange window;
    private final FramePool pool;
    long allocatedFrames;

    Zone(ZoneType type, FrameRange window, List<FrameRange> usable, AllocatorFactory factory) {
        this.type = type;
        this.window = window;
        this.pool = usable.isEmpty() ? null : new FramePool(usable, factory);
    }

    private Zone(Zone other) {
        this.type = other.type;
        this.window = other.window;
        this.pool = other.pool == null ? null : other.pool.copy();
        this.allocatedFrames = other.allocatedFrames;
    }

    Zone copy() {
        return new Zone(this);
    }

    /** The allocated count and the pool's state (a zone without usable memory has no pool), for a state codec. */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(allocatedFrames);
        if (pool != null) {
            pool.writeState(out);
        }
    }

    void readState(java.io.DataInput in) throws java.io.IOException {
        allocatedFrames = in.readLong();
        if (pool != null) {
            pool.readState(in);
        }
    }

    public ZoneType type() {
        return type;
    }

    /** The address window of the zone's type for the machine's word size. */
    public FrameRange window() {
        return window;
    }

    /** The zone's pool, empty when no usable memory lies in its window. */
    public Optional<FramePool> pool() {
        return Optional.ofNullable(pool);
    }

    public boolean isEmpty() {
        return pool == null;
    }

    /** The usable ranges of the zone, in order. */
    public List<FrameRange> usable() {
        return pool == null ? List.of() : pool.usable();
    }

    public long usableFrames() {
        return pool == null ? 0 : pool.usableFrames();
    }

    public long freeFrames() {
        return pool == null ? 0 : pool.freeFrames();
    }

    public long allocatedFrames() {
        return allocatedFrames;
    }

    Optional<FrameRange> tryAllocate(long frames, long alignFrames) {
        return pool == null ? Optional.empty() : pool.tryAllocate(frames, alignFrames);
    }

    /** The canonical state of the zone, for state keys. */
    Object key() {
        return List.of(type, pool == null ? List.of() : new java.util.TreeMap<>(pool.live()), allocatedFrames);
    }

    @Override
    public String toString() {
        return type + (pool == null ? " (empty)" : " " + pool) + " allocated " + allocatedFrames;
    }
}
