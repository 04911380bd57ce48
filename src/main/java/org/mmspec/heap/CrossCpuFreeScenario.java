package org.mmspec.heap;

/**
 * Scenario: objects allocated on CPU 0 are freed concurrently on CPU 0 and on CPU 1 (a
 * cross-CPU free), each CPU then allocating again; with one-object caches every free after the
 * first flushes, so refills and flushes of both CPUs meet at the depot. Every interleaving must
 * keep the slab invariants, hand out distinct objects, and, once everything is released, return
 * every frame. With argument {@code FLUSH_DROPS_OBJECT} every interleaving fails SLAB-6. Run: {@code java -cp target/classes org.mmspec.heap.CrossCpuFreeScenario [BUG]}.
 */
public final class CrossCpuFreeScenario {
    /**
     * The seeded bugs that take effect here (each fails on every schedule or, for the refill race, on
     * some); models/heap-jpf-*&#47;jpf-manifest.properties lists them with the failure each must cause.
     */
    static final Bug[] BUGS = {Bug.FLUSH_DROPS_OBJECT, Bug.STALE_SLAB_LIST, Bug.LEAK_EMPTY_SLAB};

    private CrossCpuFreeScenario() {
    }

    public static void main(String[] args) throws InterruptedException {
        SlabAllocator h = HeapScenarios.heap(1, HeapScenarios.bug(args, BUGS));
        HeapAddr a = h.allocate(0, HeapScenarios.SIZE);
        HeapAddr b = h.allocate(0, HeapScenarios.SIZE);
        HeapAddr c = h.allocate(0, HeapScenarios.SIZE);
        HeapAddr d = h.allocate(0, HeapScenarios.SIZE);
        HeapAddr[] got = new HeapAddr[2];
        HeapScenarios.runBoth(() -> {
            h.free(0, a, HeapScenarios.SIZE);
            h.free(0, b, HeapScenarios.SIZE);
            got[0] = h.allocate(0, HeapScenarios.SIZE);
        }, () -> {
            h.free(1, c, HeapScenarios.SIZE);
            h.free(1, d, HeapScenarios.SIZE);
            got[1] = h.allocate(1, HeapScenarios.SIZE);
        });
        HeapScenarios.check(!got[0].equals(got[1]), "both CPUs were handed " + got[0]);
        HeapScenarios.invariantsHold(h);
        HeapScenarios.releaseAllReturnsEveryFrame(h);
        System.out.println("CrossCpuFreeScenario: ok");
    }
}
