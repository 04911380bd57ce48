package org.mmspec.tlb;

import java.util.Objects;

/**
 * One shootdown request, the seed's {@code TlbShootdown{cpu_mask, pages, mode}}: the CPUs that
 * must invalidate (the initiator is never in the mask; it invalidates locally), the pages whose
 * translations changed, and how the targets invalidate.
 *
 * <p>Encoding: {@code pages} is a bit set over page numbers of the abstract page table (bit
 * {@code p} for page {@code p}). Invariants: {@code pages} is not empty; for {@link
 * ShootdownMode#RANGE} the pages are contiguous. A plain final class, not a record, so that Java
 * PathFinder can run the scenarios that use it.
 */
public final class TlbShootdown {
    private final CpuMask cpuMask;
    private final int pages;
    private final ShootdownMode mode;

    public TlbShootdown(CpuMask cpuMask, int pages, ShootdownMode mode) {
        this.cpuMask = Objects.requireNonNull(cpuMask);
        this.pages = pages;
        this.mode = Objects.requireNonNull(mode);
    }

    public CpuMask cpuMask() {
        return cpuMask;
    }

    /** The page bit set. */
    public int pages() {
        return pages;
    }

    public ShootdownMode mode() {
        return mode;
    }

    public int pageCount() {
        return Integer.bitCount(pages);
    }

    public int firstPage() {
        return Integer.numberOfTrailingZeros(pages);
    }

    public int lastPage() {
        return 31 - Integer.numberOfLeadingZeros(pages);
    }

    public boolean covers(int page) {
        return (pages >>> page & 1) != 0;
    }

    public boolean contiguous() {
        return pages != 0 && lastPage() - firstPage() + 1 == pageCount();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlbShootdown s && s.cpuMask.equals(cpuMask) && s.pages == pages && s.mode == mode;
    }

    @Override
    public int hashCode() {
        return (cpuMask.hashCode() * 31 + pages) * 31 + mode.ordinal();
    }

    @Override
    public String toString() {
        return "TlbShootdown{" + cpuMask + ", pages " + renderPages(pages) + ", " + mode + "}";
    }

    /** Renders a page bit set as {@code p0}, {@code p0-1} or {@code p0,p2}. */
    public static String renderPages(int pages) {
        if (pages == 0) {
            return "{}";
        }
        int first = Integer.numberOfTrailingZeros(pages);
        int last = 31 - Integer.numberOfLeadingZeros(pages);
        if (last - first + 1 == Integer.bitCount(pages)) {
            return first == last ? "p" + first : "p" + first + "-" + last;
        }
        StringBuilder sb = new StringBuilder();
        for (int p = first; p <= last; p++) {
            if ((pages >>> p & 1) != 0) {
                sb.append(sb.length() == 0 ? "p" : ",p").append(p);
            }
        }
        return sb.toString();
    }
}
