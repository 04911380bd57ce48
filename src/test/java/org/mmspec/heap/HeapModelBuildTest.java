package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.TransitionSystem;

/**
 * The exhaustive heap models as built from their bounds: the initial heap's configuration, the
 * invariants checked (DEBUG ones only with debugging on), and the successors of a state, action
 * by action, with what each does.
 */
class HeapModelBuildTest {

    private static Map<String, HeapState> successors(TransitionSystem<HeapState> ts, HeapState s) {
        Map<String, HeapState> out = new LinkedHashMap<>();
        ts.successors(s, (label, next) -> out.put(label.get(), next));
        return out;
    }

    @Test
    void theModelsAreNamedAndBelongToTheHeap() {
        assertThat(HeapModel.perCpu().name()).isEqualTo("heap-percpu");
        assertThat(HeapModel.large().name()).isEqualTo("heap-large");
        assertThat(HeapModel.perCpu().component()).isEqualTo("heap");
    }

    @Test
    void defaultBoundsGiveTwoCpusThreeFramesAndTwoObjectMagazines() {
        TransitionSystem<HeapState> ts = HeapModel.perCpu().build(Bounds.parse(""));
        assertThat(ts.name()).isEqualTo("heap-percpu ");
        List<HeapState> init = ts.initialStates();
        assertThat(init).hasSize(1);
        HeapState s = init.get(0);
        assertThat(s.heap().config()).isEqualTo(new HeapConfig(2, 2, 1, 1, HeapDebugOptions.OFF));
        assertThat(s.frames().managedFrames()).isEqualTo(3);
        assertThat(s.heap().bug).isEqualTo(Bug.NONE);
        assertThat(ts.invariants().ids()).isEqualTo(HeapInvariants.ALL.ids());
        assertThat(ts.key(s)).isEqualTo(s.heap().stateKey());
        assertThat(ts.initialStates().get(0)).as("fresh objects each call").isNotSameAs(s);
    }

    @Test
    void boundsSetEveryParameterAndDebuggingAddsTheDebugInvariants() {
        TransitionSystem<HeapState> ts = HeapModel.large().build(
                Bounds.parse("cpus=3,frames=20,sizes=20000/30000,cap=4,batch=2,kept=0,debug=all,bug=NO_COALESCE"));
        HeapState s = ts.initialStates().get(0);
        assertThat(s.heap().config()).isEqualTo(new HeapConfig(3, 4, 2, 0, HeapDebugOptions.ALL));
        assertThat(s.frames().managedFrames()).isEqualTo(20);
        assertThat(s.heap().bug).isEqualTo(Bug.NO_COALESCE);
        assertThat(ts.invariants().ids()).hasSize(21).endsWith("DEBUG-1", "DEBUG-2", "DEBUG-3", "DEBUG-4", "DEBUG-5");
        assertThat(ts.invariants().component()).isEqualTo("heap+debug");
        Map<String, HeapState> next = successors(ts, s);
        assertThat(next.keySet()).containsExactly("alloc(cpu0, 20000)", "alloc(cpu0, 30000)", "alloc(cpu1, 20000)",
                "alloc(cpu1, 30000)", "alloc(cpu2, 20000)", "alloc(cpu2, 30000)", "drain(cpu0)", "drain(cpu1)",
                "drain(cpu2)", "shrink()");
        HeapState a = next.get("alloc(cpu2, 30000)");
        assertThat(a.heap().liveAllocations()).singleElement().satisfies(x -> {
            assertThat(x.requested()).isEqualTo(30_000);
            assertThat(x.cpu()).isEqualTo(2);
            assertThat(x.site()).isEqualTo(CallSite.of("model", 2));
        });
        assertThat(s.heap().liveAllocations()).as("the successor is a copy").isEmpty();
    }

    @Test
    void aLiveAllocationCanBeFreedOnEveryCpuAndItsBadFreesAreRejected() {
        TransitionSystem<HeapState> ts = HeapModel.perCpu().build(Bounds.parse("cpus=2,frames=2,sizes=2040,cap=2,batch=1,kept=1"));
        HeapState s = successors(ts, ts.initialStates().get(0)).get("alloc(cpu0, 2040)");
        HeapAddr a = s.heap().liveAllocations().get(0).addr();
        Map<String, HeapState> next = successors(ts, s);
        // The interior free, the 16-byte free and the double free of the slab's other object are rejected.
        assertThat(next.keySet()).containsExactly("alloc(cpu0, 2040)", "alloc(cpu1, 2040)", "free(cpu0, " + a + ")",
                "free(cpu1, " + a + ")", "drain(cpu0)", "drain(cpu1)", "shrink()");
        HeapState freed = next.get("free(cpu1, " + a + ")");
        assertThat(freed.heap().liveAllocations()).isEmpty();
        assertThat(freed.heap().mags[1][SizeClass.B2K.ordinal()].contains(a.offset())).isTrue();
        HeapState second = next.get("alloc(cpu1, 2040)");
        assertThat(second.heap().liveAllocations()).hasSize(2);
        HeapState drained = successors(ts, freed).get("drain(cpu1)");
        assertThat(drained.heap().mags[1][SizeClass.B2K.ordinal()].count).isZero();
        HeapState shrunk = successors(ts, drained).get("shrink()");
        assertThat(shrunk.heap().heldFrames()).isZero();
        assertThat(drained.heap().heldFrames()).isEqualTo(1);
    }

    @Test
    void aDoubleFreeOfACachedObjectIsRejectedNotApplied() {
        TransitionSystem<HeapState> ts = HeapModel.perCpu().build(Bounds.parse("cpus=1,frames=2,sizes=2040,cap=2,batch=1,kept=1"));
        HeapState s = successors(ts, ts.initialStates().get(0)).get("alloc(cpu0, 2040)");
        HeapAddr a = s.heap().liveAllocations().get(0).addr();
        HeapState f = successors(ts, s).get("free(cpu0, " + a + ")");
        // a sits in CPU 0's cache, the slab's other object on its free list: both double frees are rejected.
        assertThat(f.heap().freeSlabObjects()).hasSize(2);
        assertThat(successors(ts, f).keySet()).containsExactly("alloc(cpu0, 2040)", "drain(cpu0)", "shrink()");
    }
}
