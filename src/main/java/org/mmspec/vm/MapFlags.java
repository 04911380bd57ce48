package org.mmspec.vm;

/**
 * The MAP_* flags of an mmap request that this model interprets. Flags that do not change areas
 * or faults (MAP_DENYWRITE, MAP_POPULATE, MAP_STACK, MAP_EXECUTABLE, ...) are accepted by the
 * replay parser and ignored.
 *
 * @param shared MAP_SHARED (otherwise MAP_PRIVATE)
 * @param anonymous MAP_ANONYMOUS
 * @param fixed MAP_FIXED: place exactly at the address, replacing what is there
 * @param fixedNoReplace MAP_FIXED_NOREPLACE: place exactly, fail with EEXIST if anything is there
 * @param noReserve MAP_NORESERVE
 * @param hugetlb MAP_HUGETLB with its page size (MAP_HUGE_2MB, MAP_HUGE_1GB), {@code null} without
 */
public record MapFlags(boolean shared, boolean anonymous, boolean fixed, boolean fixedNoReplace, boolean noReserve,
        org.mmspec.paging.PageSize hugetlb) {
    /** Flags without MAP_HUGETLB. */
    public MapFlags(boolean shared, boolean anonymous, boolean fixed, boolean fixedNoReplace, boolean noReserve) {
        this(shared, anonymous, fixed, fixedNoReplace, noReserve, null);
    }

    /** MAP_PRIVATE | MAP_ANONYMOUS, the seed's example. */
    public static final MapFlags PRIVATE_ANON = new MapFlags(false, true, false, false, false);
    /** MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED. */
    public static final MapFlags PRIVATE_ANON_FIXED = new MapFlags(false, true, true, false, false);

    public MapFlags withFixed() {
        return new MapFlags(shared, anonymous, true, fixedNoReplace, noReserve, hugetlb);
    }

    /** These flags with MAP_HUGETLB of {@code size} pages. */
    public MapFlags withHugetlb(org.mmspec.paging.PageSize size) {
        return new MapFlags(shared, anonymous, fixed, fixedNoReplace, noReserve, size);
    }

    @Override
    public String toString() {
        return (shared ? "SHARED" : "PRIVATE") + (anonymous ? "|ANON" : "") + (fixed ? "|FIXED" : "")
                + (fixedNoReplace ? "|FIXED_NOREPLACE" : "") + (noReserve ? "|NORESERVE" : "")
                + (hugetlb == null ? "" : "|HUGETLB(" + hugetlb + ")");
    }
}
