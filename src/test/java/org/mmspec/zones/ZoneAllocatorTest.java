package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/** The zone allocator's operations, pre- and postconditions as spec/zones.md states them. */
class ZoneAllocatorTest {
    private static final long MIB16 = 4096;
    private static final long GIB4 = 1L << 20;

    private static ZoneError.Kind kindOf(Runnable r) {
        try {
            r.run();
        } catch (ZoneError e) {
            return e.errorKind();
        }
        throw new AssertionError("expected a ZoneError");
    }

    @Test
    void theWindowsOfEachWordSizeAreDisjointAndCoverPhysicalMemory() {
        assertThat(ZoneLayout.DMA_END_FRAME.number()).isEqualTo(MIB16);
        assertThat(ZoneLayout.HIGH_START_FRAME.number()).isEqualTo(GIB4);
        for (WordSize w : WordSize.values()) {
            long next = 0;
            for (ZoneType z : ZoneLayout.zones(w)) {
                FrameRange window = ZoneLayout.window(w, z).orElseThrow();
                assertThat(window.start().number()).as(w + " " + z).isEqualTo(next);
                next = window.endNumber();
            }
            assertThat(next).isEqualTo(org.mmspec.frames.PhysFrame.LIMIT);
        }
        assertThat(ZoneLayout.window(WordSize.BITS_64, ZoneType.HIGH)).isEmpty();
        assertThat(ZoneLayout.ceiling(WordSize.BITS_32, ZoneType.NORMAL)).isEqualTo(GIB4);
    }

