package org.mmspec.fault;

/**
 * How a fault was resolved: the seed's {@code FaultType}, with copy-on-write split in two (copy,
 * or reuse when this mapping holds the last reference) and spurious faults (already resolved,
 * e.g. by a stale TLB entry) named. The seed's {@code Invalid} is {@link SegmentationFault}.
 */
public enum FaultType {
    /** First access inside an area: a zeroed frame is mapped. */
    DEMAND_PAGE,
    /** Write to a shared private frame: copied to a fresh frame. */
    COPY_ON_WRITE,
    /** Write to a copy-on-write frame whose other references are gone: it just becomes writable. */
    COPY_ON_WRITE_REUSE,
    /** Access below a stack within its limit and clear of the guard gap: the stack grows. */
    STACK_GROWTH,
    /** The translation already permits the access. */
    SPURIOUS,
    /**
     * Instruction fetch from a writable page of a W+X area (only under {@code WxPolicy.PERMIT}):
     * the translation trades write for exec, since no entry is ever W+X (WX-1).
     */
    WX_EXEC_FLIP
}
