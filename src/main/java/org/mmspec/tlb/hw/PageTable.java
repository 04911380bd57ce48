package org.mmspec.tlb.hw;

import java.util.Objects;

/**
 * A small abstract page table as an immutable value: one leaf table of up to {@link #MAX_PAGES}
 * pages, each mapping to a frame with permissions and a global bit, plus the frame that holds the
 * leaf table itself (so that page-table reclaim can be modelled).
 *
 * <p>Encoding: page {@code p}'s {@link Pte} occupies bits {@code [p*Pte.BITS, (p+1)*Pte.BITS)}
 * of {@code entries}; {@code tablePresent} says whether the leaf table is still linked into the
 * tree (after reclaim it is not, and its frame may be freed once no CPU's paging-structure cache
 * points at it). Invariant: when {@code tablePresent} is false every entry is {@link Pte#NONE}.
 *
 * <p>The kernel writes this value (step 1 of a shootdown); the MMU ({@link Mmu}) reads it.
 */
public final class PageTable {
    /** Most pages one abstract table holds; keeps an encoded table within one {@code long}. */
    public static final int MAX_PAGES = 8;

    private final int pages;
    private final long entries;
    private final boolean tablePresent;
    private final int tableFrame;

    private PageTable(int pages, long entries, boolean tablePresent, int tableFrame) {
        this.pages = pages;
        this.entries = entries;
        this.tablePresent = tablePresent;
        this.tableFrame = tableFrame;
    }

    /** A table with {@code pages} absent entries, held in {@code tableFrame}. */
    public static PageTable empty(int pages, int tableFrame) {
        if (pages < 1 || pages > MAX_PAGES) {
            throw new IllegalArgumentException("pages must be 1.." + MAX_PAGES + ", not " + pages);
        }
        return new PageTable(pages, 0L, true, tableFrame);
    }

    public int pages() {
        return pages;
    }

    public int pte(int page) {
        checkPage(page);
        return (int) ((entries >>> (page * Pte.BITS)) & Pte.MASK);
    }

    /** A copy with {@code page}'s entry replaced. */
    public PageTable with(int page, int pte) {
        checkPage(page);
        if (!tablePresent && Pte.present(pte)) {
            throw new IllegalStateException("cannot map page " + page + " into a reclaimed table");
        }
        long shift = (long) page * Pte.BITS;
        long cleared = entries & ~((long) Pte.MASK << shift);
        return new PageTable(pages, cleared | ((long) (pte & Pte.MASK) << shift), tablePresent, tableFrame);
    }

    /** A copy whose leaf table is unlinked; every entry must already be absent. */
    public PageTable unlinkTable() {
        if (entries != 0L) {
            throw new IllegalStateException("cannot reclaim a table that still maps pages: " + this);
        }
        return new PageTable(pages, 0L, false, tableFrame);
    }

    public boolean tablePresent() {
        return tablePresent;
    }

    public int tableFrame() {
        return tableFrame;
    }

    /** The packed entries, for canonical keys. */
    public long encoded() {
        return entries | (tablePresent ? 1L << 63 : 0L);
    }

    /** The table whose {@link #encoded()} form is {@code encoded}, its leaf table in {@code tableFrame}. */
    public static PageTable decode(int pages, int tableFrame, long encoded) {
        return new PageTable(empty(pages, tableFrame).pages, encoded & ~(1L << 63), encoded < 0, tableFrame);
    }

    private void checkPage(int page) {
        if (page < 0 || page >= pages) {
            throw new IllegalArgumentException("page " + page + " outside 0.." + (pages - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageTable t && t.pages == pages && t.entries == entries && t.tablePresent == tablePresent
                && t.tableFrame == tableFrame;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pages, entries, tablePresent, tableFrame);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PT[");
        for (int p = 0; p < pages; p++) {
            sb.append(p == 0 ? "" : ", ").append('p').append(p).append('=').append(Pte.render(pte(p)));
        }
        sb.append(tablePresent ? "; table f" + tableFrame : "; table reclaimed").append(']');
        return sb.toString();
    }
}
