package org.mmspec.numa;

/**
 * A request for {@code 2^order} frames on {@code node}'s behalf (Linux's preferred node,
 * {@code numa_node_id()} or a policy's choice), from zone {@code highest} or any lower zone
 * (Linux's {@code gfp_zone()} of the GFP flags).
 *
 * @param node the preferred node
 * @param highest the highest zone the caller can use
 * @param order log2 of the frames wanted
 */
public record ZonedRequest(NodeId node, NodeZoneType highest, int order) {
    /** The frames wanted: {@code 2^order} (only meaningful for a valid order). */
    public long frames() {
        return 1L << order;
    }

    @Override
    public String toString() {
        return "order " + order + " " + highest + " on " + node;
    }
}
