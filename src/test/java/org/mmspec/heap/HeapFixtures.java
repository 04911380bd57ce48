package org.mmspec.heap;

import java.util.List;

import org.mmspec.check.Violation;

/** Small heaps for the heap tests. */
final class HeapFixtures {
    private HeapFixtures() {
    }

    /** Two CPUs, magazines of 2 moved 1 at a time, one spare slab, over 64 frames. */
    static HeapState small(HeapDebugOptions debug) {
        return HeapState.fresh(64, new HeapConfig(2, 2, 1, 1, debug), Bug.NONE);
    }

    static HeapState small() {
        return small(HeapDebugOptions.OFF);
    }

    /** The IDs of every heap invariant {@code h} breaks. */
    static List<String> broken(SlabAllocator h) {
        return HeapInvariants.ALL.violations(h).stream().map(Violation::invariantId).toList();
    }
}
