package org.mmspec.numa;

import org.mmspec.check.KindedException;

/** A rejected NUMA operation or topology. The allocator's state is exactly as it was. */
public final class NumaError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a NUMA operation or topology was rejected. */
    public enum Kind {
        /** A topology with no nodes. */
        EMPTY_TOPOLOGY,
        /** Two nodes with the same id. */
        DUPLICATE_NODE,
        /** A node id that names no node (in a distance map, or a binding). */
        UNKNOWN_NODE,
        /** A node's distance map lacks an entry for some node. */
        MISSING_DISTANCE,
        /** distance(a, b) differs from distance(b, a). */
        ASYMMETRIC_DISTANCE,
        /** A node's distance to itself is not {@link NumaTopology#LOCAL_DISTANCE}. */
        BAD_SELF_DISTANCE,
        /** A distance between two nodes outside [{@link NumaTopology#MIN_REMOTE_DISTANCE}, {@link NumaTopology#MAX_DISTANCE}]. */
        BAD_DISTANCE,
        /** Memory of two nodes overlaps, or a node's own ranges overlap. */
        OVERLAPPING_MEMORY,
        /** A CPU is listed as local to two nodes. */
        CPU_ON_TWO_NODES,
        /** The requesting CPU belongs to no node. */
        UNKNOWN_CPU,
        /** An order below 0 or above the maximum. */
        BAD_ORDER,
        /** Every node in fallback order was full. */
        OUT_OF_MEMORY,
        /** A strictly bound request found its node full; it does not fall back. */
        BOUND_NODE_FULL,
        /** The frames are already free. */
        DOUBLE_FREE,
        /** The run is not exactly one live allocation. */
        NOT_ALLOCATED,
        /** The run touches a hole in a node's memory. */
        RESERVED,
        /** The run lies in no node's memory, or crosses a node's end. */
        OUT_OF_RANGE,
        /** A zone's watermarks are not {@code 0 <= min <= low <= high <= usable frames}. */
        BAD_WATERMARKS
    }

    public NumaError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static NumaError of(Kind kind, String format, Object... args) {
        return new NumaError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
