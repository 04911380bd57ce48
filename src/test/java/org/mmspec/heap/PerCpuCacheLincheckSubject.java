package org.mmspec.heap;

import java.util.ArrayDeque;
import java.util.List;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The Lincheck subject for {@link PerCpuCacheLincheckTest}: linearizability of the per-CPU caches under real threads, checked by Lincheck's model checker
 * against the sequential heap as specification.
 *
 * <p>Each operation runs the real {@link SlabAllocator} on the CPU it is given (two CPUs, a 2 KiB
 * class with two objects per slab, caches of two objects moved one at a time, no spare slab, so
 * refills, flushes, new slabs and released slabs all happen within a few operations). Thread
 * {@code i} allocates on CPU {@code i}, as a kernel thread pinned to its CPU does;
 * frees pick either CPU, so cross-CPU frees happen.
 * {@code alloc} writes a tag into the object it gets and pushes the object on a shared stack;
 * {@code free} pops an object, reads its tag back and frees it, possibly on another CPU than
 * the one that allocated it. The sequential specification is this same class run one operation
 * at a time, where a free always reads back the tag its object was given; a heap that hands one
 * object to two owners makes a tag come back wrong, and a free of an object the heap thinks is
 * free comes back -2. After each run, {@link #invariants()} checks every heap invariant, which
 * catches objects lost by a flush. Lincheck runs with small bounds so the test stays fast on two
 * cores; plain assertions only (AssertJ inside Lincheck's runnables breaks its instrumentation).
 */
@Param(name = "cpu", gen = ThreadIdGen.class)
@Param(name = "other", gen = IntGen.class, conf = "0:1")
@Param(name = "tag", gen = IntGen.class, conf = "1:9")
public class PerCpuCacheLincheckSubject {
    /** Bytes per allocation: the 2 KiB class, two objects per one-frame slab. */
    static final long SIZE = 2040;

    private final SlabAllocator heap;
    private final ArrayDeque<HeapAddr> owned = new ArrayDeque<>();

    public PerCpuCacheLincheckSubject() {
        this(Bug.NONE);
    }

    PerCpuCacheLincheckSubject(Bug bug) {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 8));
        this.heap = new SlabAllocator(frames, new HeapConfig(2, 2, 1, 0, HeapDebugOptions.OFF), bug);
    }

    @Operation
    public boolean alloc(@Param(name = "cpu") int cpu, @Param(name = "tag") int tag) {
        HeapAddr a;
        try {
            a = heap.allocate(cpu, SIZE);
        } catch (HeapError e) {
            return false;
        }
        heap.memory().write(a, (byte) tag);
        synchronized (owned) {
            owned.push(a);
        }
        return true;
    }

    @Operation
    public int free(@Param(name = "other") int cpu) {
        HeapAddr a;
        synchronized (owned) {
            a = owned.poll();
        }
        if (a == null) {
            return -1;
        }
        int tag = heap.memory().read(a);
        try {
            heap.free(cpu, a, SIZE);
        } catch (HeapError e) {
            return -2;
        }
        return tag;
    }

    /** The slab invariants after every Lincheck run (the heap-wide ones copy the whole heap: too slow under instrumentation). */
    @Validate
    public void invariants() {
        List<Violation> v = HeapInvariants.SLAB.violations(heap);
        if (!v.isEmpty()) {
            throw new AssertionError(v.get(0).message());
        }
    }

    /** Seeded: a refill without the depot lock, a race that only interleavings show. */
    public static class RefillWithoutLock extends PerCpuCacheLincheckSubject {
        public RefillWithoutLock() {
            super(Bug.REFILL_WITHOUT_LOCK);
        }
    }

    /** Seeded: a flush that drops an object. */
    public static class FlushDropsObject extends PerCpuCacheLincheckSubject {
        public FlushDropsObject() {
            super(Bug.FLUSH_DROPS_OBJECT);
        }
    }

    /** Seeded: a refill that takes an object twice. */
    public static class RefillTakesTwice extends PerCpuCacheLincheckSubject {
        public RefillTakesTwice() {
            super(Bug.REFILL_TAKES_TWICE);
        }
    }
}
