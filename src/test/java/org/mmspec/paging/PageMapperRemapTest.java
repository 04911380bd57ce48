package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * {@link PageMapper#remap}, the copy-on-write break's in-place re-point: the leaf maps the new
 * frame, no table is reclaimed or allocated, one REMAP flush is requested, W^X is enforced and a
 * rejected remap changes nothing and flushes nothing.
 */
class PageMapperRemapTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void remapRePointsTheLeafInPlace(PteFormat f) {
        TlbFlushSink.Recording sink = new TlbFlushSink.Recording();
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 4096)), sink);
        PageSize base = f.pageSizes().get(0);
        Page p = Page.of(0x4000_0000L, base);
        PageFlags ro = PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.NO_EXECUTE, PageFlags.ACCESSED);
        m.map(p, PageMapperTest.dataFrame(base, 1), ro);
        var tables = m.tableFrames();
        sink.clear();
        Mapping old = m.remap(p, PageMapperTest.dataFrame(base, 2), PageMapperTest.rw(f));
        assertThat(old.frame()).isEqualTo(PageMapperTest.dataFrame(base, 1));
        assertThat(m.translate(p.start()).orElseThrow().pa()).isEqualTo(PageMapperTest.dataFrame(base, 2).start());
        assertThat(m.tableFrames()).isEqualTo(tables);
        assertThat(sink.flushes()).extracting(TlbFlush::reason).isEqualTo(List.of(TlbFlush.Reason.REMAP));
        PagingInvariants.ALL.assertHolds(m);
    }

    @ParameterizedTest
    @MethodSource("formats")
    void aRejectedRemapChangesNothing(PteFormat f) {
        TlbFlushSink.Recording sink = new TlbFlushSink.Recording();
        PageMapper m = new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 4096)), sink);
        PageSize base = f.pageSizes().get(0);
        Page p = Page.of(0x4000_0000L, base);
        m.map(p, PageMapperTest.dataFrame(base, 1), PageMapperTest.rw(f));
        Object before = m.stateKey();
        sink.clear();
        PageFlags wx = PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER);
        assertThatThrownBy(() -> m.remap(p, PageMapperTest.dataFrame(base, 2), wx)).isInstanceOf(PagingError.class)
                .extracting(e -> ((PagingError) e).kind()).isEqualTo("WX_VIOLATION");
        Page unmapped = Page.of(0x8000_0000L, base);
        assertThatThrownBy(() -> m.remap(unmapped, PageMapperTest.dataFrame(base, 2), PageMapperTest.rw(f)))
                .isInstanceOf(PagingError.class).extracting(e -> ((PagingError) e).kind()).isEqualTo("NOT_MAPPED");
        assertThat(m.stateKey()).isEqualTo(before);
        assertThat(sink.flushes()).isEmpty();
    }
}
