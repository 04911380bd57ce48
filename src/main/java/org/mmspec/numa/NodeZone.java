package org.mmspec.numa;

/**
 * One zone of one node: Linux's {@code struct zone} inside {@code pg_data_t}, named by both.
 *
 * @param node the node
 * @param type the zone
 */
public record NodeZone(NodeId node, NodeZoneType type) {
    @Override
    public String toString() {
        return node + "/" + type;
    }
}
