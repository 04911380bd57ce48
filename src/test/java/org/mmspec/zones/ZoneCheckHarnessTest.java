package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The zone checks themselves: the exhaustive model's memory maps and actions, its ci counts
 * against models/zones-small, and the model-based machine's comparisons, each shown to fire on
 * a deliberately faulty allocator or a corrupted model through a replayed choice sequence.
 *
 * <p>Replays use the machine's draw order: init draws the word size (1 = 64-bit), DMA, NORMAL
 * (and a hole if NORMAL > 1) and upper frame counts; each step picks an enabled rule (allocate,
 * free when something is live, freeBad); allocate draws zone, the one-in-ten bad order, the order
 * (value + -1) and the mode (0 fallback, 1 exact, 2 cache); init's last draw (0) offers no bad
 * construction input (3 would, followed by the rule and its draws); free picks a live run; freeBad picks
 * a probe and the one-in-three two-frame length.
 */
class ZoneCheckHarnessTest {
    /** 64-bit, DMA 4094..4095, nothing else; probes 4093..4096; the last: no bad input first. */
    private static final long[] INIT = {1, 2, 0, 0, 0};
    /** allocate(DMA, order 0, exact) from a state with nothing live. */
    private static final long[] ALLOC_EXACT = {0, 0, 0, 1, 1};
    private static final long[] ALLOC_CACHE = {0, 0, 0, 1, 2};
    private static final long[] ALLOC_FALLBACK = {0, 0, 0, 1, 0};
    /** free of the only live run. */
    private static final long[] FREE_LIVE = {1, 0};
    /** freeBad of frame 4094 (probe 1) while something is live. */
    private static final long[] FREE_BAD_4094 = {2, 1, 0};

