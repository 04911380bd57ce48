package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.RuleDriver;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * {@link ZonedNumaStateMachine} one rule at a time, from states drawn by replayed choices: what
 * {@code init} draws (nodes, zones, marks, the probes, the refused bad marks), the call each
 * rule makes, and that every comparison with the model is made. A model put out of step with
 * the allocator on purpose (a frame it holds free that the allocator handed out, or the other
 * way round, or a zone it lacks) must fail the rule with a model mismatch naming what disagreed.
 */
class ZonedNumaMachineRulesTest {
    private static final ZonedNumaStateMachine MACHINE = new ZonedNumaStateMachine();
    private static final NodeId N0 = NodeId.of(0);
    private static final NodeId N1 = NodeId.of(1);
    private static final NodeId N2 = NodeId.of(2);
    private static final NodeZone N0_DMA = new NodeZone(N0, NodeZoneType.DMA);
    private static final NodeZone N0_NORMAL = new NodeZone(N0, NodeZoneType.NORMAL);
    private static final NodeZone N1_NORMAL = new NodeZone(N1, NodeZoneType.NORMAL);
    private static final long DMA_END = NodeZoneType.DMA.window().endNumber();
    private static final long NORMAL_START = NodeZoneType.NORMAL.window().start().number();

    /**
     * Two nodes (ids 0 and 1, distance 20): node0 has two DMA frames and two NORMAL frames, node1
     * two NORMAL frames; every mark is 0. The draws: node count, first id, the two id steps, the
     * distance, each node's DMA/DMA32/NORMAL frame counts, each zone's min/low/high, no bad marks.
     */
    private static final long[] TWO_NODES = {1, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private static ZonedNumaStateMachine.State twoNodes() {
        return MACHINE.init(Choices.replay(TWO_NODES));
    }

    /** allocate draws: not the too-big order, order {@code order} (of -1..2), the node's index, the highest zone's index. */
    private static long[] allocate(int order, int node, NodeZoneType highest) {
        return new long[] {0, order + 1, node, highest.ordinal()};
    }

    private static void mismatch(ZonedNumaStateMachine.State s, String rule, String what, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(MACHINE, rule, s, draws)).isInstanceOf(ModelMismatch.class)
                .hasMessageStartingWith("model mismatch on " + what);
    }

    private static TreeSet<Long> frames(long first, long count) {
        TreeSet<Long> out = new TreeSet<>();
        for (long f = first; f < first + count; f++) {
            out.add(f);
        }
        return out;
    }

    @Test
    void init_drawsTheNodesTheirZonesTheMarksAndAProbeOneOutsideEachZone() {
        ZonedNumaStateMachine.State s = twoNodes();
        assertThat(s.topology.ids()).containsExactly(N0, N1);
        assertThat(s.topology.node(N0).distances()).isEqualTo(Map.of(N0, NumaTopology.LOCAL_DISTANCE, N1, 20));
        assertThat(s.span).isEqualTo(Map.of(
                N0_DMA, FrameRange.of(DMA_END - 8, 2),
                N0_NORMAL, FrameRange.of(NORMAL_START, 2),
                N1_NORMAL, FrameRange.of(NORMAL_START + 8, 2)));
        assertThat(s.free).isEqualTo(Map.of(N0_DMA, frames(DMA_END - 8, 2), N0_NORMAL, frames(NORMAL_START, 2),
                N1_NORMAL, frames(NORMAL_START + 8, 2)));
        assertThat(s.marks.values()).containsOnly(new Watermarks(0, 0, 0)).hasSize(3);
        assertThat(s.probes).containsExactly(DMA_END - 9, DMA_END - 8, DMA_END - 7, DMA_END - 6,
                NORMAL_START - 1, NORMAL_START, NORMAL_START + 1, NORMAL_START + 2,
                NORMAL_START + 7, NORMAL_START + 8, NORMAL_START + 9, NORMAL_START + 10);
        assertThat(s.refusedMarks).isNull();
        assertThat(s.numa.zones()).hasSize(3);
        assertThat(s).hasToString(s.numa.toString());
        assertThat(MACHINE.snapshot(s)).isEqualTo(s.numa.key());
    }

