package org.mmspec.frames;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A run of physical frames that is never handed out and never freed (the seed's
 * {@code ReservedRegion}): the BIOS area, MMIO holes, ACPI tables, the kernel image and
 * boot-time allocations.
 *
 * <p>Encoding: the frames {@code [start, end)}; {@code end} is exclusive, so a region always holds
 * at least one frame. A list of regions handed to an allocator is valid when every region lies
 * inside the allocator's managed memory and no two regions share a frame (RESERVED-1);
 * {@link #validate} checks that and returns the list sorted by start.
 *
 * @param start the first reserved frame
 * @param end one past the last reserved frame
 * @param description what the region holds, e.g. {@code "BIOS area"}
 */
public record ReservedRegion(PhysFrame start, PhysFrame end, String description) implements Comparable<ReservedRegion> {

    /** End of the BIOS area (real-mode IVT, BDA, EBDA, VGA and option ROMs): 1 MiB. */
    public static final PhysAddr BIOS_AREA_END = PhysAddr.of(1L << 20);
    /** Description of the standard BIOS region. */
    public static final String BIOS_AREA = "BIOS area (0-1 MiB)";

    /** Rejects a malformed region with {@link FrameError.Kind#BAD_REGION}. */
    public ReservedRegion {
        if (start == null || end == null) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region needs a start and an end frame, got %s..%s", start, end);
        }
        if (description == null || description.isBlank()) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region %s..%s needs a description", start, end);
        }
        if (end.number() <= start.number()) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region '%s' is empty or inverted: [%s, %s)",
                    description, start, end);
        }
    }

    /** The region holding the frames of {@code range}. */
    public static ReservedRegion of(FrameRange range, String description) {
        return new ReservedRegion(range.start(), range.end(), description);
    }

    /** The region {@code [first, first + count)}. */
    public static ReservedRegion of(long first, long count, String description) {
        if (count < 1) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region '%s' at frame#%d holds %d frames", description, first, count);
        }
        return new ReservedRegion(PhysFrame.of(first), PhysFrame.of(first + count), description);
    }

    /**
     * The region covering bytes {@code [start, end)}; both must be 4 KiB aligned, otherwise the
     * region is rejected as {@link FrameError.Kind#BAD_REGION}: rounding a reservation would
     * either hand out part of it or reserve frames nobody asked for.
     */
    public static ReservedRegion ofBytes(PhysAddr start, PhysAddr end, String description) {
        if (!start.isFrameAligned() || !end.isFrameAligned()) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region '%s' [%s, %s) is not 4 KiB aligned", description, start, end);
        }
        return new ReservedRegion(PhysFrame.at(start), PhysFrame.at(end), description);
    }

    /** The frames of the region. */
    public FrameRange range() {
        return FrameRange.between(start, end);
    }

    public long frames() {
        return end.number() - start.number();
    }

    public boolean contains(PhysFrame f) {
        return f.number() >= start.number() && f.number() < end.number();
    }

    public boolean overlaps(FrameRange r) {
        return range().overlaps(r);
    }

    /** This region cut down to {@code window}, or {@code null} when they share no frame. */
    public ReservedRegion clip(FrameRange window) {
        long s = Math.max(start.number(), window.start().number());
        long e = Math.min(end.number(), window.endNumber());
        return s < e ? new ReservedRegion(PhysFrame.of(s), PhysFrame.of(e), description) : null;
    }

    /**
     * Checks RESERVED-1 for regions handed to an allocator managing {@code managed}: every region
     * inside it and no two sharing a frame. Returns them sorted by start.
     *
     * @throws FrameError {@link FrameError.Kind#BAD_REGION} naming the offending region(s)
     */
    public static List<ReservedRegion> validate(FrameRange managed, List<ReservedRegion> regions) {
        Objects.requireNonNull(managed, "managed");
        Objects.requireNonNull(regions, "regions");
        List<ReservedRegion> sorted = new ArrayList<>(regions.size());
        for (ReservedRegion r : regions) {
            if (r == null) {
                throw FrameError.of(FrameError.Kind.BAD_REGION, "null reserved region in %s", regions);
            }
            if (!managed.contains(r.range())) {
                throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved region '%s' %s lies outside managed memory %s",
                        r.description, r.range(), managed);
            }
            sorted.add(r);
        }
        sorted.sort(Comparator.naturalOrder());
        for (int i = 1; i < sorted.size(); i++) {
            ReservedRegion a = sorted.get(i - 1);
            ReservedRegion b = sorted.get(i);
            if (b.start.number() < a.end.number()) {
                throw FrameError.of(FrameError.Kind.BAD_REGION, "reserved regions '%s' %s and '%s' %s overlap at %s",
                        a.description, a.range(), b.description, b.range(), b.start);
            }
        }
        return List.copyOf(sorted);
    }

    /** Total frames in {@code regions}. */
    public static long totalFrames(List<ReservedRegion> regions) {
        return regions.stream().mapToLong(ReservedRegion::frames).sum();
    }

    @Override
    public int compareTo(ReservedRegion o) {
        int c = start.compareTo(o.start);
        return c != 0 ? c : end.compareTo(o.end);
    }

    @Override
    public String toString() {
        return description + range();
    }
}
