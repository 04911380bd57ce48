package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Random operation sequences against the zone allocator, compared with the model after every
 * step; every invariant checked after every step; every rejection checked to change nothing.
 */
class ZoneStatefulTest {
    @Test
    void zoneAllocatorAgreesWithItsModel() {
        StatefulChecker.Report r = StatefulChecker.check(new ZoneStateMachine(),
                CheckSettings.fromSystemProperties(ZoneSuites.STEPS));
        assertThat(r.steps()).isPositive();
    }

    @Test
    void zoneAllocatorWithReferenceAllocatorsAgreesWithItsModel() {
        StatefulChecker.check(new ZoneStateMachine(AllocatorFactory.REFERENCE), CheckSettings.fromSystemProperties(ZoneSuites.STEPS));
    }

    @Test
    void zoneAllocatorWithSmallThresholdHybridsAgreesWithItsModel() {
        // threshold 2: order 0 goes to a zone's bitmap half, larger orders to its buddy half, so both halves fill
        StatefulChecker.check(new ZoneStateMachine(AllocatorFactory.hybrid(ZoneSuites.SMALL_THRESHOLD, org.mmspec.frames.BuddyAllocator.GIB_ORDER)), CheckSettings.fromSystemProperties(ZoneSuites.STEPS));
    }

    @Test
    void modelComparison_catchesUnalignedOrderRequests() {
        // the model's aligned first fit disagrees at the allocation itself, one step before ZONE-8 would
        CheckSettings s = CheckSettings.fromSystemProperties(ZoneSuites.STEPS).withSeed(1);
        assertThatThrownBy(() -> StatefulChecker.check(new ZoneStateMachine(ZoneAllocator.Bug.UNALIGNED_ORDER), s))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("aligned first fit");
    }

    @Test
    void aSeededFallbackBugIsCaughtAndShrunk() {
        CheckSettings s = CheckSettings.fromSystemProperties(ZoneSuites.STEPS).withSeed(1);
        assertThatThrownBy(() -> StatefulChecker.check(new ZoneStateMachine(ZoneAllocator.Bug.SKIP_PREFERRED), s))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("ZONE-4");
    }

    @Test
    void aSeededDmaEscapeIsCaught() {
        CheckSettings s = CheckSettings.fromSystemProperties(ZoneSuites.STEPS).withSeed(2);
        assertThatThrownBy(() -> StatefulChecker.check(new ZoneStateMachine(ZoneAllocator.Bug.DMA_ESCAPES), s))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("served=NORMAL");
    }
}
