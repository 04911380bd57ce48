package org.mmspec.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmspec.frames.BitmapAllocator;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.HybridAllocator;

/**
 * Metadata of a frame allocator in bits per managed frame, two ways.
 *
 * <p><b>Counted</b> ({@link #of}): the bitmap's own count ({@code BitmapAllocator.metadataBits}: the
 * free map, its two summaries, the chunks of head and reserved marks in use); the buddy's free
 * blocks and live allocations at what their {@code TreeSet<Long>} and {@code TreeMap<Long, Long>}
 * entries take on a 64-bit JVM with compressed references: 40 bytes a tree entry plus 16 bytes a
 * boxed {@code Long} key, and 16 more for a live entry's boxed length ({@value #FREE_BLOCK_BYTES}
 * and {@value #LIVE_BYTES} bytes); the hybrid is the sum of its halves. Fixed-size objects (the
 * allocator, its lists of reserved regions, one empty tree per order) are left out: they do not
 * grow with memory.
 *
 * <p><b>Measured</b> ({@link #retainedBitsPerFrame}): used heap after {@code System.gc()} with one
 * freshly built allocator held, minus used heap after it is dropped; a check on the count that
 * includes everything reachable, within the collector's noise (a few KiB).
 */
final class Metadata {
    static final int FREE_BLOCK_BYTES = 40 + 16;
    static final int LIVE_BYTES = 40 + 16 + 16;

    private Metadata() {
    }

    /** Total metadata bits, the frames they describe, and what was counted. */
    record Bits(double bits, long frames, String how) {
        double perFrame() {
            return bits / frames;
        }
    }

    static Bits of(FrameAllocator a) {
        if (a instanceof BitmapAllocator b) {
            return new Bits(b.metadataBits(), b.managedFrames(),
                    "free map and summaries, head and reserved chunks in use (BitmapAllocator.metadataBits)");
        }
        if (a instanceof BuddyAllocator b) {
            long blocks = b.freeBlockMap().size();
            long live = b.live().size();
            return new Bits(8.0 * (blocks * FREE_BLOCK_BYTES + live * LIVE_BYTES), b.managedFrames(),
                    String.format(Locale.ROOT, "%d free blocks, %d live", blocks, live));
        }
        if (a instanceof HybridAllocator h) {
            Bits bm = h.bitmap().map(Metadata::of).orElse(new Bits(0, 0, "no bitmap"));
            Bits bd = h.buddy().map(Metadata::of).orElse(new Bits(0, 0, "no buddy"));
            return new Bits(bm.bits() + bd.bits(), h.managedFrames(), "bitmap quarter + buddy: " + bd.how());
        }
        throw new IllegalArgumentException(a.getClass().getName());
    }

    /** Retained heap of a fresh allocator of {@code kind} over {@code frames}, in bits per frame. */
    static double retainedBitsPerFrame(String kind, long frames) {
        List<FrameAllocator> holder = new ArrayList<>();
        long before = BenchSuite.usedAfterGc();
        holder.add(BootBench.build(kind, frames));
        long with = BenchSuite.usedAfterGc();
        holder.clear();
        return 8.0 * (with - before) / frames;
    }
}
