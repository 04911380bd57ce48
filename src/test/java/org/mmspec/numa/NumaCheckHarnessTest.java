package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.numa.NumaFixtures.N0;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.Choices;
import org.mmspec.check.CorruptingMachine;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FaultyAllocator;

/**
 * The NUMA checks themselves: the machine's random topologies, its rules, and each comparison
 * shown to fire on a deliberately faulty node allocator through a replayed choice sequence; the
 * exhaustive model's requests, actions and ci counts against models/numa-3node.
 *
 * <p>Replays use the machine's draw order: init draws the node count (value + 1), the first id,
 * an id step per node, a distance per pair, then per node a CPU count and a frame count, then
 * the node given a hole (value - 1; 0 none) with the hole's place and width, then the one-in-four
 * bad topology (0 none); each
 * step picks an enabled rule (allocate, free when something is live, freeBad); allocate draws
 * the one-in-twelve bad order, the order (value - 1), the policy (0 local, 1 preferred, 2 strict),
 * a node unless local, and a CPU; free picks a live run; freeBad a probe and the one-in-three
 * two-frame length.
 */
class NumaCheckHarnessTest {
    /** One node, node0, with CPU 0 and frames 16..17; CPU 1 belongs to no node; probes 15..18. */
    private static final long[] INIT = {0, 0, 0, 1, 2, 0, 0}; // the last two: no hole, no bad topology first
    /** allocate(cpu0 order 0 local) from a state with nothing live. */
    private static final long[] ALLOC = {0, 0, 1, 0, 0};
    private static final long[] FREE_LIVE = {1, 0};
    /** freeBad of frame 16 (probe 1), one frame, while something is live. */
    private static final long[] FREE_BAD_16 = {2, 1, 0};

