package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;
import org.junit.jupiter.api.Test;

/**
 * The action alphabets of the exhaustive models {@code numa-3node} ({@link NumaModel}) and
 * {@code numa-zones} ({@link ZonedNumaModel}): a bad free of every frame from one below each
 * node's memory to one past it, none of a frame that is itself a live one-frame allocation (that
 * free is a good one), but one of the first frame of a longer allocation (a partial free); and
 * the good free of each live allocation, which frees it.
 */
class NumaModelAlphabetTest {

    private static List<String> labels(NumaAllocator s, int maxOrder) {
        NumaTopology t = NumaModel.topology(2);
        return NumaModel.actions(s, NumaModel.requests(t, maxOrder), NumaModel.probes(t)).stream().map(Action::label).toList();
    }

    private static List<String> labels(ZonedNumaAllocator s, int maxOrder) {
        NumaTopology t = ZonedNumaModel.topology(1, 2);
        return ZonedNumaModel.actions(s, ZonedNumaModel.requests(t, maxOrder), NumaModel.probes(t)).stream().map(Action::label).toList();
    }

    private static <S> S after(TransitionSystem<S> system, S state, Predicate<String> label, Predicate<S> next) {
        List<S> out = new ArrayList<>();
        system.successors(state, (l, n) -> {
            if (label.test(l.get()) && next.test(n)) {
                out.add(n);
            }
        });
        assertThat(out).as("a successor of %s", state).isNotEmpty();
        return out.get(0);
    }

    private static String badFree(long frame) {
        return "free(" + FrameRange.of(frame, 1) + ") [bad]";
    }

    @Test
    void numa3node_offersBadFreesFromOneBelowToOnePastEachNodesMemory() {
        TransitionSystem<NumaAllocator> system = new NumaModel().build(Bounds.parse("frames=2"));
        List<String> labels = labels(system.initialStates().get(0), 0);
        for (long node = 1; node <= 3; node++) {
            long start = node * NumaModel.NODE_STRIDE;
            assertThat(labels).contains(badFree(start - 1), badFree(start), badFree(start + 1), badFree(start + 2))
                    .doesNotContain(badFree(start - 2), badFree(start + 3));
        }
        assertThat(labels.stream().filter(l -> l.endsWith("[bad]"))).hasSize(12);
    }

    @Test
    void numa3node_offersAPartialFreeOfALongerAllocationButNoBadFreeOfAOneFrameOne() {
        TransitionSystem<NumaAllocator> system = new NumaModel().build(Bounds.parse("frames=2,maxOrder=1"));
        NumaAllocator init = system.initialStates().get(0);
        NumaAllocator pair = after(system, init, l -> l.startsWith("allocate("),
                s -> s.live().size() == 1 && s.live().firstEntry().getValue().run().count() == 2);
        FrameRange run = pair.live().firstEntry().getValue().run();
        assertThat(labels(pair, 1)).contains("free(" + run + ")", badFree(run.start().number()));
        NumaAllocator one = after(system, init, l -> l.startsWith("allocate("),
                s -> s.live().size() == 1 && s.live().firstEntry().getValue().run().count() == 1);
        FrameRange single = one.live().firstEntry().getValue().run();
        assertThat(labels(one, 1)).contains("free(" + single + ")").doesNotContain(badFree(single.start().number()));
        NumaAllocator freed = after(system, one, l -> l.equals("free(" + single + ")"), s -> true);
        assertThat(freed.live()).isEmpty();
    }

    @Test
    void numaZones_offersBadFreesFromOneBelowToOnePastEachNodesMemory() {
        TransitionSystem<ZonedNumaAllocator> system = new ZonedNumaModel().build(Bounds.parse("normal0=1,normal=2"));
        List<String> labels = labels(system.initialStates().get(0), 0);
        long dma = ZonedNumaModel.DMA_END;
        assertThat(labels).contains(badFree(dma - 2), badFree(dma + 1)).doesNotContain(badFree(dma - 3), badFree(dma + 2));
        long n1 = ZonedNumaModel.NODE1_NORMAL;
        assertThat(labels).contains(badFree(n1 - 1), badFree(n1 + 2)).doesNotContain(badFree(n1 - 2), badFree(n1 + 3));
    }

