package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.TransitionSystem;

/**
 * The exhaustive integrated model at small bounds: the correct system passes in sync and lazy mode,
 * and each seeded integration bug is found with a shortest counterexample naming its invariant.
 */
class SmpModelTest {
    private static ExplorationResult explore(String bounds, int depth) {
        TransitionSystem<?> sys = new SmpModel().build(Bounds.parse(bounds));
        ExplorationResult r = Explorer.explore(sys, new ExploreBounds(depth, 2_000_000));
        System.out.println(r.summary());
        r.counterexample().ifPresent(c -> System.out.println(c.render()));
        return r;
    }

    @Test
    void correctSynchronousIntegrationPasses() {
        explore("cpus=2,mode=single,fork=1", 4).assertPassed();
    }

    @Test
    void correctLazyIntegrationPasses() {
        explore("cpus=2,mode=single,lazy=true,fork=1", 4).assertPassed();
    }

    private static void caught(String bug, String... ids) {
        ExplorationResult r = explore("cpus=2,mode=single,fork=1,bug=" + bug, 6);
        assertThat(r.counterexample()).as(bug + " must be caught").isPresent();
        assertThat(r.counterexample().get().invariantId()).isIn((Object[]) ids);
    }

    @Test
    void TLB_2_modelCatchesVmFreeingBeforeTheShootdown() {
        caught("vm-frees-before-shootdown", "TLB-2");
    }

    @Test
    void TLB_3_modelCatchesMprotectSkippingTheShootdown() {
        caught("mprotect-skips-shootdown", "TLB-3");
    }

    @Test
    void TLB_4_modelCatchesCowBreakWithoutFlush() {
        caught("cow-break-without-flush", "TLB-2", "TLB-4");
    }

    @Test
    void TLB_1_modelCatchesAMaskWithoutTheOtherCpus() {
        caught("mask-initiator-only", "TLB-1", "TLB-2", "TLB-3");
    }
}
