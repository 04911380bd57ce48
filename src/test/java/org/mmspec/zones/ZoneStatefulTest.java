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