    @Test
    void numaZones_offersAPartialFreeOfALongerAllocationAndItsGoodFreeFreesIt() {
        TransitionSystem<ZonedNumaAllocator> system = new ZonedNumaModel().build(Bounds.parse("normal0=1,normal=2,lowMark=0,maxOrder=1"));
        ZonedNumaAllocator init = system.initialStates().get(0);
        ZonedNumaAllocator pair = after(system, init, l -> l.startsWith("allocate("),
                s -> s.live().size() == 1 && s.live().firstEntry().getValue().run().count() == 2);
        FrameRange run = pair.live().firstEntry().getValue().run();
        assertThat(labels(pair, 1)).contains("free(" + run + ")", badFree(run.start().number()));
        ZonedNumaAllocator one = after(system, init, l -> l.startsWith("allocate("),
                s -> s.live().size() == 1 && s.live().firstEntry().getValue().run().count() == 1);
        FrameRange single = one.live().firstEntry().getValue().run();
        assertThat(labels(one, 1)).doesNotContain(badFree(single.start().number()));
        ZonedNumaAllocator freed = after(system, one, l -> l.equals("free(" + single + ")"), s -> true);
        assertThat(freed.live()).isEmpty();
        assertThat(freed.zones()).extracting(ZonedNumaAllocator.ZonePool::freeFrames)
                .isEqualTo(init.zones().stream().map(ZonedNumaAllocator.ZonePool::freeFrames).toList());
    }

    /** A bad free is refused and changes nothing, so it is no transition: a label of the alphabet, never of a successor. */
    @Test
    void badFreesMakeNoTransitions() {
        TransitionSystem<ZonedNumaAllocator> zoned = new ZonedNumaModel().build(Bounds.parse("normal0=1,normal=2"));
        List<String> zonedLabels = new ArrayList<>();
        zoned.successors(zoned.initialStates().get(0), (l, n) -> zonedLabels.add(l.get()));
        assertThat(zonedLabels).isNotEmpty().noneMatch(l -> l.endsWith("[bad]"));
        TransitionSystem<NumaAllocator> plain = new NumaModel().build(Bounds.parse("frames=2"));
        List<String> plainLabels = new ArrayList<>();
        plain.successors(plain.initialStates().get(0), (l, n) -> plainLabels.add(l.get()));
        assertThat(plainLabels).isNotEmpty().noneMatch(l -> l.endsWith("[bad]"));
    }

    @Test
    void topologyRules_applyFromTheirNodeCountOn() {
        assertThat(NumaStateMachine.TopologyRule.applicable(1, List.of())).contains(NumaStateMachine.TopologyRule.UNKNOWN_NODE,
                NumaStateMachine.TopologyRule.OVERLAPPING_MEMORY).doesNotContain(NumaStateMachine.TopologyRule.DUPLICATE_NODE,
                NumaStateMachine.TopologyRule.CPU_ON_TWO_NODES);
        assertThat(NumaStateMachine.TopologyRule.applicable(2, List.of())).containsExactly(NumaStateMachine.TopologyRule.values());
        assertThat(NumaStateMachine.TopologyRule.applicable(0, List.of())).containsExactly(NumaStateMachine.TopologyRule.EMPTY_TOPOLOGY);
    }

    @Test
    void numaZones_topologyWithoutNode0NormalMemoryKeepsOnlyItsLowZones() {
        NumaTopology t = ZonedNumaModel.topology(0, 2);
        assertThat(t.node(NodeId.of(0)).memory()).containsExactly(FrameRange.of(ZonedNumaModel.DMA_END - 1, 2));
        assertThat(ZonedNumaModel.topology(3, 2).node(NodeId.of(0)).memory())
                .containsExactly(FrameRange.of(ZonedNumaModel.DMA_END - 1, 2), FrameRange.of(ZonedNumaModel.DMA32_END, 3));
        assertThat(t.node(NodeId.of(1)).memory()).containsExactly(FrameRange.of(ZonedNumaModel.NODE1_NORMAL, 2));
        assertThat(new ZonedNumaModel().name()).isEqualTo("numa-zones");
        assertThat(new ZonedNumaModel().component()).isEqualTo("numa");
    }
}
