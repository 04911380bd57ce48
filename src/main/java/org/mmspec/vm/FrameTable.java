package org.mmspec.vm;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The per-frame state that address spaces share (Linux's {@code struct page} array): a
 * reference count for every frame some user page maps, and the simulated contents of physical
 * memory, one word per frame.
 *
 * <p>Encoding: {@code refs} maps a frame number to the number of present translations, across
 * every address space of the {@link VmSystem}, that point at it; a frame is in {@code refs}
 * exactly while it is allocated from the {@link FrameAllocator} for user memory. {@code memory}
 * maps a frame number to its contents and keeps stale contents after the frame is freed, as real
 * RAM does; this is what makes zeroing observable: a frame handed out again still holds its old
 * word until {@link #allocateZeroed} clears it.
 *
 * <p>Invariants (see {@link VmInvariants}): COW-1 (each count equals the mappings), XLAYER-1
 * (no counted frame is free in the allocator), XLAYER-2 (counted frames plus free frames are all
 * frames), SEC-1 (no mapping exposes old data).
 */
public final class FrameTable {
    private final FrameRange managed;
    private final ReferenceFrameAllocator allocator;
    private final TreeMap<Long, Integer> refs = new TreeMap<>();
    private final TreeMap<Long, Long> memory = new TreeMap<>();
    final VmSystem.Bug bug;

    /** Frames {@code managed}, handed out by a {@link ReferenceFrameAllocator}. */
    public FrameTable(FrameRange managed, VmSystem.Bug bug) {
        this.managed = managed;
        this.allocator = new ReferenceFrameAllocator(managed);
        this.bug = bug;
    }

    /** A deep copy, allocator included, for exhaustive exploration. */
    public FrameTable copy() {
        FrameTable c = new FrameTable(managed, bug);
        for (Map.Entry<Long, Long> live : allocator.live().entrySet()) {
            c.allocator.take(FrameRange.of(live.getKey(), live.getValue()));
        }
        c.refs.putAll(refs);
        c.memory.putAll(memory);
        return c;
    }

    public FrameAllocator allocator() {
        return allocator;
    }

    public FrameRange managed() {
        return managed;
    }

    /**
     * A fresh frame with reference count 1 and contents zero: the frame is cleared before reuse,
     * so whatever its previous owner wrote never reaches the new mapping.
     *
     * @throws VmError OUT_OF_MEMORY when no frame is free; nothing changes then
     */
    public PhysFrame allocateZeroed() {
        PhysFrame f;
        try {
            f = allocator.allocate();
        } catch (FrameError e) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "no free frame: %s", e.getMessage());
        }
        refs.put(f.number(), 1);
        if (bug != VmSystem.Bug.SKIP_ZEROING) {
            memory.put(f.number(), 0L);
        }
        return f;
    }

    /** One more mapping of {@code f} (fork, or a shared area). */
    public void share(PhysFrame f) {
        refs.merge(f.number(), 1, Integer::sum);
    }

    /** One mapping of {@code f} fewer; the last one frees the frame. */
    public void release(PhysFrame f) {
        int n = refs.get(f.number());
        if (n == 1) {
            refs.remove(f.number());
            if (bug != VmSystem.Bug.MUNMAP_LEAKS_FRAMES) {
                allocator.free(f);
            }
        } else {
            refs.put(f.number(), n - 1);
        }
    }

    public int refCount(PhysFrame f) {
        return refs.getOrDefault(f.number(), 0);
    }

    public long read(PhysFrame f) {
        return memory.getOrDefault(f.number(), 0L);
    }

    public void write(PhysFrame f, long value) {
        memory.put(f.number(), value);
    }

    /** Frame number to reference count, for every frame in use. */
    public SortedMap<Long, Integer> refs() {
        return Collections.unmodifiableSortedMap(refs);
    }

    public boolean isFree(PhysFrame f) {
        return allocator.isFree(f);
    }

    /** Test hook: sets a reference count directly, to show COW-1 catches a wrong count. */
    void corruptRefCount(PhysFrame f, int n) {
        refs.put(f.number(), n);
    }

    /** Test hook: the allocator takes a frame back although it stays mapped. */
    void corruptFreeInAllocator(PhysFrame f) {
        allocator.free(f);
    }

    /** Test hook: a frame leaves the allocator without anyone owning it. */
    PhysFrame corruptLeak() {
        return allocator.allocate();
    }

    /** Test hook: writes physical memory directly, as a stale previous owner would have. */
    void corruptMemory(PhysFrame f, long value) {
        memory.put(f.number(), value);
    }

    /**
     * Canonical value: counts, allocations, and all of memory, stale words of free frames
     * included, since they decide what a missing zeroing would expose later.
     */
    Object key() {
        return java.util.List.of(new TreeMap<>(refs), allocator.live().toString(), new TreeMap<>(memory));
    }

    @Override
    public String toString() {
        return "frames{refs=" + refs + ", free=" + allocator.freeFrames() + "}";
    }
}
