package org.mmspec.pcp;

/** The statistics of the per-CPU frame caches, per CPU and per node, as the debug report shows them. */
public final class PcpStats {
    private PcpStats() {
    }

    /**
     * One CPU's cache.
     *
     * @param cpu the CPU
     * @param node the id of its node
     * @param cached frames in its cache now
     * @param allocs frames handed out on this CPU
     * @param frees frames freed on this CPU
     * @param hits frames handed out straight from the cache, without a refill
     * @param refills batches moved from the node into the cache
     * @param drains batches moved from the cache back to the node (watermark or explicit)
     * @param pressureDrains times another allocation under memory pressure emptied this cache
     */
    public record CpuStats(int cpu, int node, int cached, long allocs, long frees, long hits, long refills, long drains,
            long pressureDrains) {
    }

    /**
     * One node's allocator as the caches use it.
     *
     * @param node the node's id
     * @param free frames free in the node's allocator
     * @param cached frames of this node in CPU caches
     * @param refills batches served to caches
     * @param drains batches taken back from caches
     * @param direct frames handed out past the caches (batches, fallback, pressure)
     * @param remoteFrees frames freed straight to this node by CPUs of other nodes
     * @param pressureDrains caches of this node's CPUs emptied under memory pressure
     */
    public record NodeStats(int node, long free, long cached, long refills, long drains, long direct, long remoteFrees,
            long pressureDrains) {
    }

    /**
     * The proof an out-of-memory rejection carries (PCP-3): at one instant, with every CPU's and
     * every node's lock held, {@code available} frames were free in caches and node allocators
     * together, and {@code requested} were asked for.
     */
    public record OomWitness(int cpu, int requested, long available) {
    }
}
