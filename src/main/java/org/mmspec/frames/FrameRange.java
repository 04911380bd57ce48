package org.mmspec.frames;

import java.util.Objects;

/**
 * A run of physically contiguous frames {@code [start, start + count)}. Never empty.
 *
 * @param start the first frame
 * @param count how many frames, at least 1
 */
public record FrameRange(PhysFrame start, long count) implements Comparable<FrameRange> {
    public FrameRange {
        Objects.requireNonNull(start, "start");
        if (count < 1) {
            throw new IllegalArgumentException("a frame range holds at least one frame, not " + count);
        }
        if (start.number() + count > PhysFrame.LIMIT) {
            throw new IllegalArgumentException("frame range " + start + " + " + count + " passes the physical limit");
        }
    }

    public static FrameRange of(long firstFrame, long count) {
        return new FrameRange(PhysFrame.of(firstFrame), count);
    }

    /** The range {@code [first, endExclusive)}. */
    public static FrameRange between(PhysFrame first, PhysFrame endExclusive) {
        return new FrameRange(first, endExclusive.number() - first.number());
    }

    /** The frames covering bytes {@code [start, end)}; both must be frame-aligned. */
    public static FrameRange ofBytes(PhysAddr start, PhysAddr endExclusive) {
        return between(PhysFrame.at(start), PhysFrame.at(endExclusive));
    }

    /** One past the last frame number. */
    public long endNumber() {
        return start.number() + count;
    }

    public PhysFrame end() {
        return PhysFrame.of(endNumber());
    }

    public PhysFrame last() {
        return PhysFrame.of(endNumber() - 1);
    }

    public boolean contains(PhysFrame f) {
        return f.number() >= start.number() && f.number() < endNumber();
    }

    public boolean contains(FrameRange r) {
        return r.start.number() >= start.number() && r.endNumber() <= endNumber();
    }

    public boolean overlaps(FrameRange r) {
        return r.start.number() < endNumber() && start.number() < r.endNumber();
    }

    public long bytes() {
        return count * PhysFrame.SIZE;
    }

    @Override
    public int compareTo(FrameRange o) {
        int c = start.compareTo(o.start);
        return c != 0 ? c : Long.compare(count, o.count);
    }

    @Override
    public String toString() {
        return String.format("[frame#%d..%d)", start.number(), endNumber());
    }
}
