package org.mmspec.zones;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * Builds the frame allocator that backs one zone or one NUMA node.
 *
 * <p>The seed gives every zone and every {@code NumaNode} its own {@code HybridAllocator}; the
 * zone and node layers only rely on the {@link FrameAllocator} contract, so the allocator is
 * supplied by the caller. {@link #REFERENCE} (the trivially correct first-fit allocator) is the
 * default for checks; the integrated build passes the {@code HybridAllocator}.
 *
 * <p>Contract: the allocator manages {@code managed}, never hands out a frame of {@code reserved},
 * and is deterministic: the same sequence of calls on a fresh allocator returns the same runs.
 * {@link FramePool#copy()} relies on that to copy a zone by replaying its journal, unless the
 * factory can {@link #restore} an allocator from its live runs.
 */
public interface AllocatorFactory {
    /**
     * The trivially correct first-fit allocator of the frames component. Its state is a function
     * of its live runs, so it also {@link #restore restores} directly.
     */
    AllocatorFactory REFERENCE = new AllocatorFactory() {
        @Override
        public FrameAllocator create(FrameRange managed, List<FrameRange> reserved) {
            return new ReferenceFrameAllocator(managed, reserved);
        }

        @Override
        public Optional<FrameAllocator> restore(FrameRange managed, List<FrameRange> reserved, Collection<FrameRange> live) {
            ReferenceFrameAllocator a = new ReferenceFrameAllocator(managed, reserved);
            live.forEach(a::take);
            return Optional.of(a);
        }
    };

    /**
     * A fresh allocator over {@code managed}.
     *
     * @param managed the frames the allocator manages (its span)
     * @param reserved sub-ranges of {@code managed} it must never hand out (holes in the memory
     *        map), disjoint and sorted
     */
    FrameAllocator create(FrameRange managed, List<FrameRange> reserved);

    /**
     * An allocator in exactly the state of one that has handed out {@code live} and nothing
     * else, if this kind of allocator's state is a function of its live runs; empty otherwise,
     * and {@link FramePool#copy()} falls back to replaying its journal.
     */
    default Optional<FrameAllocator> restore(FrameRange managed, List<FrameRange> reserved, Collection<FrameRange> live) {
        return Optional.empty();
    }
}
