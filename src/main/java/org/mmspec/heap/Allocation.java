package org.mmspec.heap;

/**
 * One live allocation as the heap's live table records it.
 *
 * <p>{@code blockBytes} is what the allocation occupies: its class size for a slab object, the
 * granule-rounded block for a large one. The bytes {@code [requested, blockBytes)} are slack;
 * with red zones on they hold {@link HeapDebugOptions#RED_ZONE_BYTE} and at least
 * {@link HeapDebugOptions#RED_ZONE_MIN} of them exist.
 */
public final class Allocation {
    private final HeapAddr addr;
    private final long requested;
    private final SizeClass sizeClass;
    private final long blockBytes;
    private final int cpu;
    private final CallSite site;

    Allocation(HeapAddr addr, long requested, SizeClass sizeClass, long blockBytes, int cpu, CallSite site) {
        this.addr = addr;
        this.requested = requested;
        this.sizeClass = sizeClass;
        this.blockBytes = blockBytes;
        this.cpu = cpu;
        this.site = site;
    }

    public HeapAddr addr() {
        return addr;
    }

    /** Bytes the caller asked for. */
    public long requested() {
        return requested;
    }

    /** The slab class, or {@code null} for a large allocation. */
    public SizeClass sizeClass() {
        return sizeClass;
    }

    public boolean isLarge() {
        return sizeClass == null;
    }

    public long blockBytes() {
        return blockBytes;
    }

    /** The CPU that allocated it (it may be freed on another). */
    public int cpu() {
        return cpu;
    }

    public CallSite site() {
        return site;
    }

    @Override
    public String toString() {
        return addr + "+" + requested + (isLarge() ? "(large " + blockBytes + ")" : "(" + sizeClass.label() + ")")
                + (site == CallSite.UNKNOWN ? "" : "@" + site);
    }
}
