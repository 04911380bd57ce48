package org.mmspec.tlb;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address-space operation that must go through a shootdown, at protocol level: what the
 * {@code AddressSpace} code will call once the integrator wires it to {@link ShootdownService}.
 *
 * <p>{@code pages} is a bit set over the abstract page table's pages ({@code RECLAIM} ignores it:
 * it always covers the whole leaf table).
 */
public final class KernelOp {
    /** The four integration scenarios of the TLB chapter. */
    public enum Kind {
        /** Clear the PTEs; free their frames once no TLB can hold them. */
        MUNMAP("munmap"),
        /** Clear the write bit; returns only once no TLB grants a write. */
        MPROTECT("mprotect"),
        /** Copy-on-write break: map a fresh frame writable; free the old shared frame afterwards. */
        COW_BREAK("cow"),
        /** Page-table reclaim: unmap every page of the leaf table, unlink it, free its frame last. */
        RECLAIM("reclaim");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Kind parse(String w) {
            for (Kind k : values()) {
                if (k.word.equals(w)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown operation '" + w + "'; known: munmap, mprotect, cow, reclaim");
        }
    }

    /** Holder, so that code which never parses (the JPF entry points) never compiles the regex. */
    private static final class Syntax {
        static final Pattern PATTERN = Pattern.compile("(munmap|mprotect|cow|reclaim)(?:\\((\\d+)(?:-(\\d+))?\\))?");
    }

    private final Kind kind;
    private final int pages;

    public KernelOp(Kind kind, int pages) {
        this.kind = Objects.requireNonNull(kind);
        this.pages = pages;
        if (kind != Kind.RECLAIM && pages == 0) {
            throw new IllegalArgumentException(kind.word + " needs at least one page");
        }
        if (kind == Kind.COW_BREAK && Integer.bitCount(pages) != 1) {
            throw new IllegalArgumentException("cow breaks exactly one page");
        }
    }

    /** Parses {@code munmap(0-1)}, {@code mprotect(1)}, {@code cow(0)}, {@code reclaim}. */
    public static KernelOp parse(String text) {
        Matcher m = Syntax.PATTERN.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an operation: '" + text + "' (try munmap(0-1), mprotect(1), cow(0), reclaim)");
        }
        Kind k = Kind.parse(m.group(1));
        int pages = 0;
        if (m.group(2) != null) {
            int lo = Integer.parseInt(m.group(2));
            int hi = m.group(3) == null ? lo : Integer.parseInt(m.group(3));
            for (int p = lo; p <= hi; p++) {
                pages |= 1 << p;
            }
        }
        return new KernelOp(k, pages);
    }

    public Kind kind() {
        return kind;
    }

    public int pages() {
        return pages;
    }

    /** Whether the operation frees frames (and so may run lazily). */
    public boolean frees() {
        return kind != Kind.MPROTECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelOp k && k.kind == kind && k.pages == pages;
    }

    @Override
    public int hashCode() {
        return kind.ordinal() * 257 + pages;
    }

    @Override
    public String toString() {
        return kind == Kind.RECLAIM ? "reclaim" : kind.word + "(" + TlbShootdown.renderPages(pages) + ")";
    }
}
