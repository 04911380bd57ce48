package org.mmspec.frames;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The trivially correct frame allocator that model-based comparisons check the real allocators
 * against: a set of free frame numbers and a map of live allocations, searched first-fit.
 *
 * <p>Encoding: {@code free} holds every free frame number of {@code managed}; {@code live} maps
 * the first frame of each allocation to its length. Reserved frames are in neither. It is slow on
 * purpose: every operation is a plain set operation a reader can check at a glance.
 */
public final class ReferenceFrameAllocator implements FrameAllocator {
    private final FrameRange managed;
    private final long reservedFrames;
    private final TreeSet<Long> free = new TreeSet<>();
    private final TreeMap<Long, Long> live = new TreeMap<>();

    /** Manages {@code managed}; frames inside {@code reserved} ranges are never handed out. */
    public ReferenceFrameAllocator(FrameRange managed, Iterable<FrameRange> reserved) {
        this.managed = Objects.requireNonNull(managed);
        for (long f = managed.start().number(); f < managed.endNumber(); f++) {
            free.add(f);
        }
        long before = free.size();
        for (FrameRange r : reserved) {
            for (long f = r.start().number(); f < r.endNumber(); f++) {
                free.remove(f);
            }
        }
        this.reservedFrames = before - free.size();
    }

    public ReferenceFrameAllocator(FrameRange managed) {
        this(managed, java.util.List.of());
    }

    private ReferenceFrameAllocator(ReferenceFrameAllocator o) {
        this.managed = o.managed;
        this.reservedFrames = o.reservedFrames;
        this.free.addAll(o.free);
        this.live.putAll(o.live);
    }

    /** A deep copy. */
    public ReferenceFrameAllocator copy() {
        return new ReferenceFrameAllocator(this);
    }

    /** Writes the free frames and the live runs (start, length), for a state codec. */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeLongs(free.stream().mapToLong(Long::longValue).toArray(), out);
        out.writeInt(live.size());
        for (java.util.Map.Entry<Long, Long> e : live.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    /** Reads what {@link #writeState} wrote over this allocator's (one over the same frames). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        free.clear();
        for (long f : org.mmspec.check.Encoding.readLongs(in)) {
            free.add(f);
        }
        live.clear();
        for (int n = in.readInt(); n > 0; n--) {
            live.put(in.readLong(), in.readLong());
        }
    }

    /** First fit: the lowest run of {@code count} free frames. */
    @Override
    public FrameRange allocate(long count) {
        return allocateAligned(count, 1);
    }

    /**
     * The lowest run of {@code count} free frames whose first frame number is a multiple of
     * {@code alignFrames}: ZERO_SIZE, then MISALIGNED (not a power of two), then IMPOSSIBLE_SIZE
     * (larger than managed memory), then OUT_OF_MEMORY.
     */
    @Override
    public FrameRange allocate(long count, long alignFrames) {
        return allocateAligned(count, alignFrames);
    }

    /** The lowest run of {@code count} free frames whose first frame number is a multiple of {@code align}. */
    public FrameRange allocateAligned(long count, long align) {
        FrameAllocator.requireValidRequest("reference", count, align);
        if (count > managed.count()) {
            throw FrameError.of(FrameError.Kind.IMPOSSIBLE_SIZE, "allocate(%d): larger than managed %s", count, managed);
        }
        long start = lowestRun(count, align);
        if (start >= 0) {
            FrameRange run = FrameRange.of(start, count);
            take(run);
            return run;
        }
        throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "allocate(%d): no free run", count);
    }

    /** Whether some run of {@code count} free frames starts at a multiple of {@code align}. */
    public boolean hasRun(long count, long align) {
        return lowestRun(count, align) >= 0;
    }

    /**
     * The lowest aligned start of a run of {@code count} free frames, or -1: one pass over the
     * free set, keeping the lowest aligned frame of the current run of consecutive free frames.
     * The first window found to be complete ends lowest, so it also starts lowest.
     */
    private long lowestRun(long count, long align) {
        long runStart = -1;
        long prev = -2;
        for (long f : free) {
            if (f != prev + 1) {
                runStart = f;
            }
            prev = f;
            long candidate = Math.floorDiv(runStart + align - 1, align) * align;
            if (f - candidate + 1 >= count) {
                return candidate;
            }
        }
        return -1;
    }

    /** Marks exactly {@code run} allocated; every frame in it must be free. */
    public void take(FrameRange run) {
        if (!isFree(run.start().number(), run.count())) {
            throw FrameError.of(FrameError.Kind.NOT_ALLOCATED, "take(%s): not all free", run);
        }
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            free.remove(f);
        }
        live.put(run.start().number(), run.count());
    }

    @Override
    public void free(FrameRange run) {
        Long len = live.get(run.start().number());
        if (len == null || len != run.count()) {
            throw FrameError.of(isFree(run.start().number(), 1) ? FrameError.Kind.DOUBLE_FREE : FrameError.Kind.NOT_ALLOCATED,
                    "free(%s): not a live allocation", run);
        }
        live.remove(run.start().number());
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            free.add(f);
        }
    }

    public boolean isFree(long start, long count) {
        if (start < managed.start().number() || start + count > managed.endNumber()) {
            return false;
        }
        NavigableSet<Long> sub = free.subSet(start, true, start + count - 1, true);
        return sub.size() == count;
    }

    @Override
    public boolean isFree(PhysFrame f) {
        return free.contains(f.number());
    }

    @Override
    public boolean tracksFreeFrames() {
        return true;
    }

    /** The live allocations, first frame to length. */
    public Map<Long, Long> live() {
        return Collections.unmodifiableMap(live);
    }

    /** The free frame numbers. */
    public NavigableSet<Long> freeSet() {
        return Collections.unmodifiableNavigableSet(free);
    }

    @Override
    public long freeFrames() {
        return free.size();
    }

    @Override
    public long managedFrames() {
        return managed.count();
    }

    public long reservedFrames() {
        return reservedFrames;
    }

    @Override
    public String toString() {
        return "Reference{managed=" + managed + ", free=" + free.size() + ", live=" + live + "}";
    }
}
