package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/** The exhaustive model models/numa-3node: passes at its ci bounds, and catches every seeded bug. */
class NumaModelTest {
    private static final NumaModel MODEL = new NumaModel();

    /** Each seeded bug is found, and the counterexample names the invariant it breaks. */
    @ParameterizedTest(name = "{0} is caught by {1}")
    @CsvSource({
        "RECORD_INTENDED_NODE, NUMA-3",
        "STRICT_FALLS_BACK, NUMA-4",
        "TIES_BY_HIGHER_ID, NUMA-5",
        "IGNORE_DISTANCE, NUMA-5",
        "FORGET_ACCOUNTING, NUMA-6"
    })
    void explorerCatchesSeededBug(String bug, String invariantId) {
        ExplorationResult r = Explorer.explore(MODEL.build(Bounds.parse("frames=1,maxOrder=0,bug=" + bug)),
                ExploreBounds.unbounded());
        assertThat(r.counterexample()).as(bug).isPresent();
        System.out.println(bug + ": " + r.counterexample().get().render());
        assertThat(r.counterexample().get().invariantId()).isEqualTo(invariantId);
    }

    @Test
    void explorerCatchesUnalignedOrderRequests() {
        ExplorationResult r = Explorer.explore(MODEL.build(Bounds.parse("frames=3,maxOrder=1,bug=UNALIGNED_ORDER")),
                ExploreBounds.unbounded());
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo("NUMA-7");
    }
}
