package org.mmspec.debug;

import java.util.List;

import org.mmspec.heap.HeapStats;

/**
 * What the memory report reads, one interface per subsystem, so that the report does not depend
 * on how frames, zones or NUMA nodes are implemented. The heap's providers are in
 * {@link HeapStatsAdapters}; frames come from any {@link org.mmspec.frames.FrameAllocator};
 * zones and nodes are adapted by whoever builds the ZoneAllocator and NumaNodes.
 */
public final class StatsProviders {
    private StatsProviders() {
    }

    /**
     * Frame figures.
     *
     * @param managed frames managed
     * @param free frames free
     */
    public record FrameStats(long managed, long free) {
    }

    /**
     * One zone (DMA, Normal, High).
     *
     * @param name the zone type's name
     * @param managed frames in the zone
     * @param free free frames in the zone
     */
    public record ZoneStats(String name, long managed, long free) {
    }

    /**
     * One NUMA node.
     *
     * @param id node id
     * @param managed frames on the node
     * @param free free frames on the node
     * @param cpus CPUs local to the node
     */
    public record NodeStats(int id, long managed, long free, List<Integer> cpus) {
    }

    /** Frames of the HybridAllocator (or any FrameAllocator). */
    @FunctionalInterface
    public interface FrameStatsProvider {
        FrameStats frameStats();
    }

    /** The ZoneAllocator's zones. */
    @FunctionalInterface
    public interface ZoneStatsProvider {
        List<ZoneStats> zoneStats();
    }

    /** The NUMA nodes. */
    @FunctionalInterface
    public interface NumaStatsProvider {
        List<NodeStats> nodeStats();
    }

    /** The slab layer: per class and per CPU. */
    public interface SlabStatsProvider {
        List<HeapStats.ClassStats> classStats();

        List<HeapStats.CpuStats> cpuStats();
    }

    /** The LinkedListAllocator. */
    @FunctionalInterface
    public interface LargeStatsProvider {
        HeapStats.LargeStats largeStats();
    }

    /** The per-CPU frame caches ({@code org.mmspec.pcp}): per CPU and per node. */
    public interface PcpStatsProvider {
        List<org.mmspec.pcp.PcpStats.CpuStats> pcpCpuStats();

        List<org.mmspec.pcp.PcpStats.NodeStats> pcpNodeStats();

        /** The statistics of {@code pcp}, read under its locks at each call. */
        static PcpStatsProvider of(org.mmspec.pcp.PcpAllocator pcp) {
            return new PcpStatsProvider() {
                @Override
                public List<org.mmspec.pcp.PcpStats.CpuStats> pcpCpuStats() {
                    return pcp.cpuStats();
                }

                @Override
                public List<org.mmspec.pcp.PcpStats.NodeStats> pcpNodeStats() {
                    return pcp.nodeStats();
                }
            };
        }
    }
}
