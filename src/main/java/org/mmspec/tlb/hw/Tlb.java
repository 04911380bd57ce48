package org.mmspec.tlb.hw;

/**
 * One CPU's translation lookaside buffer, as an immutable value, together with its
 * paging-structure cache (the cached pointer to the leaf table).
 *
 * <p>Encoding: the TLB holds at most one entry per page; page {@code p}'s cached {@link Pte}
 * occupies bits {@code [p*Pte.BITS, (p+1)*Pte.BITS)} of {@code entries} ({@link Pte#NONE} when
 * nothing is cached), and {@code pwc} is true when the walker caches the leaf table's frame.
 * Invariant: at most {@code capacity} entries are present. A cached entry is a copy of the PTE at
 * fill time, permissions and global bit included; it is never updated in place, only dropped.
 *
 * <p>This is part of the trusted hardware model: the kernel logic under test may only call the
 * four local invalidations ({@link #invlpg}, {@link #invalidateRange}, {@link #flushNonGlobal},
 * {@link #flushAll}); fills and evictions are the hardware's own nondeterministic moves
 * ({@link Mmu}).
 */
public final class Tlb {
    private final int capacity;
    private final long entries;
    private final boolean pwc;

    private Tlb(int capacity, long entries, boolean pwc) {
        this.capacity = capacity;
        this.entries = entries;
        this.pwc = pwc;
    }

    /** An empty TLB holding at most {@code capacity} entries. */
    public static Tlb empty(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("TLB capacity must be positive, not " + capacity);
        }
        return new Tlb(capacity, 0L, false);
    }

    public int capacity() {
        return capacity;
    }

    /** The cached entry for {@code page}, or {@link Pte#NONE}. */
    public int entry(int page) {
        return (int) ((entries >>> (page * Pte.BITS)) & Pte.MASK);
    }

    public boolean holds(int page) {
        return Pte.present(entry(page));
    }

    /** Whether the paging-structure cache holds the leaf table's frame. */
    public boolean pwc() {
        return pwc;
    }

    public int size() {
        int n = 0;
        for (long e = entries; e != 0; e >>>= Pte.BITS) {
            if ((e & Pte.PRESENT) != 0) {
                n++;
            }
        }
        return n;
    }

    public boolean full() {
        return size() >= capacity;
    }

    /** True when some entry (or the paging-structure cache) refers to {@code frame}. */
    public boolean refersTo(int frame, int tableFrame, int pages) {
        if (pwc && frame == tableFrame) {
            return true;
        }
        for (int p = 0; p < pages; p++) {
            int e = entry(p);
            if (Pte.present(e) && Pte.frame(e) == frame) {
                return true;
            }
        }
        return false;
    }

    Tlb withEntry(int page, int pte) {
        long shift = (long) page * Pte.BITS;
        return new Tlb(capacity, (entries & ~((long) Pte.MASK << shift)) | ((long) (pte & Pte.MASK) << shift), pwc);
    }

    Tlb withPwc(boolean cached) {
        return new Tlb(capacity, entries, cached);
    }

    /** INVLPG: drops {@code page}'s entry, global or not, and the paging-structure cache. */
    public Tlb invlpg(int page) {
        return withEntry(page, Pte.NONE).withPwc(false);
    }

    /** Drops the entries of pages {@code first .. first+count-1}, global or not, and the paging-structure cache. */
    public Tlb invalidateRange(int first, int count) {
        Tlb t = withPwc(false);
        for (int p = first; p < first + count; p++) {
            t = t.withEntry(p, Pte.NONE);
        }
        return t;
    }

    /** A CR3 reload: drops every non-global entry and the paging-structure cache; global entries stay. */
    public Tlb flushNonGlobal() {
        long kept = 0L;
        for (int p = 0; p * Pte.BITS < 64 - Pte.BITS; p++) {
            long e = (entries >>> (p * Pte.BITS)) & Pte.MASK;
            if ((e & Pte.GLOBAL) != 0) {
                kept |= e << (p * Pte.BITS);
            }
        }
        return new Tlb(capacity, kept, false);
    }

    /** Drops everything, global entries included (CR4.PGE toggle). */
    public Tlb flushAll() {
        return new Tlb(capacity, 0L, false);
    }

    /** The packed entries and cache bit, for canonical keys. */
    public long encoded() {
        return entries | (pwc ? 1L << 63 : 0L);
    }

    /** The TLB whose {@link #encoded()} form is {@code encoded}: {@code decode(c, t.encoded()).equals(t)}. */
    public static Tlb decode(int capacity, long encoded) {
        return new Tlb(empty(capacity).capacity, encoded & ~(1L << 63), encoded < 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlb t && t.capacity == capacity && t.entries == entries && t.pwc == pwc;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(entries) * 31 + capacity * 2 + (pwc ? 1 : 0);
    }

    /** Renders the cached entries, e.g. {@code {p0=f0 rw, p1=f1 r g; pwc}}. */
    public String render(int pages) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (int p = 0; p < pages; p++) {
            if (holds(p)) {
                sb.append(first ? "" : ", ").append('p').append(p).append('=').append(Pte.render(entry(p)));
                first = false;
            }
        }
        if (pwc) {
            sb.append(first ? "" : "; ").append("pwc");
        }
        return sb.append('}').toString();
    }

    @Override
    public String toString() {
        return "Tlb" + render(PageTable.MAX_PAGES);
    }
}
