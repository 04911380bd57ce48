package org.mmspec.heap;

/**
 * Scenario: CPU 0 holds one object of a fresh two-object slab; then CPU 0 and CPU 1 both find
 * their per-CPU caches empty and refill from that same partial slab at the same time. Every
 * interleaving must hand them different objects and keep the slab invariants. With argument
 * {@code REFILL_WITHOUT_LOCK} the refill skips the depot lock and some interleaving hands both
 * CPUs the same object (or drives the free count negative): JPF reports it.
 * Run: {@code java -cp target/classes org.mmspec.heap.RefillRaceScenario [BUG]}.
 */
public final class RefillRaceScenario {
    /**
     * The seeded bugs that take effect here (each fails on every schedule or, for the refill race, on
     * some); models/heap-jpf-*&#47;jpf-manifest.properties lists them with the failure each must cause.
     */
    static final Bug[] BUGS = {Bug.REFILL_WITHOUT_LOCK, Bug.REFILL_TAKES_TWICE, Bug.FLUSH_DROPS_OBJECT, Bug.STALE_SLAB_LIST,
        Bug.LEAK_EMPTY_SLAB};

    private RefillRaceScenario() {
    }

    public static void main(String[] args) throws InterruptedException {
        SlabAllocator h = HeapScenarios.heap(2, HeapScenarios.bug(args, BUGS));
        HeapAddr first = h.allocate(0, HeapScenarios.SIZE);
        HeapAddr[] got = new HeapAddr[2];
        HeapScenarios.runBoth(() -> got[0] = h.allocate(0, HeapScenarios.SIZE),
                () -> got[1] = h.allocate(1, HeapScenarios.SIZE));
        HeapScenarios.check(!got[0].equals(got[1]), "both CPUs were handed " + got[0]);
        HeapScenarios.check(!got[0].equals(first) && !got[1].equals(first), "a live object was handed out again");
        HeapScenarios.invariantsHold(h);
        HeapScenarios.releaseAllReturnsEveryFrame(h);
        System.out.println("RefillRaceScenario: ok");
    }
}
