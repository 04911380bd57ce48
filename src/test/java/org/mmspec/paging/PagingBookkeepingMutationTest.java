package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * Edges of the bookkeeping next to the page tables: {@link PagingStructureCaches} (the last byte of
 * a cached region, the scribbled range, its dump) and the reference model {@link PageTableModel}
 * (W^X on a split, its copy and its dump).
 */
class PagingBookkeepingMutationTest {

    private static final long GIB = 1L << 30;

    /** A TABLE_FREED flush that starts on the last byte of a cached region drops it. */
    @Test
    void aFlushStartingOnTheRegionsLastByteDropsIt() {
        PagingStructureCaches.Cached pt = new PagingStructureCaches.Cached(3, GIB, 2L << 20, 19);
        assertThat(pt.overlaps(GIB + (2L << 20) - 1, 1)).isTrue();
        assertThat(pt.overlaps(GIB + (2L << 20), 1)).isFalse();
        assertThat(pt.overlaps(GIB - 1, 1)).isFalse();
        assertThat(pt.overlaps(GIB - 1, 2)).isTrue();
    }

    /** Only the frames of the range that the allocator holds free get the previous owner's word. */
    @Test
    void scribbleStaysInsideItsRange() {
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(FrameRange.of(16, 8));
        PhysicalMemory memory = new PhysicalMemory();
        PagingStructureCaches.scribble(memory, FrameRange.of(16, 4), a);
        for (long f = 16; f < 20; f++) {
            assertThat(PagingStructureCaches.holdsLeftover(memory, PhysFrame.of(f))).as("frame %d", f).isTrue();
        }
        assertThat(PagingStructureCaches.holdsLeftover(memory, PhysFrame.of(20))).isFalse();
        assertThat(memory.nonZeroFrames()).isEqualTo(4);
    }

    @Test
    void theCachesDumpListsEveryEntry() {
        PhysicalMemory memory = new PhysicalMemory();
        PagingStructureCaches caches = new PagingStructureCaches(TlbFlushSink.NONE, memory);
        PageMapper m = new PageMapper(X86_64Pte.FORMAT, memory, new ReferenceFrameAllocator(FrameRange.of(16, 8)), caches);
        m.map(Page.of(GIB, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches.fill(m);
        assertThat(caches.toString()).isEqualTo("paging-structure caches:"
                + "\n  depth 1 for 0x0000000000000000+0x8000000000 -> table frame#17"
                + "\n  depth 2 for 0x0000000040000000+0x40000000 -> table frame#18"
                + "\n  depth 3 for 0x0000000040000000+0x200000 -> table frame#19");
    }

    /** The state codec keeps the record of a table freed while cached, so PTL-2 still reports it after a read. */
    @Test
    void theCachesCodecKeepsTablesFreedWhileCached() throws java.io.IOException {
        PhysicalMemory memory = new PhysicalMemory();
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(FrameRange.of(16, 8));
        PagingStructureCaches caches = new PagingStructureCaches(TlbFlushSink.NONE, memory);
        PageMapper m = new PageMapper(X86_64Pte.FORMAT, memory, a, caches);
        m.map(Page.of(GIB, PageSize.KIB_4), PagingScope.frame(PageSize.KIB_4, 0), PagingScope.R);
        caches.fill(m);
        caches.freeTable(FrameRange.of(19, 1), a);
        assertThat(caches.freedWhileCached()).hasSize(1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        caches.write(new java.io.DataOutputStream(bytes));
        PagingStructureCaches back = new PagingStructureCaches(TlbFlushSink.NONE, new PhysicalMemory());
        back.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.freedWhileCached()).isEqualTo(caches.freedWhileCached());
        assertThat(back.entries()).isEqualTo(caches.entries());
        assertThat(back.stateKey()).isEqualTo(caches.stateKey());
    }

    /** The model refuses to split a W+X leaf (as the mapper does), and only when a split is needed. */
    @Test
    void theModelRefusesToSplitAWritableExecutableLeaf() {
        PageTableModel model = new PageTableModel(X86_64Pte.FORMAT);
        Page huge = Page.of(GIB, PageSize.MIB_2);
        model.map(huge, PagingScope.frame(PageSize.MIB_2, 0), PagingScope.RWX);
        assertThat(model.changeOutcome(Page.of(GIB, PageSize.KIB_4), PagingScope.R, 8))
                .contains(PagingError.Kind.WX_VIOLATION);
        assertThat(model.changeOutcome(Page.of(GIB, PageSize.KIB_4), null, 8)).as("unmap of a piece splits too")
                .contains(PagingError.Kind.WX_VIOLATION);
        assertThat(model.changeOutcome(huge, PagingScope.R, 0)).as("the whole leaf needs no split").isEmpty();
        assertThat(model.changeOutcome(huge, null, 0)).isEmpty();
    }

    @Test
    void aModelCopyIsIndependentAndShowsItsLeaves() {
        PageTableModel model = new PageTableModel(X86_64Pte.FORMAT);
        Page p = Page.of(GIB, PageSize.KIB_4);
        PhysFrame frame = PagingScope.frame(PageSize.KIB_4, 0);
        model.map(p, frame, PagingScope.R);
        PageTableModel copy = model.copy();
        assertThat(copy.leaves()).isEqualTo(model.leaves());
        copy.change(p, null);
        assertThat(copy.leaves()).isEmpty();
        assertThat(model.translate(VirtAddr.of(GIB + 8))).isEqualTo(Optional.of(PhysAddr.of(frame.start().value() + 8)));
        assertThat(model).hasToString("[" + new Mapping(p, frame, PagingScope.R) + "]");
        assertThat(model.toString()).isEqualTo("[0x0000000040000000/4 KiB->" + frame + " PRESENT|USER|ACCESSED|NO_EXECUTE]");
    }
}
