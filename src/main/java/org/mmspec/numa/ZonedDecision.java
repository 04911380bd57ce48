package org.mmspec.numa;

import java.util.List;
import java.util.Optional;

/**
 * The audit record of the last successful zoned allocation: every zone it looked at, in order,
 * with the pass, the free frames and the mark it judged the zone by, whether the zone kept the
 * mark and whether its allocator then handed out a block. NZONE-3 and NZONE-4 are stated over it.
 * Failed allocations change nothing and leave no record.
 *
 * @param request the request
 * @param attempts the zones looked at, in order, over both passes
 * @param served the zone that satisfied it
 */
public record ZonedDecision(ZonedRequest request, List<Attempt> attempts, Optional<NodeZone> served) {
    /**
     * One zone looked at.
     *
     * @param zone the zone
     * @param pass which mark the pass checks
     * @param free the free frames the zone was judged by
     * @param mark the mark it was judged by
     * @param keptMark whether {@code free - frames >= mark}
     * @param satisfied whether the zone's allocator then handed out the block
     */
    public record Attempt(NodeZone zone, Watermarks.Mark pass, long free, long mark, boolean keptMark, boolean satisfied) {
        @Override
        public String toString() {
            return zone + "@" + pass + "(" + free + "/" + mark + ")" + (satisfied ? "+" : keptMark ? "~" : "-");
        }
    }

    public ZonedDecision {
        attempts = List.copyOf(attempts);
    }

    @Override
    public String toString() {
        return request + ": " + attempts + " -> " + served.map(NodeZone::toString).orElse("failed");
    }
}
