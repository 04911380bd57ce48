package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * One negative test per invariant: build a healthy tree, corrupt the real bits in simulated
 * memory (or the mapper's bookkeeping, or the allocator), and check that exactly that invariant
 * reports it.
 */
class PagingInvariantsTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    private ReferenceFrameAllocator allocator;

    private PageMapper healthy(PteFormat f) {
        allocator = new ReferenceFrameAllocator(PagingScope.tableFrames(f, 64));
        PageMapper m = new PageMapper(f, new PhysicalMemory(), allocator, TlbFlushSink.NONE);
        PageSize base = f.pageSizes().get(0);
        m.map(Page.of(PagingScope.WINDOW, base), PagingScope.frame(base, 0), PagingScope.fit(f, PagingScope.RW));
        m.map(Page.of(PagingScope.WINDOW + base.bytes(), base), PagingScope.frame(base, 1), PagingScope.RX);
        assertThat(PagingInvariants.ALL.violations(m)).isEmpty();
        return m;
    }

    private static List<String> ids(PageMapper m) {
        return PagingInvariants.ALL.violations(m).stream().map(Violation::invariantId).toList();
    }

    /** Where the walk of {@code va} read its last entry. */
    private static PhysAddr lastEntry(PageMapper m, VirtAddr va) {
        Walk.StepRead s = m.walk(va).steps().get(m.walk(va).steps().size() - 1);
        return s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES);
    }

    private static Walk.StepRead step(PageMapper m, VirtAddr va, int depth) {
        return m.walk(va).steps().get(depth);
    }

    private static VirtAddr rw() {
        return VirtAddr.of(PagingScope.WINDOW);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void WX_1_catchesNxClearedInARawLeaf(PteFormat f) {
        PageMapper m = healthy(f);
        PhysAddr at = lastEntry(m, rw());
        Entry e = f.decode(m.memory().read64(at), f.levels() - 1);
        m.memory().write64(at, f.encodeLeaf(e.address(), e.flags().without(PageFlags.NO_EXECUTE), f.levels() - 1));
        assertThat(ids(m)).containsExactly("WX-1");
    }

    /** WX-1 reads effective permissions: a W+X leaf under a no-execute (x86) or read-only (AArch64) table is fine. */
    @Test
    void WX_1_combinesPermissionsOverTheWholeWalk() {
        for (PteFormat f : List.of(X86_64Pte.FORMAT, Aarch64Pte.G4K)) {
            PageMapper m = healthy(f);
            int last = f.levels() - 1;
            Walk.StepRead parent = step(m, rw(), last - 1);
            PhysAddr parentAt = parent.table().plus((long) parent.index() * PhysicalMemory.WORD_BYTES);
            PageFlags restriction = f == X86_64Pte.FORMAT ? f.permissiveTableFlags().with(PageFlags.NO_EXECUTE)
                    : f.permissiveTableFlags().without(PageFlags.WRITABLE);
            m.memory().write64(parentAt, f.encodeTable(parent.entry().address(), restriction, last - 1));
            PhysAddr at = lastEntry(m, rw());
            Entry e = f.decode(m.memory().read64(at), last);
            m.memory().write64(at, f.encodeLeaf(e.address(), e.flags().without(PageFlags.NO_EXECUTE), last));
            assertThat(ids(m)).as("%s: the table restricts the W+X leaf", f).isEmpty();
            m.memory().write64(parentAt, f.encodeTable(parent.entry().address(), f.permissiveTableFlags(), last - 1));
            assertThat(ids(m)).as("%s: without the restriction", f).containsExactly("WX-1");
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PT_1_catchesEntryPointingAtATableTheMapperDoesNotOwn(PteFormat f) {
        PageMapper m = healthy(f);
        Walk.StepRead s = m.walk(rw()).steps().get(f.levels() - 1);
        m.corruptForgetTable(PhysFrame.containing(s.table()));
        assertThat(ids(m)).containsExactly("PT-1");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PT_2_catchesATableReachableTwice(PteFormat f) {
        PageMapper m = healthy(f);
        Walk.StepRead s = step(m, rw(), f.levels() - 2);
        PhysAddr at = s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES);
        m.memory().write64(at.plus(PhysicalMemory.WORD_BYTES), s.raw());
        assertThat(ids(m)).containsExactly("PT-2");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PT_3_catchesALeakedTableFrame(PteFormat f) {
        PageMapper m = healthy(f);
        FrameRange stray = allocator.allocateAligned(f.tableFrames(), f.tableFrames());
        m.corruptAdoptTable(stray.start());
        assertThat(ids(m)).containsExactly("PT-3");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PT_4_catchesAnEmptyIntermediateTable(PteFormat f) {
        PageMapper m = healthy(f);
        PageSize base = f.pageSizes().get(0);
        m.memory().write64(lastEntry(m, rw()), 0);
        m.memory().write64(lastEntry(m, rw().plus(base.bytes())), 0);
        assertThat(ids(m)).containsExactly("PT-4");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PT_5_catchesATableFrameFreeInTheAllocator(PteFormat f) {
        PageMapper m = healthy(f);
        PhysFrame leafTable = PhysFrame.containing(m.walk(rw()).steps().get(f.levels() - 1).table());
        allocator.free(new FrameRange(leafTable, f.tableFrames()));
        assertThat(ids(m)).containsExactly("PT-5");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTE_1_catchesAReservedEncoding(PteFormat f) {
        PageMapper m = healthy(f);
        PhysAddr at = lastEntry(m, rw());
        long raw = m.memory().read64(at);
        long bad;
        if (f instanceof X86_64Pte) {
            // A PML4 entry with PS=1 is reserved; use the root entry of a separate kernel mapping.
            PageMapper k = m;
            Page kp = Page.of(-(1L << 47), PageSize.MIB_2);
            k.map(kp, PagingScope.frame(PageSize.MIB_2, 3), PagingScope.KRW);
            Walk.StepRead s = step(k, kp.start(), f.levels() - 2); // the PD
            PhysAddr leafAt = s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES);
            k.memory().write64(leafAt, s.raw() | (1L << 13)); // address bit 13 of a 2 MiB leaf is reserved
            assertThat(ids(k)).containsExactly("PTE-1");
            return;
        } else if (f instanceof Aarch64Pte) {
            bad = raw | Aarch64Pte.RES0_HIGH_OA;
        } else {
            bad = raw & ~RiscvPte.R; // W without R
        }
        m.memory().write64(at, bad);
        assertThat(ids(m)).containsExactly("PTE-1");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTE_2_catchesAHugeBitAtTheLastLevel(PteFormat f) {
        PageMapper m = healthy(f);
        PhysAddr at = lastEntry(m, rw());
        m.memory().write64(at, f.withHugeMarker(m.memory().read64(at)));
        assertThat(ids(m)).containsExactly("PTE-2");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void PTE_3_catchesBitsTheDescriptorNeverWrites(PteFormat f) {
        PageMapper m = healthy(f);
        PhysAddr at = lastEntry(m, rw());
        long softwareBit = f instanceof X86_64Pte ? 1L << 52 : f instanceof Aarch64Pte ? 1L << 55 : 1L << 8;
        m.memory().write64(at, m.memory().read64(at) | softwareBit);
        assertThat(ids(m)).containsExactly("PTE-3");
    }

    /** "NX lost when flags are read back": a decoder that drops NX fails the round trip on the real bits. */
    @Test
    void PTE_3_catchesADecoderThatLosesNx() {
        PteFormat lossy = new ForwardingPteFormat(X86_64Pte.FORMAT) {
            @Override
            public Entry decode(long raw, int depth) {
                Entry e = super.decode(raw, depth);
                return e.isLeaf() ? Entry.leaf(e.address(), e.flags().without(PageFlags.NO_EXECUTE)) : e;
            }
        };
        PageMapper m = new PageMapper(lossy, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 64)),
                TlbFlushSink.NONE);
        m.map(Page.of4k(PagingScope.WINDOW), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.RW);
        assertThat(ids(m)).containsExactly("PTE-3");
    }

    /** PT-5 is not vacuous with the production allocator: the hybrid answers isFree for both halves. */
    @ParameterizedTest
    @MethodSource("formats")
    void PT_5_catchesATableFrameFreeInAHybridAllocator(PteFormat f) {
        FrameRange frames = PagingScope.tableFrames(f, 64);
        long threshold = 2L * f.tableFrames();
        org.mmspec.frames.HybridAllocator hybrid = new org.mmspec.frames.HybridAllocator(frames, List.of(), threshold,
                org.mmspec.frames.HybridAllocator.defaultSplit(frames, threshold), org.mmspec.frames.BuddyAllocator.GIB_ORDER);
        PageMapper m = new PageMapper(f, new PhysicalMemory(), hybrid, TlbFlushSink.NONE);
        PageSize base = f.pageSizes().get(0);
        m.map(Page.of(PagingScope.WINDOW, base), PagingScope.frame(base, 0), PagingScope.fit(f, PagingScope.RW));
        assertThat(ids(m)).isEmpty();
        PhysFrame leafTable = PhysFrame.containing(m.walk(rw()).steps().get(f.levels() - 1).table());
        hybrid.free(new FrameRange(leafTable, f.tableFrames()));
        assertThat(hybrid.isFree(leafTable)).isTrue();
        assertThat(ids(m)).containsExactly("PT-5");
    }
}
