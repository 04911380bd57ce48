package org.mmspec.zones;

import java.util.Objects;

/**
 * One allocation request: {@code 2^order} contiguous frames, preferably from {@code preferred}.
 *
 * @param preferred the zone asked for
 * @param order log2 of the frame count, 0 to {@link ZoneAllocator#MAX_ORDER}
 * @param mayFallback whether zones after {@code preferred} in its fallback list may serve it
 * @param mayReclaim whether the reclaim hook may run when every allowed zone failed
 */
public record ZoneRequest(ZoneType preferred, int order, boolean mayFallback, boolean mayReclaim) {
    public ZoneRequest {
        Objects.requireNonNull(preferred, "preferred");
    }

    /** The seed's {@code allocate_from_zone(zone, order)}: fallback and reclaim allowed. */
    public static ZoneRequest of(ZoneType zone, int order) {
        return new ZoneRequest(zone, order, true, true);
    }

    /** Only {@code zone}, no fallback, no reclaim. */
    public static ZoneRequest exact(ZoneType zone, int order) {
        return new ZoneRequest(zone, order, false, false);
    }

    /** Frames requested; only meaningful once the order is validated. */
    public long frames() {
        return 1L << order;
    }

    @Override
    public String toString() {
        return preferred + " order " + order + (mayFallback ? "" : " nofallback") + (mayReclaim ? "" : " noreclaim");
    }
}
