package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The zone allocator at its edges: memory-map normalisation, the largest order, reclaim that
 * frees nothing net, the page cache's stopping point, fallback matrices rejected for each
 * reason, the allocator factories, and the renderings the traces show.
 */
class ZoneAllocatorEdgesTest {
    private static final ZoneType DMA = ZoneType.DMA;
    private static final ZoneType NORMAL = ZoneType.NORMAL;
    private static final ZoneType HIGH = ZoneType.HIGH;

    private static ZoneError.Kind kindOf(Runnable r) {
        return catchThrowableOfType(r::run, ZoneError.class).errorKind();
    }

    // ---- construction ----

    @Test
    void theMemoryMapIsSortedAndAdjacentRangesAreMerged() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64,
                List.of(FrameRange.of(4100, 2), FrameRange.of(4094, 2), FrameRange.of(4096, 2), FrameRange.of(4104, 1)));
        assertThat(za.memoryMap()).containsExactly(FrameRange.of(4094, 4), FrameRange.of(4100, 2), FrameRange.of(4104, 1));
        assertThat(ZoneAllocator.normalize(List.of(FrameRange.of(20, 2), FrameRange.of(10, 10))))
                .containsExactly(FrameRange.of(10, 12));
        ZoneError e = catchThrowableOfType(() -> ZoneAllocator.normalize(List.of(FrameRange.of(14, 2), FrameRange.of(10, 5))),
                ZoneError.class);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.BAD_MEMORY_MAP);
        assertThat(e.getMessage()).isEqualTo("memory map ranges [frame#10..15) and [frame#14..16) overlap");
    }

    @Test
    void anIllFormedFallbackMatrixIsRejectedByTheConstructor() {
        Map<ZoneType, List<ZoneType>> upwards = new EnumMap<>(ZoneType.class);
        upwards.put(DMA, List.of(DMA, NORMAL));
        upwards.put(NORMAL, List.of(NORMAL));
        ZoneError e = catchThrowableOfType(() -> new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 2)),
                FallbackOrder.unchecked(upwards), AllocatorFactory.REFERENCE), ZoneError.class);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        assertThat(e.getMessage()).isEqualTo("fallback order {DMA=[DMA, NORMAL], NORMAL=[NORMAL]}: DMA falls back upwards to NORMAL");
    }

    @Test
    void zonesKnowTheirWindowAndCounts() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 3)));
        Zone dma = za.zone(DMA);
        assertThat(dma.window()).isEqualTo(FrameRange.of(0, 4096));
        assertThat(dma.usableFrames()).isEqualTo(1);
        assertThat(za.zone(NORMAL).usableFrames()).isEqualTo(2);
        assertThat(za.zone(NORMAL).window().start().number()).isEqualTo(4096);
        ZoneAllocator high = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(1L << 20, 1)));
        assertThat(high.zone(DMA).usableFrames()).isZero();
        assertThat(high.zone(DMA).freeFrames()).isZero();
        assertThat(high.zone(DMA).usable()).isEmpty();
        assertThat(high.zone(DMA).pool()).isEmpty();
        assertThat(high.zone(DMA).toString()).isEqualTo("DMA (empty) allocated 0");
        ZoneError e = catchThrowableOfType(() -> za.zone(HIGH), ZoneError.class);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.NO_SUCH_ZONE);
        assertThat(e.getMessage()).isEqualTo("no HIGH zone on BITS_64");
        assertThatThrownBy(() -> ZoneLayout.ceiling(WordSize.BITS_64, HIGH)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HIGH does not exist on BITS_64");
    }

    @Test
    void clipKeepsOnlyThePartsInsideTheWindow() {
        FrameRange dma = ZoneLayout.window(WordSize.BITS_32, DMA).orElseThrow();
        assertThat(ZoneLayout.clip(List.of(FrameRange.of(4090, 10), FrameRange.of(4096, 2)), dma))
                .containsExactly(FrameRange.of(4090, 6));
        assertThat(ZoneLayout.clip(List.of(FrameRange.of(4095, 1)), dma)).containsExactly(FrameRange.of(4095, 1));
        FrameRange normal = ZoneLayout.window(WordSize.BITS_32, NORMAL).orElseThrow();
        assertThat(normal).isEqualTo(FrameRange.of(4096, (1L << 20) - 4096));
        assertThat(ZoneLayout.clip(List.of(FrameRange.of(4090, 10)), normal)).containsExactly(FrameRange.of(4096, 4));
    }

    // ---- allocation edges ----

    @Test
    void theLargestOrderIsARequestNotABadOrder() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 2)));
        ZoneError e = catchThrowableOfType(() -> za.allocateFromZone(NORMAL, ZoneAllocator.MAX_ORDER), ZoneError.class);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).isEqualTo("allocate(NORMAL order 18): zones [NORMAL, DMA] exhausted");
        assertThat(e.reclaimedFrames()).isZero();
        assertThat(za.lastDecision()).isEmpty();
        assertThat(kindOf(() -> za.allocateFromZone(NORMAL, ZoneAllocator.MAX_ORDER + 1))).isEqualTo(ZoneError.Kind.BAD_ORDER);
    }

    @Test
    void aFailureAfterReclaimSaysHowMuchWasReclaimedAndRecordsTheDecision() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(4095, 2)));
        PageCacheReclaim cache = new PageCacheReclaim();
        za.reclaimHook(cache);
        cache.add(za.allocateFromZone(DMA, 0).run());
        za.allocateFromZone(NORMAL, 0);
        ZoneError e = catchThrowableOfType(() -> za.allocateFromZone(NORMAL, 1), ZoneError.class);
        assertThat(e.getMessage()).isEqualTo("allocate(NORMAL order 1): zones [NORMAL, DMA] exhausted after reclaiming 1 frames");
        ZoneDecision d = za.lastDecision().orElseThrow();
        assertThat(d.reclaimAfter()).isEqualTo(2);
        assertThat(d.reclaimedFrames()).isEqualTo(1);
        assertThat(d.attempts()).hasSize(4);
        assertThat(d.toString()).isEqualTo("NORMAL order 1: [NORMAL-, DMA-] reclaim(1) [NORMAL-, DMA-] -> failed");
        // reclaim before the first attempt (only a seeded EAGER_RECLAIM records it) is shown there
        ZoneDecision eager = new ZoneDecision(ZoneRequest.of(DMA, 0), List.of(new ZoneDecision.Attempt(DMA, true)), 0, 2,
                java.util.Optional.of(DMA));
        assertThat(eager.toString()).isEqualTo("DMA order 0: [] reclaim(2) [DMA+] -> DMA");
    }

    @Test
    void fallbackMatricesAreEqualAndHashAlikeExactlyWhenTheirListsAre() {
        FallbackOrder s32 = FallbackOrder.standard(WordSize.BITS_32);
        FallbackOrder s64 = FallbackOrder.standard(WordSize.BITS_64);
        java.util.Map<ZoneType, List<ZoneType>> lists = new java.util.EnumMap<>(ZoneType.class);
        lists.put(DMA, List.of(DMA));
        lists.put(NORMAL, List.of(NORMAL, DMA));
        assertThat(FallbackOrder.of(WordSize.BITS_64, lists)).isEqualTo(s64).hasSameHashCodeAs(s64);
        assertThat(s32).isNotEqualTo(s64);
        // the hash is the lists' own, so matrices that differ spread in a hash table
        assertThat(s64.hashCode()).isEqualTo(lists.hashCode()).isNotEqualTo(s32.hashCode());
    }

    @Test
    void aHookThatGivesBackNoNetFramesGetsNoSecondPass() {
        // The hook frees a NORMAL frame but takes a HIGH frame for itself: nothing net is reclaimed.
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(4095, 2), FrameRange.of(1L << 20, 1)));
        FrameRange normal = za.allocateFromZone(NORMAL, 0).run();
        za.allocateFromZone(DMA, 0);
        int[] calls = {0};
        za.reclaimHook((alloc, req, zones) -> {
            calls[0]++;
            alloc.free(normal);
            alloc.allocate(ZoneRequest.exact(HIGH, 0));
            return 1;
        });
        ZoneError e = catchThrowableOfType(() -> za.allocate(ZoneRequest.of(NORMAL, 0)), ZoneError.class);
        assertThat(calls[0]).isEqualTo(1);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        assertThat(e.reclaimedFrames()).isZero();
        assertThat(e.getMessage()).isEqualTo("allocate(NORMAL order 0): zones [NORMAL, DMA] exhausted");
        assertThat(za.zone(NORMAL).freeFrames()).isEqualTo(1);
    }

    @Test
    void eagerReclaimRunsTheHookOnceEvenWhenTheFirstPassFails() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 1)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE, ZoneAllocator.Bug.EAGER_RECLAIM);
        FrameRange only = za.allocateFromZone(DMA, 0).run();
        int[] calls = {0};
        za.reclaimHook((alloc, req, zones) -> {
            calls[0]++;
            if (calls[0] == 1) {
                return 0;
            }
            alloc.free(only);
            return 1;
        });
        assertThat(kindOf(() -> za.allocateFromZone(DMA, 0))).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void thePageCacheStopsAsSoonAsItHasFreedEnoughAndOnlyInAllowedZones() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4094, 2), FrameRange.of(4096, 4)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE);
        PageCacheReclaim cache = new PageCacheReclaim();
        List<FrameRange> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(za.allocate(ZoneRequest.exact(DMA, 0)).run());
        }
        for (int i = 0; i < 4; i++) {
            runs.add(za.allocate(ZoneRequest.exact(NORMAL, 0)).run());
        }
        runs.forEach(cache::add);
        assertThat(cache.toString()).isEqualTo("cache [[frame#4094..4095), [frame#4095..4096), [frame#4096..4097), "
                + "[frame#4097..4098), [frame#4098..4099), [frame#4099..4100)]");
        long freed = cache.reclaim(za, ZoneRequest.exact(NORMAL, 1), List.of(NORMAL));
        assertThat(freed).isEqualTo(2);
        assertThat(cache.cached()).containsExactly(runs.get(0), runs.get(1), runs.get(4), runs.get(5));
        assertThat(za.zone(NORMAL).freeFrames()).isEqualTo(2);
        assertThat(za.zone(DMA).freeFrames()).isZero();
        assertThat(cache.reclaim(za, ZoneRequest.exact(DMA, 2), List.of(DMA))).isEqualTo(2);
        assertThat(cache.cached()).containsExactly(runs.get(4), runs.get(5));
        assertThat(cache.remove(runs.get(4))).isTrue();
        assertThat(cache.remove(runs.get(4))).isFalse();
        PageCacheReclaim copy = cache.copy();
        copy.remove(runs.get(5));
        assertThat(cache.cached()).containsExactly(runs.get(5));
        assertThat(copy.cached()).isEmpty();
    }

    @Test
    void freeingTheLargestLiveRunLowersItsZonesCount() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4096, 4)));
        ZoneAllocation a = za.allocateFromZone(NORMAL, 2);
        assertThat(za.zone(NORMAL).allocatedFrames()).isEqualTo(4);
        assertThat(za.allocatedFrames()).isEqualTo(4);
        za.free(a.run());
        assertThat(za.zone(NORMAL).allocatedFrames()).isZero();
        assertThat(za.freeFrames()).isEqualTo(4);
        assertThat(za.live()).isEmpty();
        assertThat(kindOf(() -> za.free(FrameRange.of(10, 1)))).isEqualTo(ZoneError.Kind.OUT_OF_RANGE);
    }

    // ---- state keys and renderings ----

    @Test
    void theKeyCoversEachZoneNotJustTheLiveAllocations() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 2)));
        ZoneAllocator copy = za.copy(ReclaimHook.NONE);
        assertThat(copy.key()).isEqualTo(za.key());
        copy.zone(DMA).allocatedFrames = 1;
        assertThat(copy.key()).isNotEqualTo(za.key());
        assertThat(copy.zone(DMA).key()).isEqualTo(List.of(DMA, new java.util.TreeMap<>(), 1L));
    }

    @Test
    void theAllocatorRendersItsZonesLiveRunsAndLastDecision() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 2)), FallbackOrder.standard(WordSize.BITS_64),
                AllocatorFactory.REFERENCE);
        assertThat(za.toString()).isEqualTo("ZoneAllocator BITS_64\n"
                + "  DMA span [frame#4095..4096) free 1 live {} allocated 0\n"
                + "  NORMAL span [frame#4096..4097) free 1 live {} allocated 0\n"
                + "  live []\n"
                + "  last -");
        za.allocateFromZone(NORMAL, 0);
        za.allocateFromZone(NORMAL, 0);
        assertThat(za.toString()).endsWith("  live [[frame#4095..4096) NORMAL->DMA, [frame#4096..4097) NORMAL]\n"
                + "  last NORMAL order 0: [NORMAL-, DMA+] -> DMA");
        ZoneSystem sys = ZoneSystem.of(WordSize.BITS_64, List.of(FrameRange.of(4095, 1)), ZoneAllocator.Bug.NONE,
                AllocatorFactory.REFERENCE);
        assertThat(sys.allocator().zone(DMA).usableFrames()).isEqualTo(1);
        assertThat(sys.cache().cached()).isEmpty();
        assertThat(sys.toString()).endsWith("  last -\n  cache []");
        assertThat(new ZoneRequest(HIGH, 2, false, true).toString()).isEqualTo("HIGH order 2 nofallback");
        assertThat(new ZoneRequest(HIGH, 2, true, false).toString()).isEqualTo("HIGH order 2 noreclaim");
    }

    // ---- fallback matrices ----

    private static Map<ZoneType, List<ZoneType>> matrix(List<ZoneType> dma, List<ZoneType> normal) {
        Map<ZoneType, List<ZoneType>> m = new EnumMap<>(ZoneType.class);
        if (dma != null) {
            m.put(DMA, dma);
        }
        if (normal != null) {
            m.put(NORMAL, normal);
        }
        return m;
    }

    private static String problem(Map<ZoneType, List<ZoneType>> m) {
        ZoneError e = catchThrowableOfType(() -> FallbackOrder.of(WordSize.BITS_64, m), ZoneError.class);
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        return FallbackOrder.unchecked(m).problem(WordSize.BITS_64).orElseThrow();
    }

    @Test
    void eachIllFormedListGetsItsReason() {
        assertThat(problem(matrix(List.of(DMA), null))).isEqualTo("NORMAL's list must start with NORMAL: null");
        assertThat(problem(matrix(List.of(), List.of(NORMAL)))).isEqualTo("DMA's list must start with DMA: []");
        assertThat(problem(matrix(List.of(DMA), List.of(DMA, NORMAL)))).isEqualTo("NORMAL's list must start with NORMAL: [DMA, NORMAL]");
        assertThat(problem(matrix(List.of(DMA), List.of(NORMAL, NORMAL)))).isEqualTo("NORMAL's list names NORMAL twice");
        assertThat(problem(matrix(List.of(DMA), List.of(NORMAL, HIGH)))).isEqualTo("NORMAL's list names HIGH, which does not exist on BITS_64");
        assertThat(problem(matrix(List.of(DMA, NORMAL), List.of(NORMAL)))).isEqualTo("DMA falls back upwards to NORMAL");
        Map<ZoneType, List<ZoneType>> high = matrix(List.of(DMA), List.of(NORMAL));
        high.put(HIGH, List.of(HIGH));
        assertThat(problem(high)).isEqualTo("a list for HIGH, which does not exist on BITS_64");
    }

    @Test
    void matricesCompareByTheirLists() {
        FallbackOrder standard = FallbackOrder.standard(WordSize.BITS_32);
        assertThat(standard).isEqualTo(FallbackOrder.standard(WordSize.BITS_32));
        assertThat(standard.hashCode()).isEqualTo(FallbackOrder.standard(WordSize.BITS_32).hashCode());
        assertThat(standard).isNotEqualTo(FallbackOrder.standard(WordSize.BITS_64));
        assertThat(standard.equals("standard")).isFalse();
        assertThat(standard.toString()).isEqualTo("{DMA=[DMA], NORMAL=[NORMAL, DMA], HIGH=[HIGH, NORMAL, DMA]}");
        assertThat(standard.of(HIGH)).containsExactly(HIGH, NORMAL, DMA);
        assertThat(FallbackOrder.standard(WordSize.BITS_64).of(HIGH)).isEmpty();
        FallbackOrder own = FallbackOrder.of(WordSize.BITS_64, matrix(List.of(DMA), List.of(NORMAL)));
        assertThat(own.of(NORMAL)).containsExactly(NORMAL);
        assertThat(own.problem(WordSize.BITS_64)).isEmpty();
    }

    // ---- allocator factories ----

    @Test
    void theReferenceFactoryCopiesAndRestoresReferenceAllocatorsOnly() {
        FrameRange span = FrameRange.of(8, 4);
        FrameAllocator a = AllocatorFactory.REFERENCE.create(span, List.of(FrameRange.of(9, 1)));
        assertThat(a).isInstanceOf(ReferenceFrameAllocator.class);
        assertThat(a.freeFrames()).isEqualTo(3);
        a.allocate(1);
        FrameAllocator c = AllocatorFactory.REFERENCE.copy(a).orElseThrow();
        assertThat(c).isNotSameAs(a);
        assertThat(c.freeFrames()).isEqualTo(2);
        c.allocate(1);
        assertThat(a.freeFrames()).isEqualTo(2);
        assertThat(AllocatorFactory.REFERENCE.copy(new HybridAllocator(span, List.of()))).isEmpty();
        FrameAllocator r = AllocatorFactory.REFERENCE.restore(span, List.of(FrameRange.of(9, 1)), List.of(FrameRange.of(10, 2)))
                .orElseThrow();
        assertThat(r.freeFrames()).isEqualTo(1);
        assertThat(r.allocate(1)).isEqualTo(FrameRange.of(8, 1));
        assertThat(AllocatorFactory.REFERENCE).hasToString("reference");
    }

    @Test
    void hybridFactoriesCopyHybridsAndNameTheirConfiguration() {
        FrameRange span = FrameRange.of(8, 4);
        FrameAllocator h = AllocatorFactory.HYBRID.create(span, List.of(FrameRange.of(9, 1)));
        assertThat(h).isInstanceOf(HybridAllocator.class);
        assertThat(((HybridAllocator) h).reserved()).singleElement()
                .satisfies(r -> assertThat(r.description()).isEqualTo(AllocatorFactory.HOLE));
        h.allocate(1);
        FrameAllocator c = AllocatorFactory.HYBRID.copy(h).orElseThrow();
        assertThat(c).isNotSameAs(h);
        assertThat(c.freeFrames()).isEqualTo(h.freeFrames()).isEqualTo(2);
        assertThat(AllocatorFactory.HYBRID.copy(new ReferenceFrameAllocator(span))).isEmpty();
        assertThat(AllocatorFactory.HYBRID.restore(span, List.of(), List.of())).isEmpty();
        assertThat(AllocatorFactory.HYBRID).hasToString("hybrid");
        assertThat(AllocatorFactory.hybrid(HybridAllocator.DEFAULT_THRESHOLD, 3)).hasToString("hybrid(threshold 512, maxOrder 3)");
        assertThat(AllocatorFactory.hybrid(2, 18)).hasToString("hybrid(threshold 2, maxOrder 18)");
        assertThat(AllocatorFactory.named("reference")).isSameAs(AllocatorFactory.REFERENCE);
        assertThat(AllocatorFactory.named("hybrid")).isSameAs(AllocatorFactory.HYBRID);
        assertThat(AllocatorFactory.named("hybrid-4")).hasToString("hybrid(threshold 4, maxOrder 18)");
        assertThatThrownBy(() -> AllocatorFactory.named("buddy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allocator must be reference, hybrid or hybrid-T, not buddy");
    }

    @Test
    void aRestoreOnlyFactoryCopiesPoolsFromTheirLiveRuns() {
        AllocatorFactory restoreOnly = new AllocatorFactory() {
            @Override
            public FrameAllocator create(FrameRange managed, List<FrameRange> reserved) {
                return AllocatorFactory.REFERENCE.create(managed, reserved);
            }

            @Override
            public java.util.Optional<FrameAllocator> restore(FrameRange managed, List<FrameRange> reserved,
                    java.util.Collection<FrameRange> live) {
                return AllocatorFactory.REFERENCE.restore(managed, reserved, live);
            }
        };
        FramePool p = new FramePool(List.of(FrameRange.of(8, 4)), restoreOnly);
        p.tryAllocate(2, 2);
        FramePool c = p.copy();
        assertThat(c.freeFrames()).isEqualTo(2);
        assertThat(c.tryAllocate(2, 2)).contains(FrameRange.of(10, 2));
        assertThat(c.accountingProblem()).isEmpty();
    }

    @Test
    void theSuitesRunTheDefaultAndTheSmallThresholdMachines() {
        assertThat(ZoneSuites.all()).hasSize(2);
    }
}
