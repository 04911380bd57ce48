package org.mmspec.frames;

/**
 * One entry of the boot memory map the firmware hands the kernel (an E820 or UEFI memory
 * descriptor, reduced to what the frame allocators need).
 *
 * <p>Encoding: bytes {@code [start, end)}, both 4 KiB aligned, {@code start < end}, of one
 * {@link Kind}, on one NUMA node. A malformed entry is rejected when it is built, with
 * {@link FrameError.Kind#BAD_REGION}: a misaligned entry would force the kernel to guess whether
 * the partial frame is usable, and the spec does not guess.
 *
 * @param start first byte
 * @param end one past the last byte
 * @param kind what the memory is
 * @param node the NUMA node it belongs to (0 on a machine without NUMA)
 */
public record MemoryRegion(PhysAddr start, PhysAddr end, Kind kind, int node) implements Comparable<MemoryRegion> {

    /** What a boot-map entry holds. Everything but {@link #USABLE} becomes a reserved region. */
    public enum Kind {
        /** RAM the frame allocators may hand out. */
        USABLE("usable"),
        /** Firmware-reserved RAM (E820 type 2). */
        RESERVED("firmware reserved"),
        /** ACPI tables (reclaimable in principle; kept reserved by this spec). */
        ACPI("ACPI tables"),
        /** A memory-mapped I/O hole: device registers, not RAM. */
        MMIO("MMIO hole"),
        /** The loaded kernel image: code, read-only data, data and bss. */
        KERNEL("kernel image"),
        /** Memory the boot loader and early boot allocated before the frame allocators existed. */
        BOOT("boot-time allocations");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** The reserved-region description for this kind. */
        public String description() {
            return description;
        }
    }

    /** The largest NUMA node id the map accepts (the seed's node ids are {@code u8}). */
    public static final int MAX_NODE = 255;

    public MemoryRegion {
        if (start == null || end == null || kind == null) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "memory region needs start, end and kind: %s..%s %s", start, end, kind);
        }
        if (!start.isFrameAligned() || !end.isFrameAligned()) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "memory region %s [%s, %s) is not 4 KiB aligned", kind, start, end);
        }
        if (end.value() <= start.value()) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "memory region %s [%s, %s) is empty or inverted", kind, start, end);
        }
        if (node < 0 || node > MAX_NODE) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "memory region %s [%s, %s) names node %d outside [0, %d]",
                    kind, start, end, node, MAX_NODE);
        }
    }

    /** An entry on node 0. */
    public static MemoryRegion of(long start, long end, Kind kind) {
        return of(start, end, kind, 0);
    }

    /**
     * An entry from raw byte addresses, as firmware reports them. Out-of-range addresses are
     * rejected as {@link FrameError.Kind#BAD_REGION}, like every other malformed entry.
     */
    public static MemoryRegion of(long start, long end, Kind kind, int node) {
        if (start < 0 || end < 0 || start >= PhysAddr.LIMIT || end >= PhysAddr.LIMIT) {
            throw FrameError.of(FrameError.Kind.BAD_REGION, "memory region %s [0x%x, 0x%x) lies outside physical memory [0, 0x%x)",
                    kind, start, end, PhysAddr.LIMIT - 1);
        }
        return new MemoryRegion(PhysAddr.of(start), PhysAddr.of(end), kind, node);
    }

    /** The frames of the entry. */
    public FrameRange frames() {
        return FrameRange.ofBytes(start, end);
    }

    public boolean usable() {
        return kind == Kind.USABLE;
    }

    @Override
    public int compareTo(MemoryRegion o) {
        return start.compareTo(o.start);
    }

    @Override
    public String toString() {
        return String.format("%s[%s, %s)@node%d", kind, start, end, node);
    }
}
