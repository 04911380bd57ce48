package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The machine's physical memory as the firmware reports it at boot, and how the frame
 * allocators are set up from it.
 *
 * <p>Encoding: the {@link MemoryRegion}s sorted by start; no two share a byte (a map with
 * overlapping entries is rejected with {@link FrameError.Kind#BAD_REGION}, since the kernel
 * cannot know which entry to believe). Gaps between entries are allowed: they are holes that no
 * allocator hands out.
 *
 * <p>What the allocators get: the <em>managed range</em> of a node is the frames from the first
 * frame of that node's lowest entry to the last frame of its highest {@link MemoryRegion.Kind#USABLE
 * usable} entry; memory above the last usable RAM is not managed at all. Inside it, every frame that
 * is not usable RAM of that node is covered by exactly one {@link ReservedRegion}
 * ({@link #reservedRegions(int)}): the BIOS area {@code [0, 1 MiB)} always, then one region per
 * non-usable entry (MMIO holes, ACPI tables, the kernel image, boot-time allocations, firmware
 * reserved), then the holes the map does not describe. So
 * {@code new HybridAllocator(map.managedRange(n), map.reservedRegions(n))} is node {@code n}'s
 * allocator, and it can never hand out a frame the firmware did not report as usable RAM.
 */
public final class BootMemoryMap {
    /** Node id meaning "every node": the whole machine as one managed range. */
    public static final int ALL_NODES = -1;
    /** Description of frames inside a managed range that no map entry covers. */
    public static final String HOLE = "hole (not in the memory map)";

    private final List<MemoryRegion> regions;

    /**
     * Validates {@code regions} and builds the map.
     *
     * @throws FrameError {@link FrameError.Kind#BAD_REGION} when entries overlap, the map holds no
     *         usable memory, or an entry is null
     */
    public BootMemoryMap(List<MemoryRegion> regions) {
        Objects.requireNonNull(regions, "regions");
        List<MemoryRegion> sorted = new ArrayList<>();
        for (MemoryRegion r : regions) {
            if (r == null) {
                throw FrameError.of(FrameError.Kind.BAD_REGION, "null entry in the boot memory map");
            }
            sorted.add(r);
        }
        sorted.sort(null);
        for (int i = 1; i < sorted.size(); i++) {
            MemoryRegion a = sorted.get(i - 1);
            MemoryRegion b = sorted.get(i);
            if (b.start().value() < a.end().value()) {
                throw FrameError.of(FrameError.Kind.BAD_REGION, "boot memory map entries %s and %s overlap at %s", a, b, b.start());
            }
        }
        if (sorted.stream().noneMatch(MemoryRegion::usable)) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "boot memory map holds no usable memory: %s", sorted);
        }
        this.regions = List.copyOf(sorted);
    }

    public static BootMemoryMap of(MemoryRegion... regions) {
        return new BootMemoryMap(List.of(regions));
    }

    /** The entries, sorted by start. */
    public List<MemoryRegion> regions() {
        return regions;
    }

    /** The nodes that own usable memory. */
    public SortedSet<Integer> nodes() {
        TreeSet<Integer> out = new TreeSet<>();
        regions.stream().filter(MemoryRegion::usable).forEach(r -> out.add(r.node()));
        return out;
    }

    /** The whole machine's managed range. */
    public FrameRange managedRange() {
        return managedRange(ALL_NODES);
    }

    /** The whole machine's reserved regions. */
    public List<ReservedRegion> reservedRegions() {
        return reservedRegions(ALL_NODES);
    }

    /**
     * Node {@code node}'s managed range (or the machine's, for {@link #ALL_NODES}).
     *
     * @throws FrameError {@link FrameError.Kind#BAD_REGION} if the node owns no usable memory
     */
    public FrameRange managedRange(int node) {
        long first = Long.MAX_VALUE;
        long lastUsableEnd = -1;
        for (MemoryRegion r : regions) {
            if (node != ALL_NODES && r.node() != node) {
                continue;
            }
            first = Math.min(first, r.frames().start().number());
            if (r.usable()) {
                lastUsableEnd = Math.max(lastUsableEnd, r.frames().endNumber());
            }
        }
        if (lastUsableEnd < 0) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "node %d owns no usable memory in %s", node, regions);
        }
        return FrameRange.of(first, lastUsableEnd - first);
    }

    /**
     * The reserved regions covering every frame of {@link #managedRange(int)} that is not usable
     * RAM of {@code node}: the BIOS area, each non-usable entry, usable RAM of other nodes that
     * lies inside this node's span, and undescribed holes. Sorted and pairwise disjoint.
     */
    public List<ReservedRegion> reservedRegions(int node) {
        FrameRange window = managedRange(node);
        List<ReservedRegion> out = new ArrayList<>();
        long biosEnd = Math.min(window.endNumber(), PhysFrame.at(ReservedRegion.BIOS_AREA_END).number());
        long cursor = window.start().number();
        if (cursor < biosEnd) {
            out.add(ReservedRegion.of(cursor, biosEnd - cursor, ReservedRegion.BIOS_AREA));
            cursor = biosEnd;
        }
        for (MemoryRegion r : regions) {
            long s = Math.max(r.frames().start().number(), cursor);
            long e = Math.min(r.frames().endNumber(), window.endNumber());
            if (s >= e) {
                continue;
            }
            if (cursor < s) {
                out.add(ReservedRegion.of(cursor, s - cursor, HOLE));
            }
            boolean mine = r.usable() && (node == ALL_NODES || r.node() == node);
            if (!mine) {
                String what = r.usable() ? "usable RAM of node " + r.node() : r.kind().description();
                out.add(ReservedRegion.of(s, e - s, what));
            }
            cursor = e;
        }
        if (cursor < window.endNumber()) {
            out.add(ReservedRegion.of(cursor, window.endNumber() - cursor, HOLE));
        }
        return ReservedRegion.validate(window, out);
    }

    /** Usable frames of {@code node} that an allocator may hand out (managed minus reserved). */
    public long usableFrames(int node) {
        return managedRange(node).count() - ReservedRegion.totalFrames(reservedRegions(node));
    }

    @Override
    public String toString() {
        return "BootMemoryMap" + regions;
    }
}
