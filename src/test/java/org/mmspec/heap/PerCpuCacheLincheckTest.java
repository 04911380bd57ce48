package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Runs Lincheck's model checker on {@link PerCpuCacheLincheckSubject}: the correct heap is
 * linearizable against the sequential heap, and each seeded per-CPU-cache bug is caught.
 */
class PerCpuCacheLincheckTest {
    /** Small bounds: the defaults take minutes on two cores. */
    static ModelCheckingOptions options() {
        return new ModelCheckingOptions().iterations(12).invocationsPerIteration(300).threads(2).actorsPerThread(3)
                .actorsBefore(1).actorsAfter(1);
    }

    @Test
    void perCpuCachesAreLinearizable() {
        options().check(PerCpuCacheLincheckSubject.class);
    }

    @Test
    void lincheckCatchesARefillWithoutTheDepotLock() {
        assertThatThrownBy(() -> options().check(PerCpuCacheLincheckSubject.RefillWithoutLock.class)).isInstanceOf(AssertionError.class);
    }

    @Test
    void lincheckCatchesAFlushThatDropsAnObject() {
        assertThatThrownBy(() -> options().check(PerCpuCacheLincheckSubject.FlushDropsObject.class)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("SLAB-6");
    }

    @Test
    void lincheckCatchesARefillThatTakesAnObjectTwice() {
        assertThatThrownBy(() -> options().check(PerCpuCacheLincheckSubject.RefillTakesTwice.class)).isInstanceOf(AssertionError.class);
    }
}
