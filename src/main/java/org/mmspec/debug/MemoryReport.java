package org.mmspec.debug;

import java.util.Locale;

import org.mmspec.frames.PhysFrame;
import org.mmspec.heap.HeapStats;

/**
 * The text of {@code echo mem > /sys/kernel/debug/memory}: frames, zones, NUMA nodes, slab
 * classes, per-CPU caches and the large allocator, each read through its provider.
 *
 * <p>Layout: one section per subsystem, headed {@code [frames]}, {@code [zones]},
 * {@code [numa]}, {@code [slab]}, {@code [percpu]}, {@code [large]}; one {@code key value} line
 * or one table row per item; sizes in frames or bytes as named. Classes and CPU caches with no
 * activity are left out so that the report stays short. DEBUG-5 checks the heap figures against
 * the heap's structure.
 */
public final class MemoryReport {
    private final StatsProviders.FrameStatsProvider frames;
    private final StatsProviders.ZoneStatsProvider zones;
    private final StatsProviders.NumaStatsProvider nodes;
    private final StatsProviders.SlabStatsProvider slabs;
    private final StatsProviders.LargeStatsProvider large;
    /** The per-CPU frame caches, or null when the machine has none (the section is left out). */
    private final StatsProviders.PcpStatsProvider pcp;

    public MemoryReport(StatsProviders.FrameStatsProvider frames, StatsProviders.ZoneStatsProvider zones,
            StatsProviders.NumaStatsProvider nodes, StatsProviders.SlabStatsProvider slabs,
            StatsProviders.LargeStatsProvider large) {
        this(frames, zones, nodes, slabs, large, null);
    }

    /** A report that also has a {@code [pcp]} section: the per-CPU frame caches, per CPU and per node. */
    public MemoryReport(StatsProviders.FrameStatsProvider frames, StatsProviders.ZoneStatsProvider zones,
            StatsProviders.NumaStatsProvider nodes, StatsProviders.SlabStatsProvider slabs,
            StatsProviders.LargeStatsProvider large, StatsProviders.PcpStatsProvider pcp) {
        this.frames = frames;
        this.zones = zones;
        this.nodes = nodes;
        this.slabs = slabs;
        this.large = large;
        this.pcp = pcp;
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        StatsProviders.FrameStats f = frames.frameStats();
        sb.append("[frames]\n");
        line(sb, "managed", f.managed() + " frames (" + (f.managed() * PhysFrame.SIZE / 1024) + " KiB)");
        line(sb, "free", f.free() + " frames");
        line(sb, "used", (f.managed() - f.free()) + " frames");
        sb.append("[zones]\n");
        for (StatsProviders.ZoneStats z : zones.zoneStats()) {
            line(sb, z.name(), z.free() + "/" + z.managed() + " frames free");
        }
        sb.append("[numa]\n");
        for (StatsProviders.NodeStats n : nodes.nodeStats()) {
            line(sb, "node" + n.id(), n.free() + "/" + n.managed() + " frames free, cpus " + n.cpus());
        }
        if (pcp != null) {
            renderPcp(sb);
        }
        sb.append("[slab]\n");
        sb.append(String.format(Locale.ROOT, "  %-6s %7s %7s %7s %7s %7s %7s %8s %8s %6s%n", "class", "live", "cached",
                "free", "objects", "partial", "full", "allocs", "frees", "frames"));
        for (HeapStats.ClassStats c : slabs.classStats()) {
            if (c.objects() == 0 && c.allocs() == 0) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "  %-6s %7d %7d %7d %7d %7d %7d %8d %8d %6d%n", c.cls().label(), c.live(),
                    c.cached(), c.freeInSlabs(), c.objects(), c.slabsPartial(), c.slabsFull(), c.allocs(), c.frees(),
                    c.frames()));
        }
        sb.append("[percpu]\n");
        for (HeapStats.CpuStats c : slabs.cpuStats()) {
            if (c.allocs() == 0 && c.frees() == 0 && c.cached() == 0) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "  cpu%d %-6s cached %d allocs %d frees %d hits %d refills %d flushes %d%n",
                    c.cpu(), c.cls().label(), c.cached(), c.allocs(), c.frees(), c.hits(), c.refills(), c.flushes()));
        }
        HeapStats.LargeStats l = large.largeStats();
        sb.append("[large]\n");
        line(sb, "arenas", l.arenas() + " (" + l.managedBytes() + " bytes)");
        line(sb, "used", l.usedBytes() + " bytes in " + l.usedBlocks() + " blocks (" + l.liveRequestedBytes() + " requested)");
        line(sb, "free", l.freeBytes() + " bytes in " + l.freeBlocks() + " blocks, largest " + l.largestFree());
        line(sb, "allocs/frees", l.allocs() + "/" + l.frees());
        return sb.toString();
    }

    private void renderPcp(StringBuilder sb) {
        sb.append(pcpSection(pcp));
    }

    /**
     * The {@code [pcp]} section on its own: one row per CPU cache and per node of the per-CPU frame
     * caches (spec/frames-percpu.md §8).
     */
    public static String pcpSection(StatsProviders.PcpStatsProvider pcp) {
        StringBuilder sb = new StringBuilder("[pcp]\n");
        for (org.mmspec.pcp.PcpStats.CpuStats c : pcp.pcpCpuStats()) {
            sb.append(String.format(Locale.ROOT,
                    "  cpu%d node%d cached %d allocs %d frees %d hits %d refills %d drains %d pressure-drains %d%n", c.cpu(),
                    c.node(), c.cached(), c.allocs(), c.frees(), c.hits(), c.refills(), c.drains(), c.pressureDrains()));
        }
        for (org.mmspec.pcp.PcpStats.NodeStats n : pcp.pcpNodeStats()) {
            sb.append(String.format(Locale.ROOT,
                    "  node%d free %d cached %d refills %d drains %d direct %d remote-frees %d pressure-drains %d%n", n.node(),
                    n.free(), n.cached(), n.refills(), n.drains(), n.direct(), n.remoteFrees(), n.pressureDrains()));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "  %-12s %s%n", key, value));
    }
}
