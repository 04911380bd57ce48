package org.mmspec.pcp;

import java.util.List;

import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;

/**
 * Scenario for Java PathFinder and plain {@code java}: two CPUs of one node, caches of high 2,
 * low 0, batch 2, over six frames. CPU 0 allocates three frames (two refills) and frees two of
 * them (the second free passes the high watermark and drains); at the same time CPU 1 allocates
 * two (a refill racing CPU 0's refills and drain on the node allocator) and frees one. Every
 * interleaving must end with distinct frames held by the two CPUs, every PCP invariant, and every
 * frame back in the node once all is freed and drained.
 *
 * <p>With an argument naming a seeded {@link Bug} ({@link #BUGS}), some interleaving (for
 * NO_NODE_LOCK) or every one (the others) breaks a check, and JPF reports the AssertionError.
 * Written within JPF's limits on Java 17: plain threads and {@code join}, no string building on
 * the threads' paths, no record {@code equals}/{@code hashCode}/{@code toString} there.
 * Run: {@code java -cp target/classes org.mmspec.pcp.PcpRaceScenario [BUG]}.
 */
public final class PcpRaceScenario {
    /** The seeded bugs that take effect here; models/pcp-jpf-race/jpf-manifest.properties lists each with the failure it must cause. */
    static final Bug[] BUGS = {Bug.NO_NODE_LOCK, Bug.REFILL_TAKES_TWICE, Bug.DRAIN_LOSES_FRAME, Bug.WATERMARK_OFF_BY_ONE};
    /** Frames of the one node. */
    static final int FRAMES = 6;

    private PcpRaceScenario() {
    }

    public static void main(String[] args) throws InterruptedException {
        PcpAllocator pcp = PcpAllocator.singleNode(FrameRange.of(PcpTopologies.NODE_STRIDE, FRAMES), PcpConfig.of(2, 0, 2, 2),
                AllocatorFactory.REFERENCE, bug(args));
        PhysFrame[] kept = new PhysFrame[2];
        Thread t0 = new Thread(() -> {
            PhysFrame a = pcp.allocate(0);
            PhysFrame b = pcp.allocate(0);
            kept[0] = pcp.allocate(0);
            pcp.free(0, a);
            pcp.free(0, b);
        }, "cpu0");
        Thread t1 = new Thread(() -> {
            PhysFrame d = pcp.allocate(1);
            kept[1] = pcp.allocate(1);
            pcp.free(1, d);
        }, "cpu1");
        t0.start();
        t1.start();
        t0.join();
        t1.join();
        check(kept[0].number() != kept[1].number(), "PCP-2 violated: both CPUs were handed one frame");
        check(pcp.placeOf(kept[0]) == PcpAllocator.ALLOCATED && pcp.placeOf(kept[1]) == PcpAllocator.ALLOCATED,
                "PCP-2 violated: a frame a CPU holds is not allocated");
        List<Violation> v = PcpInvariants.ALL.violations(pcp);
        if (!v.isEmpty()) {
            throw new AssertionError(v.get(0).message());
        }
        pcp.free(0, kept[0]);
        pcp.free(1, kept[1]);
        pcp.drainAll();
        check(pcp.allocatedFrames() == 0 && pcp.nodeStats().get(0).free() == FRAMES,
                "PCP-1 violated: frames missing after everything was freed and drained");
        System.out.println("PcpRaceScenario: ok");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /**
     * The bug named by the first argument, or NONE; only a bug of {@link #BUGS} is accepted, so that a
     * bug that cannot take effect here is never reported as "no errors".
     */
    static Bug bug(String[] args) {
        if (args.length == 0) {
            return Bug.NONE;
        }
        Bug b = Bug.valueOf(args[0]);
        if (b == Bug.NONE) {
            return b;
        }
        for (Bug a : BUGS) {
            if (a == b) {
                return b;
            }
        }
        throw new IllegalArgumentException("bug " + b.name() + " cannot take effect in this scenario");
    }
}