    @Test
    void init_oneRunInFiveFirstOffersMarksOutOfOrderOrAboveTheZoneWhichConstructionRefuses() {
        long[] outOfOrder = TWO_NODES.clone();
        outOfOrder[outOfOrder.length - 1] = 4; // oneIn(5): bad marks first
        long[] draws = java.util.Arrays.copyOf(outOfOrder, outOfOrder.length + 2);
        draws[draws.length - 2] = 0; // the first zone, node0/DMA
        draws[draws.length - 1] = 1; // min above low
        assertThat(MACHINE.init(Choices.replay(draws)).refusedMarks).isEqualTo(new Watermarks(1, 0, 1));
        draws[draws.length - 1] = 0; // high above the zone's two frames
        ZonedNumaStateMachine.State s = MACHINE.init(Choices.replay(draws));
        assertThat(s.refusedMarks).isEqualTo(new Watermarks(0, 0, 3));
        assertThat(s.marks.get(N0_DMA)).as("the run goes on with the good marks").isEqualTo(new Watermarks(0, 0, 0));
    }

    @Test
    void frames_placesNodeIsZoneAStrideAboveNormalsStartOrAStrideTimesIPlusOneBelowTheWindowsEnd() {
        assertThat(ZonedNumaStateMachine.frames(NodeZoneType.NORMAL, 1, 2)).isEqualTo(FrameRange.of(NORMAL_START + 8, 2));
        assertThat(ZonedNumaStateMachine.frames(NodeZoneType.NORMAL, 0, 1)).isEqualTo(FrameRange.of(NORMAL_START, 1));
        assertThat(ZonedNumaStateMachine.frames(NodeZoneType.DMA, 0, 2)).isEqualTo(FrameRange.of(DMA_END - 8, 2));
        long dma32End = NodeZoneType.DMA32.window().endNumber();
        assertThat(ZonedNumaStateMachine.frames(NodeZoneType.DMA32, 2, 1)).isEqualTo(FrameRange.of(dma32End - 24, 1));
    }

    @Test
    void name_namesTheAllocatorTheOrderZeroVariantAndTheSeededBug() {
        assertThat(MACHINE.name()).isEqualTo("numa-zones/" + AllocatorFactory.REFERENCE);
        assertThat(new ZonedNumaStateMachine(AllocatorFactory.HYBRID, 0).name()).isEqualTo("numa-zones/" + AllocatorFactory.HYBRID + "/order-0");
        assertThat(new ZonedNumaStateMachine(ZonedNumaAllocator.Bug.ZONE_ORDER, AllocatorFactory.REFERENCE, 2).name())
                .isEqualTo("numa-zones/" + AllocatorFactory.REFERENCE + "[ZONE_ORDER]");
    }

    @Test
    void free_isEnabledOnlyWhileSomethingIsLive() {
        ZonedNumaStateMachine.State s = twoNodes();
        var free = MACHINE.rules().stream().filter(r -> r.name().equals("free")).findFirst().orElseThrow();
        assertThat(free.enabled(s)).isFalse();
        RuleDriver.apply(MACHINE, "allocate", s, allocate(0, 0, NodeZoneType.NORMAL));
        assertThat(free.enabled(s)).isTrue();
    }

    @Test
    void allocate_landsWhereTheModelSaysAndTakesTheFramesFromTheModel() {
        ZonedNumaStateMachine.State s = twoNodes();
        assertThat(RuleDriver.apply(MACHINE, "allocate", s, allocate(1, 0, NodeZoneType.NORMAL)))
                .contains("order 1 NORMAL on node0").contains("node0/NORMAL");
        assertThat(s.free.get(N0_NORMAL)).isEmpty();
        assertThat(RuleDriver.apply(MACHINE, "allocate", s, allocate(0, 0, NodeZoneType.NORMAL))).contains("node0/DMA");
        assertThat(s.free.get(N0_DMA)).containsExactly(DMA_END - 7);
    }

