package org.mmspec.frames;

/**
 * A 4 KiB physical frame, named by its frame number: frame {@code n} covers physical bytes
 * {@code [n * 4096, (n + 1) * 4096)}.
 *
 * @param number the frame number
 */
public record PhysFrame(long number) implements Comparable<PhysFrame> {
    /** Frame size in bytes: 4 KiB. */
    public static final long SIZE = 4096;
    /** log2 of {@link #SIZE}. */
    public static final int SHIFT = 12;
    /** One past the largest frame number ({@link PhysAddr#LIMIT} / {@link #SIZE}). */
    public static final long LIMIT = PhysAddr.LIMIT >>> SHIFT;

    public PhysFrame {
        if (number < 0 || number >= LIMIT) {
            throw new IllegalArgumentException("frame number " + number + " outside [0, " + LIMIT + ")");
        }
    }

    public static PhysFrame of(long number) {
        return new PhysFrame(number);
    }

    public static PhysFrame containing(PhysAddr addr) {
        return new PhysFrame(addr.value() >>> SHIFT);
    }

    /** The frame starting at {@code addr}; the address must be frame-aligned. */
    public static PhysFrame at(PhysAddr addr) {
        if (!addr.isFrameAligned()) {
            throw new IllegalArgumentException(addr + " is not 4 KiB aligned");
        }
        return containing(addr);
    }

    public PhysAddr start() {
        return new PhysAddr(number << SHIFT);
    }

    public PhysFrame plus(long frames) {
        return new PhysFrame(number + frames);
    }

    @Override
    public int compareTo(PhysFrame o) {
        return Long.compare(number, o.number);
    }

    @Override
    public String toString() {
        return String.format("frame#%d", number);
    }
}
