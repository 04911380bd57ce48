package org.mmspec.pcp;

/**
 * The geometry of the per-CPU frame caches, Linux's {@code per_cpu_pages} {@code high} and
 * {@code batch} with an explicit low watermark.
 *
 * <p>{@code cpus} CPUs numbered from 0; each CPU's cache holds at most {@code high} order-0
 * frames. An allocation that finds its cache empty refills {@code min(batch, high)} frames from
 * the CPU's node in one hold of the node's lock; a free that takes the cache above {@code high}
 * drains the coldest frames back to the node until {@code low} remain. Valid when
 * {@code cpus >= 1}, {@code 0 <= low < high} and {@code 1 <= batch <= high}
 * ({@link #validate} rejects anything else with {@code BAD_CONFIG}).
 *
 * <p>A plain class, not a record: the Java PathFinder scenarios build one, and JPF cuts paths
 * through a record's generated {@code equals}/{@code hashCode}/{@code toString}.
 */
public final class PcpConfig {
    private final int cpus;
    private final int low;
    private final int high;
    private final int batch;

    private PcpConfig(int cpus, int low, int high, int batch) {
        this.cpus = cpus;
        this.low = low;
        this.high = high;
        this.batch = batch;
    }

    /** A validated configuration. */
    public static PcpConfig of(int cpus, int low, int high, int batch) {
        PcpConfig c = new PcpConfig(cpus, low, high, batch);
        c.validate();
        return c;
    }

    void validate() {
        if (cpus < 1 || low < 0 || low >= high || batch < 1 || batch > high) {
            throw PcpError.of(PcpError.Kind.BAD_CONFIG, "cpus %d, low %d, high %d, batch %d: need cpus >= 1, 0 <= low < high, 1 <= batch <= high",
                    cpus, low, high, batch);
        }
    }

    public int cpus() {
        return cpus;
    }

    /** Frames left in a cache after a watermark drain. */
    public int low() {
        return low;
    }

    /** The most frames a cache holds at any quiescent point (PCP-4). */
    public int high() {
        return high;
    }

    /** Frames one refill moves from the node into an empty cache. */
    public int batch() {
        return batch;
    }

    @Override
    public String toString() {
        return String.format("cpus %d, low %d, high %d, batch %d", cpus, low, high, batch);
    }
}
