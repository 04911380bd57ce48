package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * A heap together with the frame allocator it draws from, as the stateful machine and the
 * exhaustive models hold it. The frame allocator is the trivially correct
 * {@link ReferenceFrameAllocator}, so that the state can be copied; the integrator's
 * HybridAllocator plugs into {@link SlabAllocator} through the same
 * {@link org.mmspec.frames.FrameAllocator} interface.
 */
public final class HeapState {
    final FrameRange managed;
    final ReferenceFrameAllocator frames;
    final SlabAllocator heap;
    /**
     * Each CPU's remote-free list (the per-CPU model with {@code remote=1}, {@link HeapModel}):
     * allocations another CPU freed, handed back to the allocating CPU and not yet drained into
     * its cache; still live in the heap's table until drained. Empty everywhere else.
     */
    final List<List<Allocation>> remote;

    HeapState(FrameRange managed, ReferenceFrameAllocator frames, SlabAllocator heap) {
        this(managed, frames, heap, new ArrayList<>());
    }

    private HeapState(FrameRange managed, ReferenceFrameAllocator frames, SlabAllocator heap, List<List<Allocation>> remote) {
        this.managed = managed;
        this.frames = frames;
        this.heap = heap;
        this.remote = remote;
        while (remote.size() < heap.config.cpus()) {
            remote.add(new ArrayList<>());
        }
    }

    /** A fresh heap over {@code frameCount} frames starting at frame 16 (not 0: address 0 is no heap address worth testing). */
    public static HeapState fresh(int frameCount, HeapConfig config, Bug bug) {
        FrameRange managed = FrameRange.of(FIRST_FRAME, frameCount);
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(managed);
        return new HeapState(managed, frames, new SlabAllocator(frames, config, bug));
    }

    /** The first frame the models manage. */
    static final long FIRST_FRAME = 16;

    public SlabAllocator heap() {
        return heap;
    }

    public ReferenceFrameAllocator frames() {
        return frames;
    }

    /** A deep copy: the frame allocator is rebuilt from its live runs, the heap copied over it. */
    public HeapState copy() {
        ReferenceFrameAllocator f = copyFrames(frames, managed);
        List<List<Allocation>> r = new ArrayList<>();
        for (List<Allocation> l : remote) {
            r.add(new ArrayList<>(l));
        }
        return new HeapState(managed, f, heap.copy(f), r);
    }

    /** Whether {@code a} waits on a remote-free list. */
    boolean remotelyFreed(Allocation a) {
        for (List<Allocation> l : remote) {
            for (Allocation b : l) {
                if (b.addr().equals(a.addr())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The heap's state key, and the remote-free lists when any is non-empty (so a model without them keys as before). */
    String key() {
        if (remote.stream().allMatch(List::isEmpty)) {
            return heap.stateKey();
        }
        StringBuilder sb = new StringBuilder(heap.stateKey());
        for (int c = 0; c < remote.size(); c++) {
            sb.append(" | cpu").append(c).append(" remote-free ").append(remote.get(c).stream().map(Allocation::addr).toList());
        }
        return sb.toString();
    }

    /** Writes what operations change, for a state codec ({@link HeapCodec}). */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        HeapCodec.write(this, out);
    }

    /** Reads what {@link #writeState} wrote over this state's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        HeapCodec.read(this, in);
    }

    static ReferenceFrameAllocator copyFrames(ReferenceFrameAllocator src, FrameRange managed) {
        ReferenceFrameAllocator f = new ReferenceFrameAllocator(managed);
        for (Map.Entry<Long, Long> run : src.live().entrySet()) {
            f.take(FrameRange.of(run.getKey(), run.getValue()));
        }
        return f;
    }

    @Override
    public String toString() {
        return key();
    }
}
