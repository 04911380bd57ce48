package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * The kernel heap: the seed's {@code SlabAllocator { slabs: [Slab; 12], large_allocator:
 * LinkedListAllocator }}, with per-CPU caches in front of every size class.
 *
 * <p><b>Layers.</b> A request of {@code n} bytes (plus {@link HeapDebugOptions#RED_ZONE_MIN}
 * guard bytes when red zones are on) goes to the smallest {@link SizeClass} that holds it, or,
 * above 16 KiB, to the {@link LinkedListAllocator}. A slab request is served from the calling
 * CPU's {@link CpuCache} for that class; an empty cache is refilled with up to
 * {@link HeapConfig#batch()} objects from the class's {@link SlabCache} (the <em>depot</em>),
 * which builds a new {@link Slab} from fresh frames only when it has no free object at all. A
 * free pushes the object onto the <em>freeing</em> CPU's cache, so an object allocated on one CPU
 * and freed on another simply changes caches; a full cache first flushes its {@code batch}
 * coldest objects back to their slabs. All memory is drawn from, and returned to, the
 * {@link FrameAllocator} through a {@link FrameLedger}, and mapped linearly into the heap region
 * (see {@link HeapAddr}).
 *
 * <p><b>Encoding.</b> {@code caches[c]} is class {@code c}'s depot; {@code mags[cpu][c]} the
 * per-CPU caches; {@code slabsByStart} maps the first byte of every slab's frame run to the slab
 * (pointer lookup for frees); {@code live} maps the start of every live allocation to its
 * {@link Allocation} (the live table, which also carries call sites for leak reports);
 * {@code checksums} maps every free slab object to the checksum of its bytes when checksums are
 * on. Statistics are plain counters per CPU and class.
 *
 * <p><b>Locks</b> (acquired only in this order): {@code cpuLocks[cpu]} guards that CPU's caches
 * and counters and stands for "preemption disabled on this CPU"; {@code depot} guards every
 * {@link SlabCache}, {@code slabsByStart}, the {@link LinkedListAllocator} and the ledger (hence
 * the frame allocator); {@code liveLock} guards {@code live}, {@code checksums} and the
 * corruption log; {@link HeapMemory} locks itself. The fast paths (a cache hit on allocation, a
 * free into a non-full cache) take only the CPU's lock and the leaf {@code liveLock}.
 *
 * <p><b>Invariants</b> (SLAB-1..7, LARGE-1..5, HEAP-1..4 in {@link HeapInvariants}) hold whenever
 * no operation is in flight. {@code proofs/slab.md} argues why refill, flush and cross-CPU frees
 * keep them.
 */
public final class SlabAllocator {
    /** The largest request accepted: 1 GiB. Larger sizes are TOO_LARGE, not OUT_OF_MEMORY. */
    public static final long MAX_ALLOCATION = 1L << 30;

    final HeapConfig config;
    final Bug bug;
    final FrameLedger ledger;
    final HeapMemory memory;
    final SlabCache[] caches = new SlabCache[SizeClass.values().length];
    final CpuCache[][] mags;
    final TreeMap<Long, Slab> slabsByStart = new TreeMap<>();
    final LinkedListAllocator large;
    final TreeMap<Long, Allocation> live = new TreeMap<>();
    final TreeMap<Long, Integer> checksums = new TreeMap<>();
    final List<Corruption> corruptionLog = new ArrayList<>();
    final long[][] allocs;
    final long[][] frees;
    final long[][] hits;
    final long[][] refills;
    final long[][] flushes;

    private final Object[] cpuLocks;
    private final Object depot = new Object();
    private final Object liveLock = new Object();

    /** A heap drawing frames from {@code frames}. */
    public SlabAllocator(FrameAllocator frames, HeapConfig config) {
        this(frames, config, Bug.NONE);
    }

    SlabAllocator(FrameAllocator frames, HeapConfig config, Bug bug) {
        this(config, bug, new FrameLedger(frames), new HeapMemory(), new LinkedListAllocator());
        for (SizeClass c : SizeClass.values()) {
            caches[c.ordinal()] = new SlabCache(c);
            for (int cpu = 0; cpu < config.cpus(); cpu++) {
                mags[cpu][c.ordinal()] = new CpuCache(config.magazineCapacity());
            }
        }
    }

    private SlabAllocator(HeapConfig config, Bug bug, FrameLedger ledger, HeapMemory memory, LinkedListAllocator large) {
        this.config = config;
        this.bug = bug;
        this.ledger = ledger;
        this.memory = memory;
        this.large = large;
        int n = SizeClass.values().length;
        this.mags = new CpuCache[config.cpus()][n];
        this.allocs = new long[config.cpus()][n];
        this.frees = new long[config.cpus()][n];
        this.hits = new long[config.cpus()][n];
        this.refills = new long[config.cpus()][n];
        this.flushes = new long[config.cpus()][n];
        this.cpuLocks = new Object[config.cpus()];
        for (int i = 0; i < cpuLocks.length; i++) {
            cpuLocks[i] = new Object();
        }
    }

    /**
     * A deep copy whose frames come from {@code copiedFrames}, which must be a copy of this heap's
     * frame allocator in the same state. Call only while no operation is in flight.
     */
    public SlabAllocator copy(FrameAllocator copiedFrames) {
        return copy(copiedFrames, bug);
    }

    /** A deep copy running {@code newBug}: HEAP-3's trial release runs the correct code on this state. */
    SlabAllocator copy(FrameAllocator copiedFrames, Bug newBug) {
        SlabAllocator h = new SlabAllocator(config, newBug, ledger.copy(copiedFrames), memory.copy(), large.copy());
        for (SizeClass c : SizeClass.values()) {
            SlabCache src = caches[c.ordinal()];
            SlabCache dst = new SlabCache(c);
            for (Slab s : src.partial) {
                dst.partial.add(h.register(s.copy()));
            }
            for (Slab s : src.full) {
                dst.full.add(h.register(s.copy()));
            }
            for (Slab s : src.empty) {
                dst.empty.add(h.register(s.copy()));
            }
            h.caches[c.ordinal()] = dst;
            for (int cpu = 0; cpu < config.cpus(); cpu++) {
                h.mags[cpu][c.ordinal()] = mags[cpu][c.ordinal()].copy();
                h.allocs[cpu][c.ordinal()] = allocs[cpu][c.ordinal()];
                h.frees[cpu][c.ordinal()] = frees[cpu][c.ordinal()];
                h.hits[cpu][c.ordinal()] = hits[cpu][c.ordinal()];
                h.refills[cpu][c.ordinal()] = refills[cpu][c.ordinal()];
                h.flushes[cpu][c.ordinal()] = flushes[cpu][c.ordinal()];
            }
        }
        h.live.putAll(live);
        h.checksums.putAll(checksums);
        h.corruptionLog.addAll(corruptionLog);
        return h;
    }

    private Slab register(Slab s) {
        slabsByStart.put(s.runStart(), s);
        return s;
    }

    public HeapConfig config() {
        return config;
    }

    /** The heap's memory contents; tests write through it to stage overflows and use-after-free. */
    public HeapMemory memory() {
        return memory;
    }

    public FrameAllocator frameAllocator() {
        return ledger.frames;
    }

    // ---------------------------------------------------------------- allocation

    /**
     * Allocates {@code size} bytes on {@code cpu}. With call-site tracking on, the site is the
     * caller, found as a kernel finds {@code _RET_IP_} (DEBUG-4: no tracked allocation lacks one);
     * with it off, no site is recorded.
     */
    public HeapAddr allocate(int cpu, long size) {
        return allocate(cpu, size, config.debug().trackCallers() ? CallSite.caller() : CallSite.UNKNOWN);
    }

    /**
     * Allocates {@code size} bytes on {@code cpu}.
     *
     * <p>Pre: {@code 0 <= cpu < cpus}, {@code 1 <= size <= MAX_ALLOCATION}. Post: the result is
     * the start of a block of at least {@code size} bytes, aligned to its class (slab) or to
     * {@link LinkedListAllocator#GRANULE} (large), overlapping no other live allocation, and
     * recorded in the live table with {@code site}. Errors: BAD_CPU, ZERO_SIZE, TOO_LARGE,
     * OUT_OF_MEMORY; each leaves everything unchanged.
     */
    public HeapAddr allocate(int cpu, long size, CallSite site) {
        checkCpu(cpu);
        if (size < 1) {
            throw HeapError.of(HeapError.Kind.ZERO_SIZE, "allocate(cpu %d, %d): size must be at least 1", cpu, size);
        }
        if (size > MAX_ALLOCATION) {
            throw HeapError.of(HeapError.Kind.TOO_LARGE, "allocate(cpu %d, %d): above the %d-byte maximum", cpu, size, MAX_ALLOCATION);
        }
        CallSite recorded = config.debug().trackCallers() ? site : CallSite.UNKNOWN;
        long need = size + config.debug().guardBytes();
        SizeClass c = SizeClass.fitting(need);
        if (c == null) {
            return allocateLarge(cpu, size, LinkedListAllocator.blockFor(need), recorded);
        }
        int k = c.ordinal();
        synchronized (cpuLocks[cpu]) {
            CpuCache m = mags[cpu][k];
            if (m.count > 0) {
                hits[cpu][k]++;
            } else {
                refill(cpu, c, m);
            }
            long obj = m.pop();
            Allocation a = new Allocation(HeapAddr.ofOffset(obj), size, c, c.bytes(), cpu, recorded);
            synchronized (liveLock) {
                checkFreeContents(obj, c.bytes());
                live.put(obj, a);
            }
            prepare(a);
            allocs[cpu][k]++;
            return a.addr();
        }
    }

    private HeapAddr allocateLarge(int cpu, long size, long block, CallSite site) {
        synchronized (depot) {
            int arenasBefore = large.arenas.size();
            long off = large.allocate(block, ledger, bug);
            if (config.debug().poison() && large.arenas.size() > arenasBefore) {
                poisonFreeBlocks();
            }
            Allocation a = new Allocation(HeapAddr.ofOffset(off), size, null, block, cpu, site);
            synchronized (liveLock) {
                live.put(off, a);
            }
            prepare(a);
            return a.addr();
        }
    }

    /** Poisons every free large block: a fresh arena's unused tail must read as free memory too (DEBUG-2). */
    private void poisonFreeBlocks() {
        for (Map.Entry<Long, Long> b : large.free.entrySet()) {
            memory.fill(HeapAddr.ofOffset(b.getKey()), b.getValue(), HeapDebugOptions.POISON_FREE);
        }
    }

    /** Debug preparation of a new allocation: zero the requested bytes, fill the red zone. */
    private void prepare(Allocation a) {
        HeapDebugOptions d = config.debug();
        if (d.zeroOnAlloc()) {
            memory.fill(a.addr(), a.requested(), (byte) 0);
        }
        if (d.redZones()) {
            memory.fill(a.addr().plus(a.requested()), a.blockBytes() - a.requested(), HeapDebugOptions.RED_ZONE_BYTE);
        }
    }

    /**
     * A free object is about to be handed out: with poison or checksums on, verify it was not
     * written while free. A finding is logged (the kernel would print a report), not refused:
     * the writer is long gone, and the object is as good as any once it is reinitialised.
     */
    private void checkFreeContents(long obj, long bytes) {
        HeapDebugOptions d = config.debug();
        HeapAddr at = HeapAddr.ofOffset(obj);
        if (d.poison()) {
            long bad = memory.firstMismatch(at, bytes, HeapDebugOptions.POISON_FREE);
            if (bad >= 0) {
                corruptionLog.add(new Corruption(Corruption.Kind.POISON, at, bad, "written while free"));
            }
        }
        if (d.checksums()) {
            Integer sum = checksums.remove(obj);
            if (sum != null && sum != memory.checksum(at, bytes)) {
                corruptionLog.add(new Corruption(Corruption.Kind.CHECKSUM, at, 0, "checksum changed while free"));
            }
        }
    }

    /** Moves up to {@code batch} objects from the depot into an empty per-CPU cache; OUT_OF_MEMORY changes nothing. */
    private void refill(int cpu, SizeClass c, CpuCache m) {
        if (bug == Bug.REFILL_WITHOUT_LOCK) {
            refillLocked(c, m);
        } else {
            synchronized (depot) {
                refillLocked(c, m);
            }
        }
        refills[cpu][c.ordinal()]++;
    }

    private void refillLocked(SizeClass c, CpuCache m) {
        SlabCache sc = caches[c.ordinal()];
        int got = 0;
        while (got < config.batch()) {
            Slab s = !sc.partial.isEmpty() ? sc.partial.get(sc.partial.size() - 1)
                    : !sc.empty.isEmpty() ? sc.empty.get(sc.empty.size() - 1) : null;
            if (s == null) {
                if (got > 0) {
                    break;
                }
                s = newSlab(c);
            }
            int i = s.pop();
            sc.relist(s);
            m.push(s.object(i));
            if (bug == Bug.REFILL_TAKES_TWICE && got == 0 && !m.isFull()) {
                m.push(s.object(i));
            }
            got++;
        }
    }

    /**
     * Builds an empty slab of class {@code c} from fresh frames, on the empty list. The run is
     * asked for aligned to the class, so the slab wastes no frames; only an allocator that cannot
     * place runs by alignment gets the fallback, which may take {@code alignFrames - 1} extra
     * frames and slide the objects up.
     */
    private Slab newSlab(SizeClass c) {
        FrameRange run = ledger.takeAligned(c.slabFrames(), c.alignFrames());
        if (run == null) {
            run = ledger.take(c.slabFrames());
            if (run.start().number() % c.alignFrames() != 0) {
                // Not aligned to the class: swap it for a run with room to slide the objects up
                // to the next multiple of the class size.
                ledger.give(run);
                run = ledger.take(c.slabFrames() + c.alignFrames() - 1);
            }
        }
        long start = run.start().number() * PhysFrame.SIZE;
        long base = (start + c.bytes() - 1) / c.bytes() * c.bytes();
        Slab s = new Slab(c, run, base);
        caches[c.ordinal()].empty.add(s);
        slabsByStart.put(start, s);
        HeapDebugOptions d = config.debug();
        if (d.poison()) {
            memory.fill(HeapAddr.ofOffset(base), s.capacity * c.bytes(), HeapDebugOptions.POISON_FREE);
        }
        if (d.checksums()) {
            synchronized (liveLock) {
                for (int i = 0; i < s.capacity; i++) {
                    checksums.put(s.object(i), memory.checksum(HeapAddr.ofOffset(s.object(i)), c.bytes()));
                }
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- free

    /**
     * Frees the allocation at {@code addr}, made with {@code size} bytes, on {@code cpu} (which
     * need not be the allocating CPU).
     *
     * <p>Pre: {@code addr} is the start of a live allocation whose size maps to the same class or
     * large block as {@code size}; with red zones on, its red zone is intact. Post: the
     * allocation is no longer live; a slab object sits on top of {@code cpu}'s cache (after a
     * flush if the cache was full); a large block is back on the free list, coalesced, and any
     * arena it completes is returned to the frame allocator. Errors, in order: BAD_CPU,
     * ZERO_SIZE, then for a non-live address DOUBLE_FREE / INTERIOR_POINTER / NOT_ALLOCATED,
     * then SIZE_MISMATCH, RED_ZONE_CORRUPTED; each leaves everything unchanged.
     */
    public void free(int cpu, HeapAddr addr, long size) {
        checkCpu(cpu);
        if (size < 1) {
            throw HeapError.of(HeapError.Kind.ZERO_SIZE, "free(cpu %d, %s, %d): size must be at least 1", cpu, addr, size);
        }
        long off = addr.offset();
        Allocation a;
        synchronized (liveLock) {
            a = live.get(off);
        }
        if (a == null) {
            throw notLive(addr);
        }
        long need = size + config.debug().guardBytes();
        SizeClass c = SizeClass.fitting(need);
        boolean same = a.isLarge() ? c == null && LinkedListAllocator.blockFor(need) == a.blockBytes() : c == a.sizeClass();
        if (!same) {
            throw HeapError.of(HeapError.Kind.SIZE_MISMATCH, "free(%s, %d): allocated as %s", addr, size, a);
        }
        if (config.debug().redZones() && bug != Bug.SKIP_RED_ZONE_CHECK) {
            long bad = memory.firstMismatch(addr.plus(a.requested()), a.blockBytes() - a.requested(), HeapDebugOptions.RED_ZONE_BYTE);
            if (bad >= 0) {
                throw HeapError.of(HeapError.Kind.RED_ZONE_CORRUPTED,
                        "free(%s): red zone byte %d past the %d requested bytes was overwritten (allocated at %s)",
                        addr, bad, a.requested(), a.site());
            }
        }
        if (a.isLarge()) {
            freeLarge(addr, a);
        } else {
            freeSmall(cpu, addr, a);
        }
    }

    /** Frees a live allocation without the caller's checks (size, red zone): HEAP-3's trial release. */
    void release(Allocation a) {
        if (a.isLarge()) {
            freeLarge(a.addr(), a);
        } else {
            freeSmall(a.cpu(), a.addr(), a);
        }
    }

    private void freeSmall(int cpu, HeapAddr addr, Allocation a) {
        int k = a.sizeClass().ordinal();
        long off = addr.offset();
        synchronized (cpuLocks[cpu]) {
            synchronized (liveLock) {
                if (!live.remove(off, a)) {
                    throw HeapError.of(HeapError.Kind.DOUBLE_FREE, "free(%s): freed concurrently by another CPU", addr);
                }
                if (config.debug().poison()) {
                    memory.fill(addr, a.blockBytes(), HeapDebugOptions.POISON_FREE);
                }
                if (config.debug().checksums()) {
                    checksums.put(off, memory.checksum(addr, a.blockBytes()));
                }
            }
            CpuCache m = mags[cpu][k];
            if (m.isFull()) {
                flush(cpu, a.sizeClass(), m, config.batch());
            }
            m.push(off);
            frees[cpu][k]++;
        }
    }

    private void freeLarge(HeapAddr addr, Allocation a) {
        synchronized (depot) {
            synchronized (liveLock) {
                if (!live.remove(addr.offset(), a)) {
                    throw HeapError.of(HeapError.Kind.DOUBLE_FREE, "free(%s): freed concurrently by another CPU", addr);
                }
            }
            if (config.debug().poison()) {
                memory.fill(addr, a.blockBytes(), HeapDebugOptions.POISON_FREE);
            }
            large.free(addr.offset(), ledger, bug);
        }
    }

    /** The error for freeing an address that is not the start of a live allocation. */
    private HeapError notLive(HeapAddr addr) {
        long off = addr.offset();
        synchronized (depot) {
            Map.Entry<Long, Slab> e = slabsByStart.floorEntry(off);
            if (e != null && off < e.getValue().runEnd()) {
                Slab s = e.getValue();
                int i = s.indexOf(off);
                if (i >= 0 && s.object(i) == off) {
                    return HeapError.of(HeapError.Kind.DOUBLE_FREE, "free(%s): %s object %d is already free", addr, s.cls.label(), i);
                }
                boolean containerLive;
                synchronized (liveLock) {
                    containerLive = i >= 0 && live.containsKey(s.object(i));
                }
                if (containerLive) {
                    return HeapError.of(HeapError.Kind.INTERIOR_POINTER, "free(%s): inside %s object at %s",
                            addr, s.cls.label(), HeapAddr.ofOffset(s.object(i)));
                }
                return HeapError.of(HeapError.Kind.NOT_ALLOCATED, "free(%s): inside a free %s slot", addr, s.cls.label());
            }
            long u = large.usedContaining(off);
            if (u >= 0) {
                return HeapError.of(HeapError.Kind.INTERIOR_POINTER, "free(%s): inside the large block at %s", addr, HeapAddr.ofOffset(u));
            }
            if (large.freeContaining(off) >= 0) {
                return HeapError.of(HeapError.Kind.DOUBLE_FREE, "free(%s): inside a free large block", addr);
            }
            return HeapError.of(HeapError.Kind.NOT_ALLOCATED, "free(%s): the heap holds no memory there", addr);
        }
    }

    /** Moves the {@code n} coldest objects of {@code m} back to their slabs. */
    private void flush(int cpu, SizeClass c, CpuCache m, int n) {
        synchronized (depot) {
            long[] out = m.takeBottom(Math.min(n, m.count));
            for (int j = 0; j < out.length; j++) {
                if (bug == Bug.FLUSH_DROPS_OBJECT && j == 0) {
                    continue;
                }
                returnToSlab(c, out[j]);
            }
        }
        flushes[cpu][c.ordinal()]++;
    }

    private void returnToSlab(SizeClass c, long obj) {
        Slab s = slabsByStart.floorEntry(obj).getValue();
        s.push(s.indexOf(obj));
        SlabCache sc = caches[c.ordinal()];
        if (bug == Bug.STALE_SLAB_LIST && s.freeCount == s.capacity) {
            return;
        }
        sc.relist(s);
        if (s.list == Slab.ListKind.EMPTY && sc.empty.size() > config.emptySlabsKept()) {
            release(sc, s);
        }
    }

    /** Unlinks an empty slab and returns its frames. */
    private void release(SlabCache sc, Slab s) {
        sc.empty.remove(s);
        slabsByStart.remove(s.runStart());
        synchronized (liveLock) {
            for (int i = 0; i < s.capacity; i++) {
                checksums.remove(s.object(i));
            }
        }
        if (bug == Bug.LEAK_EMPTY_SLAB) {
            return;
        }
        ledger.give(s.run);
    }

    // ---------------------------------------------------------------- draining

    /** Flushes every per-CPU cache of {@code cpu} back to the slabs (CPU going offline, or memory pressure). */
    public void drain(int cpu) {
        checkCpu(cpu);
        synchronized (cpuLocks[cpu]) {
            for (SizeClass c : SizeClass.values()) {
                CpuCache m = mags[cpu][c.ordinal()];
                if (m.count > 0) {
                    flush(cpu, c, m, m.count);
                }
            }
        }
    }

    /** Drains every CPU. */
    public void drainAll() {
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            drain(cpu);
        }
    }

    /** Returns the frames of every empty slab, including the kept reserve; the number of slabs released. */
    public int shrink() {
        int n = 0;
        synchronized (depot) {
            for (SlabCache sc : caches) {
                while (!sc.empty.isEmpty()) {
                    release(sc, sc.empty.get(sc.empty.size() - 1));
                    n++;
                }
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- queries

    /** The live allocations in address order. */
    public List<Allocation> liveAllocations() {
        synchronized (liveLock) {
            return new ArrayList<>(live.values());
        }
    }

    /** The live allocation starting at {@code addr}, or {@code null}. */
    public Allocation allocationAt(HeapAddr addr) {
        synchronized (liveLock) {
            return live.get(addr.offset());
        }
    }

    /** Frames the heap holds now. */
    public long heldFrames() {
        synchronized (depot) {
            return ledger.heldFrames();
        }
    }

    /** Corruption found when free objects were handed out again (poison or checksum broken). */
    public List<Corruption> corruptionLog() {
        synchronized (liveLock) {
            return new ArrayList<>(corruptionLog);
        }
    }

    /**
     * Scans the whole heap for corruption, as {@code slub_debug}'s validate does: the red zone of
     * every live allocation, the poison of every free object and free large block, and the
     * checksum of every free slab object. Call while no operation is in flight.
     */
    public List<Corruption> scan() {
        List<Corruption> out = new ArrayList<>();
        HeapDebugOptions d = config.debug();
        for (Allocation a : liveAllocations()) {
            if (d.redZones()) {
                long bad = memory.firstMismatch(a.addr().plus(a.requested()), a.blockBytes() - a.requested(), HeapDebugOptions.RED_ZONE_BYTE);
                if (bad >= 0) {
                    out.add(new Corruption(Corruption.Kind.RED_ZONE, a.addr(), a.requested() + bad, "overflow past " + a));
                }
            }
        }
        for (long obj : freeSlabObjects()) {
            Slab s = slabsByStart.floorEntry(obj).getValue();
            HeapAddr at = HeapAddr.ofOffset(obj);
            if (d.poison()) {
                long bad = memory.firstMismatch(at, s.cls.bytes(), HeapDebugOptions.POISON_FREE);
                if (bad >= 0) {
                    out.add(new Corruption(Corruption.Kind.POISON, at, bad, "free " + s.cls.label() + " object written"));
                }
            }
            if (d.checksums()) {
                Integer sum = checksums.get(obj);
                if (sum == null || sum != memory.checksum(at, s.cls.bytes())) {
                    out.add(new Corruption(Corruption.Kind.CHECKSUM, at, 0, "free " + s.cls.label() + " object's checksum"));
                }
            }
        }
        if (d.poison()) {
            for (Map.Entry<Long, Long> b : large.free.entrySet()) {
                HeapAddr at = HeapAddr.ofOffset(b.getKey());
                long bad = memory.firstMismatch(at, b.getValue(), HeapDebugOptions.POISON_FREE);
                if (bad >= 0) {
                    out.add(new Corruption(Corruption.Kind.POISON, at, bad, "free large block written"));
                }
            }
        }
        return out;
    }

    /** Offsets of every free slab object: on a slab's free list or in a per-CPU cache. */
    List<Long> freeSlabObjects() {
        List<Long> out = new ArrayList<>();
        for (SlabCache sc : caches) {
            for (Slab s : sc.all()) {
                for (int k = 0; k < s.freeCount; k++) {
                    out.add(s.object(s.freeStack[k]));
                }
            }
        }
        for (CpuCache[] row : mags) {
            for (CpuCache m : row) {
                for (int k = 0; k < m.count; k++) {
                    out.add(m.objs[k]);
                }
            }
        }
        return out;
    }

    /** Statistics: per class, per CPU and class, and for the large allocator. Call while quiescent for exact totals. */
    public HeapStats stats() {
        List<HeapStats.ClassStats> classes = new ArrayList<>();
        List<HeapStats.CpuStats> cpus = new ArrayList<>();
        synchronized (depot) {
            for (SizeClass c : SizeClass.values()) {
                SlabCache sc = caches[c.ordinal()];
                long cached = 0;
                long a = 0;
                long f = 0;
                for (int cpu = 0; cpu < config.cpus(); cpu++) {
                    CpuCache m = mags[cpu][c.ordinal()];
                    cached += m.count;
                    a += allocs[cpu][c.ordinal()];
                    f += frees[cpu][c.ordinal()];
                    cpus.add(new HeapStats.CpuStats(cpu, c, m.count, allocs[cpu][c.ordinal()], frees[cpu][c.ordinal()],
                            hits[cpu][c.ordinal()], refills[cpu][c.ordinal()], flushes[cpu][c.ordinal()]));
                }
                long frames = 0;
                for (Slab s : sc.all()) {
                    frames += s.run.count();
                }
                long liveObjs = 0;
                long liveBytes = 0;
                synchronized (liveLock) {
                    for (Allocation al : live.values()) {
                        if (al.sizeClass() == c) {
                            liveObjs++;
                            liveBytes += al.requested();
                        }
                    }
                }
                classes.add(new HeapStats.ClassStats(c, sc.partial.size(), sc.full.size(), sc.empty.size(), frames,
                        sc.totalObjects(), sc.freeObjects(), cached, liveObjs, liveBytes, a, f));
            }
            long largeLive = 0;
            synchronized (liveLock) {
                for (Allocation al : live.values()) {
                    if (al.isLarge()) {
                        largeLive += al.requested();
                    }
                }
            }
            long largest = 0;
            for (long v : large.free.values()) {
                largest = Math.max(largest, v);
            }
            HeapStats.LargeStats ls = new HeapStats.LargeStats(large.arenas.size(), large.managedBytes(),
                    LinkedListAllocator.sum(large.free), LinkedListAllocator.sum(large.used), large.free.size(),
                    large.used.size(), largest, largeLive, large.allocs, large.frees);
            return new HeapStats(classes, cpus, ls, ledger.heldFrames());
        }
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * The heap's structure as a canonical string: caches, slabs with their free lists, large
     * blocks, the live table, checksums, held frames and (when debugging touches memory) a
     * digest of memory. Counters are left out so that exploration stays finite; two heaps with
     * equal keys behave the same from here on.
     */
    public String stateKey() {
        StringBuilder sb = new StringBuilder();
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            for (SizeClass c : SizeClass.values()) {
                CpuCache m = mags[cpu][c.ordinal()];
                if (m.count > 0) {
                    sb.append("cpu").append(cpu).append('/').append(c.label()).append('[');
                    for (int k = 0; k < m.count; k++) {
                        sb.append(k == 0 ? "" : ",").append(Long.toHexString(m.objs[k]));
                    }
                    sb.append("] ");
                }
            }
        }
        for (SlabCache sc : caches) {
            for (Slab.ListKind lk : Slab.ListKind.values()) {
                for (Slab s : sc.list(lk)) {
                    sb.append(s.describe()).append(' ');
                }
            }
        }
        sb.append("| large ").append(large.describe()).append(" | live");
        for (Allocation a : live.values()) {
            sb.append(' ').append(Long.toHexString(a.addr().offset())).append('+').append(a.requested()).append('@').append(a.site());
        }
        if (!checksums.isEmpty()) {
            sb.append(" | sums ").append(checksums.hashCode());
        }
        sb.append(" | frames ").append(ledger.held.keySet()).append(" free ").append(ledger.frames.freeFrames());
        if (config.debug().touchesMemory()) {
            sb.append(" | mem ").append(memory.digest());
        }
        if (!corruptionLog.isEmpty()) {
            sb.append(" | log ").append(corruptionLog.size());
        }
        return sb.toString();
    }

    /** {@link #stateKey()} plus every counter: equal exactly when nothing at all changed (ATOMIC-1). */
    public String snapshot() {
        StringBuilder sb = new StringBuilder(stateKey());
        for (long[][] t : new long[][][] {allocs, frees, hits, refills, flushes}) {
            for (long[] row : t) {
                sb.append(' ').append(java.util.Arrays.toString(row));
            }
        }
        return sb.append(" large ").append(large.allocs).append('/').append(large.frees).toString();
    }

    @Override
    public String toString() {
        return stateKey();
    }

    private void checkCpu(int cpu) {
        if (cpu < 0 || cpu >= config.cpus()) {
            throw HeapError.of(HeapError.Kind.BAD_CPU, "cpu %d: the heap has %d CPUs", cpu, config.cpus());
        }
    }
}
