package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;

/** Each zone invariant holds on a fresh allocator and is the only one to report its corruption. */
class ZoneInvariantsTest {
    /** Two DMA frames and three NORMAL frames in one range across 16 MiB, two HIGH frames at 4 GiB. */
    static final List<FrameRange> MAP = List.of(FrameRange.of(4094, 5), FrameRange.of(1L << 20, 2));

    static ZoneAllocator fresh(ZoneAllocator.Bug bug) {
        return new ZoneAllocator(WordSize.BITS_32, MAP, FallbackOrder.standard(WordSize.BITS_32),
                AllocatorFactory.REFERENCE, bug);
    }

    static List<String> broken(ZoneAllocator za) {
        return ZoneInvariants.ALL.violations(za).stream().map(Violation::invariantId).toList();
    }

    @Test
    void allHoldOnAFreshAllocatorAndAfterAllocations() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        assertThat(broken(za)).isEmpty();
        za.allocateFromZone(ZoneType.HIGH, 1);
        za.allocateFromZone(ZoneType.HIGH, 1);
        za.allocateFromZone(ZoneType.NORMAL, 0);
        assertThat(broken(za)).isEmpty();
    }

    @Test
    void ZONE_1_catchesDmaZoneHoldingAFrameAt16MiB() {
        assertThat(broken(fresh(ZoneAllocator.Bug.SPLIT_OFF_BY_ONE))).containsExactly("ZONE-1");
    }

    @Test
    void ZONE_2_catchesAFrameLostWhenSplitting() {
        assertThat(broken(fresh(ZoneAllocator.Bug.DROP_LAST_FRAME))).containsExactly("ZONE-2");
    }

    @Test
    void ZONE_3_catchesADmaAllocationAbove16MiB() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        ZoneAllocation a = za.allocate(ZoneRequest.exact(ZoneType.NORMAL, 0));
        za.corruptLive(new ZoneAllocation(a.run(), ZoneType.DMA, ZoneType.NORMAL));
        assertThat(broken(za)).containsExactly("ZONE-3");
    }

    @Test
    void ZONE_4_catchesAnAllocationThatSkippedThePreferredZone() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        za.corruptDecision(new ZoneDecision(ZoneRequest.of(ZoneType.NORMAL, 0),
                List.of(new ZoneDecision.Attempt(ZoneType.DMA, true)), -1, 0, Optional.of(ZoneType.DMA)));
        assertThat(broken(za)).containsExactly("ZONE-4");
    }

    @Test
    void ZONE_5_catchesReclaimBeforeTheZonesWereTried() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        za.corruptDecision(new ZoneDecision(ZoneRequest.of(ZoneType.NORMAL, 0),
                List.of(new ZoneDecision.Attempt(ZoneType.NORMAL, true)), 0, 1, Optional.of(ZoneType.NORMAL)));
        assertThat(broken(za)).containsExactly("ZONE-5");
    }

    @Test
    void ZONE_6_catchesAZoneCountDriftingFromItsAllocations() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        za.allocateFromZone(ZoneType.DMA, 0);
        za.zone(ZoneType.DMA).allocatedFrames += 1;
        assertThat(broken(za)).containsExactly("ZONE-6");
    }

    @Test
    void ZONE_6_catchesAPoolRunNoAllocationAccountsFor() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        za.zone(ZoneType.HIGH).pool().get().corruptAddLive(FrameRange.of(1L << 20, 1));
        assertThat(broken(za)).containsExactly("ZONE-6");
    }

    @Test
    void ZONE_7_catchesADmaListThatFallsBackUpwards() {
        ZoneAllocator za = fresh(ZoneAllocator.Bug.NONE);
        za.corruptFallback(Map.of(ZoneType.DMA, List.of(ZoneType.DMA, ZoneType.NORMAL),
                ZoneType.NORMAL, List.of(ZoneType.NORMAL, ZoneType.DMA),
                ZoneType.HIGH, List.of(ZoneType.HIGH, ZoneType.NORMAL, ZoneType.DMA)));
        assertThat(broken(za)).containsExactly("ZONE-7");
    }

    @Test
    void ZONE_8_catchesAnOrderRequestServedUnaligned() {
        // DMA frames 4092..4095: order 0 takes 4092; unaligned first fit then puts order 1 at 4093.
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4092, 4)),
                FallbackOrder.standard(WordSize.BITS_64), AllocatorFactory.HYBRID, ZoneAllocator.Bug.UNALIGNED_ORDER);
        za.allocateFromZone(ZoneType.DMA, 0);
        ZoneAllocation a = za.allocateFromZone(ZoneType.DMA, 1);
        assertThat(a.run()).isEqualTo(FrameRange.of(4093, 2));
        assertThat(broken(za)).containsExactly("ZONE-8");
    }

    @Test
    void ZONE_8_holdsWhenTheHybridServesOrderRequests() {
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4092, 4)));
        za.allocateFromZone(ZoneType.DMA, 0);
        assertThat(za.allocateFromZone(ZoneType.DMA, 1).run()).isEqualTo(FrameRange.of(4094, 2));
        assertThat(za.zone(ZoneType.DMA).pool().get().allocator()).isInstanceOf(org.mmspec.frames.HybridAllocator.class);
        assertThat(broken(za)).isEmpty();
    }
}
