package org.mmspec.heap;

import org.mmspec.frames.PhysAddr;

/**
 * A kernel virtual address inside the seed's kernel heap region
 * {@code 0xFFFF_C000_0000_0000 - 0xFFFF_CFFF_FFFF_FFFF}.
 *
 * <p>Encoding: the heap maps the frames it draws from the frame allocator <em>linearly</em> into
 * that region, so the heap address of physical byte {@code p} is {@code HEAP_BASE + p}. The
 * model keeps the offset {@code p} (non-negative, below {@link #HEAP_SIZE}); the signed
 * {@code long} value of the virtual address is only formed for printing. A plain final class,
 * not a record, because the per-CPU scenarios run it under Java PathFinder, which cannot run a
 * record's generated {@code equals}/{@code hashCode}/{@code toString}.
 */
public final class HeapAddr implements Comparable<HeapAddr> {
    /** First byte of the kernel heap region (seed, "Memory layout (x86_64)"). */
    public static final long HEAP_BASE = 0xFFFF_C000_0000_0000L;
    /** Bytes in the kernel heap region: {@code 0xFFFF_C000_0000_0000 .. 0xFFFF_CFFF_FFFF_FFFF}, 16 TiB. */
    public static final long HEAP_SIZE = 1L << 44;

    private final long offset;

    private HeapAddr(long offset) {
        if (offset < 0 || offset >= HEAP_SIZE) {
            throw new IllegalArgumentException("heap offset 0x" + Long.toHexString(offset) + " outside the 16 TiB heap region");
        }
        this.offset = offset;
    }

    /** The heap address {@code offset} bytes past {@link #HEAP_BASE}. */
    public static HeapAddr ofOffset(long offset) {
        return new HeapAddr(offset);
    }

    /** The heap address a virtual address names; it must lie in the heap region. */
    public static HeapAddr ofVirtual(long virt) {
        return new HeapAddr(virt - HEAP_BASE);
    }

    /** Whether {@code virt} lies in the heap region. */
    public static boolean inRegion(long virt) {
        long off = virt - HEAP_BASE;
        return off >= 0 && off < HEAP_SIZE;
    }

    /** The linear-map address of a physical byte; physical memory above 16 TiB is not heap-mappable. */
    public static HeapAddr linear(PhysAddr phys) {
        return new HeapAddr(phys.value());
    }

    public long offset() {
        return offset;
    }

    /** The virtual address as the CPU sees it (a negative {@code long}: the region is in the upper half). */
    public long virtual() {
        return HEAP_BASE + offset;
    }

    /** The physical byte this address maps to under the linear map. */
    public PhysAddr phys() {
        return PhysAddr.of(offset);
    }

    public HeapAddr plus(long bytes) {
        return new HeapAddr(offset + bytes);
    }

    /** Whether the address is a multiple of {@code align} (a power of two). */
    public boolean isAligned(long align) {
        return (offset & (align - 1)) == 0;
    }

    @Override
    public int compareTo(HeapAddr o) {
        return Long.compare(offset, o.offset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeapAddr && ((HeapAddr) o).offset == offset;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(virtual());
    }
}
