package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * ATOMIC-1 for the PageMapper, on the rejections that happen part-way through an operation: a
 * rejected call leaves simulated memory, the allocator (free set and live runs), the owned tables
 * and the TLB sink exactly as they were.
 */
class PagingAtomicityTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    private static PagingError.Kind rejected(PageMapper m, TlbFlushSink.Recording tlb, Runnable op) {
        Object before = m.stateKey();
        int flushes = tlb.flushes().size();
        PagingError e = catchThrowableOfType(PagingError.class, op::run);
        assertThat(e).isNotNull();
        assertThat(m.stateKey()).isEqualTo(before);
        assertThat(tlb.flushes()).hasSize(flushes);
        return e.errorKind();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void outOfTableFramesMidWayChangesNothing(PteFormat f) {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        // Roots plus one table: a base-page map needs levels-1 tables and must give back the one it got.
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, f.roots() + 1)), tlb);
        PageSize base = f.pageSizes().get(0);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(PagingScope.WINDOW, base), PagingScope.frame(base, 0), PagingScope.R)))
                .isEqualTo(PagingError.Kind.OUT_OF_MEMORY);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void splitWithoutTableFramesChangesNothing(PteFormat f) {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageSize base = f.pageSizes().get(0);
        PageSize huge = f.pageSizes().get(1);
        int hugeDepth = f.leafDepth(huge);
        PageMapper m = new PageMapper(f, new PhysicalMemory(),
                new ReferenceFrameAllocator(PagingScope.tableFrames(f, f.roots() + hugeDepth)), tlb);
        m.map(Page.of(PagingScope.WINDOW, huge), PagingScope.frame(huge, 0), PagingScope.R);
        assertThat(rejected(m, tlb, () -> m.unmap(Page.of(PagingScope.WINDOW, base)))).isEqualTo(PagingError.Kind.OUT_OF_MEMORY);
        assertThat(rejected(m, tlb, () -> m.updateFlags(Page.of(PagingScope.WINDOW, base), PagingScope.RX)))
                .isEqualTo(PagingError.Kind.OUT_OF_MEMORY);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void wxOnEveryPteWritingPathChangesNothing(PteFormat f) {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageSize base = f.pageSizes().get(0);
        PageSize huge = f.pageSizes().get(1);
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 16)), tlb);
        Page h = Page.of(PagingScope.WINDOW, huge);
        PageFlags rwx = PagingScope.fit(f, PagingScope.RWX);
        assertThat(rejected(m, tlb, () -> m.map(h, PagingScope.frame(huge, 0), rwx))).isEqualTo(PagingError.Kind.WX_VIOLATION);
        m.map(h, PagingScope.frame(huge, 0), PagingScope.fit(f, PagingScope.RW));
        assertThat(rejected(m, tlb, () -> m.updateFlags(h, rwx))).isEqualTo(PagingError.Kind.WX_VIOLATION);
        assertThat(rejected(m, tlb, () -> m.updateFlags(Page.of(PagingScope.WINDOW, base), rwx)))
                .isEqualTo(PagingError.Kind.WX_VIOLATION);
        // A huge leaf whose own bits are W+X (only a corrupted or restricted tree has one): its split is refused.
        int hd = f.leafDepth(huge);
        Walk.StepRead s = m.walk(h.start()).steps().get(hd);
        m.memory().write64(s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES),
                f.encodeLeaf(s.entry().address(), rwx, hd));
        assertThat(rejected(m, tlb, () -> m.unmap(Page.of(PagingScope.WINDOW, base)))).isEqualTo(PagingError.Kind.WX_VIOLATION);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void badInputChangesNothing(PteFormat f) {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageSize base = f.pageSizes().get(0);
        PageSize huge = f.pageSizes().get(1);
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 16)), tlb);
        Page p = Page.of(PagingScope.WINDOW, base);
        m.map(p, PagingScope.frame(base, 0), PagingScope.R);
        assertThat(rejected(m, tlb, () -> m.map(p, PagingScope.frame(base, 1), PagingScope.R))).isEqualTo(PagingError.Kind.ALREADY_MAPPED);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(PagingScope.WINDOW, huge), PagingScope.frame(huge, 0), PagingScope.R)))
                .isEqualTo(PagingError.Kind.ALREADY_MAPPED);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(PagingScope.WINDOW + huge.bytes(), huge), PagingScope.misalignedFrame(),
                PagingScope.R))).isEqualTo(PagingError.Kind.MISALIGNED);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(PagingScope.WINDOW + huge.bytes(), base), PagingScope.frame(base, 0),
                PagingScope.NOT_PRESENT))).isEqualTo(PagingError.Kind.INVALID_FLAGS);
        assertThat(rejected(m, tlb, () -> m.unmap(Page.of(PagingScope.WINDOW + base.bytes(), base)))).isEqualTo(PagingError.Kind.NOT_MAPPED);
        assertThat(rejected(m, tlb, () -> m.unmap(Page.of(PagingScope.WINDOW, huge)))).isEqualTo(PagingError.Kind.SIZE_MISMATCH);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(0, PageSize.GIB_512), PagingScope.frame(base, 0),
                PagingScope.R))).isIn(PagingError.Kind.UNSUPPORTED_SIZE, PagingError.Kind.MISALIGNED);
        if (f.vaBits() == 39) {
            assertThat(rejected(m, tlb, () -> m.map(Page.of(1L << 40, base), PagingScope.frame(base, 0), PagingScope.R)))
                    .isEqualTo(PagingError.Kind.NON_CANONICAL);
        }
        // A reserved encoding on the way down is reported, not followed.
        Walk.StepRead top = m.walk(p.start()).steps().get(0);
        PhysAddr at = top.table().plus((long) top.index() * PhysicalMemory.WORD_BYTES);
        // x86 PS in a PML4 entry; AArch64 a block where the granule allows none; RISC-V U in a pointer.
        long reserved = f instanceof org.mmspec.paging.riscv.RiscvPte ? top.raw() | org.mmspec.paging.riscv.RiscvPte.U
                : f instanceof org.mmspec.paging.aarch64.Aarch64Pte ? top.raw() & ~org.mmspec.paging.aarch64.Aarch64Pte.TABLE_OR_PAGE
                : top.raw() | org.mmspec.paging.x86_64.X86_64Pte.PS;
        m.memory().write64(at, reserved);
        assertThat(f.decode(reserved, 0).kind()).isEqualTo(Entry.Kind.RESERVED);
        assertThat(rejected(m, tlb, () -> m.unmap(p))).isEqualTo(PagingError.Kind.MALFORMED_ENTRY);
        assertThat(rejected(m, tlb, () -> m.updateFlags(p, PagingScope.R))).isEqualTo(PagingError.Kind.MALFORMED_ENTRY);
        assertThat(rejected(m, tlb, () -> m.map(Page.of(PagingScope.WINDOW + base.bytes(), base), PagingScope.frame(base, 1),
                PagingScope.R))).isEqualTo(PagingError.Kind.MALFORMED_ENTRY);
    }
}
