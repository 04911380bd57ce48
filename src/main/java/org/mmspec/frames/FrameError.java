package org.mmspec.frames;

import org.mmspec.check.KindedException;

/**
 * A rejected frame operation. The allocator's state is exactly as it was before the call.
 */
public final class FrameError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a frame operation was rejected. */
    public enum Kind {
        /** A request for zero frames. */
        ZERO_SIZE,
        /** A request larger than the allocator could ever satisfy, or an order past the maximum. */
        IMPOSSIBLE_SIZE,
        /** No free run of the requested size exists now. */
        OUT_OF_MEMORY,
        /** The frames are already free. */
        DOUBLE_FREE,
        /** The frames were never handed out as this allocation. */
        NOT_ALLOCATED,
        /** The frames belong to a reserved region and are never handed out or freed. */
        RESERVED,
        /** The frames lie outside the memory this allocator manages. */
        OUT_OF_RANGE,
        /** An address or block is not aligned as the operation requires. */
        MISALIGNED,
        /** A region description is malformed or overlaps another. */
        BAD_REGION
    }

    public FrameError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static FrameError of(Kind kind, String format, Object... args) {
        return new FrameError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
