package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The JPF scenarios' {@code main()}s on plain threads: the clean runs end well on whatever schedule
 * the JVM picks, the schedule-independent seeded bugs fail on every schedule with the invariant
 * their manifest expects, and a bug that cannot take effect in a scenario is refused (so JPF never
 * reports "no errors" for it). The schedule-dependent ones (NO_NODE_LOCK, PRESSURE_SKIPS_CACHES) are
 * JPF's and Lincheck's to find.
 */
class PcpScenariosTest {
    @Test
    void theCleanScenariosEndWell() {
        assertThatCode(() -> PcpRaceScenario.main(new String[0])).doesNotThrowAnyException();
        assertThatCode(() -> PcpPressureScenario.main(new String[0])).doesNotThrowAnyException();
    }

    @Test
    void PCP_2_theRaceScenarioCatchesARefillThatTakesAFrameTwice() {
        assertThatThrownBy(() -> PcpRaceScenario.main(new String[] {"REFILL_TAKES_TWICE"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PCP-2");
    }

    @Test
    void PCP_1_theRaceScenarioCatchesADrainThatLosesAFrame() {
        assertThatThrownBy(() -> PcpRaceScenario.main(new String[] {"DRAIN_LOSES_FRAME"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PCP-1");
    }

    @Test
    void PCP_4_theRaceScenarioCatchesAWatermarkOffByOne() {
        assertThatThrownBy(() -> PcpRaceScenario.main(new String[] {"WATERMARK_OFF_BY_ONE"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PCP-4");
    }

    @Test
    void aBugThatCannotTakeEffectIsRefused() {
        assertThatThrownBy(() -> PcpRaceScenario.main(new String[] {"PRESSURE_SKIPS_CACHES"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PcpPressureScenario.main(new String[] {"WATERMARK_OFF_BY_ONE"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
