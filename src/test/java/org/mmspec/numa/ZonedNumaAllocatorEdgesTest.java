package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * {@link ZonedNumaAllocator} at its edges: the largest order is a real request, a node's memory
 * given out of address order, the seeded bugs' own zone windows and zonelists (what NZONE-1 and
 * NZONE-3 are checked against), the state key seeing each zone's count, reading a state over a
 * used allocator, and the rendering a counterexample prints.
 */
class ZonedNumaAllocatorEdgesTest {
    private static final NodeId N0 = NodeId.of(0);
    private static final NodeId N1 = NodeId.of(1);
    private static final long DMA32_START = NodeZoneType.DMA32.window().start().number();
    private static final long NORMAL_START = NodeZoneType.NORMAL.window().start().number();

    private static ZonedNumaAllocator model(ZonedNumaAllocator.Bug bug) {
        return new ZonedNumaAllocator(ZonedNumaModel.topology(1, 2), ZonedNumaModel.policy(1), AllocatorFactory.REFERENCE, bug);
    }

    /** One node whose memory straddles 4 GiB: two DMA32 frames and two NORMAL frames. */
    private static ZonedNumaAllocator straddling(ZonedNumaAllocator.Bug bug, List<FrameRange> memory) {
        NumaTopology t = NumaTopology.of(List.of(new NodeSpec(N0, memory, CpuSet.of(0), Map.of(N0, NumaTopology.LOCAL_DISTANCE))));
        return new ZonedNumaAllocator(t, (z, usable) -> Watermarks.NONE, AllocatorFactory.REFERENCE, bug);
    }

    private static Map<NodeZoneType, FrameRange> spans(ZonedNumaAllocator z) {
        Map<NodeZoneType, FrameRange> out = new java.util.TreeMap<>();
        z.zones().forEach(p -> out.put(p.id().type(), p.pool().span()));
        return out;
    }

    @Test
    void theLargestOrderIsARequestNotABadOrder() {
        ZonedNumaAllocator z = model(ZonedNumaAllocator.Bug.NONE);
        assertThatThrownBy(() -> z.allocate(new ZonedRequest(N0, NodeZoneType.NORMAL, ZonedNumaAllocator.MAX_ORDER)))
                .isInstanceOfSatisfying(NumaError.class, e -> assertThat(e.errorKind()).isEqualTo(NumaError.Kind.OUT_OF_MEMORY));
        assertThatThrownBy(() -> z.allocate(new ZonedRequest(N0, NodeZoneType.NORMAL, ZonedNumaAllocator.MAX_ORDER + 1)))
                .isInstanceOfSatisfying(NumaError.class, e -> assertThat(e.errorKind()).isEqualTo(NumaError.Kind.BAD_ORDER));
    }

    @Test
    void aNodesMemoryOutOfAddressOrderIsSplitIntoTheSameZones() {
        FrameRange low = FrameRange.of(NORMAL_START - 2, 2);
        FrameRange high = FrameRange.of(NORMAL_START + 4, 2);
        FrameRange higher = FrameRange.of(NORMAL_START + 8, 1);
        ZonedNumaAllocator shuffled = straddling(ZonedNumaAllocator.Bug.NONE, List.of(higher, low, high));
        ZonedNumaAllocator sorted = straddling(ZonedNumaAllocator.Bug.NONE, List.of(low, high, higher));
        assertThat(spans(shuffled)).isEqualTo(spans(sorted))
                .isEqualTo(Map.of(NodeZoneType.DMA32, low, NodeZoneType.NORMAL, FrameRange.of(NORMAL_START + 4, 5)));
        assertThat(shuffled.key()).isEqualTo(sorted.key());
        assertThat(shuffled.zone(new NodeZone(N0, NodeZoneType.NORMAL)).orElseThrow().freeFrames()).isEqualTo(3);
        // the hole between the two NORMAL ranges is never handed out
        ZonedRequest normal = new ZonedRequest(N0, NodeZoneType.NORMAL, 0);
        assertThat(List.of(shuffled.allocate(normal).run(), shuffled.allocate(normal).run(), shuffled.allocate(normal).run()))
                .containsExactly(FrameRange.of(NORMAL_START + 4, 1), FrameRange.of(NORMAL_START + 5, 1), higher);
    }

    @Test
    void dma32OffByOne_movesTheSplitOneFrameIntoNormal() {
        List<FrameRange> memory = List.of(FrameRange.of(NORMAL_START - 2, 4));
        assertThat(spans(straddling(ZonedNumaAllocator.Bug.NONE, memory))).isEqualTo(Map.of(
                NodeZoneType.DMA32, FrameRange.of(NORMAL_START - 2, 2), NodeZoneType.NORMAL, FrameRange.of(NORMAL_START, 2)));
        assertThat(spans(straddling(ZonedNumaAllocator.Bug.DMA32_OFF_BY_ONE, memory))).isEqualTo(Map.of(
                NodeZoneType.DMA32, FrameRange.of(NORMAL_START - 2, 3), NodeZoneType.NORMAL, FrameRange.of(NORMAL_START + 1, 1)));
        // the bug moves only the 4 GiB split: DMA's window is the type's
        List<FrameRange> low = List.of(FrameRange.of(DMA32_START - 1, 2));
        assertThat(spans(straddling(ZonedNumaAllocator.Bug.DMA32_OFF_BY_ONE, low))).isEqualTo(spans(straddling(ZonedNumaAllocator.Bug.NONE, low)));
    }

