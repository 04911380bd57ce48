package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.numa.NumaFixtures.N0;
import static org.mmspec.numa.NumaFixtures.N1;
import static org.mmspec.numa.NumaFixtures.N2;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;

/** Topology input is validated with typed errors (NUMA-1, NUMA-2 at construction). */
class NumaTopologyTest {
    private static NumaError.Kind kindOf(List<NodeSpec> specs) {
        try {
            NumaTopology.of(specs);
        } catch (NumaError e) {
            return e.errorKind();
        }
        throw new AssertionError("expected a NumaError");
    }

    private static NodeSpec node(NodeId id, long firstFrame, CpuSet cpus, Map<NodeId, Integer> d) {
        return new NodeSpec(id, List.of(FrameRange.of(firstFrame, 4)), cpus, d);
    }

    @Test
    void aWellFormedTopologyIsAccepted() {
        NumaTopology t = NumaFixtures.fourNodes(2);
        assertThat(t.ids()).containsExactly(N0, N1, N2, NumaFixtures.N3);
        assertThat(t.localNode(3)).contains(N1);
        assertThat(t.localNode(9)).isEmpty();
        assertThat(t.fallbackOrder(N0)).containsExactly(N0, N1, N2, NumaFixtures.N3);
        assertThat(t.fallbackOrder(N2)).containsExactly(N2, N0, N1, NumaFixtures.N3);
        assertThat(t.fallbackOrder(NumaFixtures.N3)).containsExactly(NumaFixtures.N3, N0, N1, N2);
    }

    @Test
    void malformedInputGetsItsKind() {
        assertThat(kindOf(List.of())).isEqualTo(NumaError.Kind.EMPTY_TOPOLOGY);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10)), node(N0, 8, CpuSet.of(1), Map.of(N0, 10)))))
                .isEqualTo(NumaError.Kind.DUPLICATE_NODE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N1, 20)), node(N1, 8, CpuSet.of(1), Map.of(N1, 10)))))
                .isEqualTo(NumaError.Kind.MISSING_DISTANCE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N1, 20)),
                node(N1, 8, CpuSet.of(1), Map.of(N0, 30, N1, 10))))).isEqualTo(NumaError.Kind.ASYMMETRIC_DISTANCE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 20)))))
                .isEqualTo(NumaError.Kind.BAD_SELF_DISTANCE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N1, 10)),
                node(N1, 8, CpuSet.of(1), Map.of(N0, 10, N1, 10))))).isEqualTo(NumaError.Kind.BAD_DISTANCE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N1, 255)),
                node(N1, 8, CpuSet.of(1), Map.of(N0, 255, N1, 10))))).isEqualTo(NumaError.Kind.BAD_DISTANCE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N2, 20)))))
                .isEqualTo(NumaError.Kind.UNKNOWN_NODE);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0), Map.of(N0, 10, N1, 20)),
                node(N1, 2, CpuSet.of(1), Map.of(N0, 20, N1, 10))))).isEqualTo(NumaError.Kind.OVERLAPPING_MEMORY);
        assertThat(kindOf(List.of(node(N0, 0, CpuSet.of(0, 1), Map.of(N0, 10, N1, 20)),
                node(N1, 8, CpuSet.of(1), Map.of(N0, 20, N1, 10))))).isEqualTo(NumaError.Kind.CPU_ON_TWO_NODES);
    }

    @Test
    void cpuSetRendersAsAKernelCpuList() {
        assertThat(CpuSet.of(0, 1, 2, 3, 8, 10, 11).toList()).isEqualTo("0-3,8,10-11");
        assertThat(CpuSet.empty().toList()).isEmpty();
    }
}
