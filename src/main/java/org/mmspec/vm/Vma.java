package org.mmspec.vm;

import java.util.Objects;

/**
 * A virtual memory area: the pages {@code [start, end)} (virtual page numbers) with one
 * protection, one set of flags and one backing. Immutable; {@link AddressSpace} replaces areas
 * when it splits, merges or re-protects them.
 *
 * <p>Encoding follows Linux's {@code vm_area_struct}: {@code file} is {@code null} for anonymous
 * memory, otherwise the backing object's name (a path, {@code [vdso]}, ...); {@code pgoff} is the
 * page offset into the file, and for anonymous memory the area's own start page (as Linux sets
 * {@code vm_pgoff = addr >> PAGE_SHIFT}), which makes offset contiguity automatic for adjacent
 * anonymous areas. {@code anonVma} names the anonymous-page bookkeeping (Linux's
 * {@code anon_vma}) that the first fault attaches, 0 while the area has none; areas split from one
 * area share it.
 *
 * @param start first page
 * @param end one past the last page; {@code start < end}
 * @param prot the area's protection
 * @param flags the area's other vm flags
 * @param file backing object, or {@code null} for anonymous memory
 * @param pgoff page offset into {@code file} (anonymous: equals {@code start} at creation)
 * @param anonVma anon_vma identity, 0 for none yet
 */
public record Vma(long start, long end, Prot prot, VmFlags flags, String file, long pgoff, long anonVma) {
    /** Page size in bytes: 4 KiB. */
    public static final long PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;

    public Vma {
        Objects.requireNonNull(prot);
        Objects.requireNonNull(flags);
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("empty or negative area [" + start + ", " + end + ")");
        }
    }

    /** A fresh anonymous area. */
    public static Vma anonymous(long start, long end, Prot prot, VmFlags flags) {
        return new Vma(start, end, prot, flags, null, start, 0);
    }

    public long pages() {
        return end - start;
    }

    public boolean contains(long page) {
        return page >= start && page < end;
    }

    public boolean isAnonymous() {
        return file == null;
    }

    /** The part {@code [from, to)} of this area, with the file offset moved along. */
    public Vma slice(long from, long to) {
        if (from < start || to > end || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") outside " + this);
        }
        return new Vma(from, to, prot, flags, file, pgoff + (from - start), anonVma);
    }

    public Vma withProt(Prot p, VmFlags f) {
        return new Vma(start, end, p, f, file, pgoff, anonVma);
    }

    public Vma withAnonVma(long id) {
        return new Vma(start, end, prot, flags, file, pgoff, id);
    }

    public Vma withStart(long newStart) {
        return new Vma(newStart, end, prot, flags, file, pgoff - (start - newStart), anonVma);
    }

    /**
     * Whether {@code next}, which must start where this area ends, can be merged into one area
     * with it. This is Linux's {@code is_mergeable_vma} + {@code can_vma_merge_after}: equal vm
     * flags and protection, the same backing object at contiguous offsets, compatible anon_vmas
     * (either side without one, or the same one), and neither a special mapping nor a hugetlb
     * area (VM_DONTEXPAND, part of VM_SPECIAL).
     */
    public boolean mergeableWith(Vma next) {
        return end == next.start && prot.equals(next.prot) && flags.equals(next.flags) && !flags.special()
                && flags.hugetlb() == null
                && Objects.equals(file, next.file) && pgoff + pages() == next.pgoff
                && (anonVma == 0 || next.anonVma == 0 || anonVma == next.anonVma);
    }

    /** This area followed by {@code next}, merged; the anon_vma is whichever side has one. */
    public Vma mergeWith(Vma next) {
        return new Vma(start, next.end, prot, flags, file, pgoff, anonVma != 0 ? anonVma : next.anonVma);
    }

    @Override
    public String toString() {
        return String.format("[%d,%d)%s%s%s", start, end, prot, flags, file == null ? "" : " " + file + "@" + pgoff)
                + (anonVma != 0 ? " av" + anonVma : "");
    }
}
