package org.mmspec.zones;

import org.mmspec.check.MmException;

/**
 * A rejected zone operation. The zone allocator's state is exactly as it was before the call,
 * with one exception stated in {@code spec/zones.md}: when a reclaim hook freed frames and the
 * allocation still failed, those frames stay free ({@link #reclaimedFrames()} says how many).
 */
public final class ZoneError extends MmException {
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

    private final Kind kind;
    private final long reclaimedFrames;
    private final String format;
    private final Object[] args;
    private String message;

    public ZoneError(Kind kind, String message, long reclaimedFrames) {
        this(kind, message, new Object[0], reclaimedFrames);
    }

    private ZoneError(Kind kind, String format, Object[] args, long reclaimedFrames) {
        super(null);
        this.kind = kind;
        this.reclaimedFrames = reclaimedFrames;
        this.format = format;
        this.args = args;
    }

    /** A rejection whose message is {@code String.format(format, args)}, formatted when first read. */
    public static ZoneError of(Kind kind, String format, Object... args) {
        return new ZoneError(kind, format, args.clone(), 0);
    }

    @Override
    public synchronized String getMessage() {
        if (message == null) {
            message = args.length == 0 ? format : String.format(format, args);
        }
        return message;
    }

    /**
     * A rejection is an outcome the specification defines, not a fault, so it carries no stack
     * trace: the explorer rejects millions of bad inputs, and filling a trace for each dominated
     * its run time. The message names the operation and its arguments instead.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public Kind errorKind() {
        return kind;
    }

    /** Frames a reclaim hook freed during the failed allocation (0 for every other rejection). */
    public long reclaimedFrames() {
        return reclaimedFrames;
    }

    @Override
    public String kind() {
        return kind.name();
    }
}
