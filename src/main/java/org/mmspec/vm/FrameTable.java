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
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.PteFormat;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The per-frame state that address spaces share (Linux's {@code struct page} array): a
 * reference count for every frame some user page maps, the frame allocator, and the simulated
 * {@link PhysicalMemory} that holds both the page tables ({@code org.mmspec.paging.PageMapper})
 * and the user pages' data (a user page's word is the first word of its frame).
 *
 * <p>Encoding: {@code refs} maps a frame number to the number of present translations, across
 * every address space of the {@link VmSystem}, that point at it; a frame is in {@code refs}
 * exactly while it is allocated from the {@link FrameAllocator} for user memory (page-table
 * frames are allocated from the same allocator by each space's PageMapper, which owns them).
 * {@code memory} keeps stale contents after a frame is freed, as real RAM does; this is what
 * makes zeroing observable: a frame handed out again still holds its old data until
 * {@link #allocateZeroed} clears it.
 *
 * <p>Invariants (see {@link VmInvariants}): COW-1 (each count equals the mappings), XLAYER-1
 * (no counted frame is free in the allocator), XLAYER-2 (counted frames plus free frames are all
 * frames), SEC-1 (no mapping exposes old data).
 */
public final class FrameTable {
    private final FrameRange managed;
    private final ReferenceFrameAllocator allocator;
    private final TreeMap<Long, Integer> refs = new TreeMap<>();
    private final PhysicalMemory memory;
    /** The page cache of shared objects: "object#pageOffset" to frame; each entry holds one reference. */
    private final TreeMap<String, Long> cache = new TreeMap<>();
    /** Pages of areas, over all spaces, backed by each live shared object. */
    private final TreeMap<String, Long> objectPages = new TreeMap<>();
    private long nextObject = 1;
    private final PteFormat format;
    final VmSystem.Bug bug;
    /** Where freed frames go: the allocator at once, or a TLB shootdown that frees them after it completed. */
    private TlbPort port = TlbPort.DIRECT;

    /** Frames {@code managed}, handed out by a {@link ReferenceFrameAllocator}. */
    public FrameTable(FrameRange managed, VmSystem.Bug bug) {
        this(managed, bug, X86_64Pte.FORMAT);
    }

    /** Frames {@code managed} of a machine whose page tables have {@code format}. */
    public FrameTable(FrameRange managed, VmSystem.Bug bug, PteFormat format) {
        this.format = format;
        this.managed = managed;
        this.allocator = new ReferenceFrameAllocator(managed);
        this.memory = new PhysicalMemory();
        this.bug = bug;
    }

    private FrameTable(FrameTable o) {
        this.managed = o.managed;
        this.allocator = new ReferenceFrameAllocator(o.managed);
        for (Map.Entry<Long, Long> live : o.allocator.live().entrySet()) {
            allocator.take(FrameRange.of(live.getKey(), live.getValue()));
        }
        this.memory = o.memory.copy();
        this.bug = o.bug;
        this.format = o.format;
        this.refs.putAll(o.refs);
        this.cache.putAll(o.cache);
        this.objectPages.putAll(o.objectPages);
        this.nextObject = o.nextObject;
    }

    /** A deep copy, allocator included, for exhaustive exploration. */
    public FrameTable copy() {
        return new FrameTable(this);
    }

    /**
     * Writes what operations change, for a state codec: the allocator's free frames and live
     * runs, the reference counts, the memory, the page cache and object pages (name, frame), and
     * the next object number. Range, format, bug and TLB port are the configuration's.
     */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        allocator.writeState(out);
        writeMap(refs, (v, o) -> o.writeInt(v), out);
        memory.write(out);
        for (TreeMap<String, Long> m : java.util.List.of(cache, objectPages)) {
            out.writeInt(m.size());
            for (Map.Entry<String, Long> e : m.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
        }
        out.writeLong(nextObject);
    }

    /** Reads what {@link #writeState} wrote over this table's (a copy of one of the same configuration). */
    void readState(java.io.DataInput in) throws java.io.IOException {
        allocator.readState(in);
        refs.clear();
        for (int n = in.readInt(); n > 0; n--) {
            refs.put(in.readLong(), in.readInt());
        }
        memory.readState(in);
        for (TreeMap<String, Long> m : java.util.List.of(cache, objectPages)) {
            m.clear();
            for (int n = in.readInt(); n > 0; n--) {
                m.put(in.readUTF(), in.readLong());
            }
        }
        nextObject = in.readLong();
    }

    private static <V> void writeMap(TreeMap<Long, V> map, org.mmspec.check.Encoding.Writer<V> value, java.io.DataOutput out)
            throws java.io.IOException {
        out.writeInt(map.size());
        for (Map.Entry<Long, V> e : map.entrySet()) {
            out.writeLong(e.getKey());
            value.write(e.getValue(), out);
        }
    }

    /**
     * Routes this machine's TLB invalidations and freed frames through {@code p} (a multi-CPU
     * machine with a shootdown); a copy starts with {@link TlbPort#DIRECT} and must be attached again.
     */
    public void attach(TlbPort p) {
        this.port = java.util.Objects.requireNonNull(p);
    }

    /** The port frees and invalidations go through. */
    public TlbPort port() {
        return port;
    }

    /** The page-table format of this machine. */
    public PteFormat format() {
        return format;
    }

    /** Physical memory: page tables and user data. */
    public PhysicalMemory memory() {
        return memory;
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
        PhysFrame f = allocateFrame();
        zero(f);
        return f;
    }

    /** Clears {@code f} (unless the SKIP_ZEROING bug is seeded). */
    public void zero(PhysFrame f) {
        if (bug != VmSystem.Bug.SKIP_ZEROING) {
            memory.zero(new FrameRange(f, 1));
        }
    }

    /**
     * A fresh frame with reference count 1, not yet cleared: the caller clears it (or copies over
     * it) once the operation can no longer fail, so a failed operation leaves memory as it was.
     *
     * @throws VmError OUT_OF_MEMORY when no frame is free; nothing changes then
     */
    public PhysFrame allocateFrame() {
        PhysFrame f;
        try {
            f = allocator.allocate();
        } catch (FrameError e) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "no free frame: %s", e.getMessage());
        }
        refs.put(f.number(), 1);
        return f;
    }

    /**
     * A fresh, naturally aligned run of {@code count} frames (a power of two: the frame
     * allocator's higher order), each with reference count 1 and not yet cleared. The run is then
     * split into single-frame allocations, as Linux's {@code split_page} does for a THP, so that
     * each 4 KiB frame can later be released on its own when the huge page is split.
     *
     * @throws VmError OUT_OF_MEMORY when no such run is free; nothing changes then
     */
    public FrameRange allocateHugeRun(long count) {
        FrameRange run;
        try {
            run = allocator.allocate(count, count);
        } catch (FrameError e) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "no free aligned run of %d frames: %s", count, e.getMessage());
        }
        allocator.free(run);
        for (long f = run.start().number(); f < run.endNumber(); f++) {
            allocator.take(new FrameRange(PhysFrame.of(f), 1));
            refs.put(f, 1);
        }
        return run;
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
                port.freeFrame(f, allocator);
            }
        } else {
            refs.put(f.number(), n - 1);
        }
    }

    public int refCount(PhysFrame f) {
        return refs.getOrDefault(f.number(), 0);
    }

    /** The word a user page backed by {@code f} shows (the frame's first word). */
    public long read(PhysFrame f) {
        return memory.read64(f.start());
    }

    public void write(PhysFrame f, long value) {
        memory.write64(f.start(), value);
    }

    /** Frame number to reference count, for every frame in use. */
    public SortedMap<Long, Integer> refs() {
        return Collections.unmodifiableSortedMap(refs);
    }

    public boolean isFree(PhysFrame f) {
        return allocator.isFree(f);
    }

    // ---- shared objects (shmem for MAP_SHARED|MAP_ANONYMOUS, files for MAP_SHARED): the page cache

    /** How the name of every shared anonymous (shmem) object begins. */
    static final String SHMEM_PREFIX = "/dev/zero (deleted)#";

    /** A name for a fresh shared anonymous object, unique for this system's lifetime. */
    String newShmemName() {
        return SHMEM_PREFIX + nextObject++;
    }

    /** The cached frame holding page {@code pgoff} of {@code object}, if any. */
    public java.util.Optional<PhysFrame> cached(String object, long pgoff) {
        Long f = cache.get(object + "#" + pgoff);
        return f == null ? java.util.Optional.empty() : java.util.Optional.of(PhysFrame.of(f));
    }

    /** Puts {@code f} into the page cache; the cache takes a reference of its own. */
    void insertCached(String object, long pgoff, PhysFrame f) {
        cache.put(object + "#" + pgoff, f.number());
        share(f);
    }

    /** {@code delta} more (or fewer) area pages back {@code object}; at zero the object dies with its cached pages. */
    void objectPages(String object, long delta) {
        long n = objectPages.getOrDefault(object, 0L) + delta;
        if (n > 0) {
            objectPages.put(object, n);
            return;
        }
        objectPages.remove(object);
        String prefix = object + "#";
        for (java.util.Map.Entry<String, Long> e : new TreeMap<>(cache.subMap(prefix, prefix + Character.MAX_VALUE)).entrySet()) {
            cache.remove(e.getKey());
            release(PhysFrame.of(e.getValue()));
        }
    }

    /** Frame numbers the page cache holds. */
    public java.util.Set<Long> cachedFrames() {
        return new java.util.TreeSet<>(cache.values());
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
        memory.write64(f.start(), value);
    }

    /**
     * Canonical value: counts, allocations, and all of memory, stale words of free frames
     * included, since they decide what a missing zeroing would expose later.
     */
    Object key() {
        return java.util.List.of(new TreeMap<>(refs), allocator.live().toString(), memory.snapshot(),
                new TreeMap<>(cache), new TreeMap<>(objectPages), nextObject);
    }

    @Override
    public String toString() {
        return "frames{refs=" + refs + ", free=" + allocator.freeFrames() + "}";
    }
}
