package org.mmspec.zones;

import java.util.List;

/**
 * The caller's way to free memory when every allowed zone is exhausted (the seed's "reclaim
 * memory if necessary"): page cache, slab caches, whatever the caller can give back.
 *
 * <p>The zone allocator calls the hook at most once per allocation, and only after every zone
 * of the request's fallback list failed (ZONE-5). The hook frees frames through
 * {@link ZoneAllocator#free}; the allocator measures what it freed rather than trusting the
 * return value, then tries the fallback list once more.
 */
@FunctionalInterface
public interface ReclaimHook {
    /** A hook that never frees anything: allocation fails as soon as the zones are exhausted. */
    ReclaimHook NONE = (allocator, request, zones) -> 0;

    /**
     * Frees what it can towards {@code request}.
     *
     * @param allocator the allocator to free into
     * @param request the allocation that failed
     * @param zones the zones the request may use, in fallback order
     * @return frames freed (informational)
     */
    long reclaim(ZoneAllocator allocator, ZoneRequest request, List<ZoneType> zones);
}
