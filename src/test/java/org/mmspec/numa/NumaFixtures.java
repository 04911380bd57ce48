package org.mmspec.numa;

import java.util.List;
import java.util.Map;

import org.mmspec.frames.FrameRange;

/** Topologies the NUMA tests share. */
final class NumaFixtures {
    static final NodeId N0 = NodeId.of(0);
    static final NodeId N1 = NodeId.of(1);
    static final NodeId N2 = NodeId.of(2);
    static final NodeId N3 = NodeId.of(3);

    private NumaFixtures() {
    }

    /**
     * Four nodes: node0 (CPUs 0-1), node1 (CPUs 2-3), node2 (CXL, no CPUs), node3 (CPU 4, no
     * memory). From node0, node1 and node2 tie at 20; node3 is 30 from everyone but node0 (21).
     */
    static NumaTopology fourNodes(int frames) {
        return NumaTopology.of(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(100, frames)), CpuSet.of(0, 1), Map.of(N0, 10, N1, 20, N2, 20, N3, 21)),
                new NodeSpec(N1, List.of(FrameRange.of(200, frames)), CpuSet.of(2, 3), Map.of(N0, 20, N1, 10, N2, 30, N3, 30)),
                new NodeSpec(N2, List.of(FrameRange.of(300, frames)), CpuSet.empty(), Map.of(N0, 20, N1, 30, N2, 10, N3, 30)),
                new NodeSpec(N3, List.of(), CpuSet.of(4), Map.of(N0, 21, N1, 30, N2, 30, N3, 10))));
    }
}
