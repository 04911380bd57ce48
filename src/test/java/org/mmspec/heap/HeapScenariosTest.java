package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The JPF scenarios' {@code main()}s run under plain Java (one schedule each, whatever the JVM
 * picks): the correct heap passes, and a bug that fails in every interleaving is reported.
 */
class HeapScenariosTest {

    @RepeatedTest(5)
    void refillRaceScenarioPasses() {
        assertThatCode(() -> RefillRaceScenario.main(new String[0])).doesNotThrowAnyException();
    }

    @RepeatedTest(5)
    void crossCpuFreeScenarioPasses() {
        assertThatCode(() -> CrossCpuFreeScenario.main(new String[0])).doesNotThrowAnyException();
    }

    @Test
    void SLAB_6_crossCpuFreeScenarioCatchesAFlushThatDropsAnObject() {
        assertThatThrownBy(() -> CrossCpuFreeScenario.main(new String[] {"FLUSH_DROPS_OBJECT"}))
                .isInstanceOf(AssertionError.class).hasMessageContaining("SLAB-6");
    }
}
