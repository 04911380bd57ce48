package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The PageMapper's details one example each: table allocation from an allocator that cannot
 * align, exact error kinds and messages, the split of a 1 GiB page across two levels, remap and
 * release with the flushes they request, the root registers, the dumps, and what the state key
 * distinguishes.
 */
class PageMapperDetailTest {

    private static final X86_64Pte X86 = X86_64Pte.FORMAT;
    private static final PageFlags R = PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.ACCESSED, PageFlags.NO_EXECUTE);
    private static final long GIB = 1L << 30;
    private static final long MIB2 = 2L << 20;

    /** An allocator that places runs first-fit but cannot honour an alignment (the interface's default). */
    static final class Unaligning implements FrameAllocator {
        final ReferenceFrameAllocator inner;

        Unaligning(FrameRange range) {
            inner = new ReferenceFrameAllocator(range);
        }

        @Override
        public FrameRange allocate(long count) {
            return inner.allocate(count);
        }

        @Override
        public void free(FrameRange run) {
            inner.free(run);
        }

        @Override
        public long freeFrames() {
            return inner.freeFrames();
        }

        @Override
        public long managedFrames() {
            return inner.managedFrames();
        }
    }

    private static PagingError error(Runnable r) {
        PagingError e = catchThrowableOfType(PagingError.class, r::run);
        assertThat(e).isNotNull();
        return e;
    }

    private static PageMapper x86(TlbFlushSink sink) {
        return new PageMapper(X86, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 64)), sink);
    }

    @Test
    void anAllocatorThatCannotAlignGetsAlignedTablesByPadding() {
        Unaligning a = new Unaligning(FrameRange.of(17, 64));
        PageMapper m = new PageMapper(Aarch64Pte.G16K, new PhysicalMemory(), a, TlbFlushSink.NONE);
        // 16 KiB tables are 4 frames aligned to 4: frames 17..19 are padded over, then 20 and 24.
        assertThat(m.roots()).containsExactly(PhysFrame.of(20), PhysFrame.of(24));
        assertThat(a.freeFrames()).isEqualTo(56);
        assertThat(a.inner.isFree(PhysFrame.of(17))).as("the padding went back").isTrue();
        assertThat(m.allocatorSaysFree(PhysFrame.of(17))).as("it cannot say").isEmpty();
        Page p = Page.of(GIB, PageSize.KIB_16);
        m.map(p, PhysFrame.of(0x10_0000), R);
        assertThat(m.tableFrames()).allMatch(t -> t.number() % 4 == 0).hasSize(5);
        assertThat(a.freeFrames()).isEqualTo(44);
        m.unmap(p);
        assertThat(a.freeFrames()).isEqualTo(56);
        assertThat(m.stateKey()).isEqualTo(List.of(m.memory().snapshot(), List.of(20L, 24L), 56L));
    }

    @Test
    void runningOutWhilePaddingIsOutOfMemoryAndGivesThePaddingBack() {
        Unaligning a = new Unaligning(FrameRange.of(17, 4));
        PagingError e = error(() -> new PageMapper(Aarch64Pte.G16K, new PhysicalMemory(), a, TlbFlushSink.NONE));
        assertThat(e.errorKind()).isEqualTo(PagingError.Kind.OUT_OF_MEMORY);
        assertThat(e.getMessage()).startsWith("no frame for a page table: ");
        assertThat(a.freeFrames()).isEqualTo(4);
        // An aligning allocator that runs out says the same, with the allocator's own reason.
        ReferenceFrameAllocator small = new ReferenceFrameAllocator(FrameRange.of(16, 1));
        PageMapper m = new PageMapper(X86, new PhysicalMemory(), small, TlbFlushSink.NONE);
        PagingError oom = error(() -> m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R));
        assertThat(oom.errorKind()).isEqualTo(PagingError.Kind.OUT_OF_MEMORY);
        assertThat(oom.getMessage()).startsWith("no frame for a page table: ");
        assertThat(oom.getMessage()).isEqualTo("no frame for a page table: allocate(1): no free run");
        PageMapper g16 = new PageMapper(Aarch64Pte.G16K, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 8)),
                TlbFlushSink.NONE);
        PagingError oom16 = error(() -> g16.map(Page.of(GIB, PageSize.KIB_16), PhysFrame.of(0x10_0000), R));
        assertThat(oom16.getMessage()).isEqualTo("no frame for a page table: allocate(4): no free run");
    }

    /** Linking new tables under an existing one writes each pointer at its own level's index. */
    @Test
    void newTablesAreLinkedAtTheirOwnLevelsIndex() {
        PageMapper m = x86(TlbFlushSink.NONE);
        m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R);
        // PML4 0 (shared), PDPT 2, PD 3, PT 3: two new tables below an existing PDPT.
        long va = 2 * GIB + 3 * MIB2 + 3 * 4096;
        m.map(Page.of(va, PageSize.KIB_4), PhysFrame.of(0x10_0001), R);
        assertThat(m.translate(VirtAddr.of(va)).orElseThrow().pa()).isEqualTo(PhysFrame.of(0x10_0001).start());
        assertThat(m.walk(VirtAddr.of(va)).steps()).extracting(Walk.StepRead::index).containsExactly(0, 2, 3, 3);
        assertThat(m.translate(VirtAddr.of(GIB)).orElseThrow().pa()).isEqualTo(PhysFrame.of(0x10_0000).start());
        PagingInvariants.ALL.assertHolds(m);
    }

    @Test
    void aReservedEntryWhereTheLeafGoesIsMalformed() {
        PageMapper m = x86(TlbFlushSink.NONE);
        m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R);
        m.unmap(Page.of(GIB, PageSize.KIB_4));
        m.map(Page.of(GIB + MIB2, PageSize.KIB_4), PhysFrame.of(0x10_0000), R);
        Walk.StepRead pd = m.walk(VirtAddr.of(GIB)).steps().get(2);
        m.memory().write64(pd.table().plus((long) pd.index() * 8), 0x20_2081L);
        Object before = m.stateKey();
        PagingError e = error(() -> m.map(Page.of(GIB, PageSize.MIB_2), PhysFrame.of(0x10_0000), R));
        assertThat(e.errorKind()).isEqualTo(PagingError.Kind.MALFORMED_ENTRY);
        assertThat(e.getMessage()).isEqualTo(
                "0x0000000040000000/2 MiB: PD entry is malformed: address bits 13..20 of a PD leaf are reserved");
        assertThat(m.stateKey()).isEqualTo(before);
    }

    @Test
    void allocatorSaysFreeAsksATrackingAllocator() {
        PageMapper m = x86(TlbFlushSink.NONE);
        assertThat(m.allocatorSaysFree(PhysFrame.of(16))).contains(false);
        assertThat(m.allocatorSaysFree(PhysFrame.of(17))).contains(true);
    }

    @Test
    void badPagesAndFlagsAreRejectedWithTheirKindAndReason() {
        PageMapper m = x86(TlbFlushSink.NONE);
        Object before = m.stateKey();
        PagingError size = error(() -> m.map(Page.of(GIB, PageSize.KIB_16), PhysFrame.of(0x10_0000), R));
        assertThat(size.errorKind()).isEqualTo(PagingError.Kind.UNSUPPORTED_SIZE);
        assertThat(size.getMessage()).isEqualTo("x86_64 has no 16 KiB leaf (sizes [4 KiB, 2 MiB, 1 GiB])");
        PageMapper sv39 = new PageMapper(org.mmspec.paging.riscv.RiscvPte.SV39, new PhysicalMemory(),
                new ReferenceFrameAllocator(FrameRange.of(16, 64)), TlbFlushSink.NONE);
        PagingError canon = error(() -> sv39.unmap(Page.of(1L << 40, PageSize.KIB_4)));
        assertThat(canon.errorKind()).isEqualTo(PagingError.Kind.NON_CANONICAL);
        assertThat(canon.getMessage()).isEqualTo("0x0000010000000000 is not canonical for 39-bit sv39");
        PagingError mis = error(() -> m.map(Page.of(GIB, PageSize.MIB_2), PhysFrame.of(0x10_0001), R));
        assertThat(mis.errorKind()).isEqualTo(PagingError.Kind.MISALIGNED);
        assertThat(mis.getMessage()).isEqualTo("map 0x0000000040000000/2 MiB: frame#1048577 is not aligned to 2 MiB");
        PagingError np = error(() -> m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), PageFlags.of(PageFlags.USER)));
        assertThat(np.errorKind()).isEqualTo(PagingError.Kind.INVALID_FLAGS);
        assertThat(np.getMessage()).isEqualTo("map 0x0000000040000000/4 KiB: flags USER lack PRESENT");
        assertThat(m.stateKey()).isEqualTo(before);
    }

    @Test
    void aarch64CannotEncodeDirty() {
        PageMapper m = new PageMapper(Aarch64Pte.G4K, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 64)),
                TlbFlushSink.NONE);
        PagingError e = error(() -> m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R.with(PageFlags.DIRTY)));
        assertThat(e.errorKind()).isEqualTo(PagingError.Kind.INVALID_FLAGS);
        assertThat(e.getMessage()).isEqualTo("map 0x0000000040000000/4 KiB: aarch64-4k cannot encode DIRTY");
    }

    /** A 1 GiB page split down to 4 KiB: two new tables, every other byte still translating to the same place. */
    @Test
    void unmappingA4KibPageInsideA1GibPageSplitsTwoLevels() {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageMapper m = x86(tlb);
        PhysFrame huge = PhysFrame.of(4 * (GIB >>> 12));
        m.map(Page.of(GIB, PageSize.GIB_1), huge, R);
        assertThat(m.tableFrames()).hasSize(2);
        Page victim = Page.of(GIB + 3 * MIB2 + 5 * 4096, PageSize.KIB_4);
        Mapping gone = m.unmap(victim);
        assertThat(gone).isEqualTo(new Mapping(victim, huge.plus(3 * 512 + 5), R));
        assertThat(m.tableFrames()).hasSize(4);
        assertThat(tlb.flushes()).containsExactly(new TlbFlush(VirtAddr.of(GIB), GIB, TlbFlush.Reason.SPLIT),
                new TlbFlush(victim.start(), 4096, TlbFlush.Reason.UNMAP));
        assertThat(m.translate(victim.start())).isEmpty();
        assertThat(m.translate(VirtAddr.of(GIB + 3 * MIB2 + 6 * 4096 + 8)).orElseThrow().pa())
                .isEqualTo(huge.start().plus(3 * MIB2 + 6 * 4096 + 8));
        assertThat(m.translate(VirtAddr.of(GIB + 3 * MIB2 + 4 * 4096)).orElseThrow().page())
                .isEqualTo(Page.of(GIB + 3 * MIB2 + 4 * 4096, PageSize.KIB_4));
        assertThat(m.translate(VirtAddr.of(GIB + 7 * MIB2 + 0x123)).orElseThrow().pa()).isEqualTo(huge.start().plus(7 * MIB2 + 0x123));
        assertThat(m.translate(VirtAddr.of(GIB + 7 * MIB2)).orElseThrow().page()).isEqualTo(Page.of(GIB + 7 * MIB2, PageSize.MIB_2));
        assertThat(m.translate(VirtAddr.of(2 * GIB - 8)).orElseThrow().pa()).isEqualTo(huge.start().plus(GIB - 8));
        assertThat(m.mappings()).hasSize(511 + 511);
        PagingInvariants.ALL.assertHolds(m);
    }

    @Test
    void remapInsideAHugePageSplitsAndReturnsThePieceItReplaced() {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageMapper m = x86(tlb);
        PhysFrame huge = PhysFrame.of(4 * (GIB >>> 12));
        m.map(Page.of(GIB, PageSize.MIB_2), huge, R);
        Page p = Page.of(GIB + 9 * 4096, PageSize.KIB_4);
        Mapping old = m.remap(p, PhysFrame.of(0x20_0000), R.with(PageFlags.DIRTY));
        assertThat(old).isEqualTo(new Mapping(p, huge.plus(9), R));
        assertThat(m.translate(p.start()).orElseThrow().pa()).isEqualTo(PhysFrame.of(0x20_0000).start());
        assertThat(m.translate(p.start().plus(4096)).orElseThrow().pa()).isEqualTo(huge.plus(10).start());
        assertThat(tlb.flushes()).containsExactly(new TlbFlush(VirtAddr.of(GIB), MIB2, TlbFlush.Reason.SPLIT),
                new TlbFlush(p.start(), 4096, TlbFlush.Reason.REMAP));
        PagingError mis = error(() -> m.remap(Page.of(GIB, PageSize.MIB_2), PhysFrame.of(0x20_0001), R));
        assertThat(mis.errorKind()).isEqualTo(PagingError.Kind.MISALIGNED);
        assertThat(mis.getMessage()).isEqualTo("remap 0x0000000040000000/2 MiB: frame#2097153 is not aligned to 2 MiB");
    }

    /** A huge leaf that is W+X (written behind the mapper's back) is never split into W+X pieces. */
    @Test
    void noOperationSplitsAWritableExecutableHugeLeaf() {
        PageMapper m = x86(TlbFlushSink.NONE);
        PhysFrame huge = PhysFrame.of(4 * (GIB >>> 12));
        m.map(Page.of(GIB, PageSize.MIB_2), huge, R);
        Walk.StepRead leaf = m.walk(VirtAddr.of(GIB)).steps().get(2);
        PhysAddr at = leaf.table().plus((long) leaf.index() * 8);
        PageFlags wx = PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.ACCESSED);
        m.memory().write64(at, X86.encodeLeaf(huge.start(), wx, 2));
        Object before = m.stateKey();
        Page p = Page.of(GIB + 4096, PageSize.KIB_4);
        String reason = "split for 0x0000000040001000/4 KiB: W^X: the huge leaf's flags PRESENT|WRITABLE|ACCESSED are writable and executable";
        for (Runnable op : List.<Runnable>of(() -> m.unmap(p), () -> m.updateFlags(p, R), () -> m.remap(p, PhysFrame.of(0x20_0000), R))) {
            PagingError e = error(op);
            assertThat(e.errorKind()).isEqualTo(PagingError.Kind.WX_VIOLATION);
            assertThat(e.getMessage()).isEqualTo(reason);
            assertThat(m.stateKey()).isEqualTo(before);
        }
    }

    @Test
    void releaseFlushesEverythingOnceThenFreesEveryTable() {
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PageMapper m = x86(tlb);
        m.map(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R);
        tlb.clear();
        List<Mapping> leaves = m.release();
        assertThat(leaves).containsExactly(new Mapping(Page.of(GIB, PageSize.KIB_4), PhysFrame.of(0x10_0000), R));
        assertThat(tlb.flushes()).containsExactly(new TlbFlush(VirtAddr.of(0), TlbFlush.EVERYTHING, TlbFlush.Reason.TABLE_FREED));
        assertThat(tlb.flushes().get(0).full()).isTrue();
        assertThat(tlb.flushes().get(0)).hasToString("TABLE_FREED (full flush)");
        assertThat(m.tableFrames()).isEmpty();
        assertThat(m.allocator().freeFrames()).isEqualTo(64);
    }

    @Test
    void rootsAndRootRegisters() {
        PageMapper m = x86(TlbFlushSink.NONE);
        assertThat(m.rootTable()).isEqualTo(PhysFrame.of(16));
        assertThat(m.rootRegister(0, 5)).isEqualTo(0x1_0005L);
        PageMapper a = new PageMapper(Aarch64Pte.G4K, new PhysicalMemory(), new ReferenceFrameAllocator(FrameRange.of(16, 64)),
                TlbFlushSink.NONE);
        assertThat(a.rootTable()).isEqualTo(PhysFrame.of(16));
        assertThat(a.rootRegister(1, 2)).isEqualTo(0x0002_0000_0001_1000L);
        assertThat(m).hasToString("x86_64 PageMapper roots=[frame#16] tables=[16] mappings=[]");
    }

    @Test
    void dumpsShowTheWalkAndTheTree() {
        PageMapper m = x86(TlbFlushSink.NONE);
        m.map(Page.of(0x4000_2000L, PageSize.KIB_4), PhysFrame.of(0x20_0202), R);
        assertThat(m.dumpPt(VirtAddr.of(0x4000_2000L))).isEqualTo(String.join("\n",
                "dump_pt 0x0000000040002000 (x86_64, root frame#16, root register 0x10000)",
                "  PML4 [   0] @0x10000      = 0x0000000000011007  TABLE -> 0x11000  P RW US",
                "  PDPT [   1] @0x11008      = 0x0000000000012007  TABLE -> 0x12000  P RW US",
                "  PD   [   0] @0x12000      = 0x0000000000013007  TABLE -> 0x13000  P RW US",
                "  PT   [   2] @0x13010      = 0x8000000200202025  LEAF 4 KiB -> 0x200202000  P US A NX",
                "  => 0x0000000040002000 -> 0x200202000 (4 KiB page, leaf PRESENT|USER|ACCESSED|NO_EXECUTE, effective -U--)", ""));
        assertThat(m.dumpTree()).contains("0x8000000200202025").contains("PDPT");
    }

    /** ATOMIC-1 compares state keys: they must see the allocator's free runs, not only how many frames are free. */
    @Test
    void theStateKeySeesWhichFramesAreFree() {
        PageMapper a = x86(TlbFlushSink.NONE);
        PageMapper b = x86(TlbFlushSink.NONE);
        assertThat(a.stateKey()).isEqualTo(b.stateKey());
        a.allocator().allocate(1);
        FrameRange first = b.allocator().allocate(1);
        b.allocator().allocate(1);
        b.allocator().free(first);
        assertThat(a.allocator().freeFrames()).isEqualTo(b.allocator().freeFrames());
        assertThat(a.stateKey()).isNotEqualTo(b.stateKey());
        FrameRange managed = FrameRange.of(0, 1024);
        HybridAllocator ha = new HybridAllocator(managed, List.of());
        HybridAllocator hb = new HybridAllocator(managed, List.of());
        PageMapper c = new PageMapper(X86, new PhysicalMemory(), ha, TlbFlushSink.NONE);
        PageMapper d = new PageMapper(X86, new PhysicalMemory(), hb, TlbFlushSink.NONE);
        assertThat(c.stateKey()).isEqualTo(d.stateKey());
        ha.allocate(1);
        FrameRange f = hb.allocate(1);
        hb.allocate(1);
        hb.free(f);
        assertThat(ha.freeFrames()).isEqualTo(hb.freeFrames());
        assertThat(c.stateKey()).isNotEqualTo(d.stateKey());
    }
}
