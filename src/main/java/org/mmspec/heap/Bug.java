package org.mmspec.heap;

/**
 * Seeded bugs, for showing that each check can fail. Only tests, the bug configurations of the
 * models and the scenario {@code main()}s set one; the default is {@link #NONE}.
 */
public enum Bug {
    /** No bug. */
    NONE,
    /** A per-CPU cache flush forgets to put one object back on its slab: the object is lost (SLAB-6). */
    FLUSH_DROPS_OBJECT,
    /** A refill pushes the object it takes into the per-CPU cache twice (SLAB-4). */
    REFILL_TAKES_TWICE,
    /** A refill takes objects off the slab lists without the depot lock: a race only threads show. */
    REFILL_WITHOUT_LOCK,
    /** Freeing a slab object does not move a slab that became empty off the partial list (SLAB-5). */
    STALE_SLAB_LIST,
    /** The LinkedListAllocator inserts freed blocks without coalescing (LARGE-2). */
    NO_COALESCE,
    /** An empty slab beyond the kept reserve is unlinked but its frames are never returned (HEAP-1). */
    LEAK_EMPTY_SLAB,
    /** Free skips the red-zone check, so an overflow goes unreported (DEBUG-1). */
    SKIP_RED_ZONE_CHECK,
    /**
     * (The per-CPU model with {@code remote=1}.) A CPU drains its remote-free list only when it
     * allocates, not as work of its own: a CPU that stops allocating keeps the objects other CPUs
     * freed for it for ever, while they go on. No invariant breaks (HEAP-L1 only).
     */
    REMOTE_DRAIN_ONLY_ON_ALLOC
}
