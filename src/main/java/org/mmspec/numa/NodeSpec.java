package org.mmspec.numa;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.mmspec.frames.FrameRange;

/**
 * The firmware's description of one node (ACPI SRAT memory and CPU affinity, SLIT row): the
 * input {@link NumaTopology} validates.
 *
 * @param id the node's id
 * @param memory usable memory of the node (may be empty: a CPU-only node)
 * @param cpus CPUs local to the node, the seed's {@code preferred_cpus} (may be empty: a
 *        memory-only node, such as CXL-attached memory)
 * @param distances the seed's {@code distance_map}: distance to every node, itself included
 */
public record NodeSpec(NodeId id, List<FrameRange> memory, CpuSet cpus, Map<NodeId, Integer> distances) {
    public NodeSpec {
        Objects.requireNonNull(id);
        memory = List.copyOf(memory);
        Objects.requireNonNull(cpus);
        distances = java.util.Collections.unmodifiableMap(new TreeMap<>(distances));
    }

    /** A node without CPUs. */
    public boolean memoryOnly() {
        return cpus.isEmpty();
    }
}
