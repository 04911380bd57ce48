package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.debug.MemoryReport;
import org.mmspec.debug.StatsProviders;
import org.mmspec.frames.PhysFrame;
import org.mmspec.numa.NodeId;
import org.mmspec.zones.AllocatorFactory;

/** The per-CPU caches' operations one by one: refill, drain, pressure, locality, batches, errors, statistics. */
class PcpAllocatorTest {
    /** Node 0: frames 64-67, CPUs 0 and 1; node 1: frames 128-129, CPU 2. high 2, low 0, batch 2. */
    private static PcpAllocator machine() {
        return PcpInvariantsTest.machine();
    }

    private static PcpError.Kind kind(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(PcpError.class);
        return ((PcpError) t).errorKind();
    }

    private static void holds(PcpAllocator a) {
        PcpInvariants.ALL.assertHolds(a);
    }

    @Test
    void anAllocationOnAnEmptyCacheRefillsABatchAndTheNextIsAHit() {
        PcpAllocator a = machine();
        PhysFrame f = a.allocate(0);
        assertThat(a.cached(0)).hasSize(1);
        PhysFrame g = a.allocate(0);
        assertThat(g).isNotEqualTo(f);
        PcpStats.CpuStats s = a.cpuStats().get(0);
        assertThat(s.refills()).isEqualTo(1);
        assertThat(s.hits()).isEqualTo(1);
        assertThat(s.allocs()).isEqualTo(2);
        holds(a);
    }

    @Test
    void PCP_4_aFreePastTheHighWatermarkDrainsDownToLow() {
        PcpAllocator a = new PcpAllocator(PcpTopologies.of(new int[] {6}, new int[] {0}), PcpConfig.of(1, 1, 2, 1),
                AllocatorFactory.REFERENCE);
        PhysFrame[] fs = a.allocateBatch(0, 3);
        a.free(0, fs[0]);
        a.free(0, fs[1]);
        assertThat(a.cached(0)).hasSize(2);
        a.free(0, fs[2]);
        assertThat(a.cached(0)).containsExactly(fs[2].number()); // the coldest two went back; the warmest stays
        assertThat(a.cpuStats().get(0).drains()).isEqualTo(1);
        holds(a);
    }

    @Test
    void PCP_3_underPressureAnAllocationDrainsAnotherCpusCacheInsteadOfFailing() {
        PcpAllocator a = machine();
        PhysFrame[] node0 = a.allocateBatch(0, 4); // node 0 is empty now
        a.free(1, node0[0]);                         // cpu1 caches one node-0 frame
        a.allocateBatch(2, 2);                        // node 1 is empty too
        PhysFrame got = a.allocate(0);                // only cpu1's cache holds a frame
        assertThat(got).isEqualTo(node0[0]);
        assertThat(a.cpuStats().get(1).pressureDrains()).isEqualTo(1);
        assertThat(kind(() -> a.allocate(0))).isEqualTo(PcpError.Kind.OUT_OF_MEMORY);
        assertThat(a.lastOom()).contains(new PcpStats.OomWitness(0, 1, 0));
        holds(a);
    }

    @Test
    void PCP_5_aRemoteFrameFreedOnAnotherNodesCpuGoesBackToItsOwnNode() {
        PcpAllocator a = machine();
        PhysFrame remote = a.allocate(2);
        assertThat(a.nodeOfFrame(remote)).contains(NodeId.of(1));
        a.free(0, remote);
        assertThat(a.cached(0)).isEmpty();
        assertThat(a.placeOf(remote)).isEqualTo(PcpAllocator.FREE);
        assertThat(a.nodeStats().get(1).remoteFrees()).isEqualTo(1);
        holds(a);
    }

    @Test
    void aCpuFallsBackByDistanceWhenItsNodeAndCachesAreEmpty() {
        PcpAllocator a = machine();
        a.allocateBatch(2, 2);
        PhysFrame f = a.allocate(2);
        assertThat(a.nodeOfFrame(f)).contains(NodeId.of(0));
        holds(a);
    }

    @Test
    void aBatchThatCannotBeServedInFullChangesNothing() {
        PcpAllocator a = machine();
        a.allocate(0);
        Object before = a.key();
        assertThat(kind(() -> a.allocateBatch(1, 6))).isEqualTo(PcpError.Kind.OUT_OF_MEMORY);
        assertThat(a.lastOom()).contains(new PcpStats.OomWitness(1, 6, 5));
        assertThat(a.key()).isEqualTo(before);
        PhysFrame[] five = a.allocateBatch(1, 5);
        Set<PhysFrame> distinct = new HashSet<>(List.of(five));
        assertThat(distinct).hasSize(5);
        holds(a);
    }

