package org.mmspec.numa;

/**
 * One zone of one node: Linux's {@code struct zone} inside {@code pg_data_t}, named by both;
 * ordered by node, then by zone in address order.
 *
 * @param node the node
 * @param type the zone
 */
public record NodeZone(NodeId node, NodeZoneType type) implements Comparable<NodeZone> {
    @Override
    public int compareTo(NodeZone o) {
        int c = node.compareTo(o.node);
        return c != 0 ? c : type.compareTo(o.type);
    }

    @Override
    public String toString() {
        return node + "/" + type;
    }
}
