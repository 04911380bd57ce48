package org.mmspec.numa;

import java.util.List;
import java.util.Optional;

/**
 * The audit record of the last successful allocation: where it started, which nodes it tried in
 * which order, and whether each could satisfy it. NUMA-4 and NUMA-5 are stated over it. Failed
 * allocations change nothing and leave no record.
 *
 * @param request the request
 * @param start the node the request started at
 * @param attempts the nodes tried, in order
 * @param served the node that satisfied it
 */
public record NumaDecision(NumaRequest request, NodeId start, List<Attempt> attempts, Optional<NodeId> served) {
    /** One node tried. */
    public record Attempt(NodeId node, boolean satisfied) {
        @Override
        public String toString() {
            return node + (satisfied ? "+" : "-");
        }
    }

    public NumaDecision {
        attempts = List.copyOf(attempts);
    }

    @Override
    public String toString() {
        return request + " from " + start + ": " + attempts + " -> " + served.map(NodeId::toString).orElse("failed");
    }
}