    @Test
    void splitsTheMemoryMapAtTheZoneBoundaries32Bit() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32,
                List.of(FrameRange.of(MIB16 - 3, 5), FrameRange.of(GIB4 - 2, 4)));
        assertThat(za.zone(ZoneType.DMA).usable()).containsExactly(FrameRange.of(MIB16 - 3, 3));
        assertThat(za.zone(ZoneType.NORMAL).usable()).containsExactly(FrameRange.of(MIB16, 2), FrameRange.of(GIB4 - 2, 2));
        assertThat(za.zone(ZoneType.NORMAL).pool().get().holes()).containsExactly(FrameRange.of(MIB16 + 2, GIB4 - 2 - MIB16 - 2));
        assertThat(za.zone(ZoneType.HIGH).usable()).containsExactly(FrameRange.of(GIB4, 2));
    }

    @Test
    void on64BitMemoryAbove4GiBIsNormalAndThereIsNoHighZone() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(GIB4, 4)));
        assertThat(za.zones()).extracting(Zone::type).containsExactly(ZoneType.DMA, ZoneType.NORMAL);
        assertThat(za.zone(ZoneType.DMA).isEmpty()).isTrue();
        assertThat(za.zone(ZoneType.NORMAL).usable()).containsExactly(FrameRange.of(GIB4, 4));
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.HIGH, 0))).isEqualTo(ZoneError.Kind.NO_SUCH_ZONE);
    }

    @Test
    void aDmaRequestNeverGetsAFrameAtOrAbove16MiB() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(MIB16 - 2, 10)));
        List<FrameRange> got = new ArrayList<>();
        got.add(za.allocateFromZone(ZoneType.DMA, 0).run());
        got.add(za.allocateFromZone(ZoneType.DMA, 0).run());
        assertThat(got).allMatch(r -> r.endNumber() <= MIB16);
        long freeBefore = za.freeFrames();
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.DMA, 0))).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        assertThat(za.freeFrames()).isEqualTo(freeBefore).isEqualTo(8);
    }

    @Test
    void normalFallsBackToDmaOnlyWhenAllowed() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(MIB16 - 2, 3)));
        assertThat(za.allocateFromZone(ZoneType.NORMAL, 0).served()).isEqualTo(ZoneType.NORMAL);
        assertThat(kindOf(() -> za.allocate(ZoneRequest.exact(ZoneType.NORMAL, 0)))).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        ZoneAllocation a = za.allocateFromZone(ZoneType.NORMAL, 0);
        assertThat(a.served()).isEqualTo(ZoneType.DMA);
        assertThat(a.requested()).isEqualTo(ZoneType.NORMAL);
        assertThat(za.lastDecision().get().attempts()).containsExactly(
                new ZoneDecision.Attempt(ZoneType.NORMAL, false), new ZoneDecision.Attempt(ZoneType.DMA, true));
    }

    @Test
    void highFallsBackThroughNormalThenDma() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(MIB16 - 1, 2)));
        assertThat(za.allocateFromZone(ZoneType.HIGH, 0).served()).isEqualTo(ZoneType.NORMAL);
        assertThat(za.allocateFromZone(ZoneType.HIGH, 0).served()).isEqualTo(ZoneType.DMA);
    }

    @Test
    void reclaimRunsOnlyAfterEveryAllowedZoneFailed() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(MIB16 - 1, 2)));
        int[] calls = {0};
        PageCacheReclaim cache = new PageCacheReclaim();
        za.reclaimHook((alloc, req, zones) -> {
            calls[0]++;
            return cache.reclaim(alloc, req, zones);
        });
        cache.add(za.allocateFromZone(ZoneType.NORMAL, 0).run());
        za.allocateFromZone(ZoneType.NORMAL, 0); // falls back to DMA, no reclaim needed
        assertThat(calls[0]).isZero();
        ZoneAllocation a = za.allocateFromZone(ZoneType.NORMAL, 0);
        assertThat(calls[0]).isEqualTo(1);
        assertThat(a.run()).isEqualTo(FrameRange.of(MIB16, 1));
        ZoneDecision d = za.lastDecision().get();
        assertThat(d.reclaimAfter()).isEqualTo(2);
        assertThat(d.reclaimedFrames()).isEqualTo(1);
        assertThat(ZoneInvariants.ALL.violations(za)).isEmpty();
    }

    @Test
    void aFailureAfterReclaimKeepsTheReclaimedFramesFreeAndSaysSo() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(MIB16 - 1, 2)));
        PageCacheReclaim cache = new PageCacheReclaim();
        za.reclaimHook(cache);
        cache.add(za.allocateFromZone(ZoneType.DMA, 0).run());
        za.allocateFromZone(ZoneType.NORMAL, 0);
        ZoneError e = (ZoneError) org.assertj.core.api.Assertions.catchThrowable(() -> za.allocateFromZone(ZoneType.NORMAL, 1));
        assertThat(e.errorKind()).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
        assertThat(e.reclaimedFrames()).isEqualTo(1);
        assertThat(za.zone(ZoneType.DMA).freeFrames()).isEqualTo(1);
        assertThat(za.lastDecision().get().served()).isEmpty();
        assertThat(ZoneInvariants.ALL.violations(za)).isEmpty();
    }

    @Test
    void badOrdersAreRejected() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(MIB16 - 1, 2)));
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.NORMAL, -1))).isEqualTo(ZoneError.Kind.BAD_ORDER);
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.NORMAL, ZoneAllocator.MAX_ORDER + 1)))
                .isEqualTo(ZoneError.Kind.BAD_ORDER);
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.NORMAL, 2))).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
    }

    @Test
    void badFreesGetTheirKinds() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32,
                List.of(FrameRange.of(MIB16 - 2, 4), FrameRange.of(MIB16 + 3, 2)));
        FrameRange pair = za.allocate(ZoneRequest.exact(ZoneType.NORMAL, 1)).run();
        assertThat(pair).isEqualTo(FrameRange.of(MIB16, 2));
        assertThat(kindOf(() -> za.free(FrameRange.of(MIB16, 1)))).isEqualTo(ZoneError.Kind.NOT_ALLOCATED);
        assertThat(kindOf(() -> za.free(FrameRange.of(MIB16 + 2, 1)))).isEqualTo(ZoneError.Kind.RESERVED);
        assertThat(kindOf(() -> za.free(FrameRange.of(MIB16 + 3, 1)))).isEqualTo(ZoneError.Kind.DOUBLE_FREE);
        assertThat(kindOf(() -> za.free(FrameRange.of(MIB16 - 3, 1)))).isEqualTo(ZoneError.Kind.OUT_OF_RANGE);
        assertThat(kindOf(() -> za.free(FrameRange.of(MIB16 - 1, 2)))).isEqualTo(ZoneError.Kind.OUT_OF_RANGE);
        za.free(pair);
        assertThat(kindOf(() -> za.free(pair))).isEqualTo(ZoneError.Kind.DOUBLE_FREE);
    }

    @Test
    void malformedMemoryMapsAndFallbackMatricesAreRejected() {
        assertThat(kindOf(() -> new ZoneAllocator(WordSize.BITS_64, List.of()))).isEqualTo(ZoneError.Kind.BAD_MEMORY_MAP);
        assertThat(kindOf(() -> new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(10, 5), FrameRange.of(14, 2)))))
                .isEqualTo(ZoneError.Kind.BAD_MEMORY_MAP);
        Map<ZoneType, List<ZoneType>> upwards = Map.of(ZoneType.DMA, List.of(ZoneType.DMA, ZoneType.NORMAL),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL));
        assertThat(kindOf(() -> FallbackOrder.of(WordSize.BITS_64, upwards))).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        Map<ZoneType, List<ZoneType>> notSelfFirst = Map.of(ZoneType.DMA, List.of(ZoneType.DMA),
                ZoneType.NORMAL, List.of(ZoneType.DMA, ZoneType.NORMAL));
        assertThat(kindOf(() -> FallbackOrder.of(WordSize.BITS_64, notSelfFirst))).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        Map<ZoneType, List<ZoneType>> twice = Map.of(ZoneType.DMA, List.of(ZoneType.DMA),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL, ZoneType.DMA, ZoneType.DMA));
        assertThat(kindOf(() -> FallbackOrder.of(WordSize.BITS_64, twice))).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        Map<ZoneType, List<ZoneType>> highOn64 = Map.of(ZoneType.DMA, List.of(ZoneType.DMA),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL), ZoneType.HIGH, List.of(ZoneType.HIGH));
        assertThat(kindOf(() -> FallbackOrder.of(WordSize.BITS_64, highOn64))).isEqualTo(ZoneError.Kind.BAD_FALLBACK);
        assertThat(FallbackOrder.of(WordSize.BITS_64, Map.of(ZoneType.DMA, List.of(ZoneType.DMA),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL)))).isNotEqualTo(FallbackOrder.standard(WordSize.BITS_64));
    }

    @Test
    void aNoFallbackMatrixKeepsNormalOutOfDma() {
        FallbackOrder none = FallbackOrder.of(WordSize.BITS_64, Map.of(ZoneType.DMA, List.of(ZoneType.DMA),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL)));
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(MIB16 - 1, 2)), none,
                AllocatorFactory.REFERENCE);
        za.allocateFromZone(ZoneType.NORMAL, 0);
        assertThat(kindOf(() -> za.allocateFromZone(ZoneType.NORMAL, 0))).isEqualTo(ZoneError.Kind.OUT_OF_MEMORY);
    }

    @Test
    void aCopyOfAJournalingAllocatorReplaysToTheSameState() {
        AllocatorFactory journaling = ReferenceFrameAllocator::new; // no restore: copies replay the journal
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_32, List.of(FrameRange.of(MIB16 - 2, 6)),
                FallbackOrder.standard(WordSize.BITS_32), journaling);
        FrameRange a = za.allocateFromZone(ZoneType.NORMAL, 1).run();
        za.allocateFromZone(ZoneType.DMA, 0);
        za.free(a);
        za.allocateFromZone(ZoneType.NORMAL, 0);
        ZoneAllocator copy = za.copy(ReclaimHook.NONE);
        assertThat(copy.key()).isEqualTo(za.key());
        assertThat(copy.allocateFromZone(ZoneType.NORMAL, 0)).isEqualTo(za.allocateFromZone(ZoneType.NORMAL, 0));
        assertThat(copy.key()).isEqualTo(za.key());
    }
}
