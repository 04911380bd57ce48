package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.InductivenessCheck;

/**
 * The exhaustive page-table models at their manifest's ci bounds (counts must not drift; the
 * seeded-bug configurations must fail on the named invariant), the seeded bugs found by the
 * explorer with a counterexample naming the right ID, and the bounded W^X inductiveness check.
 */
class PagingModelsTest {

    private static ExplorationResult explore(String bounds) {
        return Explorer.explore(PagingModels.system(Bounds.parse(bounds)), ExploreBounds.unbounded());
    }

    @Test
    void WX_1_explorerFindsTheSplitThatDropsNx() {
        for (PteFormat f : PagingFormats.all()) {
            ExplorationResult r = explore("format=" + f.name() + ",pages=2,huge=1,tables=8,bug=SPLIT_DROPS_NX");
            assertThat(r.counterexample()).as(f.name()).isPresent();
            assertThat(r.counterexample().get().invariantId()).as(f.name()).isEqualTo("WX-1");
        }
    }

    @Test
    void WX_1_explorerFindsUpdateFlagsWithoutTheWxCheck() {
        ExplorationResult r = explore("format=x86_64,pages=1,huge=0,tables=6,bug=UPDATE_SKIPS_WX_CHECK");
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("WX-1");
        System.out.println(r.counterexample().get().render());
    }

    @Test
    void PT_3_explorerFindsTheLeakedTable() {
        ExplorationResult r = explore("format=aarch64-16k,pages=1,huge=0,tables=8,bug=LEAK_RECLAIMED_TABLE");
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("PT-3");
    }

    @Test
    void PT_4_explorerFindsTheMissingReclaim() {
        ExplorationResult r = explore("format=x86_64,pages=1,huge=0,tables=6,bug=NO_RECLAIM");
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("PT-4");
    }

    @Test
    void PTE_2_explorerFindsTheHugeBitAtTheLastLevel() {
        for (PteFormat f : PagingFormats.all()) {
            ExplorationResult r = explore("format=" + f.name() + ",pages=1,huge=0,tables=8,bug=HUGE_BIT_AT_LAST_LEVEL");
            assertThat(r.counterexample().orElseThrow().invariantId()).as(f.name()).isEqualTo("PTE-2");
        }
    }

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    /** proofs/wx.md: every PTE-writing operation preserves all invariants from every satisfying state of the scope. */
    @ParameterizedTest
    @MethodSource("formats")
    void WX_1_isInductiveAtSmallScope(PteFormat f) {
        InductivenessCheck.Result r = InductivenessCheck.check(WxInductiveness.name(f), WxInductiveness.scope(f),
                WxInductiveness.system(f)).assertPassed();
        System.out.printf("%s: %d states in scope, %d satisfying, %d transitions, %d ms%n", r.name(), r.statesInScope(),
                r.statesSatisfying(), r.transitionsChecked(), r.elapsed().toMillis());
        assertThat(r.statesSatisfying()).isGreaterThan(r.statesInScope() / 3);
    }

    /** The inductive check is not vacuous: with the seeded split bug it finds a satisfying state whose successor breaks WX-1. */
    @Test
    void WX_1_inductiveCheckCatchesTheSplitBug() {
        PteFormat f = PagingFormats.byName("x86_64");
        List<PageMapper> scope = WxInductiveness.scope(f);
        scope.forEach(m -> m.bug = PageMapper.Bug.SPLIT_DROPS_NX);
        InductivenessCheck.Result r = InductivenessCheck.check("split bug", scope, WxInductiveness.system(f));
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("WX-1");
    }

    /**
     * remap is one of the inductive step's transitions: with its W^X check removed, the check finds a
     * satisfying state whose remap successor breaks WX-1, and the counterexample is a remap.
     */
    @ParameterizedTest
    @MethodSource("formats")
    void WX_1_inductiveCheckCoversRemap(PteFormat f) {
        List<PageMapper> scope = WxInductiveness.scope(f);
        scope.forEach(m -> m.bug = PageMapper.Bug.REMAP_SKIPS_WX_CHECK);
        InductivenessCheck.Result r = InductivenessCheck.check("remap bug", scope, WxInductiveness.system(f));
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("WX-1");
        assertThat(r.counterexample().orElseThrow().steps().get(1).label()).startsWith("remap(");
    }
}
