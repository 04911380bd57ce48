package org.mmspec.heap;

/**
 * How one heap is set up: CPUs, per-CPU cache (magazine) geometry, how many empty slabs each
 * class keeps in reserve, and the debugging features.
 *
 * @param cpus number of CPUs, each with its own per-CPU cache per size class
 * @param magazineCapacity the most objects one per-CPU cache holds
 * @param batch objects moved per refill (slab layer to cache) and per flush (cache to slab layer)
 * @param emptySlabsKept empty slabs a class keeps instead of returning their frames at once
 * @param debug the debugging features
 */
public record HeapConfig(int cpus, int magazineCapacity, int batch, int emptySlabsKept, HeapDebugOptions debug) {
    /** A kernel-like default: 4 CPUs, 16-object magazines moved 8 at a time, one spare slab per class. */
    public static final HeapConfig DEFAULT = new HeapConfig(4, 16, 8, 1, HeapDebugOptions.OFF);

    public HeapConfig {
        if (cpus < 1 || magazineCapacity < 1 || batch < 1 || batch > magazineCapacity || emptySlabsKept < 0) {
            throw new IllegalArgumentException("need cpus >= 1, 1 <= batch <= magazineCapacity, emptySlabsKept >= 0: "
                    + cpus + "/" + magazineCapacity + "/" + batch + "/" + emptySlabsKept);
        }
        if (debug == null) {
            throw new IllegalArgumentException("debug options missing");
        }
    }

    public static HeapConfig of(int cpus, int magazineCapacity, int batch, int emptySlabsKept) {
        return new HeapConfig(cpus, magazineCapacity, batch, emptySlabsKept, HeapDebugOptions.OFF);
    }

    public HeapConfig withDebug(HeapDebugOptions options) {
        return new HeapConfig(cpus, magazineCapacity, batch, emptySlabsKept, options);
    }
}
