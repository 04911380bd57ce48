package org.mmspec.numa;

import org.mmspec.frames.FrameRange;

/**
 * A live allocation of the NUMA allocator.
 *
 * @param run the frames handed out
 * @param served the node whose memory {@code run} is
 * @param intended the node the request started at (its local or bound node)
 * @param strict whether the request was strictly bound to {@code intended} (NUMA-4)
 */
public record NumaAllocation(FrameRange run, NodeId served, NodeId intended, boolean strict) {
    /** Whether the allocation landed on the node it started at (Linux's numa_hit). */
    public boolean hit() {
        return served.equals(intended);
    }

    @Override
    public String toString() {
        return run + " " + (hit() ? served.toString() : intended + "->" + served) + (strict ? " strict" : "");
    }
}
