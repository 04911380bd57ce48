package org.mmspec.frames;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The trivially correct model of a {@link HybridAllocator}, for layers that allocate from one
 * (zones, NUMA nodes): one {@link ReferenceFrameAllocator} per half, and the hybrid's contract
 * restated over them. It lets a model-based check of a zone or node predict, without sharing
 * code with the allocator, whether the allocator must serve a request and where.
 *
 * <p>Contract it states, for {@code allocate(n, a)} with {@code n >= 1} and {@code a} a power of
 * two: if {@code n < threshold}, the bitmap half exists, {@code n} fits in it and the bitmap model
 * has an {@code a}-aligned run of {@code n} free frames, the result is exactly the lowest such run
 * (aligned first fit). Otherwise, if the buddy half exists, {@code n <= 2^maxOrder},
 * {@code a <= 2^maxOrder} and the buddy model has a free window of
 * {@code w = max(2^ceil(log2 n), a)} frames aligned to {@code w}, the result is some run of
 * {@code n} frames aligned to {@code w}, inside the buddy half and free in its model (the buddy
 * chooses which; the model accepts any). Otherwise the request fails and nothing changes.
 *
 * <p>A first-fit allocator (the {@link ReferenceFrameAllocator}) is the special case with an
 * unbounded threshold and no buddy half: {@link #firstFit}.
 */
public final class HybridModel {
    /** The threshold of a model without a buddy half: every request is a bitmap request. */
    private static final long UNBOUNDED = Long.MAX_VALUE;

    /** Which half a request must be served by, and for the bitmap the exact run. */
    public record Expectation(Optional<HybridAllocator.Half> half, Optional<FrameRange> exactRun, long window) {
        /** Whether the allocator must serve the request. */
        public boolean served() {
            return half.isPresent();
        }
    }

    private final long threshold;
    private final int maxOrder;
    private final long split;
    private final ReferenceFrameAllocator bitmap;
    private final ReferenceFrameAllocator buddy;

    /**
     * A model of a hybrid over {@code managed} with {@code reserved} frames, cut at {@code split}.
     *
     * @param reserved sorted, disjoint ranges inside {@code managed}
     */
    public HybridModel(FrameRange managed, List<FrameRange> reserved, long threshold, PhysFrame split, int maxOrder) {
        Objects.requireNonNull(managed);
        this.threshold = threshold;
        this.maxOrder = maxOrder;
        this.split = split.number();
        long s = managed.start().number();
        long e = managed.endNumber();
        this.bitmap = this.split > s ? part(FrameRange.of(s, this.split - s), reserved) : null;
        this.buddy = e > this.split ? part(FrameRange.of(this.split, e - this.split), reserved) : null;
    }

    private HybridModel(HybridModel o) {
        threshold = o.threshold;
        maxOrder = o.maxOrder;
        split = o.split;
        bitmap = o.bitmap == null ? null : copyOf(o.bitmap);
        buddy = o.buddy == null ? null : copyOf(o.buddy);
    }

    /** The model of a first-fit allocator: everything in one bitmap-like half, aligned first fit. */
    public static HybridModel firstFit(FrameRange managed, List<FrameRange> reserved) {
        return new HybridModel(managed, reserved, UNBOUNDED, managed.end(), 0);
    }

    /**
     * The model of the allocator {@code a} over {@code managed}: a hybrid's threshold, split and
     * buddy max order are taken from its configuration (HYBRID-1 checks the split); any other
     * allocator is modelled as first fit.
     */
    public static HybridModel of(FrameAllocator a, FrameRange managed, List<FrameRange> reserved) {
        if (a instanceof HybridAllocator h) {
            return new HybridModel(managed, reserved, h.threshold(), h.split(), h.buddy().map(BuddyAllocator::maxOrder).orElse(0));
        }
        return firstFit(managed, reserved);
    }

    private static ReferenceFrameAllocator part(FrameRange window, List<FrameRange> reserved) {
        List<FrameRange> clipped = new ArrayList<>();
        for (FrameRange r : reserved) {
            long s = Math.max(r.start().number(), window.start().number());
            long e = Math.min(r.endNumber(), window.endNumber());
            if (s < e) {
                clipped.add(FrameRange.of(s, e - s));
            }
        }
        return new ReferenceFrameAllocator(window, clipped);
    }

    private static ReferenceFrameAllocator copyOf(ReferenceFrameAllocator r) {
        return r.copy();
    }

    public HybridModel copy() {
        return new HybridModel(this);
    }

    /** What {@code allocate(count, align)} must do in this state (count >= 1, align a power of two). */
    public Expectation expect(long count, long align) {
        long window = Math.max(1L << BuddyAllocator.orderFor(count), align);
        boolean bitmapCould = count < threshold && bitmap != null && count <= bitmap.managedFrames();
        if (bitmapCould && bitmap.hasRun(count, align)) {
            return new Expectation(Optional.of(HybridAllocator.Half.BITMAP), Optional.of(lowest(bitmap, count, align)), align);
        }
        boolean buddyCould = buddy != null && count <= (1L << maxOrder) && align <= (1L << maxOrder)
                && count <= buddy.managedFrames();
        if (buddyCould && buddy.hasRun(window, window)) {
            return new Expectation(Optional.of(HybridAllocator.Half.BUDDY), Optional.empty(), window);
        }
        return new Expectation(Optional.empty(), Optional.empty(), window);
    }

    private static FrameRange lowest(ReferenceFrameAllocator m, long count, long align) {
        ReferenceFrameAllocator probe = m.copy();
        return probe.allocateAligned(count, align);
    }

    /**
     * Checks that {@code actual} is what {@code e} allows for a request of {@code count} frames
     * and, if so, takes it in the model. Returns what is wrong, or empty.
     */
    public Optional<String> accept(Expectation e, long count, FrameRange actual) {
        if (e.half().isEmpty()) {
            return Optional.of("the model cannot serve " + count + " frames, but the allocator returned " + actual);
        }
        if (e.exactRun().isPresent()) {
            if (!e.exactRun().get().equals(actual)) {
                return Optional.of("bitmap aligned first fit is " + e.exactRun().get() + ", the allocator returned " + actual);
            }
            bitmap.take(actual);
            return Optional.empty();
        }
        if (actual.count() != count || actual.start().number() % e.window() != 0 || actual.start().number() < split
                || !buddy.isFree(actual.start().number(), count)) {
            return Optional.of(String.format("the buddy half must return %d frames aligned to %d, free in the model, at or above the split frame#%d; the allocator returned %s",
                    count, e.window(), split, actual));
        }
        buddy.take(actual);
        return Optional.empty();
    }

    /** Frees a run the model handed out. */
    public void free(FrameRange run) {
        half(run.start().number()).free(run);
    }

    private ReferenceFrameAllocator half(long frame) {
        return frame < split ? bitmap : buddy;
    }

    public boolean isFree(PhysFrame f) {
        ReferenceFrameAllocator h = half(f.number());
        return h != null && h.isFree(f);
    }

    /** Length of the live run starting at {@code frame}, if any. */
    public Optional<Long> liveAt(long frame) {
        ReferenceFrameAllocator h = half(frame);
        return h == null ? Optional.empty() : Optional.ofNullable(h.live().get(frame));
    }

    public long freeFrames() {
        return (bitmap == null ? 0 : bitmap.freeFrames()) + (buddy == null ? 0 : buddy.freeFrames());
    }

    @Override
    public String toString() {
        return "HybridModel{split=" + split + ", threshold=" + threshold + ", bitmap=" + bitmap + ", buddy=" + buddy + "}";
    }
}
