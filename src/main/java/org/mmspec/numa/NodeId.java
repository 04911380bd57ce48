package org.mmspec.numa;

/**
 * A NUMA node's number, the seed's {@code id: u8}.
 *
 * @param value 0 to {@link #MAX}
 */
public record NodeId(int value) implements Comparable<NodeId> {
    /** The largest node number a {@code u8} holds. */
    public static final int MAX = 255;

    public NodeId {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("node id " + value + " outside [0, " + MAX + "]");
        }
    }

    public static NodeId of(int value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return "node" + value;
    }
}
