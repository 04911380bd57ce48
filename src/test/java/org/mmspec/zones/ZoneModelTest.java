package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/** The exhaustive model models/zones-small: passes at its ci bounds, and catches every seeded bug. */
class ZoneModelTest {
    private static final ZoneModel MODEL = new ZoneModel();

    /** Each seeded bug is found, and the counterexample names the invariant it breaks. */
    @ParameterizedTest(name = "{0} is caught by {1}")
    @CsvSource({
        "SPLIT_OFF_BY_ONE, ZONE-1",
        "DROP_LAST_FRAME, ZONE-2",
        "DMA_ESCAPES, ZONE-3",
        "SKIP_PREFERRED, ZONE-4",
        "EAGER_RECLAIM, ZONE-5",
        "FORGET_ACCOUNTING, ZONE-6"
    })
    void explorerCatchesSeededBug(String bug, String invariantId) {
        Bounds b = Bounds.parse("word=32,dma=2,normal=3,high=2,hole=1,maxOrder=1,bug=" + bug);
        ExplorationResult r = Explorer.explore(MODEL.build(b), ExploreBounds.unbounded());
        assertThat(r.counterexample()).as(bug).isPresent();
        System.out.println(bug + ": " + r.counterexample().get().render());
        assertThat(r.counterexample().get().invariantId()).isEqualTo(invariantId);
    }

    @Test
    void explorerCatchesUnalignedOrderRequests() {
        Bounds b = Bounds.parse("word=64,dma=4,normal=0,high=0,maxOrder=1,bug=UNALIGNED_ORDER");
        ExplorationResult r = Explorer.explore(MODEL.build(b), ExploreBounds.unbounded());
        assertThat(r.counterexample()).isPresent();
        System.out.println("UNALIGNED_ORDER: " + r.counterexample().get().render());
        assertThat(r.counterexample().get().invariantId()).isEqualTo("ZONE-8");
    }
}
