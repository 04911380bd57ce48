package org.mmspec.heap;

import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;

/**
 * The heap's account of the frames it holds: every run drawn from the {@link FrameAllocator}
 * and not yet given back, keyed by first frame number. Slabs and LinkedListAllocator arenas draw
 * and return frames only through here, so HEAP-1 can compare the ledger with the structures.
 */
final class FrameLedger {
    final FrameAllocator frames;
    final TreeMap<Long, FrameRange> held = new TreeMap<>();
    /** Free frames the allocator had when the heap was built; HEAP-4 compares against it. */
    final long freeAtStart;

    FrameLedger(FrameAllocator frames) {
        this.frames = frames;
        this.freeAtStart = frames.freeFrames();
    }

    private FrameLedger(FrameAllocator frames, long freeAtStart) {
        this.frames = frames;
        this.freeAtStart = freeAtStart;
    }

    /** A copy over {@code frames}, which must be a copy of this ledger's allocator. */
    FrameLedger copy(FrameAllocator copiedFrames) {
        FrameLedger l = new FrameLedger(copiedFrames, freeAtStart);
        l.held.putAll(held);
        return l;
    }

    /** Draws {@code count} contiguous frames; a frame allocator refusal becomes OUT_OF_MEMORY, with nothing changed. */
    FrameRange take(long count) {
        FrameRange run;
        try {
            run = frames.allocate(count);
        } catch (FrameError e) {
            throw HeapError.of(HeapError.Kind.OUT_OF_MEMORY, "frame allocator refused %d frames: %s", count, e.kind());
        }
        return hold(run);
    }

    /**
     * Draws {@code count} contiguous frames whose first frame number is a multiple of
     * {@code alignFrames}, or returns null, with nothing changed, when the allocator cannot place
     * runs by alignment (it rejects the request with MISALIGNED, as {@link FrameAllocator}'s
     * default does); any other refusal becomes OUT_OF_MEMORY, with nothing changed.
     */
    FrameRange takeAligned(long count, long alignFrames) {
        FrameRange run;
        try {
            run = frames.allocate(count, alignFrames);
        } catch (FrameError e) {
            if (e.errorKind() == FrameError.Kind.MISALIGNED) {
                return null;
            }
            throw HeapError.of(HeapError.Kind.OUT_OF_MEMORY, "frame allocator refused %d frames aligned to %d: %s",
                    count, alignFrames, e.kind());
        }
        return hold(run);
    }

    /** Records {@code run} as held, unless it lies above the heap region (then it goes back: OUT_OF_MEMORY). */
    private FrameRange hold(FrameRange run) {
        if (run.endNumber() * org.mmspec.frames.PhysFrame.SIZE > HeapAddr.HEAP_SIZE) {
            frames.free(run);
            throw HeapError.of(HeapError.Kind.OUT_OF_MEMORY, "%s lies above the 16 TiB the heap region maps linearly", run);
        }
        held.put(run.start().number(), run);
        return run;
    }

    void give(FrameRange run) {
        held.remove(run.start().number());
        frames.free(run);
    }

    long heldFrames() {
        long n = 0;
        for (FrameRange r : held.values()) {
            n += r.count();
        }
        return n;
    }
}
