package org.mmspec.pcp;

import org.mmspec.numa.NodeId;
import org.mmspec.zones.FramePool;

/**
 * One NUMA node's frame allocator as the per-CPU layer sees it: the node's {@link FramePool}
 * (its own {@code HybridAllocator} by default, as {@code NumaNode} has it), or none for a node
 * without memory.
 *
 * <p>Guarded by its own monitor, the per-node lock: refills and drains of the node's CPUs, frees
 * of its frames by remote CPUs and the pressure path take it. No lock is shared by all CPUs. The
 * counters are written under it.
 */
final class NodeFrames {
    final int index;
    final NodeId id;
    final FramePool pool;

    long refills;
    long drains;
    long direct;
    long remoteFrees;
    long pressureDrains;

    NodeFrames(int index, NodeId id, FramePool pool) {
        this.index = index;
        this.id = id;
        this.pool = pool;
    }

    NodeFrames copy() {
        NodeFrames n = new NodeFrames(index, id, pool == null ? null : pool.copy());
        n.refills = refills;
        n.drains = drains;
        n.direct = direct;
        n.remoteFrees = remoteFrees;
        n.pressureDrains = pressureDrains;
        return n;
    }

    long freeFrames() {
        return pool == null ? 0 : pool.freeFrames();
    }
}