    private static long[] seq(long[]... parts) {
        List<Long> out = new ArrayList<>();
        for (long[] p : parts) {
            for (long v : p) {
                out.add(v);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static NumaStateMachine faulty(FaultyAllocator.Fault fault) {
        return new NumaStateMachine(FaultyAllocator.factory(fault));
    }

    private static String failure(StateMachine<?> m, long[] choices) {
        StatefulFailure f = org.assertj.core.api.Assertions.catchThrowableOfType(() -> StatefulChecker.replay(m, choices),
                StatefulFailure.class);
        assertThat(f).as("the replay should fail").isNotNull();
        return f.getMessage();
    }

    // ---- the machine ----

    @Test
    void initBuildsTheTopologyItDrew() {
        NumaStateMachine.State s = new NumaStateMachine(AllocatorFactory.REFERENCE).init(Choices.replay(INIT));
        assertThat(s.topology.ids()).containsExactly(N0);
        assertThat(s.memory).containsEntry(N0, FrameRange.of(16, 2));
        assertThat(s.cpus).containsExactly(0, 1);
        assertThat(s.probes).containsExactly(15L, 16L, 17L, 18L);
        assertThat(s.toString()).isEqualTo(s.numa.toString());
        // Two nodes, ids 1 and 3, 30 apart; node 1 has CPUs 0-1 and no memory, node 3 one frame at 32.
        s = new NumaStateMachine(AllocatorFactory.REFERENCE).init(Choices.replay(new long[] {1, 1, 1, 0, 2, 2, 0, 0, 1}));
        assertThat(s.topology.ids()).containsExactly(NodeId.of(1), NodeId.of(3));
        assertThat(s.topology.distance(NodeId.of(1), NodeId.of(3))).isEqualTo(30);
        assertThat(s.topology.node(NodeId.of(1)).cpus().toList()).isEqualTo("0-1");
        assertThat(s.memory).containsOnlyKeys(NodeId.of(3)).containsEntry(NodeId.of(3), FrameRange.of(32, 1));
        assertThat(s.cpus).containsExactly(0, 1, 2);
        assertThat(s.probes).containsExactly(31L, 32L, 33L);
        // One node with frames 16..17 given a two-frame hole after its first: ranges 16 and 19, span 16..19.
        s = new NumaStateMachine(AllocatorFactory.REFERENCE).init(Choices.replay(new long[] {0, 0, 0, 1, 2, 1, 0, 1, 0}));
        assertThat(s.topology.node(N0).memory()).containsExactly(FrameRange.of(16, 1), FrameRange.of(19, 1));
        assertThat(s.memory).containsEntry(N0, FrameRange.of(16, 4));
        assertThat(s.holes).containsExactly(FrameRange.of(17, 2));
        assertThat(s.probes).containsExactly(15L, 16L, 17L, 18L, 19L, 20L);
        assertThat(s.numa.node(N0).totalFrames()).isEqualTo(2);
        assertThat(s.model.get(N0).freeFrames()).isEqualTo(2);
        // No node has memory: frame 16 is the one probe.
        s = new NumaStateMachine(AllocatorFactory.REFERENCE).init(Choices.replay(new long[] {0, 0, 0, 1, 0}));
        assertThat(s.memory).isEmpty();
        assertThat(s.probes).containsExactly(16L);
    }

    @Test
    void namesRulesAndSnapshot() {
        assertThat(new NumaStateMachine().name()).isEqualTo("numa-allocator");
        assertThat(new NumaStateMachine(AllocatorFactory.REFERENCE).name()).isEqualTo("numa-allocator/reference");
        assertThat(new NumaStateMachine(NumaAllocator.Bug.TIES_BY_HIGHER_ID).name()).isEqualTo("numa-allocator[TIES_BY_HIGHER_ID]");
        assertThat(new NumaStateMachine(NumaAllocator.Bug.FORGET_ACCOUNTING, AllocatorFactory.REFERENCE).name())
                .isEqualTo("numa-allocator/reference[FORGET_ACCOUNTING]");
        NumaStateMachine m = new NumaStateMachine(AllocatorFactory.REFERENCE);
        NumaStateMachine.State s = m.init(Choices.replay(INIT));
        assertThat(m.rules()).extracting(Rule::name).containsExactly("allocate", "free", "freeBad");
        assertThat(m.rules().get(1).enabled(s)).isFalse();
        s.numa.allocate(NumaRequest.local(0, 0));
        assertThat(m.rules().get(1).enabled(s)).isTrue();
        assertThat(m.snapshot(s)).isNotNull().isEqualTo(s.numa.key());
        assertThat(m.invariants().ids()).isEqualTo(NumaInvariants.ALL.ids());
    }

    @Test
    void aCorrectAllocatorPassesTheReplays() {
        NumaStateMachine m = new NumaStateMachine(AllocatorFactory.REFERENCE);
        StatefulChecker.replay(m, seq(INIT, ALLOC, FREE_LIVE));
        CorruptingMachine<NumaStateMachine.State> r = CorruptingMachine.recording(m);
        StatefulChecker.replay(r, seq(INIT, ALLOC, FREE_BAD_16));
        assertThat(r.last().numa.live()).isEmpty();
        // freeBad of two frames at 16: only frame 16 is live, so it is not an allocation.
        StatefulChecker.replay(r, seq(INIT, ALLOC, new long[] {2, 1, 2}));
        assertThat(r.last().numa.live()).containsOnlyKeys(16L);
        // the one-in-twelve bad order: order 19 is rejected and nothing is allocated
        StatefulChecker.replay(r, seq(INIT, new long[] {0, 11, 1, 0, 0}));
        assertThat(r.last().numa.live()).isEmpty();
        // a preferred request bound to node0 from cpu 1, which belongs to no node
        StatefulChecker.replay(r, seq(INIT, new long[] {0, 0, 1, 1, 0, 1}));
        assertThat(r.last().numa.live()).containsOnlyKeys(16L);
    }

    @Test
    void anAllocationTheModelWouldServeButTheAllocatorRefusesIsAMismatch() {
        assertThat(failure(faulty(FaultyAllocator.Fault.REFUSE_ALLOCATION), seq(INIT, ALLOC)))
                .contains("model mismatch on allocate(cpu0 order 0 local)");
    }

    @Test
    void anAllocatorThatPlacesRunsElsewhereThanFirstFitIsCaughtAtTheAllocation() {
        assertThat(failure(faulty(FaultyAllocator.Fault.LAST_FIT), seq(INIT, ALLOC)))
                .contains("node node0: bitmap aligned first fit is [frame#16..17), the allocator returned [frame#17..18)");
    }

    @Test
    void freeFramesAreComparedAfterEveryKindOfStep() {
        assertThat(failure(faulty(FaultyAllocator.Fault.TAKE_EXTRA), seq(INIT, ALLOC)))
                .contains("model mismatch on free frames of node0: implementation gave 0, model gave 1");
        NumaStateMachine lazy = faulty(FaultyAllocator.Fault.LAZY_FREE);
        assertThat(failure(lazy, seq(INIT, ALLOC, FREE_LIVE)))
                .contains("model mismatch on free frames of node0: implementation gave 1, model gave 2");
        assertThat(failure(lazy, seq(INIT, ALLOC, FREE_BAD_16)))
                .contains("model mismatch on free frames of node0: implementation gave 1, model gave 2");
    }

    @Test
    void aRefusedFreeIsAMismatchOnTheFreeItself() {
        NumaStateMachine refusing = faulty(FaultyAllocator.Fault.REFUSE_FREE);
        assertThat(failure(refusing, seq(INIT, ALLOC, FREE_LIVE)))
                .contains("model mismatch on free([frame#16..17)): implementation gave NOT_ALLOCATED, model gave ok");
        assertThat(failure(refusing, seq(INIT, ALLOC, FREE_BAD_16)))
                .contains("model mismatch on free([frame#16..17)): implementation gave NOT_ALLOCATED, model gave ok");
    }

    // ---- the exhaustive model ----

    @Test
    void theModelsTopologyHasTheTieFromNode0AndTheCxlNodeNearNode1() {
        NumaTopology t = NumaModel.topology(2);
        assertThat(t.fallbackOrder(N0)).containsExactly(N0, NodeId.of(1), NodeId.of(2));
        assertThat(t.fallbackOrder(NodeId.of(1))).containsExactly(NodeId.of(1), NodeId.of(2), N0);
        assertThat(t.node(NodeId.of(2)).memoryOnly()).isTrue();
        assertThat(t.node(NodeId.of(1)).memory()).containsExactly(FrameRange.of(32, 2));
        NumaModel m = new NumaModel();
        assertThat(m.name()).isEqualTo("numa-3node");
        assertThat(m.component()).isEqualTo("numa");
    }

    @Test
    void theModelMakesEveryRequestGoodAndBad() {
        List<String> rs = NumaModel.requests(NumaModel.topology(1), 1).stream().map(Object::toString).toList();
        assertThat(rs).containsExactly(
                "cpu0 order 0 local", "cpu1 order 0 local",
                "cpu0 order 0 preferred(node0)", "cpu0 order 0 strict(node0)",
                "cpu0 order 0 preferred(node1)", "cpu0 order 0 strict(node1)",
                "cpu0 order 0 preferred(node2)", "cpu0 order 0 strict(node2)",
                "cpu0 order 1 local", "cpu1 order 1 local",
                "cpu0 order 1 preferred(node0)", "cpu0 order 1 strict(node0)",
                "cpu0 order 1 preferred(node1)", "cpu0 order 1 strict(node1)",
                "cpu0 order 1 preferred(node2)", "cpu0 order 1 strict(node2)",
                "cpu7 order 0 local", "cpu0 order 0 strict(node9)", "cpu0 order -1 local", "cpu0 order 19 local");
    }

    @Test
    void freeingTheLiveRunIsATransitionAndBadFreesAreNot() {
        TransitionSystem<NumaAllocator> ts = new NumaModel().build(Bounds.parse("frames=1,maxOrder=0,allocator=reference"));
        NumaAllocator s = ts.initialStates().get(0);
        for (int i = 0; i < 3; i++) {
            s.allocate(NumaRequest.local(0, 0));
        }
        List<String> labels = new ArrayList<>();
        List<NumaAllocator> next = new ArrayList<>();
        ts.successors(s, (label, n) -> {
            labels.add(label.get());
            next.add(n);
        });
        assertThat(labels).containsExactly("free([frame#16..17))", "free([frame#32..33))", "free([frame#48..49))");
        assertThat(next.get(0).live()).containsOnlyKeys(32L, 48L);
    }

    @Test
    void theCiConfigurationsMatchTheirManifest() {
        Manifest manifest = Manifest.load("numa-3node");
        for (String config : List.of("n1", "bug-align")) {
            ExplorationResult r = ModelRun.explore(new NumaModel(), manifest, config, Progress.NONE);
            assertThat(ModelRun.drift(manifest, config, r)).as(config).isEmpty();
        }
    }

    @Test
    void theSuitesRunTheMachines() {
        assertThat(NumaSuites.all()).isNotEmpty();
    }
}