    @Test
    void allocate_drawsBadOrdersAndAStrayNode() {
        assertThat(RuleDriver.apply(MACHINE, "allocate", twoNodes(), allocate(-1, 0, NodeZoneType.NORMAL))).contains("BAD_ORDER");
        assertThat(RuleDriver.apply(MACHINE, "allocate", twoNodes(), 11, 0, 0, 2))
                .contains("order " + (ZonedNumaAllocator.MAX_ORDER + 1)).contains("BAD_ORDER");
        assertThat(RuleDriver.apply(MACHINE, "allocate", twoNodes(), allocate(0, 2, NodeZoneType.NORMAL)))
                .contains("on node" + NodeId.MAX).contains("UNKNOWN_NODE");
    }

    @Test
    void allocate_theLargestOrderIsARealRequestThatRunsOutOfMemory() {
        ZonedNumaStateMachine big = new ZonedNumaStateMachine(ZonedNumaAllocator.Bug.NONE, AllocatorFactory.REFERENCE,
                ZonedNumaAllocator.MAX_ORDER);
        ZonedNumaStateMachine.State s = big.init(Choices.replay(TWO_NODES));
        assertThat(RuleDriver.apply(big, "allocate", s, 0, ZonedNumaAllocator.MAX_ORDER + 1, 0, 2))
                .contains("order " + ZonedNumaAllocator.MAX_ORDER).contains("OUT_OF_MEMORY");
    }

