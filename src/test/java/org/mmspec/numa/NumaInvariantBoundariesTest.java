package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.numa.NumaFixtures.N0;
import static org.mmspec.numa.NumaFixtures.N1;
import static org.mmspec.numa.NumaFixtures.N2;
import static org.mmspec.numa.NumaFixtures.N3;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Invariant;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * Each NUMA invariant at its exact boundary: the last state it accepts, the first corrupted
 * state it rejects, and the detail it reports. The allocator is {@link NumaFixtures#fourNodes}
 * with two frames per node: node0 100..101 (CPUs 0-1), node1 200..201 (CPUs 2-3), node2 300..301
 * (CXL), node3 no memory (CPU 4).
 */
class NumaInvariantBoundariesTest {
    private static NumaAllocator fresh() {
        return new NumaAllocator(NumaFixtures.fourNodes(2), AllocatorFactory.REFERENCE);
    }

    private static Optional<String> detail(Invariant<NumaAllocator> inv, NumaAllocator na) {
        return inv.evaluate(na).map(Violation::detail);
    }

    private static NumaDecision.Attempt tried(NodeId n, boolean ok) {
        return new NumaDecision.Attempt(n, ok);
    }

    // ---- NUMA-1: 10 on the diagonal, [11, 254] elsewhere, symmetric, complete ----

    /** Two nodes at {@code d} from each other, symmetric. */
    private static NumaTopology pair(int d) {
        return NumaTopology.unchecked(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(0, 2)), CpuSet.of(0), Map.of(N0, 10, N1, d)),
                new NodeSpec(N1, List.of(FrameRange.of(8, 2)), CpuSet.of(1), Map.of(N0, d, N1, 10))));
    }

    @Test
    void NUMA_1_acceptsTheExtremeRemoteDistancesAndRejectsOnePastEach() {
        assertThat(pair(11).distanceProblem()).isEmpty();
        assertThat(pair(254).distanceProblem()).isEmpty();
        assertThat(NumaTopology.of(pair(11).nodes()).distance(N0, N1)).isEqualTo(11);
        assertThat(pair(10).distanceProblem()).hasValueSatisfying(e -> {
            assertThat(e.errorKind()).isEqualTo(NumaError.Kind.BAD_DISTANCE);
            assertThat(e.getMessage()).isEqualTo("distance(node0, node1) = 10 outside [11, 254]");
        });
        assertThat(pair(255).distanceProblem()).hasValueSatisfying(e -> {
            assertThat(e.errorKind()).isEqualTo(NumaError.Kind.BAD_DISTANCE);
            assertThat(e.getMessage()).isEqualTo("distance(node0, node1) = 255 outside [11, 254]");
        });
    }

    @Test
    void NUMA_1_namesEachKindOfBadTable() {
        NumaAllocator na = fresh();
        na.corruptTopology(na.topology().withDistanceUnchecked(N0, N1, 25));
        assertThat(detail(NumaInvariants.NUMA_1, na)).contains("distance(node0, node1) = 25 but distance(node1, node0) = 20");
        na = fresh();
        na.corruptTopology(na.topology().withDistanceUnchecked(N2, N2, 11));
        assertThat(detail(NumaInvariants.NUMA_1, na)).contains("node2's distance to itself is 11, not 10");
        na = fresh();
        na.corruptTopology(na.topology().withDistanceUnchecked(N1, NodeId.of(9), 20));
        assertThat(detail(NumaInvariants.NUMA_1, na)).contains("node1 gives a distance to node9, which is not a node");
        NumaTopology missing = NumaTopology.unchecked(List.of(
                new NodeSpec(N0, List.of(), CpuSet.of(0), Map.of(N0, 10)),
                new NodeSpec(N1, List.of(), CpuSet.of(1), Map.of(N0, 20, N1, 10))));
        assertThat(missing.distanceProblem()).hasValueSatisfying(e -> {
            assertThat(e.errorKind()).isEqualTo(NumaError.Kind.MISSING_DISTANCE);
            assertThat(e.getMessage()).isEqualTo("node0 has no distance to node1");
        });
        assertThat(detail(NumaInvariants.NUMA_1, fresh())).isEmpty();
    }

    // ---- NUMA-2: adjacent memory is disjoint, shared memory or CPUs are not ----

    @Test
    void NUMA_2_acceptsAdjacentNodesAndRejectsAOneFrameOverlap() {
        NumaTopology adjacent = NumaTopology.unchecked(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(0, 4)), CpuSet.of(0), Map.of(N0, 10, N1, 20)),
                new NodeSpec(N1, List.of(FrameRange.of(4, 4)), CpuSet.of(1), Map.of(N0, 20, N1, 10))));
        assertThat(adjacent.disjointnessProblem()).isEmpty();
        NumaTopology overlap = NumaTopology.unchecked(List.of(
                new NodeSpec(N0, List.of(FrameRange.of(0, 4)), CpuSet.of(0), Map.of(N0, 10, N1, 20)),
                new NodeSpec(N1, List.of(FrameRange.of(3, 4)), CpuSet.of(1), Map.of(N0, 20, N1, 10))));
        assertThat(overlap.disjointnessProblem()).hasValueSatisfying(e -> {
            assertThat(e.errorKind()).isEqualTo(NumaError.Kind.OVERLAPPING_MEMORY);
            assertThat(e.getMessage()).isEqualTo("[frame#0..4) of node0 overlaps [frame#3..7) of node1");
        });
    }

    @Test
    void NUMA_2_namesTheNodesThatShareACpu() {
        NumaAllocator na = fresh();
        na.corruptTopology(na.topology().withCpusUnchecked(N3, CpuSet.of(3, 4)));
        assertThat(detail(NumaInvariants.NUMA_2, na)).contains("node1 and node3 share CPUs: {2,3} and {3,4}");
        na.corruptTopology(na.topology().withCpusUnchecked(N3, CpuSet.of(5)));
        assertThat(detail(NumaInvariants.NUMA_2, na)).isEmpty();
    }

    // ---- NUMA-3 ----

    @Test
    void NUMA_3_catchesAnAllocationOnAnUnknownNode() {
        NumaAllocator na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(100, 1), NodeId.of(7), N0, false));
        assertThat(detail(NumaInvariants.NUMA_3, na)).contains("[frame#100..101) node0->node7: served by unknown node7");
    }

    @Test
    void NUMA_3_catchesARunTheNodeDidNotHandOutAndOneOnAMemorylessNode() {
        NumaAllocator na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(100, 1), N0, N0, false));
        assertThat(detail(NumaInvariants.NUMA_3, na)).contains("[frame#100..101) node0 is not a live run of node0");
        na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(100, 1), N3, N3, false));
        assertThat(detail(NumaInvariants.NUMA_3, na)).contains("[frame#100..101) node3 is not a live run of node3");
    }

    @Test
    void NUMA_3_catchesAnAllocatorThatHandsOutAHole() {
        // node0 holds 16 and 18; its allocator ignores the hole at 17, so the second frame is the hole.
        NodeSpec holey = new NodeSpec(N0, List.of(FrameRange.of(16, 1), FrameRange.of(18, 1)), CpuSet.of(0), Map.of(N0, 10));
        AllocatorFactory ignoresHoles = (managed, reserved) -> new org.mmspec.frames.ReferenceFrameAllocator(managed);
        NumaAllocator na = new NumaAllocator(NumaTopology.of(List.of(holey)), ignoresHoles);
        assertThat(na.node(N0).pool().orElseThrow().holes()).containsExactly(FrameRange.of(17, 1));
        na.allocate(NumaRequest.local(0, 0));
        assertThat(detail(NumaInvariants.NUMA_3, na)).isEmpty();
        assertThat(na.allocate(NumaRequest.local(0, 0)).run()).isEqualTo(FrameRange.of(17, 1));
        assertThat(detail(NumaInvariants.NUMA_3, na)).contains("[frame#17..18) node0 lies outside the usable memory of node0");
    }

    // ---- NUMA-4 ----

    @Test
    void NUMA_4_acceptsAStrictAllocationAtHomeAndANonStrictOneAway() {
        NumaAllocator na = fresh();
        na.allocate(new NumaRequest(0, 0, Binding.strict(N1)));
        NumaAllocation away = na.allocate(new NumaRequest(0, 1, Binding.preferred(N3)));
        assertThat(away.hit()).isFalse();
        assertThat(detail(NumaInvariants.NUMA_4, na)).isEmpty();
    }

    @Test
    void NUMA_4_namesTheStrictAllocationThatLeftAndTheNodeAStrictRequestTried() {
        NumaAllocator na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(100, 1), N0, N1, true));
        assertThat(detail(NumaInvariants.NUMA_4, na)).contains(
                "[frame#100..101) node1->node0 strict was strictly bound to node1 but served by node0");
        NumaAllocator nb = fresh();
        NumaRequest r = new NumaRequest(0, 0, Binding.strict(N1));
        nb.corruptDecision(new NumaDecision(r, N1, List.of(tried(N1, false), tried(N0, true)), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_4, nb)).contains(
                "cpu0 order 0 strict(node1) from node1: [node1-, node0+] -> node0: a request strictly bound to node1 tried node0");
        nb.corruptDecision(new NumaDecision(r, N1, List.of(tried(N1, true)), Optional.of(N1)));
        assertThat(detail(NumaInvariants.NUMA_4, nb)).isEmpty();
        assertThat(detail(NumaInvariants.NUMA_5, nb)).isEmpty(); // a strict request has no fallback to judge
    }

    // ---- NUMA-5 ----

    @Test
    void NUMA_5_acceptsTheFullOrderByDistanceFromThePreferredNode() {
        NumaAllocator na = fresh();
        assertThat(detail(NumaInvariants.NUMA_5, na)).isEmpty();
        NumaRequest r = new NumaRequest(0, 0, Binding.preferred(N2));
        na.corruptDecision(new NumaDecision(r, N2, List.of(tried(N2, false), tried(N0, false), tried(N1, false), tried(N3, false)),
                Optional.empty()));
        assertThat(detail(NumaInvariants.NUMA_5, na)).isEmpty();
    }

    @Test
    void NUMA_5_catchesAPreferredRequestThatStartedElsewhere() {
        NumaAllocator na = fresh();
        NumaRequest r = new NumaRequest(0, 0, Binding.preferred(N2));
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, true)), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("started at node0 but the request's bound node is node2"));
    }

    @Test
    void NUMA_5_catchesALocalRequestFromACpuOfNoNode() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(9, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, true)), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("started at node0 but the request's local node is none"));
    }

    @Test
    void NUMA_5_catchesAnAttemptPastTheLastNode() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(0, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, false), tried(N1, false), tried(N2, false), tried(N3, false),
                tried(N0, true)), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("attempt 4 tried node0 but the order by distance from node0 is [node0, node1, node2, node3]"));
    }

    @Test
    void NUMA_5_catchesGoingOnPastTheNodeThatSatisfiedIt() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(0, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, true), tried(N1, true)), Optional.of(N1)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(d -> assertThat(d).endsWith("went on past node0, which satisfied it"));
    }

    @Test
    void NUMA_5_catchesAServedNodeTheAttemptsDoNotName() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(0, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, false), tried(N1, true)), Optional.of(N2)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[node2] but the attempts say Optional[node1]"));
        na.corruptDecision(new NumaDecision(r, N0, List.of(tried(N0, false)), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[node0] but the attempts say Optional.empty"));
        na.corruptDecision(new NumaDecision(r, N0, List.of(), Optional.of(N0)));
        assertThat(detail(NumaInvariants.NUMA_5, na)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[node0] but the attempts say Optional.empty"));
    }

    // ---- NUMA-6 ----

    @Test
    void NUMA_6_namesTheNodeWhoseCountDriftedAndAPoolHoldingMore() {
        NumaAllocator na = fresh();
        na.allocate(NumaRequest.local(2, 1));
        na.node(N1).allocatedFrames = 1;
        assertThat(detail(NumaInvariants.NUMA_6, na)).contains("node1 counts 1 allocated frames but its live allocations hold 2");
        NumaAllocator nb = fresh();
        nb.node(N2).pool().orElseThrow().tryAllocate(1);
        assertThat(detail(NumaInvariants.NUMA_6, nb)).contains(
                "node2: its pool holds 1 live frames but the allocator's live allocations hold 0");
        NumaAllocator nc = fresh();
        nc.node(N3).allocatedFrames = 1;
        assertThat(detail(NumaInvariants.NUMA_6, nc)).contains("node3 counts 1 allocated frames but its live allocations hold 0");
    }

    @Test
    void NUMA_6_reportsThePoolsOwnAccountingProblem() {
        NumaAllocator na = fresh();
        FrameRange a = na.allocate(NumaRequest.local(3, 0)).run();
        na.node(N1).pool().get().allocator().free(a);
        assertThat(detail(NumaInvariants.NUMA_6, na)).contains(
                "node1: free 2 + allocated 1 + holes 0 != span 2 ([frame#200..202))");
    }

    // ---- NUMA-7 ----

    @Test
    void NUMA_7_catchesARunThatIsNotAPowerOfTwoAtAMultipleOfItsLength() {
        NumaAllocator na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(300, 3), N2, N2, false)); // 300 = 3 * 100
        assertThat(detail(NumaInvariants.NUMA_7, na)).contains(
                "[frame#300..303) node2: 3 frames at frame#300 is not a block aligned to its size");
    }

    @Test
    void NUMA_7_acceptsAnAlignedPairAndRejectsItOneFrameOver() {
        NumaAllocator na = fresh();
        na.corruptLive(new NumaAllocation(FrameRange.of(100, 2), N0, N0, false));
        assertThat(detail(NumaInvariants.NUMA_7, na)).isEmpty();
        na.corruptLive(new NumaAllocation(FrameRange.of(201, 2), N1, N1, false));
        assertThat(detail(NumaInvariants.NUMA_7, na)).contains(
                "[frame#201..203) node1: 2 frames at frame#201 is not a block aligned to its size");
    }

    @Test
    void theSetHoldsEveryInvariantInIdOrder() {
        assertThat(NumaInvariants.ALL.ids()).containsExactly("NUMA-1", "NUMA-2", "NUMA-3", "NUMA-4", "NUMA-5", "NUMA-6", "NUMA-7");
    }
}
