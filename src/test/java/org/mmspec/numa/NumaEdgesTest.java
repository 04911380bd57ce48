package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mmspec.numa.NumaFixtures.N0;
import static org.mmspec.numa.NumaFixtures.N1;
import static org.mmspec.numa.NumaFixtures.N2;
import static org.mmspec.numa.NumaFixtures.N3;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;

/**
 * The NUMA value types and allocator at their edges: CPU and node number limits, binding
 * policies, the largest order, topology validation order, node views, copies, state keys and the
 * renderings the traces and the debug command show.
 */
class NumaEdgesTest {
    private static NumaAllocator fresh() {
        return new NumaAllocator(NumaFixtures.fourNodes(2), AllocatorFactory.REFERENCE);
    }

    // ---- CpuSet, NodeId, Binding ----

    @Test
    void cpuNumbersRunFromZeroTo4095() {
        CpuSet ends = CpuSet.of(0, CpuSet.MAX_CPU);
        assertThat(ends.contains(0)).isTrue();
        assertThat(ends.contains(4095)).isTrue();
        assertThat(ends.contains(1)).isFalse();
        assertThat(ends.contains(-1)).isFalse();
        assertThat(ends.size()).isEqualTo(2);
        assertThat(ends.isEmpty()).isFalse();
        assertThat(CpuSet.empty().isEmpty()).isTrue();
        assertThat(CpuSet.empty().size()).isZero();
        assertThat(ends.cpus()).containsExactly(0, 4095);
        assertThat(ends.toString()).isEqualTo("{0,4095}");
        assertThat(ends.toList()).isEqualTo("0,4095");
        assertThat(CpuSet.of(5, 6).toList()).isEqualTo("5-6");
        assertThatThrownBy(() -> CpuSet.of(4096)).isInstanceOf(IllegalArgumentException.class).hasMessage("cpu 4096 outside [0, 4095]");
        assertThatThrownBy(() -> CpuSet.of(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("cpu -1 outside [0, 4095]");
    }

    @Test
    void cpuSetsCompareByTheirCpus() {
        assertThat(CpuSet.of(1, 2)).isEqualTo(CpuSet.of(2, 1)).hasSameHashCodeAs(CpuSet.of(2, 1));
        assertThat(CpuSet.of(1, 2)).isNotEqualTo(CpuSet.of(1));
        assertThat(CpuSet.of(1).equals("{1}")).isFalse();
        assertThat(CpuSet.of(1, 2).hashCode()).isNotEqualTo(CpuSet.of(3).hashCode());
        assertThat(CpuSet.of(1, 2).intersects(CpuSet.of(2, 3))).isTrue();
        assertThat(CpuSet.of(1, 2).intersects(CpuSet.of(3))).isFalse();
    }

    @Test
    void nodeIdsAreU8() {
        assertThat(NodeId.of(255).value()).isEqualTo(NodeId.MAX);
        assertThat(NodeId.of(0)).hasToString("node0");
        assertThatThrownBy(() -> NodeId.of(256)).isInstanceOf(IllegalArgumentException.class).hasMessage("node id 256 outside [0, 255]");
        assertThatThrownBy(() -> NodeId.of(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("node id -1 outside [0, 255]");
        assertThat(N1.compareTo(N2)).isNegative();
        assertThat(N2.compareTo(N1)).isPositive();
        assertThat(N1.compareTo(NodeId.of(1))).isZero();
    }

    @Test
    void aLocalBindingTakesNoNodeAndTheOthersNeedOne() {
        assertThatThrownBy(() -> new Binding(Binding.Policy.LOCAL, N0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LOCAL binding takes no node");
        assertThatThrownBy(() -> new Binding(Binding.Policy.STRICT, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("STRICT binding needs node");
        assertThat(Binding.local()).hasToString("local");
        assertThat(Binding.preferred(N2)).hasToString("preferred(node2)");
        assertThat(Binding.strict(N2).strict()).isTrue();
        assertThat(Binding.preferred(N2).strict()).isFalse();
        assertThat(Binding.local().strict()).isFalse();
        assertThat(NumaRequest.local(3, 2).frames()).isEqualTo(4);
    }

    // ---- the allocator ----

    @Test
    void theLargestOrderIsARequestNotABadOrder() {
        NumaAllocator na = fresh();
        NumaError e = catchThrowableOfType(() -> na.allocate(NumaRequest.local(0, NumaAllocator.MAX_ORDER)), NumaError.class);
        assertThat(e.errorKind()).isEqualTo(NumaError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).isEqualTo("allocate(cpu0 order 18 local): every node of [node0, node1, node2, node3] is full");
        NumaError s = catchThrowableOfType(() -> na.allocate(new NumaRequest(0, 2, Binding.strict(N1))), NumaError.class);
        assertThat(s.errorKind()).isEqualTo(NumaError.Kind.BOUND_NODE_FULL);
        assertThat(s.getMessage()).isEqualTo("allocate(cpu0 order 2 strict(node1)): node1 cannot satisfy it and the binding is strict");
        assertThat(na.lastDecision()).isEmpty();
    }

    @Test
    void ignoringDistanceStillStartsAtTheStartNode() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(1), AllocatorFactory.REFERENCE, NumaAllocator.Bug.IGNORE_DISTANCE);
        assertThat(na.allocate(NumaRequest.local(2, 0)).served()).isEqualTo(N1);
        assertThat(na.allocate(NumaRequest.local(2, 0)).served()).isEqualTo(N0);
        assertThat(na.lastDecision().orElseThrow().attempts()).extracting(NumaDecision.Attempt::node).containsExactly(N1, N0);
    }

    @Test
    void anUnknownNodeIsRejectedByName() {
        NumaError e = catchThrowableOfType(() -> fresh().node(NodeId.of(7)), NumaError.class);
        assertThat(e.errorKind()).isEqualTo(NumaError.Kind.UNKNOWN_NODE);
        assertThat(e.getMessage()).isEqualTo("no node node7");
        NumaError t = catchThrowableOfType(() -> fresh().topology().node(NodeId.of(7)), NumaError.class);
        assertThat(t.getMessage()).isEqualTo("no node node7");
        assertThat(fresh().nodeContaining(PhysFrame.of(150))).isEmpty();
        assertThat(fresh().nodeContaining(PhysFrame.of(201))).map(NumaNode::id).contains(N1);
    }

    @Test
    void nodesShowTheirSpecAndMemory() {
        NumaAllocator na = fresh();
        NumaNode cxl = na.node(N2);
        assertThat(cxl.memoryOnly()).isTrue();
        assertThat(na.node(N0).memoryOnly()).isFalse();
        assertThat(cxl.distanceMap()).containsExactly(Map.entry(N0, 20), Map.entry(N1, 30), Map.entry(N2, 10), Map.entry(N3, 30));
        assertThat(cxl.preferredCpus().isEmpty()).isTrue();
        assertThat(cxl.totalFrames()).isEqualTo(2);
        assertThat(cxl.contains(PhysFrame.of(301))).isTrue();
        assertThat(cxl.contains(PhysFrame.of(302))).isFalse();
        NumaNode none = na.node(N3);
        assertThat(none.pool()).isEmpty();
        assertThat(none.contains(PhysFrame.of(0))).isFalse();
        assertThat(none.totalFrames()).isZero();
        assertThat(none.freeFrames()).isZero();
        assertThat(none.toString()).isEqualTo("node3 cpus 4 (no memory) allocated 0");
        assertThat(cxl.toString()).isEqualTo("node2 cpus - span [frame#300..302) free 2 live {} allocated 0");
    }

    @Test
    void aNodesMemoryMayBeListedInAnyOrder() {
        NodeSpec spec = new NodeSpec(N0, List.of(FrameRange.of(20, 2), FrameRange.of(16, 2)), CpuSet.of(0), Map.of(N0, 10));
        NumaAllocator na = new NumaAllocator(NumaTopology.of(List.of(spec)), AllocatorFactory.REFERENCE);
        assertThat(na.node(N0).pool().orElseThrow().usable()).containsExactly(FrameRange.of(16, 2), FrameRange.of(20, 2));
        assertThat(na.node(N0).totalFrames()).isEqualTo(4);
    }

    @Test
    void aCopyIsIndependentAndTheKeyCoversEachNode() {
        NumaAllocator na = fresh();
        NumaAllocation a = na.allocate(NumaRequest.local(0, 0));
        NumaAllocator copy = na.copy();
        assertThat(copy.key()).isEqualTo(na.key());
        copy.free(a.run());
        assertThat(na.live()).containsOnlyKeys(100L);
        assertThat(copy.live()).isEmpty();
        assertThat(na.node(N0).freeFrames()).isEqualTo(1);
        assertThat(copy.node(N0).freeFrames()).isEqualTo(2);
        assertThat(copy.node(N3).pool()).isEmpty();
        NumaAllocator other = na.copy();
        other.node(N3).allocatedFrames = 1;
        assertThat(other.key()).isNotEqualTo(na.key());
        assertThat(other.node(N3).key()).isEqualTo(List.of(N3, List.of(), 1L));
    }

    @Test
    void theAllocatorRendersNodesLiveRunsAndTheLastDecision() {
        NumaAllocator na = new NumaAllocator(NumaTopology.of(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(16, 1)), CpuSet.of(0), Map.of(N0, 10, N1, 20)),
                new NodeSpec(N1, List.of(), CpuSet.of(1), Map.of(N0, 20, N1, 10)))), AllocatorFactory.REFERENCE);
        assertThat(na.toString()).isEqualTo("NumaAllocator\n"
                + "  node0 cpus 0 span [frame#16..17) free 1 live {} allocated 0 dist [10, 20]\n"
                + "  node1 cpus 1 (no memory) allocated 0 dist [20, 10]\n"
                + "  live []\n"
                + "  last -");
        na.allocate(NumaRequest.local(1, 0));
        assertThat(na.toString()).endsWith("  live [[frame#16..17) node1->node0]\n  last cpu1 order 0 local from node1: [node1-, node0+] -> node0");
        assertThat(na.topology().toString()).isEqualTo("node0 cpus 0 mem [[frame#16..17)] dist [10, 20]\n"
                + "node1 cpus 1 mem [] dist [20, 10]");
        assertThat(NumaTopology.of(List.of(new NodeSpec(N2, List.of(FrameRange.of(8, 1)), CpuSet.empty(), Map.of(N2, 10))))
                .toString()).isEqualTo("node2 cpus none (memory-only) mem [[frame#8..9)] dist [10]");
        NumaDecision failed = new NumaDecision(NumaRequest.local(0, 0), N0, List.of(), Optional.empty());
        assertThat(failed.toString()).isEqualTo("cpu0 order 0 local from node0: [] -> failed");
        assertThat(new NumaAllocation(FrameRange.of(16, 1), N0, N0, true)).hasToString("[frame#16..17) node0 strict");
    }

    // ---- topology ----

    @Test
    void overlapIsFoundWhateverTheOrderOfTheNodes() {
        // node0's memory lies above node1's, and node2's overlaps node0's last frame.
        NumaError e = catchThrowableOfType(() -> NumaTopology.of(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(10, 2)), CpuSet.of(0), Map.of(N0, 10, N1, 20, N2, 20)),
                new NodeSpec(N1, List.of(FrameRange.of(0, 4)), CpuSet.of(1), Map.of(N0, 20, N1, 10, N2, 20)),
                new NodeSpec(N2, List.of(FrameRange.of(11, 1)), CpuSet.of(2), Map.of(N0, 20, N1, 20, N2, 10)))), NumaError.class);
        assertThat(e.errorKind()).isEqualTo(NumaError.Kind.OVERLAPPING_MEMORY);
        assertThat(e.getMessage()).isEqualTo("[frame#10..12) of node0 overlaps [frame#11..12) of node2");
    }

