package org.mmspec.numa;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;

/**
 * The seed's {@code NumaNode}: an id, the node's own allocator (a {@link FramePool} over the
 * node's memory, backed by its own {@code HybridAllocator} unless the caller supplies another
 * {@link AllocatorFactory}), its {@code distance_map} and its preferred CPUs.
 *
 * <p>A node without CPUs is memory-only (CXL-attached memory): it is never a request's local
 * node, but is reached by fallback or by binding. A node without memory (CPU-only) has no pool
 * and satisfies nothing; requests from its CPUs start there and fall back.
 *
 * <p>Accounting: {@code allocatedFrames} counts frames of live allocations this node served;
 * NUMA-6 requires it to equal the sum over those allocations and the pool's own count.
 */
public final class NumaNode {
    private final NodeSpec spec;
    private final FramePool pool;
    long allocatedFrames;

    NumaNode(NodeSpec spec, AllocatorFactory factory) {
        this.spec = spec;
        List<FrameRange> mem = new ArrayList<>(spec.memory());
        mem.sort(Comparator.naturalOrder());
        this.pool = mem.isEmpty() ? null : new FramePool(mem, factory);
    }

    private NumaNode(NumaNode other) {
        this.spec = other.spec;
        this.pool = other.pool == null ? null : other.pool.copy();
        this.allocatedFrames = other.allocatedFrames;
    }

    /** The allocated count and the pool's state (a node without memory has no pool), for a state codec. */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(allocatedFrames);
        if (pool != null) {
            pool.writeState(out);
        }
    }

    void readState(java.io.DataInput in) throws java.io.IOException {
        allocatedFrames = in.readLong();
        if (pool != null) {
            pool.readState(in);
        }
    }

    NumaNode copy() {
        return new NumaNode(this);
    }

    public NodeId id() {
        return spec.id();
    }

    /** The seed's {@code preferred_cpus}. */
    public CpuSet preferredCpus() {
        return spec.cpus();
    }

    /** The seed's {@code distance_map}. */
    public Map<NodeId, Integer> distanceMap() {
        return spec.distances();
    }

    public boolean memoryOnly() {
        return spec.memoryOnly();
    }

    public Optional<FramePool> pool() {
        return Optional.ofNullable(pool);
    }

    public boolean contains(PhysFrame f) {
        return pool != null && pool.span().contains(f);
    }

    public long totalFrames() {
        return pool == null ? 0 : pool.usableFrames();
    }

    public long freeFrames() {
        return pool == null ? 0 : pool.freeFrames();
    }

    public long allocatedFrames() {
        return allocatedFrames;
    }

    Optional<FrameRange> tryAllocate(long frames, long alignFrames) {
        return pool == null ? Optional.empty() : pool.tryAllocate(frames, alignFrames);
    }

    Object key() {
        return List.of(spec.id(), pool == null ? List.of() : new TreeMap<>(pool.live()), allocatedFrames);
    }

    @Override
    public String toString() {
        return spec.id() + " cpus " + (spec.cpus().isEmpty() ? "-" : spec.cpus().toList()) + " "
                + (pool == null ? "(no memory)" : pool.toString()) + " allocated " + allocatedFrames;
    }
}