    @Test
    void zoneOrder_stillReachesTheLowestZone() {
        // the zone-ordered zonelist lists DMA last, but lists it: a DMA request is served from DMA
        ZonedNumaAllocator z = model(ZonedNumaAllocator.Bug.ZONE_ORDER);
        ZonedAllocation a = z.allocate(new ZonedRequest(N1, NodeZoneType.DMA, 0));
        assertThat(a.zone()).isEqualTo(new NodeZone(N0, NodeZoneType.DMA));
    }

    @Test
    void theKeySeesEachZonesAllocatedCount() {
        // FORGET_ACCOUNTING leaves the zone's count up after a free; nothing else differs
        ZonedNumaAllocator clean = model(ZonedNumaAllocator.Bug.NONE);
        ZonedNumaAllocator forgetful = model(ZonedNumaAllocator.Bug.FORGET_ACCOUNTING);
        for (ZonedNumaAllocator z : List.of(clean, forgetful)) {
            z.free(z.allocate(new ZonedRequest(N1, NodeZoneType.NORMAL, 0)).run());
        }
        assertThat(clean.live()).isEqualTo(forgetful.live());
        assertThat(clean.lastDecision()).isEqualTo(forgetful.lastDecision());
        assertThat(forgetful.key()).isNotEqualTo(clean.key());
    }

    @Test
    void readingAStateOverAUsedAllocatorReplacesItsLiveAllocations() throws IOException {
        ZonedNumaAllocator fresh = model(ZonedNumaAllocator.Bug.NONE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            fresh.writeState(out);
        }
        ZonedNumaAllocator used = model(ZonedNumaAllocator.Bug.NONE);
        used.allocate(new ZonedRequest(N1, NodeZoneType.NORMAL, 0));
        used.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(used.live()).isEmpty();
        assertThat(used.key()).isEqualTo(fresh.key());

        NumaAllocator plain = new NumaAllocator(NumaModel.topology(2), AllocatorFactory.REFERENCE, NumaAllocator.Bug.NONE);
        ByteArrayOutputStream plainBytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(plainBytes)) {
            plain.writeState(out);
        }
        NumaAllocator plainUsed = new NumaAllocator(NumaModel.topology(2), AllocatorFactory.REFERENCE, NumaAllocator.Bug.NONE);
        plainUsed.allocate(NumaRequest.local(0, 0));
        plainUsed.readState(new DataInputStream(new ByteArrayInputStream(plainBytes.toByteArray())));
        assertThat(plainUsed.live()).isEmpty();
        assertThat(plainUsed.key()).isEqualTo(plain.key());
    }

    @Test
    void aZoneThatKeepsItsMarkButHasNoAlignedBlockIsRenderedAsTriedAndPassedOver() {
        // NORMAL: two free frames at an odd start, enough to keep the mark but no block of two aligned to two;
        // DMA32 below it has one
        ZonedNumaAllocator z = straddling(ZonedNumaAllocator.Bug.NONE,
                List.of(FrameRange.of(NORMAL_START - 4, 2), FrameRange.of(NORMAL_START + 1, 2)));
        ZonedAllocation a = z.allocate(new ZonedRequest(N0, NodeZoneType.NORMAL, 1));
        assertThat(a.run()).isEqualTo(FrameRange.of(NORMAL_START - 4, 2));
        assertThat(z.lastDecision().orElseThrow())
                .hasToString("order 1 NORMAL on node0: [node0/NORMAL@LOW(2/0)~, node0/DMA32@LOW(2/0)+] -> node0/DMA32");
    }

    @Test
    void rendersEveryZoneTheLiveAllocationsAndTheLastDecision() {
        ZonedNumaAllocator z = model(ZonedNumaAllocator.Bug.NONE);
        assertThat(z.toString()).endsWith("  live []\n  last -");
        ZonedAllocation a = z.allocate(new ZonedRequest(N1, NodeZoneType.NORMAL, 0));
        assertThat(a).hasToString("[frame#1048592..1048593) from node1/NORMAL for order 0 NORMAL on node1");
        assertThat(z.toString()).isEqualTo("""
                ZonedNumaAllocator
                  node0/DMA span [frame#4095..4096) free 1 live {} [min 0 low 0 high 0] allocated 0
                  node0/DMA32 span [frame#4096..4097) free 1 live {} [min 0 low 0 high 0] allocated 0
                  node0/NORMAL span [frame#1048576..1048577) free 1 live {} [min 0 low 0 high 0] allocated 0
                  node1/NORMAL span [frame#1048592..1048594) free 1 live {1048592=1} [min 0 low 1 high 1] allocated 1
                  node2/DMA32 span [frame#1048575..1048576) free 1 live {} [min 0 low 0 high 0] allocated 0
                  live [[frame#1048592..1048593) from node1/NORMAL for order 0 NORMAL on node1]
                  last order 0 NORMAL on node1: [node1/NORMAL@LOW(2/1)+] -> node1/NORMAL""");
    }
}
