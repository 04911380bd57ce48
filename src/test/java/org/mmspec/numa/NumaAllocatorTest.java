package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.numa.NumaFixtures.N0;
import static org.mmspec.numa.NumaFixtures.N1;
import static org.mmspec.numa.NumaFixtures.N2;
import static org.mmspec.numa.NumaFixtures.N3;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;

/** The NUMA allocator's operations, pre- and postconditions as spec/numa.md states them. */
class NumaAllocatorTest {
    private static NumaError.Kind kindOf(Runnable r) {
        try {
            r.run();
        } catch (NumaError e) {
            return e.errorKind();
        }
        throw new AssertionError("expected a NumaError");
    }

    @Test
    void localNodeFirstThenByDistanceWithTiesByLowerId() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(1));
        assertThat(na.allocate(NumaRequest.local(1, 0)).served()).isEqualTo(N0);
        assertThat(na.allocate(NumaRequest.local(1, 0)).served()).isEqualTo(N1); // tie with node2 at 20
        assertThat(na.allocate(NumaRequest.local(1, 0)).served()).isEqualTo(N2); // CXL, memory-only
        assertThat(kindOf(() -> na.allocate(NumaRequest.local(1, 0)))).isEqualTo(NumaError.Kind.OUT_OF_MEMORY);
    }

    @Test
    void aCpuOnAMemorylessNodeStartsThereAndFallsBack() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(1));
        NumaAllocation a = na.allocate(NumaRequest.local(4, 0));
        assertThat(a.intended()).isEqualTo(N3);
        assertThat(a.served()).isEqualTo(N0);
        assertThat(na.lastDecision().get().attempts()).containsExactly(new NumaDecision.Attempt(N3, false),
                new NumaDecision.Attempt(N0, true));
    }

    @Test
    void strictBindingFailsRatherThanFallingBack() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(1));
        assertThat(na.allocate(new NumaRequest(0, 0, Binding.strict(N2))).served()).isEqualTo(N2);
        assertThat(kindOf(() -> na.allocate(new NumaRequest(0, 0, Binding.strict(N2)))))
                .isEqualTo(NumaError.Kind.BOUND_NODE_FULL);
        assertThat(kindOf(() -> na.allocate(new NumaRequest(0, 0, Binding.strict(N3)))))
                .isEqualTo(NumaError.Kind.BOUND_NODE_FULL);
        NumaAllocation p = na.allocate(new NumaRequest(0, 0, Binding.preferred(N2)));
        assertThat(p.served()).isEqualTo(N0); // distance from node2: node0 20, node1 30
        assertThat(p.hit()).isFalse();
    }

    @Test
    void badRequestsAndFreesGetTypedErrorsAndChangeNothing() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(2));
        Object before = na.key();
        assertThat(kindOf(() -> na.allocate(NumaRequest.local(9, 0)))).isEqualTo(NumaError.Kind.UNKNOWN_CPU);
        assertThat(kindOf(() -> na.allocate(new NumaRequest(0, 0, Binding.preferred(NodeId.of(7))))))
                .isEqualTo(NumaError.Kind.UNKNOWN_NODE);
        assertThat(kindOf(() -> na.allocate(NumaRequest.local(0, -1)))).isEqualTo(NumaError.Kind.BAD_ORDER);
        assertThat(kindOf(() -> na.allocate(NumaRequest.local(0, NumaAllocator.MAX_ORDER + 1))))
                .isEqualTo(NumaError.Kind.BAD_ORDER);
        assertThat(kindOf(() -> na.free(FrameRange.of(100, 1)))).isEqualTo(NumaError.Kind.DOUBLE_FREE);
        assertThat(kindOf(() -> na.free(FrameRange.of(50, 1)))).isEqualTo(NumaError.Kind.OUT_OF_RANGE);
        assertThat(kindOf(() -> na.free(FrameRange.of(101, 2)))).isEqualTo(NumaError.Kind.OUT_OF_RANGE);
        assertThat(na.key()).isEqualTo(before);
        FrameRange pair = na.allocate(NumaRequest.local(0, 1)).run();
        assertThat(kindOf(() -> na.free(FrameRange.of(101, 1)))).isEqualTo(NumaError.Kind.NOT_ALLOCATED);
        na.free(pair);
        assertThat(kindOf(() -> na.free(pair))).isEqualTo(NumaError.Kind.DOUBLE_FREE);
    }

    @Test
    void meminfoRendersEveryNodeLikeSysfs() {
        NumaAllocator na = new NumaAllocator(NumaFixtures.fourNodes(4));
        na.allocate(NumaRequest.local(0, 1));
        na.allocate(new NumaRequest(0, 0, Binding.strict(N2)));
        assertThat(na.meminfo(N0)).isEqualTo(String.format(
                "Node 0 MemTotal:             16 kB%n"
                + "Node 0 MemFree:               8 kB%n"
                + "Node 0 MemUsed:               8 kB%n"));
        assertThat(na.meminfo()).contains(String.format("Node 2 MemFree:              12 kB%n"))
                .contains(String.format("Node 3 MemTotal:              0 kB%n"))
                .contains("Node 1 MemUsed:               0 kB");
        assertThat(na.meminfo().lines()).hasSize(12);
        assertThat(na.distanceRow(N0)).isEqualTo("10 20 20 21");
        assertThat(na.node(N2).memoryOnly()).isTrue();
        assertThat(na.node(N1).preferredCpus().toList()).isEqualTo("2-3");
    }
}
