package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Stateful, model-based random tests of the heap (with shrinking): every heap invariant after
 * every step, the implementation compared with the trivially correct model, bad input drawn on
 * purpose and every rejection checked to change nothing.
 */
class HeapStatefulTest {

    private static CheckSettings settings() {
        return CheckSettings.fromSystemProperties(HeapSuites.STEPS);
    }

    @Test
    void heapAgreesWithTheModelAndKeepsEveryInvariant() {
        StatefulChecker.Report r = StatefulChecker.check(HeapSuites.plain(), settings());
        assertThat(r.steps()).isPositive();
    }

    @Test
    void heapWithEveryDebugFeatureAgreesWithTheModel() {
        StatefulChecker.Report r = StatefulChecker.check(HeapSuites.debugging(), settings());
        assertThat(r.steps()).isPositive();
    }

    @Test
    void SLAB_6_statefulCheckerCatchesAFlushThatDropsAnObject() {
        HeapMachine buggy = new HeapMachine("heap", HeapDebugOptions.OFF, Bug.FLUSH_DROPS_OBJECT);
        assertThatThrownBy(() -> StatefulChecker.check(buggy, settings().withSeed(1)))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("SLAB-6");
    }

    @Test
    void SLAB_5_statefulCheckerCatchesAStaleSlabList() {
        HeapMachine buggy = new HeapMachine("heap", HeapDebugOptions.OFF, Bug.STALE_SLAB_LIST);
        assertThatThrownBy(() -> StatefulChecker.check(buggy, settings().withSeed(2)))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("SLAB-5");
    }

    @Test
    void LARGE_2_statefulCheckerCatchesMissingCoalescing() {
        HeapMachine buggy = new HeapMachine("heap", HeapDebugOptions.OFF, Bug.NO_COALESCE);
        assertThatThrownBy(() -> StatefulChecker.check(buggy, settings().withSeed(3)))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("LARGE-2");
    }
}
