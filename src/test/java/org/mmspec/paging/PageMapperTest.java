package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;

/** The PageMapper's operations on every format, one example each, read back through the MMU. */
class PageMapperTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    static PageMapper mapper(PteFormat f) {
        return new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 4096)),
                new TlbFlushSink.Recording());
    }

    static PageFlags rw(PteFormat f) {
        return PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER, PageFlags.NO_EXECUTE, PageFlags.ACCESSED);
    }

    /** A data frame far from the allocator's range, aligned to every page size. */
    static PhysFrame dataFrame(PageSize size, int k) {
        return PhysFrame.of((1L << 30 >>> 12) * 8 + k * size.frames());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void mapTranslateUnmapBasePage(PteFormat f) {
        PageMapper m = mapper(f);
        PageSize base = f.pageSizes().get(0);
        Page p = Page.of(0x4000_0000L, base);
        m.map(p, dataFrame(base, 1), rw(f));
        PagingInvariants.ALL.assertHolds(m);
        Translation t = m.translate(p.start().plus(0x123)).orElseThrow();
        assertThat(t.pa()).isEqualTo(dataFrame(base, 1).start().plus(0x123));
        assertThat(t.leafFlags()).isEqualTo(rw(f));
        assertThat(t.effective().writable()).isTrue();
        assertThat(t.effective().executable()).isFalse();
        assertThat(m.tableFrames()).hasSize(f.roots() + f.levels() - 1);
        Mapping gone = m.unmap(p);
        assertThat(gone.frame()).isEqualTo(dataFrame(base, 1));
        assertThat(m.translate(p.start())).isEmpty();
        assertThat(m.tableFrames()).hasSize(f.roots());
        PagingInvariants.ALL.assertHolds(m);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void wxRequestIsRejectedAndChangesNothing(PteFormat f) {
        PageMapper m = mapper(f);
        PageSize base = f.pageSizes().get(0);
        Object before = m.stateKey();
        assertThatThrownBy(() -> m.map(Page.of(0x4000_0000L, base), dataFrame(base, 0),
                PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE))).isInstanceOf(PagingError.class)
                .extracting(e -> ((PagingError) e).errorKind()).isEqualTo(PagingError.Kind.WX_VIOLATION);
        assertThat(m.stateKey()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void splitHugePageOnPartialUnmapAndProtect(PteFormat f) {
        PageMapper m = mapper(f);
        PageSize base = f.pageSizes().get(0);
        PageSize huge = f.pageSizes().get(1);
        Page h = Page.of(1L << 30, huge);
        m.map(h, dataFrame(huge, 1), rw(f));
        PagingInvariants.ALL.assertHolds(m);
        Page second = Page.of((1L << 30) + base.bytes(), base);
        Mapping gone = m.unmap(second);
        assertThat(gone.frame()).isEqualTo(dataFrame(huge, 1).plus(base.frames()));
        PagingInvariants.ALL.assertHolds(m);
        assertThat(m.translate(second.start())).isEmpty();
        assertThat(m.translate(h.start()).orElseThrow().pa()).isEqualTo(dataFrame(huge, 1).start());
        Page third = Page.of((1L << 30) + 2 * base.bytes(), base);
        m.updateFlags(third, rw(f).without(PageFlags.WRITABLE));
        assertThat(m.translate(third.start()).orElseThrow().effective().writable()).isFalse();
        assertThat(m.translate(h.start()).orElseThrow().effective().writable()).isTrue();
        PagingInvariants.ALL.assertHolds(m);
        assertThat(m.mappings()).hasSize((int) (huge.bytes() / base.bytes()) - 1);
        System.out.println(m.dumpPt(third.start()));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void upperHalfMapsThroughTheKernelRoot(PteFormat f) {
        PageMapper m = mapper(f);
        PageSize base = f.pageSizes().get(0);
        long kernel = -(1L << (f.vaBits() - 1));
        Page p = Page.of(kernel, base);
        PageFlags k = PageFlags.of(PageFlags.PRESENT, PageFlags.GLOBAL, PageFlags.ACCESSED);
        m.map(p, dataFrame(base, 2), k);
        assertThat(m.translate(p.start()).orElseThrow().leafFlags()).isEqualTo(k);
        assertThat(m.mappings().firstKey()).isEqualTo(p.start());
        PagingInvariants.ALL.assertHolds(m);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void releaseReturnsEveryTableFrame(PteFormat f) {
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(FrameRange.of(16, 4096));
        long free = a.freeFrames();
        PageMapper m = new PageMapper(f, new PhysicalMemory(), a, TlbFlushSink.NONE);
        PageSize base = f.pageSizes().get(0);
        m.map(Page.of(0x4000_0000L, base), dataFrame(base, 1), rw(f));
        m.map(Page.of(0x8000_0000L, base), dataFrame(base, 2), rw(f));
        List<Mapping> leaves = m.release();
        assertThat(leaves).hasSize(2);
        assertThat(a.freeFrames()).isEqualTo(free);
        assertThat(m.memory().nonZeroFrames()).isZero();
    }
}
