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
 */
public record MapFlags(boolean shared, boolean anonymous, boolean fixed, boolean fixedNoReplace, boolean noReserve) {
    /** MAP_PRIVATE | MAP_ANONYMOUS, the seed's example. */
    public static final MapFlags PRIVATE_ANON = new MapFlags(false, true, false, false, false);
    /** MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED. */
    public static final MapFlags PRIVATE_ANON_FIXED = new MapFlags(false, true, true, false, false);

    public MapFlags withFixed() {
        return new MapFlags(shared, anonymous, true, fixedNoReplace, noReserve);
    }

    @Override
    public String toString() {
        return (shared ? "SHARED" : "PRIVATE") + (anonymous ? "|ANON" : "") + (fixed ? "|FIXED" : "")
                + (fixedNoReplace ? "|FIXED_NOREPLACE" : "") + (noReserve ? "|NORESERVE" : "");
    }
}
