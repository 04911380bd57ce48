package org.mmspec.pcp;

import org.mmspec.check.KindedException;

/**
 * A rejected per-CPU frame cache operation. The caches, the node allocators and every frame's
 * place are exactly as they were before the call (a batch that cannot be served in full changes
 * nothing).
 */
public final class PcpError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a per-CPU frame cache operation was rejected. */
    public enum Kind {
        /** The CPU number names no CPU of the configuration. */
        UNKNOWN_CPU,
        /** A batch of zero (or fewer) frames. */
        ZERO_SIZE,
        /** Fewer free frames exist in all caches and all node allocators together than were asked for. */
        OUT_OF_MEMORY,
        /** The frame lies in no node's memory. */
        OUT_OF_RANGE,
        /** The frame lies in a hole of a node's memory: never handed out, never freed. */
        RESERVED,
        /** The frame is not allocated: it is free in its node's allocator or in a CPU's cache. */
        DOUBLE_FREE,
        /** A batch free names one frame twice. */
        DUPLICATE_IN_BATCH,
        /** Watermarks or batch size that break {@code 0 <= low < high}, {@code 1 <= batch <= high}. */
        BAD_CONFIG
    }

    public PcpError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static PcpError of(Kind kind, String format, Object... args) {
        return new PcpError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
