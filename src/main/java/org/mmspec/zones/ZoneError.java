package org.mmspec.zones;

import org.mmspec.check.KindedException;

/**
 * A rejected zone operation. The zone allocator's state is exactly as it was before the call,
 * with one exception stated in {@code spec/zones.md}: when a reclaim hook freed frames and the
 * allocation still failed, those frames stay free ({@link #reclaimedFrames()} says how many).
 */
public final class ZoneError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a zone operation was rejected. */
    public enum Kind {
        /** An order below 0 or above {@link ZoneAllocator#MAX_ORDER}. */
        BAD_ORDER,
        /** The requested zone does not exist for this word size (HIGH on 64-bit). */
        NO_SUCH_ZONE,
        /** Every allowed zone failed, and reclaim (if allowed) did not help. */
        OUT_OF_MEMORY,
        /** The frames are already free. */
        DOUBLE_FREE,
        /** The run is not exactly one live allocation (a partial or overlapping free). */
        NOT_ALLOCATED,
        /** The run touches a hole of the memory map (memory that is not usable). */
        RESERVED,
        /** The run lies outside every zone's usable span, or crosses a zone boundary. */
        OUT_OF_RANGE,
        /** The memory map is malformed: overlapping ranges, or no usable memory at all. */
        BAD_MEMORY_MAP,
        /** A fallback list is malformed (see ZONE-7). */
        BAD_FALLBACK
    }

    private final long reclaimedFrames;

    public ZoneError(Kind kind, String message, long reclaimedFrames) {
        super(kind, message);
        this.reclaimedFrames = reclaimedFrames;
    }

    private ZoneError(Kind kind, String format, Object[] args) {
        super(kind, format, args);
        this.reclaimedFrames = 0;
    }

    public static ZoneError of(Kind kind, String format, Object... args) {
        return new ZoneError(kind, format, args);
    }

    /** Frames a reclaim hook freed during the failed allocation (0 for every other rejection). */
    public long reclaimedFrames() {
        return reclaimedFrames;
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
