package org.mmspec.tlb;

/**
 * Deliberate protocol bugs, each of which the exhaustive model and the threaded checks must catch.
 * The catalogue, with the invariant each breaks and its counterexample length, is in
 * {@code spec/tlb.md}. Only the kernel logic ({@link ShootdownProtocol}) reads these flags; the
 * hardware model is never seeded.
 */
public enum SeededBug {
    /** The correct protocol. */
    NONE("none"),
    /** A target acknowledges before it invalidates. */
    ACK_BEFORE_INVALIDATE("ack-before-invalidate"),
    /** The initiator frees the frames before every acknowledgement is in. */
    FREE_BEFORE_ACKS("free-before-acks"),
    /** The mask leaves out the lowest-numbered other CPU (breaks CPU symmetry). */
    MISSING_CPU("missing-cpu"),
    /** Lazy mode releases a deferred frame once any one CPU has flushed past its generation. */
    LAZY_REUSE_EARLY("lazy-reuse-early"),
    /** A range invalidation covers one page too few. */
    RANGE_OFF_BY_ONE("range-off-by-one"),
    /** A flush-everything over a global page uses the non-global flush (CR3 reload). */
    GLOBAL_SKIPS_GLOBAL("global-skips-global"),
    /** The initiator waits for acknowledgements with interrupts off, so it never serves IPIs. */
    WAIT_WITH_IRQS_OFF("wait-irqs-off"),
    /** A range above the threshold always becomes FULL, dropping global entries the batch never touched. */
    FULL_ABOVE_THRESHOLD("full-above-threshold"),
    /** A batch of exactly {@code threshold} pages already becomes a flush of everything ({@code >=} for {@code >}). */
    THRESHOLD_OFF_BY_ONE("threshold-off-by-one"),
    /** A range invalidation covers one page past the range. */
    RANGE_OVERSHOOT("range-overshoot"),
    /**
     * In lazy mode a CPU with nothing to run polls in its idle loop instead of taking a pending IPI
     * (woken by a flag rather than an interrupt, it never runs the queued flush): the IPI stays
     * pending and the initiator waits for ever while the idle CPU keeps stepping. Only the
     * liveness check catches it (TLB-L1, TLB-L2).
     */
    IDLE_POLL_MISSES_IPI("idle-poll-misses-ipi");

    private final String word;

    SeededBug(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static SeededBug parse(String w) {
        for (SeededBug b : values()) {
            if (b.word.equals(w) || b.name().equalsIgnoreCase(w)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown bug '" + w + "'");
    }

    /** Whether the bug refers to CPU numbers, so that CPUs are no longer interchangeable. */
    public boolean breaksSymmetry() {
        return this == MISSING_CPU;
    }
}
