package org.mmspec.numa;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;

/**
 * A validated NUMA topology: the nodes, their memory and CPUs, and the distance table (ACPI
 * SLIT), as the seed's {@code NumaNode.distance_map} rows.
 *
 * <p>Well-formed (NUMA-1, NUMA-2; {@link #of} rejects anything else with a typed error): at least
 * one node; ids unique; every node's distance map names every node and no other; the distance of
 * a node to itself is {@link #LOCAL_DISTANCE}; every other distance lies in
 * [{@link #MIN_REMOTE_DISTANCE}, {@link #MAX_DISTANCE}]; distances are symmetric; the memory of
 * all nodes is pairwise disjoint; no CPU is local to two nodes.
 *
 * <p>The fallback order from a node is every node sorted by distance from it, ties broken by
 * the lower node id: deterministic, and the start node comes first because every remote distance
 * exceeds the local one.
 */
public final class NumaTopology {
    /** Distance of a node to itself (ACPI SLIT's normalised local distance). */
    public static final int LOCAL_DISTANCE = 10;
    /** The smallest distance between two different nodes: remote is always farther than local. */
    public static final int MIN_REMOTE_DISTANCE = LOCAL_DISTANCE + 1;
    /** The largest distance; SLIT's 255 means "unreachable", which the model does not admit. */
    public static final int MAX_DISTANCE = 254;

    private final TreeMap<NodeId, NodeSpec> nodes;

    private NumaTopology(TreeMap<NodeId, NodeSpec> nodes) {
        this.nodes = nodes;
    }

    /** Validates {@code specs}; throws {@link NumaError} naming the first problem found. */
    public static NumaTopology of(List<NodeSpec> specs) {
        return of(specs, true);
    }

    /**
     * {@link #of(List)}, or with {@code checkSymmetry} false the seeded bug
     * {@link NumaAllocator.Bug#SYMMETRY_UNCHECKED}: an asymmetric distance table is accepted.
     */
    static NumaTopology of(List<NodeSpec> specs, boolean checkSymmetry) {
        if (specs.isEmpty()) {
            throw NumaError.of(NumaError.Kind.EMPTY_TOPOLOGY, "a topology needs at least one node");
        }
        TreeMap<NodeId, NodeSpec> m = new TreeMap<>();
        for (NodeSpec s : specs) {
            if (m.put(s.id(), s) != null) {
                throw NumaError.of(NumaError.Kind.DUPLICATE_NODE, "node %s appears twice", s.id());
            }
        }
        NumaTopology t = new NumaTopology(m);
        Optional<NumaError> bad = t.distanceProblem(checkSymmetry).or(t::disjointnessProblem);
        if (bad.isPresent()) {
            throw bad.get();
        }
        return t;
    }

    /** A topology that skips validation; for negative tests only. */
    static NumaTopology unchecked(List<NodeSpec> specs) {
        TreeMap<NodeId, NodeSpec> m = new TreeMap<>();
        specs.forEach(s -> m.put(s.id(), s));
        return new NumaTopology(m);
    }

    /** What breaks NUMA-1 (the distance table), if anything. */
    public Optional<NumaError> distanceProblem() {
        return distanceProblem(true);
    }

    private Optional<NumaError> distanceProblem(boolean checkSymmetry) {
        for (NodeSpec a : nodes.values()) {
            for (NodeId named : a.distances().keySet()) {
                if (!nodes.containsKey(named)) {
                    return Optional.of(NumaError.of(NumaError.Kind.UNKNOWN_NODE, "%s gives a distance to %s, which is not a node",
                            a.id(), named));
                }
            }
            for (NodeSpec b : nodes.values()) {
                Integer d = a.distances().get(b.id());
                if (d == null) {
                    return Optional.of(NumaError.of(NumaError.Kind.MISSING_DISTANCE, "%s has no distance to %s", a.id(), b.id()));
                }
                if (a == b && d != LOCAL_DISTANCE) {
                    return Optional.of(NumaError.of(NumaError.Kind.BAD_SELF_DISTANCE, "%s's distance to itself is %d, not %d",
                            a.id(), d, LOCAL_DISTANCE));
                }
                if (a != b && (d < MIN_REMOTE_DISTANCE || d > MAX_DISTANCE)) {
                    return Optional.of(NumaError.of(NumaError.Kind.BAD_DISTANCE, "distance(%s, %s) = %d outside [%d, %d]",
                            a.id(), b.id(), d, MIN_REMOTE_DISTANCE, MAX_DISTANCE));
                }
                Integer back = b.distances().get(a.id());
                if (checkSymmetry && back != null && !back.equals(d)) {
                    return Optional.of(NumaError.of(NumaError.Kind.ASYMMETRIC_DISTANCE, "distance(%s, %s) = %d but distance(%s, %s) = %d",
                            a.id(), b.id(), d, b.id(), a.id(), back));
                }
            }
        }
        return Optional.empty();
    }

