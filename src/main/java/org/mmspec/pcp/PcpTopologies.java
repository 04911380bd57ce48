package org.mmspec.pcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;
import org.mmspec.numa.CpuSet;
import org.mmspec.numa.NodeId;
import org.mmspec.numa.NodeSpec;
import org.mmspec.numa.NumaTopology;

/**
 * Small NUMA machines for the per-CPU cache checks, scenarios and benchmarks: node {@code i} has
 * id {@code i}, {@code frames[i]} frames starting at frame {@link #NODE_STRIDE}{@code * (i + 1)}
 * (optionally with a one-frame hole after its first frame), and the CPUs whose entry in
 * {@code cpuNode} is {@code i}; the distance between nodes {@code i} and {@code j} is
 * {@code 10 * (1 + |i - j|)}, so the fallback order is by index distance.
 */
public final class PcpTopologies {
    /** Frame numbers between the starts of two nodes' memory. */
    public static final long NODE_STRIDE = 64;

    private PcpTopologies() {
    }

    /** A topology of {@code frames.length} nodes; {@code hole[i]} puts a one-frame hole in node i (which needs 2+ frames). */
    public static NumaTopology of(int[] frames, int[] cpuNode, boolean[] hole) {
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            int count = 0;
            for (int n : cpuNode) {
                count += n == i ? 1 : 0;
            }
            int[] cpus = new int[count];
            int k = 0;
            for (int c = 0; c < cpuNode.length; c++) {
                if (cpuNode[c] == i) {
                    cpus[k++] = c;
                }
            }
            long start = NODE_STRIDE * (i + 1);
            List<FrameRange> mem = new ArrayList<>();
            if (frames[i] > 0 && hole[i] && frames[i] >= 2) {
                mem.add(FrameRange.of(start, 1));
                mem.add(FrameRange.of(start + 2, frames[i] - 1L));
            } else if (frames[i] > 0) {
                mem.add(FrameRange.of(start, frames[i]));
            }
            Map<NodeId, Integer> row = new TreeMap<>();
            for (int j = 0; j < frames.length; j++) {
                row.put(NodeId.of(j), NumaTopology.LOCAL_DISTANCE * (1 + Math.abs(i - j)));
            }
            specs.add(new NodeSpec(NodeId.of(i), mem, CpuSet.of(cpus), row));
        }
        return NumaTopology.of(specs);
    }

    /** No holes. */
    public static NumaTopology of(int[] frames, int[] cpuNode) {
        return of(frames, cpuNode, new boolean[frames.length]);
    }
}
