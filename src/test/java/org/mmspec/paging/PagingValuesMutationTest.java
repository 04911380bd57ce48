package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.aarch64.Mair;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The value classes and the {@code dump_pt} text where {@link PagingValuesTest} leaves them open:
 * page order, entry validity, the walk's outcome, the recording sink's reset, MAIR slot bounds,
 * the dumps of faults, reserved entries, revisits and the upper half's root, and the W^X
 * inductiveness rows of the check table.
 */
class PagingValuesMutationTest {

    private static final long GIB = 1L << 30;

    private static PageMapper mapper(PteFormat f) {
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 16)),
                TlbFlushSink.NONE);
        PageSize base = f.pageSizes().get(0);
        m.map(Page.of(GIB, base), PagingScope.frame(base, 0), PagingScope.R);
        return m;
    }

    @Test
    void pagesAreOrderedByStartThenSize() {
        Page low = Page.of(GIB, PageSize.KIB_4);
        Page high = Page.of(GIB + 4096, PageSize.KIB_4);
        assertThat(low.compareTo(high)).isNegative();
        assertThat(high.compareTo(low)).isPositive();
        assertThat(Page.of(GIB, PageSize.MIB_2).compareTo(Page.of(GIB + (2L << 20), PageSize.KIB_4))).isNegative();
        assertThat(low.compareTo(Page.of(GIB, PageSize.MIB_2))).isNegative();
        assertThat(low.compareTo(Page.of(GIB, PageSize.KIB_4))).isZero();
    }

    @Test
    void entriesWalksTranslationsAndMappingsSayWhatTheyAre() {
        assertThat(Entry.INVALID.isValid()).isFalse();
        assertThat(Entry.leaf(PhysAddr.of(0x1000), PageFlags.PRESENT).isValid()).isTrue();
        assertThat(Entry.reserved("x").isValid()).isTrue();
        PageMapper m = mapper(X86_64Pte.FORMAT);
        Walk hit = m.walk(VirtAddr.of(GIB + 8));
        assertThat(hit.translated()).isTrue();
        assertThat(m.walk(VirtAddr.of(GIB + 8192)).translated()).isFalse();
        PhysFrame frame = PagingScope.frame(PageSize.KIB_4, 0);
        assertThat(hit.translation().orElseThrow()).hasToString(String.format(
                "0x%016x -> %s via 0x%016x/4 KiB PRESENT|USER|ACCESSED|NO_EXECUTE effective -U--", GIB + 8,
                frame.start().plus(8), GIB));
        assertThat(new Mapping(Page.of(GIB, PageSize.KIB_4), frame, PagingScope.R))
                .hasToString("0x0000000040000000/4 KiB->" + frame + " PRESENT|USER|ACCESSED|NO_EXECUTE");
    }

    @Test
    void aRecordingSinkForgetsWhatItRecordedOnClear() {
        TlbFlushSink.Recording r = new TlbFlushSink.Recording();
        r.flush(new TlbFlush(VirtAddr.of(GIB), 4096, TlbFlush.Reason.UNMAP));
        assertThat(r.flushes()).hasSize(1);
        r.clear();
        assertThat(r.flushes()).isEmpty();
    }

    @Test
    void mairSlotsAreZeroToSeven() {
        assertThatThrownBy(() -> Mair.attr(Mair.modelValue(), Mair.SLOTS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MAIR slot 8 outside 0..7");
        assertThatThrownBy(() -> Mair.attr(Mair.modelValue(), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Mair.attr(Mair.modelValue(), Mair.SLOTS - 1)).isZero();
    }

    /** A walk that stops shows the entry that stopped it and the fault. */
    @Test
    void dumpPtShowsTheFaultAndTheEntryThatStoppedTheWalk() {
        PageMapper m = mapper(X86_64Pte.FORMAT);
        String dump = m.dumpPt(VirtAddr.of(GIB + 8192));
        assertThat(dump).contains("PT   [   2]").contains("= 0x0000000000000000  not present")
                .endsWith(String.format("  => fault NOT_PRESENT: PT[2] is not present%n"));
    }

    /** An upper-half address is walked, and dumped, from TTBR1's root. */
    @Test
    void dumpPtNamesTheRootThatTranslatesTheAddress() {
        PageMapper m = mapper(Aarch64Pte.G4K);
        VirtAddr upper = VirtAddr.of(-(1L << 47));
        assertThat(m.dumpPt(upper)).startsWith(String.format("dump_pt %s (aarch64-4k, root %s, root register 0x%x)", upper,
                m.roots().get(1), m.rootRegister(1, 0)));
        assertThat(m.roots().get(1)).isNotEqualTo(m.roots().get(0));
    }

    /** A reserved encoding is listed in the tree with its reason, and a walk through it faults with RESERVED. */
    @Test
    void dumpsShowReservedEntries() {
        PteFormat f = RiscvPte.SV39;
        PageMapper m = mapper(f);
        Walk.StepRead leaf = m.walk(VirtAddr.of(GIB)).steps().get(f.levels() - 1);
        PhysAddr at = leaf.table().plus((long) leaf.index() * PhysicalMemory.WORD_BYTES);
        m.memory().write64(at, leaf.raw() & ~RiscvPte.R);
        Entry e = f.decode(leaf.raw() & ~RiscvPte.R, f.levels() - 1);
        assertThat(e.kind()).isEqualTo(Entry.Kind.RESERVED);
        assertThat(m.dumpTree()).contains(String.format("@%s = 0x%016x  RESERVED (%s)", at, leaf.raw() & ~RiscvPte.R, e.reason()));
        assertThat(m.dumpPt(VirtAddr.of(GIB))).contains("RESERVED (" + e.reason() + ")").contains("=> fault RESERVED");
    }

    /** A table reached twice is flagged in the tree at the depth of the entry that reaches it again. */
    @Test
    void dumpTreeFlagsARevisitAtItsDepth() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = mapper(f);
        Walk.StepRead pd = m.walk(VirtAddr.of(GIB)).steps().get(2);
        PhysAddr at = pd.table().plus((long) (pd.index() + 1) * PhysicalMemory.WORD_BYTES);
        m.memory().write64(at, pd.raw());
        assertThat(m.dumpTree()).contains(String.format("%n      !! table %s reached again from %s%n", pd.entry().address(), at));
    }

    /** The W^X inductiveness rows of the check table run the check on their format's scope. */
    @Test
    void wxInductivenessRowsRunTheirScope() {
        CheckSuite row = PagingSuites.all().stream().filter(s -> s.name().equals(WxInductiveness.name(RiscvPte.SV39)))
                .findFirst().orElseThrow();
        CheckSuite.Result r = row.run();
        assertThat(r.passed()).as(r.detail()).isTrue();
        assertThat(r.count()).isEqualTo(WxInductiveness.scope(RiscvPte.SV39).size());
    }
}
