package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.CollisionEstimate;

/** The end-of-run store line, field by field, as README and spec/checking-core.md §0.4 quote it. */
class SearchStatsTest {

    @Test
    void bytesPerStateAddsTheTableAndTheTraceAndIsNaNWithoutATableOrStates() {
        SearchStats fp = new SearchStats("fingerprint", 2, 2_097_152, 2_097_152, 29_261, null);
        assertThat(fp.bytesPerState(196_110)).isEqualTo((2_097_152 + 2_097_152) / 196_110.0);
        assertThat(fp.bytesPerState(0)).isNaN();
        assertThat(SearchStats.NONE.bytesPerState(10)).isNaN();
        assertThat(fp.spilledStates()).isZero();
    }

    @Test
    void anExactStoreWithOneThreadSaysKeysAreKeptAsObjects() {
        assertThat(new SearchStats("exact", 1, -1, 800, 3, null).render(100))
                .isEqualTo("store exact, keys kept as objects, 1 thread, peak frontier 3");
    }

    @Test
    void aFingerprintStoreGivesItsBytesThreadsCollisionsAndSpill() {
        CollisionEstimate c = new CollisionEstimate(1.8e-8, 2.0e-8);
        SearchStats s = new SearchStats("fingerprint", 2, 2_097_152, 2_097_152, 29_261, c, 477_828);
        assertThat(s.render(196_110)).isEqualTo("store fingerprint, 21.4 bytes/state (table 2,097,152 B + trace 2,097,152 B),"
                + " 2 threads, peak frontier 29,261, collision probability 1.8e-08 (optimistic n(g-n)/2^64),"
                + " 2.0e-08 (1/min gap), frontier on disk: up to 477,828 states of a level");
        assertThat(new SearchStats("fingerprint", 3, 0, 16, 1, c).render(2))
                .isEqualTo("store fingerprint, 8.0 bytes/state (table 0 B + trace 16 B), 3 threads, peak frontier 1, "
                        + c.render());
    }
}
