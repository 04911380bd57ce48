package org.mmspec.frames;

/**
 * Counters of one allocator (the seed's {@code AllocationStats}, "performance tracking"): how many
 * requests it served, how many it refused, how many frees it took back, and how many of its
 * allocations were fallbacks from the other half of a {@link HybridAllocator}.
 *
 * <p>The counters observe the allocator; they are not part of its frame state. A rejected request
 * changes no frame (ATOMIC-1) but does count as a failure here, which is the point of counting
 * it. Invariant HYBRID-3 ties the counters to the frame state: {@code allocations - frees} is the
 * number of live allocations and {@code framesAllocated - framesFreed} the frames they hold.
 */
public final class AllocationStats {
    private long allocations;
    private long frees;
    private long failures;
    private long framesAllocated;
    private long framesFreed;
    private long fallbacks;

    public AllocationStats() {
    }

    private AllocationStats(AllocationStats o) {
        allocations = o.allocations;
        frees = o.frees;
        failures = o.failures;
        framesAllocated = o.framesAllocated;
        framesFreed = o.framesFreed;
        fallbacks = o.fallbacks;
    }

    public AllocationStats copy() {
        return new AllocationStats(this);
    }

    /** Writes the six counters, for a state codec. */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        for (long v : new long[] {allocations, frees, failures, framesAllocated, framesFreed, fallbacks}) {
            out.writeLong(v);
        }
    }

    /** Reads the counters {@link #write} wrote over these. */
    public void read(java.io.DataInput in) throws java.io.IOException {
        allocations = in.readLong();
        frees = in.readLong();
        failures = in.readLong();
        framesAllocated = in.readLong();
        framesFreed = in.readLong();
        fallbacks = in.readLong();
    }

    void recordAllocation(long frames) {
        allocations++;
        framesAllocated += frames;
    }

    void recordFree(long frames) {
        frees++;
        framesFreed += frames;
    }

    /** {@link FrameAllocator#requireValidRequest}, counting a rejected request as a failure. */
    void requireValidRequest(String allocator, long count, long alignFrames) {
        try {
            FrameAllocator.requireValidRequest(allocator, count, alignFrames);
        } catch (FrameError e) {
            recordFailure();
            throw e;
        }
    }

    void recordFailure() {
        failures++;
    }

    void recordFallback() {
        fallbacks++;
    }

    /** Test hook: forget one allocation, as a buggy allocator that skipped the counter would. */
    void corruptAllocations(long delta) {
        allocations += delta;
    }

    /** Successful allocations. */
    public long allocations() {
        return allocations;
    }

    /** Successful frees. */
    public long frees() {
        return frees;
    }

    /** Refused allocation requests (zero size, impossible size, out of memory). */
    public long failures() {
        return failures;
    }

    public long framesAllocated() {
        return framesAllocated;
    }

    public long framesFreed() {
        return framesFreed;
    }

    /** Allocations this allocator served because the other half of the hybrid could not. */
    public long fallbacks() {
        return fallbacks;
    }

    /** Allocations not yet freed. */
    public long liveAllocations() {
        return allocations - frees;
    }

    /** Frames held by live allocations. */
    public long framesInUse() {
        return framesAllocated - framesFreed;
    }

    @Override
    public String toString() {
        return String.format("{alloc %d, free %d, fail %d, fallback %d, in use %d frames}", allocations, frees, failures,
                fallbacks, framesInUse());
    }
}
