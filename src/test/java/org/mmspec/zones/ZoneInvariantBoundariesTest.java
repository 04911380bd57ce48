package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Invariant;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;

/**
 * Each zone invariant at its exact boundary: the last state it accepts and the first corrupted
 * state it rejects, with the detail it reports. The allocators are the ones of
 * {@link ZoneInvariantsTest}: DMA 4094..4095, NORMAL 4096..4098, HIGH 2^20..2^20+1 (32-bit).
 */
class ZoneInvariantBoundariesTest {
    private static final ZoneType DMA = ZoneType.DMA;
    private static final ZoneType NORMAL = ZoneType.NORMAL;
    private static final ZoneType HIGH = ZoneType.HIGH;

    private static ZoneAllocator fresh() {
        return ZoneInvariantsTest.fresh(ZoneAllocator.Bug.NONE);
    }

    private static Optional<String> detail(Invariant<ZoneAllocator> inv, ZoneAllocator za) {
        return inv.evaluate(za).map(Violation::detail);
    }

    private static ZoneDecision.Attempt tried(ZoneType z, boolean satisfied) {
        return new ZoneDecision.Attempt(z, satisfied);
    }

    private static ZoneDecision decision(ZoneRequest r, int reclaimAfter, Optional<ZoneType> served, ZoneDecision.Attempt... at) {
        return new ZoneDecision(r, List.of(at), reclaimAfter, reclaimAfter < 0 ? 0 : 1, served);
    }

    // ---- ZONE-3: the ceiling is exclusive ----

    @Test
    void ZONE_3_acceptsADmaBlockEndingExactlyAt16MiB() {
        ZoneAllocator za = fresh();
        ZoneAllocation a = za.allocate(ZoneRequest.exact(DMA, 1));
        assertThat(a.run()).isEqualTo(FrameRange.of(4094, 2));
        assertThat(a.run().endNumber()).isEqualTo(ZoneLayout.ceiling(WordSize.BITS_32, DMA));
        assertThat(detail(ZoneInvariants.ZONE_3, za)).isEmpty();
        assertThat(ZoneInvariantsTest.broken(za)).isEmpty();
    }

    @Test
    void ZONE_3_catchesARunOneFrameAboveItsCeilingAndSaysWhere() {
        ZoneAllocator za = fresh();
        ZoneAllocation a = za.allocate(ZoneRequest.exact(NORMAL, 0)); // 4096, the first frame above 16 MiB
        za.corruptLive(new ZoneAllocation(a.run(), DMA, NORMAL));
        assertThat(detail(ZoneInvariants.ZONE_3, za)).contains(
                "[frame#4096..4097) DMA->NORMAL requested DMA but reaches frame 4096, above its ceiling frame 4096");
    }

    @Test
    void ZONE_3_catchesARecordedRunItsZoneDidNotHandOut() {
        ZoneAllocator za = fresh();
        za.corruptLive(new ZoneAllocation(FrameRange.of(4096, 1), NORMAL, NORMAL));
        assertThat(detail(ZoneInvariants.ZONE_3, za)).contains("[frame#4096..4097) NORMAL is not a live run of zone NORMAL");
    }

