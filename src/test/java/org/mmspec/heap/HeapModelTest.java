package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/**
 * Exhaustive exploration of the heap models at their manifest bounds (every ci configuration,
 * the seeded-bug ones included, must match what the manifest recorded), plus bugs the
 * exploration must catch.
 */
class HeapModelTest {

    private static ExplorationResult explore(HeapModel model, String bounds) {
        return Explorer.explore(model.build(Bounds.parse(bounds)), ExploreBounds.unbounded());
    }

    @Test
    void SLAB_5_explorerCatchesAStaleSlabList() {
        ExplorationResult r = explore(HeapModel.perCpu(), "cpus=2,frames=2,sizes=2040,cap=2,batch=1,kept=1,bug=STALE_SLAB_LIST");
        assertThat(r.counterexample()).hasValueSatisfying(c -> assertThat(c.invariantId()).isEqualTo("SLAB-5"));
    }

    @Test
    void HEAP_1_explorerCatchesAnEmptySlabWhoseFramesAreNeverReturned() {
        ExplorationResult r = explore(HeapModel.perCpu(), "cpus=2,frames=2,sizes=2040,cap=2,batch=1,kept=0,bug=LEAK_EMPTY_SLAB");
        assertThat(r.counterexample()).hasValueSatisfying(c -> assertThat(c.invariantId()).isEqualTo("HEAP-1"));
    }

    @Test
    void ATOMIC_1_everyRejectedActionInThePerCpuModelChangesNothing() {
        // The explorer checks ATOMIC-1 on every rejected action; a pass means it held everywhere.
        ExplorationResult r = explore(HeapModel.perCpu(), "cpus=2,frames=2,sizes=2040/4000,cap=2,batch=1,kept=1");
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isTrue();
    }
}
