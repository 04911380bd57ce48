package org.mmspec.frames;

/**
 * A physical byte address. Non-negative; the model's physical address space is
 * {@code [0, 2^52)}, the largest that x86_64, AArch64 and RISC-V page-table entries can name.
 *
 * @param value the address in bytes
 */
public record PhysAddr(long value) implements Comparable<PhysAddr> {
    /** Bits of physical address the model accepts (x86_64 MAXPHYADDR at most 52). */
    public static final int PHYS_ADDR_BITS = 52;
    public static final long LIMIT = 1L << PHYS_ADDR_BITS;

    public PhysAddr {
        if (value < 0 || value >= LIMIT) {
            throw new IllegalArgumentException(String.format("physical address 0x%x outside [0, 2^%d)", value, PHYS_ADDR_BITS));
        }
    }

    public static PhysAddr of(long value) {
        return new PhysAddr(value);
    }

    public boolean isFrameAligned() {
        return (value & (PhysFrame.SIZE - 1)) == 0;
    }

    /** The frame containing this address. */
    public PhysFrame frame() {
        return PhysFrame.containing(this);
    }

    public PhysAddr plus(long bytes) {
        return new PhysAddr(value + bytes);
    }

    @Override
    public int compareTo(PhysAddr o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        return String.format("0x%x", value);
    }
}
