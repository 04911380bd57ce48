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
 *
 * <p>Aligned requests ({@link #allocate(long, long)}): {@code alignFrames} must be a power of two
 * (else MISALIGNED); the run returned starts at a frame number that is a multiple of
 * {@code alignFrames}, i.e. at a physical address aligned to {@code alignFrames * 4 KiB}. An
 * order request of the seed ({@code allocate_from_zone(zone, order)}) is
 * {@code allocate(2^order, 2^order)}: a naturally aligned block. An allocator that cannot place
 * runs by alignment serves {@code alignFrames = 1} and rejects larger alignments with
 * MISALIGNED, changing nothing.
 *
 * <p>Free-frame query ({@link #isFree(PhysFrame)}): an allocator that can say whether it holds a
 * frame free reports {@link #tracksFreeFrames()} true; cross-layer invariants (paging's PT-5: a
 * table frame is never free) use it with any such allocator.
 */
public interface FrameAllocator {
    /** Allocates {@code count} physically contiguous frames. */
    FrameRange allocate(long count);

    /** The smallest alignment: any frame. */
    long ANY_ALIGNMENT = 1;

    /**
     * Allocates {@code count} physically contiguous frames whose first frame number is a multiple
     * of {@code alignFrames}.
     *
     * <p>Pre, checked in this order: {@code count >= 1} (else ZERO_SIZE); {@code alignFrames} a
     * power of two (else MISALIGNED). Post: as {@link #allocate(long)}, and
     * {@code result.start() % alignFrames == 0}. This default serves only {@code alignFrames = 1} and rejects larger alignments with
     * MISALIGNED; the allocators of this package override it.
     */
    default FrameRange allocate(long count, long alignFrames) {
        requireValidRequest(getClass().getSimpleName(), count, alignFrames);
        if (alignFrames == ANY_ALIGNMENT) {
            return allocate(count);
        }
        throw FrameError.of(FrameError.Kind.MISALIGNED, "%s cannot place a run aligned to %d frames",
                getClass().getSimpleName(), alignFrames);
    }

    /**
     * The first two preconditions of every allocation, in the contract's order: {@code count >= 1}
     * (else ZERO_SIZE), then {@code alignFrames} a power of two (else MISALIGNED).
     */
    static void requireValidRequest(String allocator, long count, long alignFrames) {
        if (count < 1) {
            throw FrameError.of(FrameError.Kind.ZERO_SIZE, "%s allocate(%d): at least one frame", allocator, count);
        }
        requireAlignment(alignFrames);
    }

    /** Rejects an alignment that is not a power of two with MISALIGNED. */
    static void requireAlignment(long alignFrames) {
        if (alignFrames < 1 || (alignFrames & (alignFrames - 1)) != 0) {
            throw FrameError.of(FrameError.Kind.MISALIGNED, "alignment %d frames is not a power of two", alignFrames);
        }
    }

    /**
     * Whether {@code frame} is free in this allocator: false for a frame that is allocated,
     * reserved, or outside managed memory.
     *
     * @throws UnsupportedOperationException unless {@link #tracksFreeFrames()}
     */
    default boolean isFree(PhysFrame frame) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot say whether a frame is free");
    }

    /** Whether {@link #isFree(PhysFrame)} answers; every allocator of this package does. */
    default boolean tracksFreeFrames() {
        return false;
    }

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
