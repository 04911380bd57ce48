package org.mmspec.zones;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.frames.ReservedRegion;

/**
 * Builds the frame allocator that backs one zone or one NUMA node.
 *
 * <p>The seed gives every zone and every {@code NumaNode} its own {@code HybridAllocator}:
 * {@link #HYBRID} is the production default of {@link ZoneAllocator} and of the NUMA allocator.
 * The zone and node layers only rely on the {@link FrameAllocator} contract (order requests are
 * {@code allocate(2^order, 2^order)}, a naturally aligned block), so another allocator can be
 * supplied: {@link #REFERENCE}, the trivially correct first-fit allocator, is what the fast
 * exhaustive models use, and {@link #hybrid(long, int)} builds hybrids with a small threshold so
 * that tiny zones exercise both halves.
 *
 * <p>Contract: the allocator manages {@code managed}, never hands out a frame of {@code reserved},
 * and is deterministic: the same sequence of calls on a fresh allocator returns the same runs.
 * {@link FramePool#copy()} copies a pool's allocator with {@link #copy}, else {@link #restore}s
 * it from its live runs, else replays its journal on a fresh one.
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
        public Optional<FrameAllocator> copy(FrameAllocator allocator) {
            return allocator instanceof ReferenceFrameAllocator r ? Optional.of(r.copy()) : Optional.empty();
        }

        @Override
        public String toString() {
            return "reference";
        }

        @Override
        public Optional<FrameAllocator> restore(FrameRange managed, List<FrameRange> reserved, Collection<FrameRange> live) {
            ReferenceFrameAllocator a = new ReferenceFrameAllocator(managed, reserved);
            live.forEach(a::take);
            return Optional.of(a);
        }
    };

    /**
     * The seed's {@code HybridAllocator} (threshold 512 frames, default split, buddy orders up to
     * 18) over each zone or node; holes of the memory map become {@link ReservedRegion}s. Pools
     * are copied with {@link HybridAllocator#copy()}.
     */
    AllocatorFactory HYBRID = hybrid(HybridAllocator.DEFAULT_THRESHOLD, BuddyAllocator.GIB_ORDER);

    /**
     * Hybrids with {@code threshold} and buddy orders up to {@code maxOrder}, split at
     * {@link HybridAllocator#defaultSplit}; a small threshold makes tiny pools use both halves.
     */
    static AllocatorFactory hybrid(long threshold, int maxOrder) {
        return new AllocatorFactory() {
            @Override
            public FrameAllocator create(FrameRange managed, List<FrameRange> reserved) {
                List<ReservedRegion> regions = reserved.stream().map(r -> ReservedRegion.of(r, HOLE)).toList();
                return new HybridAllocator(managed, regions, threshold, HybridAllocator.defaultSplit(managed, threshold), maxOrder);
            }

            @Override
            public Optional<FrameAllocator> copy(FrameAllocator allocator) {
                return allocator instanceof HybridAllocator h ? Optional.of(h.copy()) : Optional.empty();
            }

            @Override
            public String toString() {
                return threshold == HybridAllocator.DEFAULT_THRESHOLD && maxOrder == BuddyAllocator.GIB_ORDER ? "hybrid"
                        : "hybrid(threshold " + threshold + ", maxOrder " + maxOrder + ")";
            }
        };
    }

    /**
     * The factory a model's {@code allocator} bound names: {@code reference}, {@code hybrid} (the
     * seed's), or {@code hybrid-T} (threshold {@code T} frames, buddy orders up to 18).
     */
    static AllocatorFactory named(String name) {
        if (name.equals("reference")) {
            return REFERENCE;
        }
        if (name.equals("hybrid")) {
            return HYBRID;
        }
        if (name.startsWith("hybrid-")) {
            return hybrid(Long.parseLong(name.substring("hybrid-".length())), BuddyAllocator.GIB_ORDER);
        }
        throw new IllegalArgumentException("allocator must be reference, hybrid or hybrid-T, not " + name);
    }

    /** How a hole of the memory map is described as a reserved region. */
    String HOLE = "hole in the memory map";

    /**
     * A fresh allocator over {@code managed}.
     *
     * @param managed the frames the allocator manages (its span)
     * @param reserved sub-ranges of {@code managed} it must never hand out (holes in the memory
     *        map), disjoint and sorted
     */
    FrameAllocator create(FrameRange managed, List<FrameRange> reserved);

    /** A deep copy of {@code allocator} (made by this factory), if this kind of allocator can be copied. */
    default Optional<FrameAllocator> copy(FrameAllocator allocator) {
        return Optional.empty();
    }

    /**
     * An allocator in exactly the state of one that has handed out {@code live} and nothing
     * else, if this kind of allocator's state is a function of its live runs; empty otherwise,
     * and {@link FramePool#copy()} falls back to replaying its journal.
     */
    default Optional<FrameAllocator> restore(FrameRange managed, List<FrameRange> reserved, Collection<FrameRange> live) {
        return Optional.empty();
    }
}
