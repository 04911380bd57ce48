package org.mmspec.numa;

import org.mmspec.frames.FrameRange;

/**
 * A live allocation of the zoned NUMA allocator.
 *
 * @param run the frames
 * @param zone the node and zone that served it
 * @param request what was asked for
 */
public record ZonedAllocation(FrameRange run, NodeZone zone, ZonedRequest request) {
    @Override
    public String toString() {
        return run + " from " + zone + " for " + request;
    }
}
