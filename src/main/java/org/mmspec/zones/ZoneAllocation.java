package org.mmspec.zones;

import org.mmspec.frames.FrameRange;

/**
 * A live allocation of the zone allocator.
 *
 * @param run the frames handed out
 * @param requested the zone the request preferred (its ceiling bounds {@code run}, ZONE-3)
 * @param served the zone whose memory {@code run} is
 */
public record ZoneAllocation(FrameRange run, ZoneType requested, ZoneType served) {
    @Override
    public String toString() {
        return run + (requested == served ? " " + served : " " + requested + "->" + served);
    }
}