    /** What breaks NUMA-2 (disjoint memory and CPUs), if anything. */
    public Optional<NumaError> disjointnessProblem() {
        List<FrameRange> all = new ArrayList<>();
        Map<FrameRange, NodeId> owner = new HashMap<>();
        for (NodeSpec n : nodes.values()) {
            for (FrameRange r : n.memory()) {
                all.add(r);
                owner.put(r, n.id());
            }
        }
        all.sort(Comparator.naturalOrder());
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i - 1).overlaps(all.get(i))) {
                return Optional.of(NumaError.of(NumaError.Kind.OVERLAPPING_MEMORY, "%s of %s overlaps %s of %s", all.get(i - 1),
                        owner.get(all.get(i - 1)), all.get(i), owner.get(all.get(i))));
            }
        }
        List<NodeSpec> list = new ArrayList<>(nodes.values());
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                if (list.get(i).cpus().intersects(list.get(j).cpus())) {
                    return Optional.of(NumaError.of(NumaError.Kind.CPU_ON_TWO_NODES, "%s and %s share CPUs: %s and %s",
                            list.get(i).id(), list.get(j).id(), list.get(i).cpus(), list.get(j).cpus()));
                }
            }
        }
        return Optional.empty();
    }

    public List<NodeSpec> nodes() {
        return List.copyOf(nodes.values());
    }

    public List<NodeId> ids() {
        return List.copyOf(nodes.keySet());
    }

    public boolean has(NodeId id) {
        return nodes.containsKey(id);
    }

    public NodeSpec node(NodeId id) {
        NodeSpec s = nodes.get(id);
        if (s == null) {
            throw NumaError.of(NumaError.Kind.UNKNOWN_NODE, "no node %s", id);
        }
        return s;
    }

    public int distance(NodeId from, NodeId to) {
        return node(from).distances().get(to);
    }

    /** The node whose CPUs include {@code cpu}. */
    public Optional<NodeId> localNode(int cpu) {
        return nodes.values().stream().filter(n -> n.cpus().contains(cpu)).map(NodeSpec::id).findFirst();
    }

    /** Every node, by increasing distance from {@code start}, ties by lower id (NUMA-5). */
    public List<NodeId> fallbackOrder(NodeId start) {
        List<NodeId> out = new ArrayList<>(nodes.keySet());
        out.sort(Comparator.<NodeId>comparingInt(n -> distance(start, n)).thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** A copy with one distance changed and no validation; for negative tests only. */
    NumaTopology withDistanceUnchecked(NodeId from, NodeId to, int d) {
        TreeMap<NodeId, NodeSpec> m = new TreeMap<>(nodes);
        NodeSpec s = m.get(from);
        Map<NodeId, Integer> dist = new TreeMap<>(s.distances());
        dist.put(to, d);
        m.put(from, new NodeSpec(from, s.memory(), s.cpus(), dist));
        return new NumaTopology(m);
    }

    /** A copy with one node's CPUs replaced and no validation; for negative tests only. */
    NumaTopology withCpusUnchecked(NodeId id, CpuSet cpus) {
        TreeMap<NodeId, NodeSpec> m = new TreeMap<>(nodes);
        NodeSpec s = m.get(id);
        m.put(id, new NodeSpec(id, s.memory(), cpus, s.distances()));
        return new NumaTopology(m);
    }

    /** The SLIT as a table, one row per node. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (NodeSpec n : nodes.values()) {
            sb.append(n.id()).append(" cpus ").append(n.cpus().isEmpty() ? "none (memory-only)" : n.cpus().toList())
                    .append(" mem ").append(n.memory()).append(" dist ").append(n.distances().values()).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumaTopology t && t.nodes.equals(nodes);
    }

    @Override
    public int hashCode() {
        return nodes.hashCode();
    }
}
