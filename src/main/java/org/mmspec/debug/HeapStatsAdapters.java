package org.mmspec.debug;

import java.util.List;
import java.util.function.Supplier;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.heap.HeapStats;
import org.mmspec.heap.SlabAllocator;

/**
 * Adapters from the subsystems to {@link StatsProviders}: real ones for the heap and for any
 * {@link FrameAllocator}; thin ones for zones and NUMA nodes, which the integrator connects to
 * the ZoneAllocator and the NumaNodes.
 */
public final class HeapStatsAdapters {
    private HeapStatsAdapters() {
    }

    public static StatsProviders.SlabStatsProvider slabs(SlabAllocator heap) {
        return new StatsProviders.SlabStatsProvider() {
            @Override
            public List<HeapStats.ClassStats> classStats() {
                return heap.stats().classes();
            }

            @Override
            public List<HeapStats.CpuStats> cpuStats() {
                return heap.stats().cpus();
            }
        };
    }

    public static StatsProviders.LargeStatsProvider large(SlabAllocator heap) {
        return () -> heap.stats().large();
    }

    public static StatsProviders.FrameStatsProvider frames(FrameAllocator frames) {
        return () -> new StatsProviders.FrameStats(frames.managedFrames(), frames.freeFrames());
    }

    /** Zones from any source of zone rows (the integrator passes the ZoneAllocator's). */
    public static StatsProviders.ZoneStatsProvider zones(Supplier<List<StatsProviders.ZoneStats>> rows) {
        return rows::get;
    }

    /** NUMA nodes from any source of node rows (the integrator passes the NumaNodes'). */
    public static StatsProviders.NumaStatsProvider nodes(Supplier<List<StatsProviders.NodeStats>> rows) {
        return rows::get;
    }

    /** A zone provider with no zones, until the ZoneAllocator is connected. */
    public static StatsProviders.ZoneStatsProvider noZones() {
        return List::of;
    }

    /** A NUMA provider with no nodes, until the NumaNodes are connected. */
    public static StatsProviders.NumaStatsProvider noNodes() {
        return List::of;
    }
}