    @Test
    void aBatchFreeWithOneBadFrameFreesNone() {
        PcpAllocator a = machine();
        PhysFrame[] two = a.allocateBatch(0, 2);
        Object before = a.key();
        PhysFrame notAllocated = PhysFrame.of(129);
        assertThat(kind(() -> a.freeBatch(0, new PhysFrame[] {two[0], two[1], notAllocated}))).isEqualTo(PcpError.Kind.DOUBLE_FREE);
        assertThat(a.key()).isEqualTo(before);
        assertThat(kind(() -> a.freeBatch(0, new PhysFrame[] {two[0], two[0]}))).isEqualTo(PcpError.Kind.DUPLICATE_IN_BATCH);
        assertThat(a.key()).isEqualTo(before);
        a.freeBatch(1, two);
        assertThat(a.allocatedFrames()).isZero();
        holds(a);
    }

    @Test
    void badInputIsRejectedWithItsKind() {
        PcpAllocator a = new PcpAllocator(PcpTopologies.of(new int[] {4}, new int[] {0}, new boolean[] {true}),
                PcpConfig.of(1, 0, 2, 1), AllocatorFactory.REFERENCE);
        assertThat(kind(() -> a.allocate(1))).isEqualTo(PcpError.Kind.UNKNOWN_CPU);
        assertThat(kind(() -> a.allocate(-1))).isEqualTo(PcpError.Kind.UNKNOWN_CPU);
        assertThat(kind(() -> a.allocateBatch(0, 0))).isEqualTo(PcpError.Kind.ZERO_SIZE);
        assertThat(kind(() -> a.freeBatch(0, new PhysFrame[0]))).isEqualTo(PcpError.Kind.ZERO_SIZE);
        assertThat(kind(() -> a.free(0, PhysFrame.of(65)))).isEqualTo(PcpError.Kind.RESERVED);
        assertThat(kind(() -> a.free(0, PhysFrame.of(63)))).isEqualTo(PcpError.Kind.OUT_OF_RANGE);
        assertThat(kind(() -> a.free(0, PhysFrame.of(500)))).isEqualTo(PcpError.Kind.OUT_OF_RANGE);
        assertThat(kind(() -> a.free(0, PhysFrame.of(64)))).isEqualTo(PcpError.Kind.DOUBLE_FREE);
        PhysFrame f = a.allocate(0);
        a.free(0, f);
        assertThat(kind(() -> a.free(0, f))).isEqualTo(PcpError.Kind.DOUBLE_FREE);
        assertThatThrownBy(() -> a.free(0, f)).hasMessageContaining("in cpu0's cache");
        assertThat(kind(() -> PcpConfig.of(1, 2, 2, 1))).isEqualTo(PcpError.Kind.BAD_CONFIG);
        assertThat(kind(() -> PcpConfig.of(1, 0, 2, 3))).isEqualTo(PcpError.Kind.BAD_CONFIG);
        assertThat(kind(() -> PcpConfig.of(0, 0, 2, 1))).isEqualTo(PcpError.Kind.BAD_CONFIG);
        assertThat(kind(() -> new PcpAllocator(PcpTopologies.of(new int[] {4}, new int[] {0}), PcpConfig.of(2, 0, 2, 1)))).isEqualTo(PcpError.Kind.BAD_CONFIG);
    }

    @Test
    void theDebugReportShowsPerCpuAndPerNodeStatistics() {
        PcpAllocator a = machine();
        PhysFrame f = a.allocate(0);
        a.allocate(0);
        a.free(0, f);
        a.allocate(2);
        MemoryReport r = new MemoryReport(() -> new StatsProviders.FrameStats(6, 3), List::of, List::of,
                new StatsProviders.SlabStatsProvider() {
                    @Override
                    public List<org.mmspec.heap.HeapStats.ClassStats> classStats() {
                        return List.of();
                    }

                    @Override
                    public List<org.mmspec.heap.HeapStats.CpuStats> cpuStats() {
                        return List.of();
                    }
                }, () -> new org.mmspec.heap.HeapStats.LargeStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                StatsProviders.PcpStatsProvider.of(a));
        String text = r.render();
        assertThat(text).contains("[pcp]")
                .contains("  cpu0 node0 cached 1 allocs 2 frees 1 hits 1 refills 1 drains 0 pressure-drains 0")
                .contains("  cpu2 node1 cached 1 allocs 1 frees 0 hits 0 refills 1 drains 0 pressure-drains 0")
                .contains("  node0 free 2 cached 1 refills 1 drains 0 direct 0 remote-frees 0 pressure-drains 0");
    }
}
