package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The paging checks' own machinery, quickly: short stateful runs of every format (clean and with
 * each seeded bug, caught by name), the exhaustive model at tiny bounds with exact counts, the
 * scope and request lists the checks draw from, the W^X inductiveness scope, and the suite rows.
 * The long runs are PagingStatefulTest, PagingModelsTest and PagingSeededBugTest.
 */
class PagingQuickChecksTest {

    private static CheckSettings quick(long seed) {
        return CheckSettings.fromSystemProperties(40).withRuns(2).withSeed(seed);
    }

    private static String caught(PteFormat f, PageMapper.Bug bug) {
        StatefulFailure failure = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(new PagingMachine(f, bug), CheckSettings.fromSystemProperties(40).withRuns(CheckSettings.DEFAULT_RUNS).withSeed(3)));
        assertThat(failure).as("%s with %s must fail", f, bug).isNotNull();
        return failure.failure() instanceof InvariantViolation iv ? iv.invariantId() : failure.failure().getClass().getSimpleName();
    }

    @Test
    void shortStatefulRunsPassOnEveryFormat() {
        for (PteFormat f : PagingFormats.all()) {
            StatefulChecker.check(new PagingMachine(f), quick(11));
        }
        StatefulChecker.check(new PagingMachine(X86_64Pte.FORMAT, PagingMachine.TableAllocator.HYBRID), quick(12));
        StatefulChecker.check(new PagingMachine(Aarch64Pte.G64K, PagingMachine.TableAllocator.HYBRID), quick(13));
    }

    @Test
    void machineNamesAndInvariants() {
        assertThat(new PagingMachine(X86_64Pte.FORMAT).name()).isEqualTo("paging-x86_64");
        assertThat(new PagingMachine(RiscvPte.SV39, PagingMachine.TableAllocator.HYBRID).name()).isEqualTo("paging-sv39/hybrid");
        assertThat(new PagingMachine(X86_64Pte.FORMAT).invariants().ids())
                .containsExactly("PTL-1", "PTL-2", "WX-1", "PT-1", "PT-2", "PT-3", "PT-4", "PT-5", "PTE-1", "PTE-2", "PTE-3", "ROOT-1", "CANON-1");
        assertThat(new PagingMachine(X86_64Pte.FORMAT).rules()).extracting(r -> r.name())
                .containsExactly("map", "unmap", "updateFlags", "translate", "access");
    }

    @Test
    void shortStatefulRunsCatchEachSeededBugByName() {
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.NO_RECLAIM)).isEqualTo("PT-4");
        assertThat(caught(Aarch64Pte.G4K, PageMapper.Bug.LEAK_RECLAIMED_TABLE)).isEqualTo("PT-3");
        assertThat(caught(RiscvPte.SV39, PageMapper.Bug.HUGE_BIT_AT_LAST_LEVEL)).isEqualTo("PTE-2");
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.NO_ZEROING)).isEqualTo("PTL-1");
        assertThat(caught(Aarch64Pte.G16K, PageMapper.Bug.NO_FLUSH_BEFORE_FREE)).isEqualTo("PTL-2");
        assertThat(caught(RiscvPte.SV48, PageMapper.Bug.FREE_BEFORE_FLUSH)).isEqualTo("PTL-2");
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.UPDATE_SKIPS_WX_CHECK)).isIn("WX-1", "ModelMismatch");
        assertThat(caught(X86_64Pte.FORMAT, PageMapper.Bug.SPLIT_DROPS_NX)).isIn("WX-1", "ModelMismatch");
    }

    private static ExplorationResult explore(String bounds) {
        return Explorer.explore(PagingModels.system(Bounds.parse(bounds)), ExploreBounds.unbounded());
    }

    @Test
    void tinyExhaustiveModelsHaveTheirExactShape() {
        ExplorationResult one = explore("format=x86_64,pages=1,huge=0,tables=5");
        assertThat(one.passed()).isTrue();
        ExplorationResult hugeOnly = explore("format=sv39,pages=0,huge=1,tables=4");
        assertThat(List.of(one.distinctStates(), one.transitions(), (long) one.depth())).isEqualTo(List.of(4L, 15L, 1L));
        assertThat(List.of(hugeOnly.distinctStates(), hugeOnly.transitions())).isEqualTo(List.of(4L, 15L));
        ExplorationResult oom = explore("format=x86_64,pages=1,huge=0,tables=2");
        assertThat(List.of(oom.distinctStates(), oom.transitions())).as("one spare table: every map runs out").isEqualTo(List.of(1L, 0L));
        ExplorationResult remap = explore("format=aarch64-4k,pages=1,huge=0,tables=6,remap=1");
        assertThat(remap.passed()).isTrue();
        assertThat(List.of(remap.distinctStates(), remap.transitions())).isEqualTo(List.of(7L, 45L));
        assertThat(PagingModels.all()).extracting(m -> m.name()).containsExactly("paging-x86_64", "paging-aarch64", "paging-riscv");
        assertThat(PagingModels.all().get(1).component()).isEqualTo("paging");
        assertThat(PagingModels.all().get(2).build(Bounds.parse("format=sv48,pages=1,huge=0,tables=5")).name())
                .isEqualTo("paging " + Bounds.parse("format=sv48,pages=1,huge=0,tables=5"));
    }

    @Test
    void modelPagesRequestsAndFrames() {
        PteFormat f = X86_64Pte.FORMAT;
        assertThat(PagingModels.pages(f, Bounds.parse("format=x86_64,pages=2,huge=1,kernel=1"))).containsExactly(
                Page.of(1L << 30, PageSize.KIB_4), Page.of((1L << 30) + 4096, PageSize.KIB_4), Page.of(1L << 30, PageSize.MIB_2),
                Page.of(-(1L << 47), PageSize.KIB_4));
        assertThat(PagingModels.pages(f, Bounds.parse("format=x86_64"))).as("defaults: two pages and the huge one").hasSize(3);
        assertThat(PagingModels.requests(Aarch64Pte.G4K)).containsExactly(PagingScope.R, PagingScope.RW.without(PageFlags.DIRTY),
                PagingScope.RX, PagingScope.RWX.without(PageFlags.DIRTY));
        assertThat(PagingModels.frameFor(Page.of((1L << 30) + 3 * 4096, PageSize.KIB_4)))
                .isEqualTo(PhysFrame.of(PagingScope.DATA_FRAME_BASE + 3));
        assertThat(PagingModels.frameFor(Page.of((2L << 30) - 4096, PageSize.KIB_4)))
                .isEqualTo(PhysFrame.of(PagingScope.DATA_FRAME_BASE + (1L << 18) - 1));
        assertThat(PagingModels.frameFor(Page.of(2L << 30, PageSize.KIB_4))).as("past the window").isEqualTo(PagingScope.frame(PageSize.GIB_1, 1));
        assertThat(PagingModels.frameFor(Page.of(-(1L << 47), PageSize.KIB_4))).isEqualTo(PagingScope.frame(PageSize.GIB_1, 1));
        assertThat(PagingModels.remapFrame(Page.of(1L << 30, PageSize.MIB_2))).isEqualTo(PagingScope.frame(PageSize.MIB_2, 2));
        assertThat(PagingModels.actions(List.of(Page.of(1L << 30, PageSize.KIB_4)), PagingModels.requests(f), true))
                .extracting(a -> a.label()).hasSize(13).startsWith("map(0x0000000040000000/4 KiB, PRESENT|USER|ACCESSED|NO_EXECUTE)")
                .contains("unmap(0x0000000040000000/4 KiB)").last().asString().startsWith("remap(0x0000000040000000/4 KiB, frame#");
        assertThat(PagingModels.actions(List.of(Page.of(1L << 30, PageSize.KIB_4)), PagingModels.requests(f), false)).hasSize(9);
    }

    @Test
    void scopePagesFramesAndFlags() {
        assertThat(PagingScope.sizes(RiscvPte.SV48)).containsExactly(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1);
        assertThat(PagingScope.pages(X86_64Pte.FORMAT, 2)).containsExactly(Page.of(1L << 30, PageSize.KIB_4),
                Page.of((1L << 30) + 4096, PageSize.KIB_4), Page.of(1L << 30, PageSize.MIB_2), Page.of((1L << 30) + (2L << 20), PageSize.MIB_2),
                Page.of(1L << 30, PageSize.GIB_1), Page.of(-(1L << 47), PageSize.KIB_4), Page.of(1L << 40, PageSize.KIB_4), Page.of(1L << 47, PageSize.KIB_4));
        assertThat(PagingScope.pages(RiscvPte.SV57, 1)).last().isEqualTo(Page.of(0, PageSize.TIB_256));
        assertThat(PagingScope.frame(PageSize.GIB_512, 0)).as("rounded up to the size").isEqualTo(PhysFrame.of(512L << 18));
        assertThat(PagingScope.frame(PageSize.MIB_2, 3)).isEqualTo(PhysFrame.of((8L << 18) + 3 * 512));
        assertThat(PagingScope.misalignedFrame()).isEqualTo(PhysFrame.of((8L << 18) + 1));
        assertThat(PagingScope.flagChoices(X86_64Pte.FORMAT)).hasSize(7).contains(PagingScope.RWX, PagingScope.NOT_PRESENT);
        assertThat(PagingScope.flagChoices(Aarch64Pte.G4K)).hasSize(8).doesNotContain(PagingScope.RW)
                .contains(PagingScope.RW.without(PageFlags.DIRTY), PagingScope.R.with(PageFlags.DIRTY));
        assertThat(PagingScope.fit(X86_64Pte.FORMAT, PagingScope.RW)).isEqualTo(PagingScope.RW);
        assertThat(PagingScope.tableFrames(Aarch64Pte.G64K, 3)).isEqualTo(FrameRange.of(16, 48));
        assertThat(PagingFormats.byName("aarch64-16k")).isSameAs(Aarch64Pte.G16K);
        assertThat(PagingFormats.all()).hasSize(8);
        assertThatThrownBy(() -> PagingFormats.byName("mips")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wxInductivenessScope() {
        assertThat(WxInductiveness.name(X86_64Pte.FORMAT)).isEqualTo("WX-1 inductive step, x86_64 (WxInductiveness)");
        assertThat(WxInductiveness.leafFlags(X86_64Pte.FORMAT)).hasSize(8).doesNotHaveDuplicates()
                .contains(PageFlags.of(PageFlags.PRESENT, PageFlags.ACCESSED, PageFlags.DIRTY, PageFlags.WRITABLE));
        assertThat(WxInductiveness.parentRestrictions(X86_64Pte.FORMAT)).containsExactly(X86_64Pte.FORMAT.permissiveTableFlags(),
                X86_64Pte.FORMAT.permissiveTableFlags().with(PageFlags.NO_EXECUTE),
                X86_64Pte.FORMAT.permissiveTableFlags().without(PageFlags.WRITABLE));
        assertThat(WxInductiveness.parentRestrictions(RiscvPte.SV39)).hasSize(1);
        List<PageMapper> x86 = WxInductiveness.scope(X86_64Pte.FORMAT);
        assertThat(x86).hasSize(268);
        assertThat(x86.stream().filter(m -> PagingInvariants.ALL.violations(m).isEmpty()).count()).isEqualTo(231);
        assertThat(WxInductiveness.scope(RiscvPte.SV39)).hasSize(90);
        assertThat(WxInductiveness.system(RiscvPte.SV39).name()).contains("remap=1");
    }

    @Test
    void suiteRows() {
        List<CheckSuite> suites = PagingSuites.all();
        assertThat(suites).hasSize(25);
        assertThat(suites).extracting(CheckSuite::component).containsOnly("paging");
        assertThat(suites).extracting(CheckSuite::name).contains("paging-x86_64 (stateful, model-based)",
                "paging-x86_64/hybrid (stateful, model-based)", "paging-sv48 (stateful, model-based)",
                "WX-1 inductive step, aarch64-64k (WxInductiveness)", "kernel-image-x86_64 (stateful, model-based)",
                "paging-x86_64-la57 (stateful, model-based)", "paging-sv57 (stateful, model-based)",
                "kernel-image-sv57 (stateful, model-based)", "WX-1 inductive step, x86_64-la57 (WxInductiveness)");
        assertThat(suites.get(9).invariantIds()).contains("KWX-1");
        assertThat(suites.get(0).invariantIds()).contains("CANON-1");
        assertThat(suites.get(0).invariantIds()).contains("PTL-1", "PTL-2");
    }
}
