package org.mmspec.numa;

import java.util.Objects;

/**
 * Where a request wants its memory.
 *
 * @param policy LOCAL (start at the requesting CPU's node, fall back by distance), PREFERRED
 *        (start at {@code node}, fall back by distance from it) or STRICT (only {@code node})
 * @param node the bound node; null for LOCAL
 */
public record Binding(Policy policy, NodeId node) {
    /** How a request is bound to nodes (Linux's MPOL_LOCAL, MPOL_PREFERRED, MPOL_BIND). */
    public enum Policy {
        LOCAL, PREFERRED, STRICT
    }

    public Binding {
        Objects.requireNonNull(policy);
        if ((policy == Policy.LOCAL) != (node == null)) {
            throw new IllegalArgumentException(policy + " binding " + (node == null ? "needs" : "takes no") + " node");
        }
    }

    public static Binding local() {
        return new Binding(Policy.LOCAL, null);
    }

    public static Binding preferred(NodeId node) {
        return new Binding(Policy.PREFERRED, node);
    }

    public static Binding strict(NodeId node) {
        return new Binding(Policy.STRICT, node);
    }

    public boolean strict() {
        return policy == Policy.STRICT;
    }

    @Override
    public String toString() {
        return policy == Policy.LOCAL ? "local" : policy.name().toLowerCase() + "(" + node + ")";
    }
}
