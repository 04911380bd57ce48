package org.mmspec.numa;

/**
 * The watermarks of one zone of one node, in frames, as Linux's {@code zone->_watermark[]}:
 * {@code min ≤ low ≤ high ≤} the zone's usable frames. An allocation of {@code n} frames passes a
 * zone's mark {@code m} when the zone keeps at least {@code m} frames free afterwards
 * ({@code free − n ≥ m}, Linux's {@code __zone_watermark_ok} without lowmem reserves). The fast
 * path checks LOW over the whole zonelist; only if no zone passes does the allocation try again
 * with MIN (the slow path after waking kswapd, which the model does not run). HIGH is where
 * kswapd would stop reclaiming; the model validates it and reports it but allocates against LOW
 * and MIN only.
 *
 * @param min the reserve only the second pass may dip to
 * @param low the fast path's mark
 * @param high kswapd's target
 */
public record Watermarks(long min, long low, long high) {
    /** No reserve at all. */
    public static final Watermarks NONE = new Watermarks(0, 0, 0);

    /** Which mark an allocation pass checks. */
    public enum Mark {
        /** The first pass (ALLOC_WMARK_LOW). */
        LOW,
        /** The second pass (ALLOC_WMARK_MIN). */
        MIN
    }

    /** The mark a pass checks. */
    public long of(Mark m) {
        return m == Mark.LOW ? low : min;
    }

    /** Whether allocating {@code frames} from a zone with {@code free} free frames keeps {@code mark} free. */
    public boolean ok(Mark mark, long free, long frames) {
        return free - frames >= of(mark);
    }

    /** Why these marks are not valid for a zone of {@code usable} frames, or null. */
    String problem(long usable) {
        if (min < 0 || min > low || low > high || high > usable) {
            return String.format("watermarks %s must satisfy 0 <= min <= low <= high <= %d usable frames", this, usable);
        }
        return null;
    }

    /**
     * Linux's defaults scaled to a zone of {@code usable} frames: min a sixteenth of the zone, low
     * min + min/4, high min + min/2 (mm/page_alloc.c, {@code __setup_per_zone_wmarks}, with
     * {@code min_free_kbytes} spread by zone size).
     */
    public static Watermarks scaled(long usable) {
        long min = usable / 16;
        return new Watermarks(min, min + min / 4, min + min / 2);
    }

    @Override
    public String toString() {
        return "min " + min + " low " + low + " high " + high;
    }
}
