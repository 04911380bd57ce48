package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.riscv.RiscvPte;

/**
 * The bounded inductiveness check that {@code proofs/wx.md} names: from <em>every</em> state of a
 * small scope that satisfies all page-table invariants (reachable or not), every operation that
 * writes a page-table entry (map, unmap, updateFlags, remap, and the huge-page split inside the
 * last three) leads to a state that satisfies them again; in particular WX-1. Remap (the
 * copy-on-write break's in-place re-point) moves each page to another data frame with every
 * request, W+X included.
 *
 * <p>The scope is built from the bits, not from mapper calls, so it holds states the mapper never
 * produces: two neighbouring base-page leaves, each absent or encoding any combination of
 * WRITABLE, NO_EXECUTE and USER (W+X included), under a parent table entry that is permissive,
 * no-execute or read-only (x86_64 NX / RW=0, AArch64 XNTable / APTable; RISC-V pointers carry no
 * permissions); and a huge leaf with any of those flag combinations under the same three parents;
 * and the empty tree. A W+X leaf under a no-execute or read-only table satisfies WX-1 (its
 * effective permissions are not W+X), which is exactly the case where checking requested flags
 * instead of effective ones could go wrong.
 */
public final class WxInductiveness {
    private WxInductiveness() {
    }

    /** The check's name, as {@code proofs/wx.md} cites it. */
    public static String name(PteFormat f) {
        return "WX-1 inductive step, " + f.name() + " (WxInductiveness)";
    }

    private static Bounds bounds(PteFormat f) {
        return Bounds.parse("format=" + f.name() + ",pages=2,huge=1,kernel=0,remap=1,tables=" + (f.roots() + f.levels() + 4));
    }

    /** Every PTE-writing operation on the scope's pages, with every request (W+X included). */
    public static ActionSystem<PageMapper> system(PteFormat f) {
        return PagingModels.system(bounds(f));
    }

    /** The flag combinations a scope leaf may carry. */
    static List<PageFlags> leafFlags(PteFormat f) {
        List<PageFlags> out = new ArrayList<>();
        PageFlags base = PagingScope.fit(f, PageFlags.of(PageFlags.PRESENT, PageFlags.ACCESSED, PageFlags.DIRTY));
        for (int bits = 0; bits < 8; bits++) {
            PageFlags fl = base;
            fl = (bits & 1) != 0 ? fl.with(PageFlags.WRITABLE) : fl;
            fl = (bits & 2) != 0 ? fl.with(PageFlags.NO_EXECUTE) : fl;
            fl = (bits & 4) != 0 ? fl.with(PageFlags.USER) : fl;
            out.add(fl);
        }
        return out;
    }

    /** The table restrictions a scope parent entry may carry. */
    static List<PageFlags> parentRestrictions(PteFormat f) {
        PageFlags p = f.permissiveTableFlags();
        if (f instanceof RiscvPte) {
            return List.of(p);
        }
        return List.of(p, p.with(PageFlags.NO_EXECUTE), p.without(PageFlags.WRITABLE));
    }

    /** Every state of the scope, satisfying the invariants or not (the check skips those that do not). */
    public static List<PageMapper> scope(PteFormat f) {
        Bounds b = bounds(f);
        FrameRange managed = PagingScope.tableFrames(f, b.getInt("tables"));
        List<Page> pages = PagingModels.pages(f, b);
        Page p0 = pages.get(0);
        Page p1 = pages.get(1);
        Page huge = pages.get(2);
        int last = f.levels() - 1;
        List<PageMapper> out = new ArrayList<>();
        out.add(fresh(f, managed));
        List<PageFlags> flags = leafFlags(f);
        for (PageFlags parent : parentRestrictions(f)) {
            // Two base pages under one last-level table.
            for (int a = 0; a <= flags.size(); a++) {
                for (int c = 0; c <= flags.size(); c++) {
                    PageMapper m = fresh(f, managed);
                    m.map(p0, PagingModels.frameFor(p0), PagingScope.R);
                    setLeaf(m, p0, last, a == 0 ? null : flags.get(a - 1));
                    setLeaf(m, p1, last, c == 0 ? null : flags.get(c - 1));
                    setParent(m, p0, last - 1, parent);
                    out.add(m);
                }
            }
            // One huge leaf.
            int hd = f.leafDepth(huge.size());
            for (PageFlags fl : flags) {
                PageMapper m = fresh(f, managed);
                m.map(huge, PagingModels.frameFor(huge), PagingScope.R);
                setLeaf(m, huge, hd, fl);
                if (hd > 0) {
                    setParent(m, huge, hd - 1, parent);
                }
                out.add(m);
            }
        }
        return out;
    }

    private static PageMapper fresh(PteFormat f, FrameRange managed) {
        return new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(managed), TlbFlushSink.NONE);
    }

    private static PhysAddr entryAt(PageMapper m, Page p, int depth) {
        Walk.StepRead s = m.walk(p.start()).steps().get(depth);
        return s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES);
    }

    private static void setLeaf(PageMapper m, Page p, int depth, PageFlags flags) {
        PhysAddr at = entryAt(m, p, depth);
        m.memory().write64(at, flags == null ? 0 : m.format().encodeLeaf(PagingModels.frameFor(p).start(), flags, depth));
    }

    private static void setParent(PageMapper m, Page p, int depth, PageFlags restriction) {
        Walk.StepRead s = m.walk(p.start()).steps().get(depth);
        m.memory().write64(s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES),
                m.format().encodeTable(s.entry().address(), restriction, depth));
    }
}
