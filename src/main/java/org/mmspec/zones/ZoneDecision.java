package org.mmspec.zones;

import java.util.List;
import java.util.Optional;

/**
 * The audit record of the last allocation that changed the state: which zones it tried, in
 * which order, whether each could satisfy it, and where reclaim ran. ZONE-4 and ZONE-5 are
 * stated over it. Failed allocations that changed nothing leave no record (ATOMIC-1).
 *
 * @param request the request
 * @param attempts the zones tried, in order, with whether each satisfied the request
 * @param reclaimAfter how many attempts came before the reclaim hook ran; -1 if it did not run
 * @param reclaimedFrames frames the hook freed (measured)
 * @param served the zone that satisfied the request, empty if it failed after reclaim
 */
public record ZoneDecision(ZoneRequest request, List<Attempt> attempts, int reclaimAfter, long reclaimedFrames,
        Optional<ZoneType> served) {

    /** One zone tried. */
    public record Attempt(ZoneType zone, boolean satisfied) {
        @Override
        public String toString() {
            return zone + (satisfied ? "+" : "-");
        }
    }

    public ZoneDecision {
        attempts = List.copyOf(attempts);
    }

    @Override
    public String toString() {
        String tried = attempts.toString();
        if (reclaimAfter >= 0) {
            tried = attempts.subList(0, reclaimAfter) + " reclaim(" + reclaimedFrames + ") "
                    + attempts.subList(reclaimAfter, attempts.size());
        }
        return request + ": " + tried + " -> " + served.map(Enum::name).orElse("failed");
    }
}
