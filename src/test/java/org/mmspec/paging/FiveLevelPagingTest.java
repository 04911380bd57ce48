package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * 5-level paging: x86_64 with CR4.LA57 ({@link X86_64Pte#LA57}) and RISC-V Sv57
 * ({@link RiscvPte#SV57}). Their geometry, the canonical check that follows the active mode
 * (CANON-1, with the seeded 48-bit and 57-bit checks it catches in a direct negative test, in
 * every stateful run and in the explorer), the leaves each mode allows (x86 still stops at 1 GiB,
 * Sv57 adds the 256 TiB petapage), ROOT-1 for the new register encodings, and PTE-1 for a PS bit
 * in a PML5 entry.
 */
class FiveLevelPagingTest {

    private static PageMapper mapper(PteFormat f) {
        return mapper(f, PageMapper.Bug.NONE);
    }

    private static PageMapper mapper(PteFormat f, PageMapper.Bug bug) {
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 64)),
                TlbFlushSink.NONE);
        m.bug = bug;
        return m;
    }

    private static PagingError error(Runnable r) {
        try {
            r.run();
        } catch (PagingError e) {
            return e;
        }
        throw new AssertionError("no PagingError");
    }

    @Test
    void la57AddsAPml5AboveThePml4AndSetsCr4La57() {
        PteFormat f = X86_64Pte.LA57;
        assertThat(f.levels()).isEqualTo(5);
        assertThat(f.vaBits()).isEqualTo(57);
        assertThat(List.of(f.levelName(0), f.levelName(1), f.levelName(2), f.levelName(3), f.levelName(4)))
                .containsExactly("PML5", "PML4", "PDPT", "PD", "PT");
        assertThat(List.of(f.indexShift(0), f.indexShift(1), f.indexShift(4))).containsExactly(48, 39, 12);
        assertThat(f.controlRegister() & X86_64Pte.CR4_LA57).isNotZero();
        assertThat(X86_64Pte.FORMAT.controlRegister() & X86_64Pte.CR4_LA57).isZero();
        assertThat(X86_64Pte.FORMAT.levelName(0)).isEqualTo("PML4");
        assertThat(f.pageSizes()).as("PS is reserved in PML4 and PML5 entries: 1 GiB stays the largest")
                .containsExactly(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1);
    }

    @Test
    void sv57WalksFiveLevelsUnderSatpMode10WithALeafAtEveryLevel() {
        PteFormat f = RiscvPte.SV57;
        assertThat(f.levels()).isEqualTo(5);
        assertThat(f.vaBits()).isEqualTo(57);
        assertThat(f.levelName(0)).isEqualTo("lvl4");
        assertThat(f.rootRegister(PhysFrame.of(16), 0) >>> RiscvPte.SATP_MODE_SHIFT).isEqualTo(10);
        for (int d = 0; d < f.levels(); d++) {
            assertThat(f.leafSize(d)).as("depth " + d).isPresent();
        }
        assertThat(f.leafSize(0)).contains(PageSize.TIB_256);
        assertThat(PageSize.TIB_256.toString()).isEqualTo("256 TiB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void CANON_1_andRoot1HoldForEveryFormat(String name) {
        PageMapper m = mapper(PagingFormats.byName(name));
        assertThat(PagingInvariants.CANON_1.evaluate(m)).isEmpty();
        assertThat(PagingInvariants.ROOT_1.evaluate(m)).isEmpty();
    }

    /** The page at 2^47: canonical only in 57 bits. LA57 maps it at PML5[0] → PML4[256]; 4-level paging refuses it. */
    @Test
    void canonicalCheckFollowsTheActiveModeOnX86() {
        Page wide = Page.of(PagingScope.WIDE, PageSize.KIB_4);
        PageMapper la57 = mapper(X86_64Pte.LA57);
        la57.map(wide, PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        Walk w = la57.walk(wide.start());
        assertThat(w.steps()).hasSize(5);
        assertThat(w.steps().get(0).index()).isZero();
        assertThat(w.steps().get(1).index()).isEqualTo(256);
        assertThat(w.translation().orElseThrow().pa()).isEqualTo(PagingScope.frame(PageSize.KIB_4, 0).start());

        PageMapper four = mapper(X86_64Pte.FORMAT);
        Object before = four.stateKey();
        PagingError e = error(() -> four.map(wide, PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R));
        assertThat(e.errorKind()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        assertThat(e.getMessage()).isEqualTo("0x0000800000000000 is not canonical for 48-bit x86_64");
        assertThat(four.stateKey()).as("a refused map changes nothing").isEqualTo(before);
        assertThat(four.walk(wide.start()).fault().orElseThrow().kind()).isEqualTo(Walk.FaultKind.NON_CANONICAL);

        // The kernel half under LA57 starts at -2^56, indexed by PML5[256].
        Page top = Page.of(-(1L << 56), PageSize.KIB_4);
        la57.map(top, PagingScope.frame(PageSize.KIB_4, 1), PagingScope.KRW);
        assertThat(la57.walk(top.start()).steps().get(0).index()).isEqualTo(256);
        assertThat(error(() -> four.unmap(top)).errorKind()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        // Nothing holds an address outside 57 bits.
        assertThat(error(() -> VirtAddr.of(1L << 56)).errorKind()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        assertThat(error(() -> VirtAddr.of(0x7F00_0000_0000_0000L)).getMessage()).contains("bits 63..56 must all equal bit 56");
        assertThat(PagingInvariants.ALL.firstViolation(la57)).isEmpty();
    }

    @Test
    void canonicalCheckFollowsTheActiveModeOnRiscv() {
        Page wide = Page.of(PagingScope.WIDE, PageSize.KIB_4);
        PageMapper sv57 = mapper(RiscvPte.SV57);
        sv57.map(wide, PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        assertThat(sv57.translate(wide.start())).isPresent();
        for (PteFormat narrower : List.of(RiscvPte.SV39, RiscvPte.SV48)) {
            PageMapper m = mapper(narrower);
            assertThat(error(() -> m.map(wide, PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R)).errorKind())
                    .as(narrower.name()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        }
    }

    /** Sv57's petapage: one leaf in the root maps 256 TiB; x86 LA57 has no leaf above 1 GiB. */
    @Test
    void sv57MapsAPetapageInTheRootAndLa57RefusesIt() {
        Page peta = Page.of(0, PageSize.TIB_256);
        PhysFrame frame = PagingScope.frame(PageSize.TIB_256, 0);
        assertThat(frame.start().value() % PageSize.TIB_256.bytes()).isZero();
        PageMapper sv57 = mapper(RiscvPte.SV57);
        sv57.map(peta, frame, PagingScope.RW);
        Walk w = sv57.walk(VirtAddr.of(PagingScope.WIDE + 0x1234_5000L));
        assertThat(w.steps()).hasSize(1);
        assertThat(w.translation().orElseThrow().pa()).isEqualTo(PhysAddr.of(frame.start().value() + PagingScope.WIDE + 0x1234_5000L));
        assertThat(w.translation().get().page()).isEqualTo(peta);
        // A base page inside it splits the petapage down to a 4 KiB leaf, one table per level.
        sv57.updateFlags(Page.of(PagingScope.WINDOW, PageSize.KIB_4), PagingScope.R);
        assertThat(sv57.walk(VirtAddr.of(PagingScope.WINDOW)).steps()).hasSize(5);
        assertThat(PagingInvariants.ALL.firstViolation(sv57)).isEmpty();

        PageMapper la57 = mapper(X86_64Pte.LA57);
        assertThat(error(() -> la57.map(Page.of(0, PageSize.GIB_512), PagingScope.frame(PageSize.GIB_512, 0), PagingScope.R))
                .errorKind()).isEqualTo(PagingError.Kind.UNSUPPORTED_SIZE);
        assertThat(error(() -> la57.map(peta, frame, PagingScope.R)).errorKind()).isEqualTo(PagingError.Kind.UNSUPPORTED_SIZE);
    }

    @Test
    void CANON_1_catchesA48BitCheckUnderLa57AndSv57() {
        for (PteFormat f : List.of(X86_64Pte.LA57, RiscvPte.SV57)) {
            PageMapper m = mapper(f, PageMapper.Bug.CANONICAL_48_BITS);
            assertThat(PagingInvariants.CANON_1.evaluate(m).orElseThrow().detail()).as(f.name())
                    .contains("(57-bit VAs): the mapper refuses 0x0000800000000000, which is canonical");
            assertThat(PagingInvariants.ALL.firstViolation(m).orElseThrow().invariantId()).isEqualTo("CANON-1");
            // What a kernel with the bug does: the valid address is refused.
            assertThat(error(() -> m.map(Page.of(PagingScope.WIDE, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 0),
                    PagingScope.R)).errorKind()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        }
        // Under 4-level paging the 48-bit check is the right one.
        assertThat(PagingInvariants.CANON_1.evaluate(mapper(X86_64Pte.FORMAT, PageMapper.Bug.CANONICAL_48_BITS))).isEmpty();
    }

    /** The 57-bit check under 4-level paging lets 2^47 through, and its PML4 index (256) is the kernel half's. */
    @Test
    void CANON_1_catchesA57BitCheckUnder4LevelPaging() {
        PageMapper m = mapper(X86_64Pte.FORMAT, PageMapper.Bug.CANONICAL_57_BITS);
        assertThat(PagingInvariants.CANON_1.evaluate(m).orElseThrow().detail())
                .contains("x86_64 under 4-level (48-bit VAs): the mapper admits 0x0000800000000000, which is not canonical");
        m.map(Page.of(PagingScope.WIDE, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        assertThat(m.translate(VirtAddr.of(VirtAddr.UPPER_HALF_START)).orElseThrow().pa())
                .as("the user's mapping appears at the kernel half's first address")
                .isEqualTo(PagingScope.frame(PageSize.KIB_4, 0).start());
        assertThat(PagingInvariants.CANON_1.evaluate(mapper(X86_64Pte.LA57, PageMapper.Bug.CANONICAL_57_BITS))).isEmpty();
        assertThat(PagingInvariants.CANON_1.evaluate(mapper(RiscvPte.SV39, PageMapper.Bug.CANONICAL_57_BITS))).isPresent();
    }

    @Test
    void CANON_1_statefulSuiteCatchesTheWrongCanonicalWidth() {
        for (PteFormat f : List.of(X86_64Pte.LA57, RiscvPte.SV57, X86_64Pte.FORMAT)) {
            PageMapper.Bug bug = f.vaBits() == 57 ? PageMapper.Bug.CANONICAL_48_BITS : PageMapper.Bug.CANONICAL_57_BITS;
            CheckSettings s = CheckSettings.fromSystemProperties(20).withSeed(7).withRuns(3);
            assertThatThrownBy(() -> StatefulChecker.check(new PagingMachine(f, bug), s)).as(f.name())
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("CANON-1")));
        }
    }

    @Test
    void CANON_1_explorerFindsTheWrongCanonicalWidth() {
        ExplorationResult r = Explorer.explore(PagingModels.system(Bounds.parse(
                "format=x86_64-la57,pages=1,huge=0,wide=1,tables=6,bug=CANONICAL_48_BITS")), ExploreBounds.unbounded());
        assertThat(r.counterexample().orElseThrow().invariantId()).isEqualTo("CANON-1");
        assertThat(r.counterexample().get().length()).as("the wrong width is wrong from the first state").isZero();
    }

    @Test
    void ROOT_1_catchesA5LevelFormatWithoutCr4La57() {
        PteFormat noLa57 = new ForwardingPteFormat(X86_64Pte.LA57) {
            @Override
            public long controlRegister() {
                return super.controlRegister() & ~X86_64Pte.CR4_LA57;
            }
        };
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(noLa57)).orElseThrow().detail())
                .contains("select 4-level (4 levels, 48-bit VAs").contains("format walks 5 levels, 57-bit VAs");
    }

    @Test
    void ROOT_1_catchesSatpMode9LabelledSv57() {
        PteFormat mode9 = new ForwardingPteFormat(RiscvPte.SV57) {
            @Override
            public long rootRegister(PhysFrame root, int asid) {
                return (super.rootRegister(root, asid) & ~(0xFL << RiscvPte.SATP_MODE_SHIFT))
                        | (RiscvPte.SATP_MODE_SV48 << RiscvPte.SATP_MODE_SHIFT);
            }
        };
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(mode9)).orElseThrow().detail())
                .contains("select Sv48 (4 levels, 48-bit VAs").contains("format walks 5 levels, 57-bit VAs");
    }

    /** PS=1 is reserved in a PML5 entry as in a PML4 entry: PTE-1 reports it, and a walk faults there. */
    @Test
    void PTE_1_catchesPsInAPml5Entry() {
        PageMapper m = mapper(X86_64Pte.LA57);
        Page p = Page.of(PagingScope.WINDOW, PageSize.KIB_4);
        m.map(p, PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        Walk.StepRead top = m.walk(p.start()).steps().get(0);
        PhysAddr at = top.table().plus((long) top.index() * PhysicalMemory.WORD_BYTES);
        m.memory().write64(at, top.raw() | X86_64Pte.PS);
        assertThat(PagingInvariants.PTE_1.evaluate(m).orElseThrow().detail()).contains("PS=1 in a PML5 entry is reserved");
        assertThat(m.walk(p.start()).fault().orElseThrow().kind()).isEqualTo(Walk.FaultKind.RESERVED);
        assertThat(X86_64Pte.LA57.decode(top.raw() | X86_64Pte.PS, 1).reason()).isEqualTo("PS=1 in a PML4 entry is reserved");
    }

    @Test
    void dumpPtShowsAllFiveLevels() {
        PageMapper m = mapper(X86_64Pte.LA57);
        m.map(Page.of(PagingScope.WIDE, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        assertThat(m.dumpPt(VirtAddr.of(PagingScope.WIDE))).contains("x86_64-la57").contains("PML5 [   0]")
                .contains("PML4 [ 256]").contains("PT   [   0]").contains("=> 0x0000800000000000 ->");
        assertThat(m.dumpTree()).contains("PML5").contains("0x0000800000000000");
    }
}
