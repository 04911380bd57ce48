package org.mmspec.frames;

import java.util.List;

/**
 * The frame-level view of an allocator's state that the FRAME-n and RESERVED-n invariants are
 * stated over: which frames it manages, which are reserved, which are free, which are held by
 * live allocations. Every allocator of this package exposes it, so the same invariants check the
 * bitmap, the buddy and the hybrid.
 */
public interface FrameAccounting {
    /** The frames the allocator manages: free + allocated + reserved (FRAME-2). */
    FrameRange managed();

    /** The reserved regions inside {@link #managed()}, sorted. */
    List<ReservedRegion> reserved();

    /** The free frames as runs, sorted by start (free blocks for the buddy, maximal runs for the bitmap). */
    List<FrameRange> freeRuns();

    /** The live allocations, sorted by start. */
    List<FrameRange> liveRuns();

    /** The allocator's own count of free frames (FRAME-3 compares it with {@link #freeRuns()}). */
    long freeFrames();
}