    @Test
    void ZONE_3_catchesALiveRunInAHoleOfItsZone() {
        // NORMAL 4096 and 4098 with a hole at 4097: the pool is corrupted into holding the hole.
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4096, 1), FrameRange.of(4098, 1)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE);
        FrameRange hole = FrameRange.of(4097, 1);
        za.zone(NORMAL).pool().orElseThrow().corruptAddLive(hole);
        za.corruptLive(new ZoneAllocation(hole, NORMAL, NORMAL));
        assertThat(detail(ZoneInvariants.ZONE_3, za)).contains("[frame#4097..4098) NORMAL lies outside the usable memory of zone NORMAL");
    }

    @Test
    void ZONE_3_catchesAnAllocationInAZoneWithoutMemory() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4096, 2)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE);
        assertThat(za.zone(DMA).isEmpty()).isTrue();
        za.corruptLive(new ZoneAllocation(FrameRange.of(4000, 1), DMA, DMA));
        assertThat(detail(ZoneInvariants.ZONE_3, za)).contains("[frame#4000..4001) DMA is not a live run of zone DMA");
    }

    // ---- ZONE-8: a power of two at a multiple of itself ----

    @Test
    void ZONE_8_catchesARunThatIsNotAPowerOfTwoEvenWhenItsStartIsAMultipleOfItsLength() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4092, 4)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE);
        za.corruptLive(new ZoneAllocation(FrameRange.of(4092, 3), DMA, DMA)); // 4092 = 3 * 1364
        assertThat(detail(ZoneInvariants.ZONE_8, za)).contains("[frame#4092..4095) DMA: 3 frames at frame#4092 is not a block aligned to its size");
    }

    @Test
    void ZONE_8_catchesAPowerOfTwoOffItsAlignmentAndAcceptsItOnIt() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4092, 4)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE);
        za.corruptLive(new ZoneAllocation(FrameRange.of(4094, 2), DMA, DMA));
        assertThat(detail(ZoneInvariants.ZONE_8, za)).isEmpty();
        za.corruptLive(new ZoneAllocation(FrameRange.of(4093, 2), DMA, DMA));
        assertThat(detail(ZoneInvariants.ZONE_8, za)).contains("[frame#4093..4095) DMA: 2 frames at frame#4093 is not a block aligned to its size");
    }

    // ---- ZONE-4: order, stop at the first success, served matches, failure tried all ----

    @Test
    void ZONE_4_holdsWithoutADecisionAndForTheStandardFallbackWithReclaim() {
        ZoneAllocator za = fresh();
        assertThat(detail(ZoneInvariants.ZONE_4, za)).isEmpty();
        ZoneRequest r = ZoneRequest.of(HIGH, 0);
        za.corruptDecision(decision(r, 3, Optional.of(NORMAL), tried(HIGH, false), tried(NORMAL, false), tried(DMA, false),
                tried(HIGH, false), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).isEmpty();
        assertThat(detail(ZoneInvariants.ZONE_5, za)).isEmpty();
    }

    @Test
    void ZONE_4_catchesAnAttemptPastTheEndOfTheList() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.exact(NORMAL, 0);
        za.corruptDecision(decision(r, -1, Optional.of(DMA), tried(NORMAL, false), tried(DMA, true)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).contains(
                "NORMAL order 0 nofallback noreclaim: [NORMAL-, DMA+] -> DMA: attempt 1 tried DMA but fallback_order[NORMAL] is [NORMAL]");
    }

    @Test
    void ZONE_4_catchesAnAttemptOutOfOrderInTheSecondPass() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(NORMAL, 0);
        za.corruptDecision(decision(r, 2, Optional.of(DMA), tried(NORMAL, false), tried(DMA, false), tried(DMA, true)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(d -> assertThat(d).contains("attempt 0 tried DMA"));
    }

    @Test
    void ZONE_4_catchesGoingOnPastTheZoneThatSatisfiedIt() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(HIGH, 0);
        za.corruptDecision(decision(r, -1, Optional.of(NORMAL), tried(HIGH, true), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(d -> assertThat(d).endsWith("went on past HIGH, which satisfied it"));
    }

    @Test
    void ZONE_4_catchesAServedZoneTheAttemptsDoNotName() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(HIGH, 0);
        za.corruptDecision(decision(r, -1, Optional.of(DMA), tried(HIGH, false), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[DMA] but the attempts say Optional[NORMAL]"));
        za.corruptDecision(decision(r, -1, Optional.of(HIGH), tried(HIGH, false)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[HIGH] but the attempts say Optional.empty"));
        za.corruptDecision(decision(r, -1, Optional.of(HIGH)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(
                d -> assertThat(d).endsWith("served by Optional[HIGH] but the attempts say Optional.empty"));
    }

    @Test
    void ZONE_4_catchesAFailureThatDidNotRetryEveryZoneAfterReclaim() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(NORMAL, 0);
        za.corruptDecision(decision(r, 2, Optional.empty(), tried(NORMAL, false), tried(DMA, false), tried(NORMAL, false)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).hasValueSatisfying(
                d -> assertThat(d).endsWith("failed without trying all of [NORMAL, DMA] after reclaim"));
        za.corruptDecision(decision(r, 2, Optional.empty(), tried(NORMAL, false), tried(DMA, false), tried(NORMAL, false),
                tried(DMA, false)));
        assertThat(detail(ZoneInvariants.ZONE_4, za)).isEmpty();
    }

    // ---- ZONE-5: reclaim only when allowed and only after every allowed zone failed ----

    @Test
    void ZONE_5_catchesReclaimARequestForbids() {
        ZoneAllocator za = fresh();
        ZoneRequest r = new ZoneRequest(DMA, 0, true, false);
        za.corruptDecision(decision(r, 1, Optional.of(DMA), tried(DMA, false), tried(DMA, true)));
        assertThat(detail(ZoneInvariants.ZONE_5, za)).hasValueSatisfying(d -> assertThat(d).endsWith("reclaimed although the request forbids it"));
    }

    @Test
    void ZONE_5_catchesReclaimBeforeTheLastAllowedZoneWasTried() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(NORMAL, 0);
        za.corruptDecision(decision(r, 1, Optional.of(NORMAL), tried(NORMAL, false), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_5, za)).hasValueSatisfying(
                d -> assertThat(d).endsWith("reclaimed after [NORMAL-], before every zone of [NORMAL, DMA] had failed"));
    }

    @Test
    void ZONE_5_catchesReclaimAfterAZoneHadSucceeded() {
        ZoneAllocator za = fresh();
        ZoneRequest r = ZoneRequest.of(NORMAL, 0);
        za.corruptDecision(decision(r, 2, Optional.of(NORMAL), tried(NORMAL, false), tried(DMA, true), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_5, za)).hasValueSatisfying(d -> assertThat(d).contains("before every zone of"));
        za.corruptDecision(decision(r, 2, Optional.of(NORMAL), tried(NORMAL, false), tried(DMA, false), tried(NORMAL, true)));
        assertThat(detail(ZoneInvariants.ZONE_5, za)).isEmpty();
    }

    // ---- ZONE-6: counts and the pool's own accounting ----

    @Test
    void ZONE_6_namesTheZoneWhoseCountDrifted() {
        ZoneAllocator za = fresh();
        za.allocateFromZone(HIGH, 0);
        za.zone(HIGH).allocatedFrames = 2;
        assertThat(detail(ZoneInvariants.ZONE_6, za)).contains("zone HIGH counts 2 allocated frames but its live allocations hold 1");
    }

    @Test
    void ZONE_6_namesAPoolThatHoldsMoreThanTheAllocatorRecorded() {
        ZoneAllocator za = fresh();
        za.zone(HIGH).pool().get().corruptAddLive(FrameRange.of(1L << 20, 1));
        assertThat(detail(ZoneInvariants.ZONE_6, za)).contains(
                "zone HIGH: its pool holds 1 live frames but the allocator's live allocations hold 0");
    }

    @Test
    void ZONE_6_reportsThePoolsOwnAccountingProblem() {
        ZoneAllocator za = fresh();
        ZoneAllocation a = za.allocateFromZone(DMA, 0);
        za.zone(DMA).pool().get().allocator().free(a.run()); // behind the pool's back
        assertThat(detail(ZoneInvariants.ZONE_6, za)).hasValueSatisfying(
                d -> assertThat(d).startsWith("zone DMA: free 2 + allocated 1 + holes 0 != span 2"));
    }

    // ---- ZONE-7 through the allocator, ZONE-1 and ZONE-2 details ----

    @Test
    void ZONE_7_reportsTheMatrixAndItsProblem() {
        ZoneAllocator za = fresh();
        Map<ZoneType, List<ZoneType>> m = new EnumMap<>(ZoneType.class);
        m.put(DMA, List.of(DMA, NORMAL));
        m.put(NORMAL, List.of(NORMAL, DMA));
        m.put(HIGH, List.of(HIGH, NORMAL, DMA));
        za.corruptFallback(m);
        assertThat(detail(ZoneInvariants.ZONE_7, za)).contains(
                "fallback {DMA=[DMA, NORMAL], NORMAL=[NORMAL, DMA], HIGH=[HIGH, NORMAL, DMA]}: DMA falls back upwards to NORMAL");
    }

    @Test
    void ZONE_1_namesTheFrameOutsideItsWindow() {
        ZoneAllocator za = ZoneInvariantsTest.fresh(ZoneAllocator.Bug.SPLIT_OFF_BY_ONE);
        assertThat(detail(ZoneInvariants.ZONE_1, za)).contains(
                "zone DMA holds [frame#4094..4097) outside its window [frame#0..4096)");
    }

    @Test
    void ZONE_2_namesWhatTheZonesCoverAgainstTheMemoryMap() {
        ZoneAllocator za = ZoneInvariantsTest.fresh(ZoneAllocator.Bug.DROP_LAST_FRAME);
        assertThat(detail(ZoneInvariants.ZONE_2, za)).contains("zones cover [[frame#4094..4095), [frame#4096..4098), [frame#1048576..1048577)] "
                + "but the usable memory is [[frame#4094..4099), [frame#1048576..1048578)]");
        assertThat(detail(ZoneInvariants.ZONE_2, fresh())).isEmpty();
    }

    @Test
    void dropLastFrameSparesAZoneWhoseLastPartIsOneFrame() {
        // DMA 4095 and NORMAL 4096 are one frame each: the seeded bug has nothing to drop.
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4095, 2)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.REFERENCE, ZoneAllocator.Bug.DROP_LAST_FRAME);
        assertThat(za.zone(DMA).usable()).containsExactly(FrameRange.of(4095, 1));
        assertThat(za.zone(NORMAL).usable()).containsExactly(FrameRange.of(4096, 1));
        assertThat(ZoneInvariantsTest.broken(za)).isEmpty();
    }

    @Test
    void theSetHoldsEveryInvariantInIdOrder() {
        assertThat(ZoneInvariants.ALL.ids()).containsExactly("ZONE-1", "ZONE-2", "ZONE-3", "ZONE-4", "ZONE-5", "ZONE-6",
                "ZONE-7", "ZONE-8");
        assertThat(ZoneInvariants.allowed(fresh(), ZoneRequest.of(HIGH, 0))).containsExactly(HIGH, NORMAL, DMA);
        assertThat(ZoneInvariants.allowed(fresh(), ZoneRequest.exact(HIGH, 0))).containsExactly(HIGH);
    }
}
