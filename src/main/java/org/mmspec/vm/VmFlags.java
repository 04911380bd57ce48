package org.mmspec.vm;

/**
 * The vm flags of an area beyond its protection, as far as they decide merging and faults. Two
 * areas merge only if these are equal (Linux compares {@code vm_flags}).
 *
 * @param shared VM_SHARED: writes reach the backing object and survive fork as sharing
 * @param growsDown VM_GROWSDOWN: a stack that grows down on faults below it
 * @param accounted VM_ACCOUNT: committed private writable memory; set when a private area
 *     becomes writable and never cleared (Linux's {@code mprotect_fixup} keeps it)
 * @param noReserve VM_NORESERVE: MAP_NORESERVE, never accounted
 * @param special a kernel special mapping ({@code [vdso]}, {@code [vvar]}): never merges
 * @param hugetlb VM_HUGETLB: the page size of a MAP_HUGETLB area (2 MiB or 1 GiB), {@code null}
 *     for an ordinary area; such an area never merges (hugetlbfs sets VM_DONTEXPAND) and is never
 *     split below its page size
 */
public record VmFlags(boolean shared, boolean growsDown, boolean accounted, boolean noReserve, boolean special,
        org.mmspec.paging.PageSize hugetlb) {
    /** A plain private mapping. */
    public static final VmFlags PRIVATE = new VmFlags(false, false, false, false, false);

    /** An area that is not a MAP_HUGETLB area. */
    public VmFlags(boolean shared, boolean growsDown, boolean accounted, boolean noReserve, boolean special) {
        this(shared, growsDown, accounted, noReserve, special, null);
    }

    /** Pages of {@link Vma#PAGE_SIZE} in one of this area's pages: 1, or the hugetlb page's. */
    public long pagesPerPage() {
        return hugetlb == null ? 1 : hugetlb.frames();
    }

    /** Whether Linux's {@code accountable_mapping} charges a mapping with these flags and {@code prot}. */
    public boolean accountable(Prot prot) {
        return prot.write() && !shared && !noReserve;
    }

    public VmFlags withAccounted(boolean a) {
        return new VmFlags(shared, growsDown, a, noReserve, special, hugetlb);
    }

    @Override
    public String toString() {
        return (shared ? "s" : "p") + (growsDown ? "G" : "") + (accounted ? "A" : "") + (noReserve ? "N" : "")
                + (special ? "S" : "") + (hugetlb == null ? "" : "H" + hugetlb.toString().replace(" ", ""));
    }
}
