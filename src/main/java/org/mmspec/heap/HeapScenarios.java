package org.mmspec.heap;

import java.util.List;

import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * Shared set-up and checks of the heap's thread scenarios, the {@code main()} entry points that
 * Java PathFinder explores ({@code models/heap-jpf-* /*.jpf}) and that also run under plain
 * {@code java}. Written within JPF's limits on Java 17: plain threads and {@code join}, no
 * executor, no record {@code equals}/{@code hashCode}/{@code toString} on the explored path, no
 * boxing method references. A failed check throws {@link AssertionError}, which JPF reports as a
 * property violation with the interleaving that led to it.
 */
final class HeapScenarios {
    private HeapScenarios() {
    }

    /** Bytes per allocation: the 2 KiB class, two objects per one-frame slab. */
    static final long SIZE = 2040;
    /** Frames the scenarios' frame allocator manages. */
    static final int FRAMES = 6;

    /** Two CPUs, caches of {@code cap} moved one at a time, no spare slab. */
    static SlabAllocator heap(int cap, Bug bug) {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, FRAMES));
        return new SlabAllocator(frames, new HeapConfig(2, cap, 1, 0, HeapDebugOptions.OFF), bug);
    }

    /**
     * The bug named by the first argument, or NONE; it must be one of {@code accepted}, the bugs whose
     * effect the scenario shows and checks: any other is refused, so that a bug that cannot take effect
     * is never reported as "no errors" (under Java PathFinder the refusal is an uncaught exception).
     */
    static Bug bug(String[] args, Bug... accepted) {
        if (args.length == 0) {
            return Bug.NONE;
        }
        Bug b = Bug.valueOf(args[0]);
        if (b == Bug.NONE) {
            return b;
        }
        String known = "";
        for (Bug a : accepted) {
            if (a == b) {
                return b;
            }
            known = known.isEmpty() ? a.name() : known + ", " + a.name();
        }
        throw new IllegalArgumentException("bug " + b.name() + " cannot take effect in this scenario; it accepts " + known);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Every slab invariant holds (the heap-wide ones copy the heap: too slow for JPF). */
    static void invariantsHold(SlabAllocator h) {
        List<Violation> v = HeapInvariants.SLAB.violations(h);
        check(v.isEmpty(), v.isEmpty() ? "" : v.get(0).message());
    }

    /** Frees every live allocation on CPU 0, drains, shrinks, and checks every frame came back. */
    static void releaseAllReturnsEveryFrame(SlabAllocator h) {
        for (Allocation a : h.liveAllocations()) {
            h.free(0, a.addr(), a.requested());
        }
        h.drainAll();
        h.shrink();
        check(h.heldFrames() == 0, "frames still held after releasing everything");
        check(h.frameAllocator().freeFrames() == FRAMES, "the frame allocator did not get every frame back");
    }

    /** Starts both threads, then waits for both. */
    static void runBoth(Runnable cpu0, Runnable cpu1) throws InterruptedException {
        Thread t0 = new Thread(cpu0, "cpu0");
        Thread t1 = new Thread(cpu1, "cpu1");
        t0.start();
        t1.start();
        t0.join();
        t1.join();
    }
}