    private static long[] seq(long[]... parts) {
        List<Long> out = new ArrayList<>();
        for (long[] p : parts) {
            for (long v : p) {
                out.add(v);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static AllocatorFactory faulty(FaultyAllocator.Fault fault) {
        return FaultyAllocator.factory(fault);
    }

    private static String failure(StateMachine<?> m, long[] choices) {
        StatefulFailure f = org.assertj.core.api.Assertions.catchThrowableOfType(() -> StatefulChecker.replay(m, choices),
                StatefulFailure.class);
        assertThat(f).as("the replay should fail").isNotNull();
        return f.getMessage();
    }

    // ---- the machine's init, names, rules and snapshot ----

    private static ZoneStateMachine.State init(long... draws) {
        return new ZoneStateMachine(AllocatorFactory.REFERENCE).init(Choices.replay(draws));
    }

    @Test
    void initBuildsTheMemoryMapItDrew() {
        ZoneStateMachine.State s = init(0, 0, 0, 0);
        assertThat(s.word).isEqualTo(WordSize.BITS_32);
        assertThat(s.map).containsExactly(FrameRange.of(4095, 1)); // nothing drawn: one DMA frame
        s = init(1, 0, 1, 1);
        assertThat(s.word).isEqualTo(WordSize.BITS_64);
        assertThat(s.map).containsExactly(FrameRange.of(4096, 1), FrameRange.of(4096 + 1 + 3, 1));
        s = init(0, 2, 3, 2, 0);
        assertThat(s.map).containsExactly(FrameRange.of(4094, 3), FrameRange.of(4099, 2));
        assertThat(s.modelSpan).containsEntry(ZoneType.DMA, FrameRange.of(4094, 2)).containsEntry(ZoneType.NORMAL,
                FrameRange.of(4096, 5));
        s = init(0, 0, 1, 2);
        assertThat(s.map).containsExactly(FrameRange.of(4096, 1), FrameRange.of(1L << 20, 2));
        assertThat(s.probes).containsExactly(4095L, 4096L, 4097L, (1L << 20) - 1, 1L << 20, (1L << 20) + 1, (1L << 20) + 2);
        assertThat(s.toString()).isEqualTo(s.sys.toString());
    }

    @Test
    void namesSayTheAllocatorAndTheSeededBug() {
        assertThat(new ZoneStateMachine().name()).isEqualTo("zone-allocator");
        assertThat(new ZoneStateMachine(AllocatorFactory.REFERENCE).name()).isEqualTo("zone-allocator/reference");
        assertThat(new ZoneStateMachine(ZoneAllocator.Bug.SKIP_PREFERRED).name()).isEqualTo("zone-allocator[SKIP_PREFERRED]");
        assertThat(new ZoneStateMachine(ZoneAllocator.Bug.EAGER_RECLAIM, AllocatorFactory.REFERENCE).name())
                .isEqualTo("zone-allocator/reference[EAGER_RECLAIM]");
    }

    @Test
    void freeIsEnabledOnlyWhenSomethingIsLiveAndTheSnapshotIsTheSystemsKey() {
        ZoneStateMachine m = new ZoneStateMachine(AllocatorFactory.REFERENCE);
        ZoneStateMachine.State s = m.init(Choices.replay(INIT));
        assertThat(m.rules()).extracting(Rule::name).containsExactly("allocate", "free", "freeBad");
        assertThat(m.rules().get(1).enabled(s)).isFalse();
        s.sys.zones.allocate(ZoneRequest.exact(ZoneType.DMA, 0));
        assertThat(m.rules().get(1).enabled(s)).isTrue();
        assertThat(m.snapshot(s)).isNotNull().isEqualTo(s.sys.key());
        assertThat(m.invariants().ids()).isEqualTo(ZoneInvariants.ALL.ids());
    }

    // ---- every comparison fires ----

    @Test
    void aCorrectAllocatorPassesTheReplays() {
        ZoneStateMachine m = new ZoneStateMachine(AllocatorFactory.REFERENCE);
        StatefulChecker.replay(m, seq(INIT, ALLOC_EXACT, FREE_BAD_4094));
        StatefulChecker.replay(m, seq(INIT, ALLOC_EXACT, FREE_LIVE));
        StatefulChecker.replay(m, seq(INIT, new long[] {1, 3, 0})); // freeBad of 4096, in the empty NORMAL zone
        CorruptingMachine<ZoneStateMachine.State> c = CorruptingMachine.recording(m);
        StatefulChecker.replay(c, seq(INIT, ALLOC_CACHE, ALLOC_CACHE, ALLOC_FALLBACK));
        // Reclaim dropped the lowest cached run only, and the fallback request took its frame.
        assertThat(c.last().sys.cache.cached()).containsExactly(FrameRange.of(4095, 1));
        assertThat(c.last().modelCache).containsExactly(FrameRange.of(4095, 1));
        assertThat(c.last().sys.zones.lastDecision().orElseThrow().reclaimedFrames()).isEqualTo(1);
        // the one-in-ten bad order: order 19 is rejected and nothing is allocated
        StatefulChecker.replay(c, seq(INIT, new long[] {0, 0, 9, 1}));
        assertThat(c.last().sys.zones.live()).isEmpty();
        // freeBad of two frames at 4094, where only one frame is live: not an allocation
        StatefulChecker.replay(c, seq(INIT, ALLOC_EXACT, new long[] {2, 1, 2}));
        assertThat(c.last().sys.zones.live()).containsOnlyKeys(4094L);
    }

    @Test
    void anAllocationTheModelWouldServeButTheAllocatorRefusesIsAMismatch() {
        assertThat(failure(new ZoneStateMachine(faulty(FaultyAllocator.Fault.REFUSE_ALLOCATION)), seq(INIT, ALLOC_EXACT)))
                .contains("model mismatch on allocate(DMA, order 0, exact)");
    }

    @Test
    void anAllocatorThatPlacesRunsElsewhereThanFirstFitIsCaughtAtTheAllocation() {
        assertThat(failure(new ZoneStateMachine(faulty(FaultyAllocator.Fault.LAST_FIT)), seq(INIT, ALLOC_EXACT)))
                .contains("zone DMA: bitmap aligned first fit is [frame#4094..4095), the allocator returned [frame#4095..4096)");
    }

    @Test
    void freeFramesAreComparedAfterEveryKindOfStep() {
        assertThat(failure(new ZoneStateMachine(faulty(FaultyAllocator.Fault.TAKE_EXTRA)), seq(INIT, ALLOC_EXACT)))
                .contains("model mismatch on free frames of DMA: implementation gave 0, model gave 1");
        ZoneStateMachine lazy = new ZoneStateMachine(faulty(FaultyAllocator.Fault.LAZY_FREE));
        assertThat(failure(lazy, seq(INIT, ALLOC_EXACT, FREE_LIVE)))
                .contains("model mismatch on free frames of DMA: implementation gave 1, model gave 2");
        assertThat(failure(lazy, seq(INIT, ALLOC_EXACT, FREE_BAD_4094)))
                .contains("model mismatch on free frames of DMA: implementation gave 1, model gave 2");
    }

    @Test
    void aRefusedFreeIsAMismatchOnTheFreeItself() {
        ZoneStateMachine refusing = new ZoneStateMachine(faulty(FaultyAllocator.Fault.REFUSE_FREE));
        assertThat(failure(refusing, seq(INIT, ALLOC_EXACT, FREE_LIVE)))
                .contains("model mismatch on free([frame#4094..4095)): implementation gave NOT_ALLOCATED, model gave ok");
        assertThat(failure(refusing, seq(INIT, ALLOC_EXACT, FREE_BAD_4094)))
                .contains("model mismatch on free([frame#4094..4095)): implementation gave NOT_ALLOCATED, model gave ok");
    }

    @Test
    void thePageCacheIsComparedAfterEveryStep() {
        CorruptingMachine<ZoneStateMachine.State> c = new CorruptingMachine<>(new ZoneStateMachine(AllocatorFactory.REFERENCE),
                s -> s.modelCache.add(FrameRange.of(4095, 1)));
        assertThat(failure(c, seq(INIT, ALLOC_EXACT))).contains("model mismatch on page cache");
    }

    // ---- the exhaustive model ----

    @Test
    void memoryMapsPutTheFramesAroundTheBoundaries() {
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=32,dma=1,normal=2,high=1,hole=1")))
                .containsExactly(FrameRange.of(4095, 2), FrameRange.of(4098, 1), FrameRange.of(1L << 20, 1));
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=64,dma=1,normal=2,high=2,hole=1")))
                .containsExactly(FrameRange.of(4095, 2), FrameRange.of(4098, 1), FrameRange.of(4103, 2));
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=64,dma=2,normal=1,high=0,hole=1")))
                .containsExactly(FrameRange.of(4094, 3));
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=32,dma=0,normal=0,high=1")))
                .containsExactly(FrameRange.of(1L << 20, 1));
        // a hole needs two NORMAL frames to lie between; without one, DMA and NORMAL are one range
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=32,dma=1,normal=1,high=0,hole=1"))).containsExactly(FrameRange.of(4095, 2));
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=32,dma=0,normal=2,high=0,hole=0"))).containsExactly(FrameRange.of(4096, 2));
        assertThat(ZoneModel.memoryMap(Bounds.parse("word=64,dma=3,normal=2,high=0"))).containsExactly(FrameRange.of(4093, 5));
        assertThat(ZoneModel.word(Bounds.parse("dma=1"))).isEqualTo(WordSize.BITS_32);
        assertThat(ZoneModel.word(Bounds.parse("word=64"))).isEqualTo(WordSize.BITS_64);
        ZoneModel m = new ZoneModel();
        assertThat(m.name()).isEqualTo("zones-small");
        assertThat(m.component()).isEqualTo("zones");
    }

    private static List<String> successorLabels(String bounds) {
        TransitionSystem<ZoneSystem> ts = new ZoneModel().build(Bounds.parse(bounds));
        List<String> labels = new ArrayList<>();
        ts.successors(ts.initialStates().get(0), (label, next) -> labels.add(label.get()));
        return labels;
    }

    @Test
    void everyFreshActionThatSucceedsIsAnAllocationUpToMaxOrder() {
        // Four DMA frames: an order-1 request would fit, but maxOrder 0 makes order 1 the bad order 19.
        List<String> labels = successorLabels("word=64,dma=4,normal=0,high=0,maxOrder=0,allocator=reference");
        // NORMAL is empty, so a NORMAL request that may fall back lands in DMA; HIGH does not exist on 64-bit.
        assertThat(labels).containsExactlyInAnyOrder("alloc(DMA, order 0, fallback)", "alloc(DMA, order 0, exact)",
                "alloc(DMA, order 0, cache)", "alloc(NORMAL, order 0, fallback)", "alloc(NORMAL, order 0, cache)");
    }

    @Test
    void freeingTheLiveRunIsATransitionAndBadFreesAreNot() {
        TransitionSystem<ZoneSystem> ts = new ZoneModel().build(Bounds.parse("word=64,dma=1,normal=0,high=0,maxOrder=0"));
        ZoneSystem s = ts.initialStates().get(0);
        s.zones.allocate(ZoneRequest.exact(ZoneType.DMA, 0));
        List<String> labels = new ArrayList<>();
        List<ZoneSystem> next = new ArrayList<>();
        ts.successors(s, (label, n) -> {
            labels.add(label.get());
            next.add(n);
        });
        assertThat(labels).containsExactly("free([frame#4095..4096))");
        assertThat(next.get(0).zones.live()).isEmpty();
    }

    @Test
    void theCiConfigurationsMatchTheirManifest() {
        Manifest manifest = Manifest.load("zones-small");
        // z32 takes seconds; ModelManifestDriftTest runs every ci configuration
        for (String config : List.of("z64", "bug-align")) {
            ExplorationResult r = ModelRun.explore(new ZoneModel(), manifest, config, Progress.NONE);
            assertThat(ModelRun.drift(manifest, config, r)).as(config).isEmpty();
        }
    }
}
