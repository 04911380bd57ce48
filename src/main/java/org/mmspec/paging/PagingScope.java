package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * The small universe the stateful and exhaustive checks draw from, for one format: a window of
 * overlapping pages of every size (so that maps collide, huge pages split and tables are shared
 * and reclaimed), a kernel page in the upper half, a page outside Sv39's 39 bits, a page outside
 * every 48-bit space but inside 57 bits, data frames
 * aligned (and one misaligned) for every size, and flag sets that include the W+X and
 * malformed requests every operation must reject.
 *
 * <p>Data frames lie far above the frames the table allocator manages, so the mapper never
 * confuses a data frame with a table frame; ownership of data frames is the address space's
 * business, not the mapper's.
 */
public final class PagingScope {
    /** Where the page window starts: 1 GiB, aligned to every leaf size up to 1 GiB. */
    public static final long WINDOW = 1L << 30;
    /** First data frame: 8 GiB, aligned to every leaf size up to 1 GiB. */
    public static final long DATA_FRAME_BASE = (8L << 30) >>> PhysFrame.SHIFT;
    /** First frame the table allocator manages (aligned to a 64 KiB table). */
    public static final long TABLE_FRAME_BASE = 16;

    private PagingScope() {
    }

    /** Leaf sizes up to 1 GiB: the window holds one 1 GiB page at most. */
    public static List<PageSize> sizes(PteFormat f) {
        return f.pageSizes().stream().filter(s -> s.shift() <= PageSize.GIB_1.shift()).toList();
    }

    /**
     * Candidate pages: for each size, the first {@code perSize} pages of the window; the kernel
     * half's first base page; a base page at 2^40 (canonical in 48 bits, not in Sv39); a base page
     * at {@link #WIDE} (canonical only in 57 bits: 5-level paging maps it, every narrower mode
     * refuses it); and, where the format has a leaf above 1 GiB (the RISC-V terapage, Sv57's
     * petapage), one such leaf at address 0, over the window and the pages above it.
     */
    public static List<Page> pages(PteFormat f, int perSize) {
        List<Page> out = new ArrayList<>();
        List<PageSize> sizes = sizes(f);
        for (PageSize s : sizes) {
            int n = s.shift() == PageSize.GIB_1.shift() ? 1 : perSize;
            for (int k = 0; k < n; k++) {
                out.add(Page.of(WINDOW + k * s.bytes(), s));
            }
        }
        PageSize base = sizes.get(0);
        out.add(Page.of(-(1L << 47), base));
        out.add(Page.of(1L << 40, base));
        out.add(Page.of(WIDE, base));
        PageSize largest = f.pageSizes().get(f.pageSizes().size() - 1);
        if (largest.shift() > PageSize.GIB_1.shift()) {
            out.add(Page.of(0, largest));
        }
        return out;
    }

    /**
     * 2^47: the first address past the lower half of a 48-bit space. Canonical under LA57 and Sv57
     * (PML5/VPN[4] index 0, PML4/VPN[3] index 256); under 4-level paging its bits 47:39 would
     * index the kernel half's first root entry, which is why the canonical check must refuse it.
     */
    public static final long WIDE = 1L << 47;

    /** Frame {@code k} for a page of {@code size}: aligned to it (the data base rounded up to the size, for leaves above 1 GiB). */
    public static PhysFrame frame(PageSize size, int k) {
        long first = (DATA_FRAME_BASE + size.frames() - 1) & -size.frames();
        return PhysFrame.of(first + k * size.frames());
    }

    /** A frame misaligned for every size above 4 KiB. */
    public static PhysFrame misalignedFrame() {
        return PhysFrame.of(DATA_FRAME_BASE + 1);
    }

    /** Read-only data. */
    public static final PageFlags R = PageFlags.of(PageFlags.PRESENT, PageFlags.NO_EXECUTE, PageFlags.ACCESSED, PageFlags.USER);
    /** Read-write data. */
    public static final PageFlags RW = R.with(PageFlags.WRITABLE).with(PageFlags.DIRTY);
    /** Code. */
    public static final PageFlags RX = PageFlags.of(PageFlags.PRESENT, PageFlags.ACCESSED, PageFlags.USER);
    /** Writable code: every operation must refuse it (W^X). */
    public static final PageFlags RWX = RX.with(PageFlags.WRITABLE).with(PageFlags.DIRTY);
    /** Kernel read-write data, global. */
    public static final PageFlags KRW = PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.NO_EXECUTE,
            PageFlags.ACCESSED, PageFlags.GLOBAL);
    /** Not present: INVALID_FLAGS. */
    public static final PageFlags NOT_PRESENT = PageFlags.of(PageFlags.WRITABLE, PageFlags.NO_EXECUTE);
    /** Cache attributes: INVALID_FLAGS on RISC-V (no Svpbmt). */
    public static final PageFlags UNCACHED = R.with(PageFlags.NO_CACHE);

    /** Every flag set the random checks draw from. */
    public static List<PageFlags> flagChoices(PteFormat f) {
        List<PageFlags> out = new ArrayList<>(List.of(R, RW, RX, RWX, KRW, NOT_PRESENT, UNCACHED));
        // RW carries DIRTY, which AArch64 cannot encode; use AF-only variants there so RW is mappable.
        if (!f.supportedFlags().contains(PageFlags.DIRTY)) {
            out.replaceAll(x -> x.without(PageFlags.DIRTY));
            out.add(R.with(PageFlags.DIRTY));
        }
        return out;
    }

    /** The flags with DIRTY dropped where the format cannot encode it. */
    public static PageFlags fit(PteFormat f, PageFlags flags) {
        return f.supportedFlags().contains(PageFlags.DIRTY) ? flags : flags.without(PageFlags.DIRTY);
    }

    /** Table frames for {@code tables} tables of {@code f}. */
    public static FrameRange tableFrames(PteFormat f, int tables) {
        return FrameRange.of(TABLE_FRAME_BASE, (long) tables * f.tableFrames());
    }
}
