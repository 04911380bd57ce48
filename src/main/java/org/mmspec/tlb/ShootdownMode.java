package org.mmspec.tlb;

/**
 * How targets invalidate for a {@link TlbShootdown} (the seed's "Shootdown modes").
 *
 * <p>The kernel may widen a request but never narrow it: a {@link #RANGE} longer than the
 * threshold becomes a flush of everything ({@link #GLOBAL}, or {@link #FULL} when a page in the
 * range is global), and a {@link #GLOBAL} request over a global page becomes {@link #FULL}.
 */
public enum ShootdownMode {
    /** INVLPG of each page: drops the page's entry, global or not. */
    SINGLE,
    /** One range invalidation over a contiguous run of pages. */
    RANGE,
    /** Every non-global entry (a CR3 reload); global entries survive. */
    GLOBAL,
    /** Everything, global entries included. */
    FULL
}
