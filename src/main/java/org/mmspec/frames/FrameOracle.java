package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;

/**
 * What the spec says a frame operation must answer, computed from the trivially correct
 * {@link ReferenceFrameAllocator}: the error kind of a free, and the inputs (good and bad) the
 * model-based machines and exhaustive models draw.
 */
final class FrameOracle {
    private FrameOracle() {
    }

    /**
     * The error kind {@code free(run)} must raise, or {@code "ok"}: OUT_OF_RANGE, then RESERVED,
     * then DOUBLE_FREE (first frame free), then NOT_ALLOCATED (not exactly a live allocation).
     */
    static String freeKind(FrameRange managed, List<ReservedRegion> reserved, ReferenceFrameAllocator model, FrameRange run) {
        if (!managed.contains(run)) {
            return FrameError.Kind.OUT_OF_RANGE.name();
        }
        for (ReservedRegion r : reserved) {
            if (r.overlaps(run)) {
                return FrameError.Kind.RESERVED.name();
            }
        }
        if (model.isFree(run.start())) {
            return FrameError.Kind.DOUBLE_FREE.name();
        }
        Long len = model.live().get(run.start().number());
        return len != null && len == run.count() ? "ok" : FrameError.Kind.NOT_ALLOCATED.name();
    }

    /** Reference allocators per part, with the reserved regions of each part. */
    static ReferenceFrameAllocator reference(FrameRange managed, List<ReservedRegion> reserved) {
        return new ReferenceFrameAllocator(managed, reserved.stream().map(ReservedRegion::range).toList());
    }

    /**
     * The input rules the allocators' constructors enforce on reserved regions (RESERVED-1), each
     * refused with {@link FrameError.Kind#BAD_REGION}; {@link #drawBadReserved} breaks one.
     */
    enum ReservedRule {
        /** Two regions share a frame. */
        OVERLAPPING,
        /** A region reaches below the first or past the last managed frame. */
        OUTSIDE_MANAGED
    }

    /**
     * Reserved regions for an allocator over {@code managed} that break {@code rule} (and only
     * it, as far as the draw allows): the input a constructor must refuse with BAD_REGION.
     */
    static List<ReservedRegion> drawBadReserved(Choices c, FrameRange managed, ReservedRule rule) {
        long first = managed.start().number();
        long end = managed.endNumber();
        List<ReservedRegion> out = new ArrayList<>();
        switch (rule) {
            case OVERLAPPING -> {
                long a = first + c.between(0L, managed.count() - 1);
                long aLen = c.between(1L, Math.min(end - a, 8L));
                long b = a + c.between(0L, aLen - 1);
                long bLen = c.between(1L, Math.min(end - b, 8L));
                out.add(ReservedRegion.of(a, aLen, "reserved#a"));
                out.add(ReservedRegion.of(b, bLen, "reserved#b"));
            }
            case OUTSIDE_MANAGED -> {
                if (first > 0 && c.bool()) {
                    long below = c.between(1L, Math.min(first, 4L));
                    out.add(ReservedRegion.of(first - below, below + c.between(0L, Math.min(managed.count(), 4L)), "reserved#below"));
                } else {
                    long start = first + c.between(0L, managed.count() - 1);
                    out.add(ReservedRegion.of(start, end - start + c.between(1L, 4L), "reserved#past-end"));
                }
            }
            default -> throw new AssertionError(rule);
        }
        return out;
    }

    /** Up to {@code max} disjoint reserved regions inside {@code managed}, drawn. */
    static List<ReservedRegion> drawReserved(Choices c, FrameRange managed, int max) {
        List<ReservedRegion> out = new ArrayList<>();
        int count = c.between(0, max);
        long cursor = managed.start().number();
        for (int i = 0; i < count; i++) {
            long room = managed.endNumber() - cursor;
            if (room < 2) {
                break;
            }
            long start = cursor + c.between(0L, Math.min(room - 1, managed.count() / 2));
            long len = c.between(1L, Math.max(1, Math.min(managed.endNumber() - start, managed.count() / 8 + 1)));
            if (start + len > managed.endNumber()) {
                break;
            }
            out.add(ReservedRegion.of(start, len, "reserved#" + i));
            cursor = start + len + 1;
        }
        return out;
    }

    /**
     * A free request the allocator must reject, of a drawn kind: a double free, a partial or
     * overlong free of a live allocation, a reserved frame, a run past the managed range, or an
     * unallocated run.
     */
    static FrameRange drawBadFree(Choices c, FrameRange managed, List<ReservedRegion> reserved, ReferenceFrameAllocator model) {
        int kind = c.between(0, 5);
        List<Long> live = new ArrayList<>(model.live().keySet());
        List<Long> free = new ArrayList<>(model.freeSet());
        switch (kind) {
            case 0:
                if (!free.isEmpty()) {
                    return FrameRange.of(c.pick(free), 1);
                }
                break;
            case 1:
                if (!live.isEmpty()) {
                    long s = c.pick(live);
                    long len = model.live().get(s);
                    long other = c.bool() ? len + 1 : Math.max(1, len - 1);
                    if (s + other <= PhysFrame.LIMIT && other != len) {
                        return FrameRange.of(s, other);
                    }
                    return FrameRange.of(s + (len > 1 ? 1 : 0), 1);
                }
                break;
            case 2:
                if (!reserved.isEmpty()) {
                    ReservedRegion r = c.pick(reserved);
                    return FrameRange.of(r.start().number(), 1);
                }
                break;
            case 3:
                return FrameRange.of(managed.endNumber() - (c.bool() ? 0 : 1), 2);
            case 4:
                if (managed.start().number() > 0) {
                    return FrameRange.of(managed.start().number() - 1, 2);
                }
                break;
            default:
                break;
        }
        return FrameRange.of(managed.start().number() + c.below(managed.count()), c.between(1L, 3L));
    }
}