    @Test
    void allocate_fallsBackByDistanceThenLowestIdOnTies() {
        // Three nodes: d(0,1) = 20, d(0,2) = 30, d(1,2) = 20; one NORMAL frame on node0 and node2, none on node1.
        long[] draws = {2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        ZonedNumaStateMachine.State s = MACHINE.init(Choices.replay(draws));
        assertThat(s.topology.ids()).containsExactly(N0, N1, N2);
        assertThat(s.span.keySet()).containsExactly(N0_NORMAL, new NodeZone(N2, NodeZoneType.NORMAL));
        // node2 is nearest itself, though node0 comes first in id order
        assertThat(RuleDriver.apply(MACHINE, "allocate", s, allocate(0, 2, NodeZoneType.NORMAL))).contains("node2/NORMAL");
        ZonedNumaStateMachine.State t = MACHINE.init(Choices.replay(draws));
        // node1 has nothing; node0 and node2 are both 20 away: the lower id wins
        assertThat(RuleDriver.apply(MACHINE, "allocate", t, allocate(0, 1, NodeZoneType.NORMAL))).contains("node0/NORMAL");
    }

    @Test
    void allocate_failsOnAModelThatDisagreesOnTheZone() {
        ZonedNumaStateMachine.State s = twoNodes();
        s.free.get(N0_NORMAL).clear(); // the model thinks node0's NORMAL frames are taken
        mismatch(s, "allocate", "allocate(order 0 NORMAL on node0)", allocate(0, 0, NodeZoneType.NORMAL));
    }

    @Test
    void allocate_failsWhenTheRunIsNotFreeInTheModel() {
        ZonedNumaStateMachine.State s = twoNodes();
        s.free.get(N0_NORMAL).remove(NORMAL_START); // the zone still qualifies, but not its first frame
        assertThatThrownBy(() -> RuleDriver.apply(MACHINE, "allocate", s, allocate(0, 0, NodeZoneType.NORMAL)))
                .isInstanceOf(AssertionError.class).isNotInstanceOf(ModelMismatch.class)
                .hasMessageContaining("is not an aligned block of 1 frames free in node0/NORMAL");
    }

    @Test
    void allocate_comparesEveryZonesFreeFrames() {
        ZonedNumaStateMachine.State s = twoNodes();
        s.free.get(N1_NORMAL).remove(NORMAL_START + 9);
        mismatch(s, "allocate", "free frames of node1/NORMAL", allocate(0, 0, NodeZoneType.NORMAL));
    }

    @Test
    void freeBad_expectsOkNotAllocatedDoubleFreeOrOutOfRange() {
        ZonedNumaStateMachine.State s = twoNodes();
        RuleDriver.apply(MACHINE, "allocate", s, allocate(1, 0, NodeZoneType.NORMAL)); // [NORMAL_START, +2)
        int first = s.probes.indexOf(NORMAL_START);
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, first + 1, 0)).contains("NOT_ALLOCATED"); // inside the run
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, first, 0)).contains("NOT_ALLOCATED"); // part of the run
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, 1, 0)).contains("DOUBLE_FREE"); // DMA_END - 8, free
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, 0, 0)).contains("OUT_OF_RANGE"); // one below node0/DMA
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, 2, 2)).contains("OUT_OF_RANGE"); // two frames, one past the zone
        assertThat(RuleDriver.apply(MACHINE, "freeBad", s, first, 2)).isEqualTo("free(" + FrameRange.of(NORMAL_START, 2) + ") -> ok");
        assertThat(s.free.get(N0_NORMAL)).containsExactly(NORMAL_START, NORMAL_START + 1);
        assertThat(s.numa.live()).isEmpty();
    }

    @Test
    void freeBad_failsOnAModelThatDisagreesOnTheErrorOrTheFreeFrames() {
        ZonedNumaStateMachine.State s = twoNodes();
        s.free.get(N0_DMA).remove(DMA_END - 8); // the model thinks a free frame is allocated
        mismatch(s, "freeBad", "free(" + FrameRange.of(DMA_END - 8, 1) + ")", 1, 0);
        ZonedNumaStateMachine.State t = twoNodes();
        t.free.get(N1_NORMAL).remove(NORMAL_START + 8);
        mismatch(t, "freeBad", "free frames of node1/NORMAL", 0, 0);
        ZonedNumaStateMachine.State u = twoNodes();
        u.free.remove(N1_NORMAL); // a zone the model does not know
        mismatch(u, "freeBad", "free frames of node1/NORMAL", 0, 0);
    }

    @Test
    void freeLive_mustSucceedAndComparesTheFreeFrames() {
        ZonedNumaStateMachine.State s = twoNodes();
        ZonedRequest r = new ZonedRequest(N0, NodeZoneType.DMA, 0);
        s.numa.corruptLive(new ZonedAllocation(FrameRange.of(DMA_END - 8, 1), N0_DMA, r)); // live, but free in the allocator
        mismatch(s, "free", "free(" + FrameRange.of(DMA_END - 8, 1) + ")", 0);

        ZonedNumaStateMachine.State t = twoNodes();
        RuleDriver.apply(MACHINE, "allocate", t, allocate(0, 0, NodeZoneType.NORMAL));
        assertThat(RuleDriver.apply(MACHINE, "free", t, 0)).isEqualTo("free(" + FrameRange.of(NORMAL_START, 1) + ") -> ok");
        assertThat(t.free.get(N0_NORMAL)).containsExactly(NORMAL_START, NORMAL_START + 1);
        RuleDriver.apply(MACHINE, "allocate", t, allocate(0, 0, NodeZoneType.NORMAL));
        t.free.get(N1_NORMAL).remove(NORMAL_START + 8);
        mismatch(t, "free", "free frames of node1/NORMAL", 0);
    }

    @Test
    void invariantsAreTheZonedAllocatorsLifted() {
        assertThat(MACHINE.invariants().invariants()).extracting(i -> i.id())
                .containsExactlyElementsOf(ZonedNumaInvariants.ALL.invariants().stream().map(i -> i.id()).toList());
        ZonedNumaStateMachine.State s = twoNodes();
        assertThat(MACHINE.invariants().firstViolation(s)).isEmpty();
        RuleDriver.apply(MACHINE, "allocate", s, allocate(0, 0, NodeZoneType.DMA32));
        assertThat(s.numa.live().values()).extracting(ZonedAllocation::zone).containsExactly(N0_DMA);
        assertThat(MACHINE.invariants().firstViolation(s)).isEmpty();
    }
}
