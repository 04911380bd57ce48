package org.mmspec.tlb.hw;

/**
 * The hardware's own moves, which real MMUs make at any moment and the kernel cannot prevent:
 * speculative fills from the current page table, evictions, and accesses that hit the TLB or
 * walk the table. Trusted: the exhaustive model offers every one of these moves in every state,
 * and the threaded implementation calls {@link #access} from its CPU threads.
 *
 * <p>A fill copies the current PTE. Caching the leaf table's frame in the paging-structure
 * cache is a separate move ({@link #cacheTable}); a walk through a stale cached table pointer
 * reads whatever the freed frame holds, which is why TLB-2 also covers that cache. A
 * fill never overwrites an entry already cached for the page: the hardware keeps what it has
 * until it is evicted or invalidated, which is exactly what makes stale entries possible.
 */
public final class Mmu {
    private Mmu() {
    }

    /** Whether a speculative fill of {@code page} is possible now. */
    public static boolean canFill(Tlb tlb, PageTable pt, int page) {
        return !tlb.holds(page) && Pte.present(pt.pte(page)) && !tlb.full();
    }

    /** The speculative fill of {@code page}: caches the current PTE. */
    public static Tlb fill(Tlb tlb, PageTable pt, int page) {
        if (!canFill(tlb, pt, page)) {
            throw new IllegalStateException("no fill of page " + page + " possible: " + tlb + " " + pt);
        }
        return tlb.withEntry(page, pt.pte(page));
    }

    /** Whether the walker may cache the leaf table's frame now. */
    public static boolean canCacheTable(Tlb tlb, PageTable pt) {
        return !tlb.pwc() && pt.tablePresent();
    }

    public static Tlb cacheTable(Tlb tlb) {
        return tlb.withPwc(true);
    }

    /** Eviction of {@code page}'s entry, at the hardware's whim. */
    public static Tlb evict(Tlb tlb, int page) {
        return tlb.withEntry(page, Pte.NONE);
    }

    /** Eviction of the paging-structure cache entry. */
    public static Tlb evictTable(Tlb tlb) {
        return tlb.withPwc(false);
    }

    /**
     * What an access found: the translation it used (from the TLB or from a walk), whether it
     * came from the TLB, and the TLB afterwards (a walk that succeeds fills the TLB when there is
     * room).
     */
    public static final class Access {
        private final int translation;
        private final boolean hit;
        private final Tlb after;

        Access(int translation, boolean hit, Tlb after) {
            this.translation = translation;
            this.hit = hit;
            this.after = after;
        }

        /** The PTE the access used, {@link Pte#NONE} for a fault. */
        public int translation() {
            return translation;
        }

        public boolean hit() {
            return hit;
        }

        public Tlb after() {
            return after;
        }

        /** Whether the access may proceed: present and, for writes, writable. */
        public boolean allowed(boolean write) {
            return Pte.present(translation) && (!write || Pte.writable(translation));
        }
    }

    /** An access to {@code page}: uses the TLB entry if present, otherwise walks the table. */
    public static Access access(Tlb tlb, PageTable pt, int page) {
        int cached = tlb.entry(page);
        if (Pte.present(cached)) {
            return new Access(cached, true, tlb);
        }
        int walked = pt.pte(page);
        Tlb after = canFill(tlb, pt, page) ? fill(tlb, pt, page) : tlb;
        return new Access(walked, false, after);
    }
}
