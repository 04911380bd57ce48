package org.mmspec.frames;

/**
 * What every physical frame allocator offers (bitmap, buddy, hybrid, and the per-zone and
 * per-node allocators built on them).
 *
 * <p>Contract, for every implementation: an allocation returns a run of frames that were free and
 * are now allocated; {@link #free} takes back exactly a run that an allocation returned; any
 * rejected call throws {@link FrameError} and changes nothing.
 *
 * <p>Errors ({@code spec/frames.md} section 4): {@code allocate(n)} rejects {@code n < 1} with
 * ZERO_SIZE, a request no state could serve with IMPOSSIBLE_SIZE, and a request the current state
 * cannot serve with OUT_OF_MEMORY. {@code free(run)} checks, in this order: inside managed memory
 * (else OUT_OF_RANGE), no reserved frame (else RESERVED), first frame not free (else DOUBLE_FREE),
 * exactly one live allocation (else NOT_ALLOCATED).
 */
public interface FrameAllocator {
    /** Allocates {@code count} physically contiguous frames. */
    FrameRange allocate(long count);

    /** Allocates one frame. */
    default PhysFrame allocate() {
        return allocate(1).start();
    }

    /** Frees a run returned by {@link #allocate(long)}. */
    void free(FrameRange run);

    /** Frees a single frame returned by {@link #allocate()}. */
    default void free(PhysFrame frame) {
        free(new FrameRange(frame, 1));
    }

    /** Frames currently free. */
    long freeFrames();

    /** Frames this allocator manages: free + allocated + reserved. */
    long managedFrames();
}