    @Test
    void topologiesCompareByTheirNodes() {
        NumaTopology a = NumaFixtures.fourNodes(2);
        assertThat(a).isEqualTo(NumaFixtures.fourNodes(2)).hasSameHashCodeAs(NumaFixtures.fourNodes(2));
        assertThat(a).isNotEqualTo(NumaFixtures.fourNodes(1));
        assertThat(a.hashCode()).isNotEqualTo(NumaFixtures.fourNodes(1).hashCode()); // hashes the nodes, not a constant
        assertThat(a.equals("topology")).isFalse();
        assertThat(a.has(N3)).isTrue();
        assertThat(a.has(NodeId.of(4))).isFalse();
        assertThat(a.localNode(4)).contains(N3);
        assertThat(a.nodes()).extracting(NodeSpec::id).containsExactly(N0, N1, N2, N3);
        NumaError dup = catchThrowableOfType(() -> NumaTopology.of(List.of(
                new NodeSpec(N0, List.of(), CpuSet.of(0), Map.of(N0, 10)),
                new NodeSpec(N0, List.of(), CpuSet.of(1), Map.of(N0, 10)))), NumaError.class);
        assertThat(dup.getMessage()).isEqualTo("node node0 appears twice");
        NumaError empty = catchThrowableOfType(() -> NumaTopology.of(List.of()), NumaError.class);
        assertThat(empty.getMessage()).isEqualTo("a topology needs at least one node");
    }
}
