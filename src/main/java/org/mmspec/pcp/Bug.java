package org.mmspec.pcp;

/** Seeded bugs of the per-CPU frame caches, each to show that a check catches it (spec/frames-percpu.md §7). */
public enum Bug {
    NONE,
    /** A refill pushes its first frame into the cache twice (PCP-2). */
    REFILL_TAKES_TWICE,
    /** A drain marks its last frame free but never gives it back to the node allocator (PCP-1). */
    DRAIN_LOSES_FRAME,
    /** Refill and drain touch the node allocator without its lock: a race only threads show (PCP-1, PCP-2). */
    NO_NODE_LOCK,
    /** A free drains only when the cache exceeds {@code high + 1}, so it may hold {@code high + 1} frames (PCP-4). */
    WATERMARK_OFF_BY_ONE,
    /** The pressure path forgets the CPU caches: out of memory while caches still hold frames (PCP-3). */
    PRESSURE_SKIPS_CACHES,
    /**
     * The pressure path of the step-level protocol model, when other CPUs' caches hold frames,
     * retries the refill for as long as the node is empty instead of draining those caches: no
     * invariant breaks and nothing fails out of memory, but a request can wait for ever while the
     * frames stay cached elsewhere (PCP-L1 only).
     */
    PRESSURE_RETRIES_WITHOUT_DRAIN
}
