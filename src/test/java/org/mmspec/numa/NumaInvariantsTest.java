package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.numa.NumaFixtures.N0;
import static org.mmspec.numa.NumaFixtures.N1;
import static org.mmspec.numa.NumaFixtures.N2;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;

/** Each NUMA invariant holds on a fresh allocator and is the only one to report its corruption. */
class NumaInvariantsTest {
    static List<String> broken(NumaAllocator na) {
        return NumaInvariants.ALL.violations(na).stream().map(Violation::invariantId).toList();
    }

    static NumaAllocator fresh() {
        return new NumaAllocator(NumaFixtures.fourNodes(2));
    }

    @Test
    void allHoldOnAFreshAllocatorAndAfterAllocations() {
        NumaAllocator na = fresh();
        assertThat(broken(na)).isEmpty();
        for (int i = 0; i < 5; i++) {
            na.allocate(NumaRequest.local(4, 0));
        }
        assertThat(broken(na)).isEmpty();
    }

    @Test
    void NUMA_1_catchesAnAsymmetricDistance() {
        NumaAllocator na = fresh();
        na.corruptTopology(na.topology().withDistanceUnchecked(N0, N1, 25));
        assertThat(broken(na)).containsExactly("NUMA-1");
    }

    @Test
    void NUMA_1_catchesABadSelfDistance() {
        NumaAllocator na = fresh();
        na.corruptTopology(na.topology().withDistanceUnchecked(N2, N2, 0));
        assertThat(broken(na)).containsExactly("NUMA-1");
    }

    @Test
    void NUMA_2_catchesACpuOnTwoNodes() {
        NumaAllocator na = fresh();
        na.corruptTopology(na.topology().withCpusUnchecked(N2, CpuSet.of(1)));
        assertThat(broken(na)).containsExactly("NUMA-2");
    }

    @Test
    void NUMA_3_catchesAnAllocationRecordedOnTheWrongNode() {
        NumaAllocator na = fresh();
        NumaAllocation a = na.allocate(NumaRequest.local(0, 0));
        NumaAllocation b = na.allocate(NumaRequest.local(2, 0));
        // Swap the serving nodes: every count still matches, but each run sits on the other node.
        na.corruptLive(new NumaAllocation(a.run(), N1, N0, false));
        na.corruptLive(new NumaAllocation(b.run(), N0, N1, false));
        assertThat(broken(na)).containsExactly("NUMA-3");
    }

    @Test
    void NUMA_4_catchesAStrictAllocationThatLeftItsNode() {
        NumaAllocator na = fresh();
        NumaAllocation a = na.allocate(new NumaRequest(0, 0, Binding.preferred(N0)));
        na.corruptLive(new NumaAllocation(a.run(), N0, N1, true));
        assertThat(broken(na)).containsExactly("NUMA-4");
    }

    @Test
    void NUMA_4_catchesAStrictRequestThatTriedAnotherNode() {
        NumaAllocator na = fresh();
        na.allocate(new NumaRequest(0, 0, Binding.strict(N1)));
        NumaRequest r = new NumaRequest(0, 0, Binding.strict(N1));
        na.corruptDecision(new NumaDecision(r, N1, List.of(new NumaDecision.Attempt(N1, false),
                new NumaDecision.Attempt(N0, true)), Optional.of(N0)));
        assertThat(broken(na)).containsExactly("NUMA-4");
    }

    @Test
    void NUMA_5_catchesATieBrokenByTheHigherId() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(0, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(new NumaDecision.Attempt(N0, false),
                new NumaDecision.Attempt(N2, true)), Optional.of(N2)));
        assertThat(broken(na)).containsExactly("NUMA-5");
    }

    @Test
    void NUMA_5_catchesARequestThatDidNotStartAtItsLocalNode() {
        NumaAllocator na = fresh();
        NumaRequest r = NumaRequest.local(2, 0);
        na.corruptDecision(new NumaDecision(r, N0, List.of(new NumaDecision.Attempt(N0, true)), Optional.of(N0)));
        assertThat(broken(na)).containsExactly("NUMA-5");
    }

    @Test
    void NUMA_6_catchesANodeCountDriftingFromItsAllocations() {
        NumaAllocator na = fresh();
        na.allocate(NumaRequest.local(2, 1));
        na.node(N1).allocatedFrames = 0;
        assertThat(broken(na)).containsExactly("NUMA-6");
    }

    @Test
    void NUMA_6_catchesALeakedFrame() {
        NumaAllocator na = fresh();
        FrameRange a = na.allocate(NumaRequest.local(0, 0)).run();
        na.node(N0).pool().get().allocator().free(a); // behind the pool's back
        assertThat(broken(na)).containsExactly("NUMA-6");
    }

    @Test
    void NUMA_7_catchesAnOrderRequestServedUnaligned() {
        // node0 holds frames 16..18: order 0 takes 16; unaligned first fit then puts order 1 at 17.
        NumaAllocator na = new NumaAllocator(NumaModel.topology(3), org.mmspec.zones.AllocatorFactory.HYBRID,
                NumaAllocator.Bug.UNALIGNED_ORDER);
        na.allocate(NumaRequest.local(0, 0));
        NumaAllocation a = na.allocate(NumaRequest.local(0, 1));
        assertThat(a.run()).isEqualTo(FrameRange.of(17, 2));
        assertThat(broken(na)).containsExactly("NUMA-7");
    }

    @Test
    void NUMA_7_holdsWhenEachNodesHybridServesOrderRequests() {
        NumaAllocator na = new NumaAllocator(NumaModel.topology(3));
        na.allocate(NumaRequest.local(0, 0));
        assertThat(na.allocate(NumaRequest.local(0, 1)).run()).isEqualTo(FrameRange.of(32, 2)); // node0 has no aligned pair left
        assertThat(na.node(N0).pool().get().allocator()).isInstanceOf(org.mmspec.frames.HybridAllocator.class);
        assertThat(broken(na)).isEmpty();
    }
}
