package org.mmspec.pcp;

import java.util.List;

import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;

/**
 * Scenario for Java PathFinder and plain {@code java}: memory pressure. Two CPUs of one node of
 * three frames, caches of high 2, low 0, batch 2. CPU 0 allocates two frames and frees the first
 * (into its cache); at the same time CPU 1 allocates two. Four requests for three frames: whichever
 * CPU refills second gets what the other's refill left, and a later request finds its cache and the
 * node empty and takes the pressure path, which must drain the other CPU's cache if a free put a
 * frame there, and may fail with OUT_OF_MEMORY only if no frame was free at its cut (PCP-3). Every interleaving must keep every
 * PCP invariant and return every frame once all is freed and drained.
 *
 * <p>Seeded bugs ({@link #BUGS}): PRESSURE_SKIPS_CACHES (a spurious out-of-memory on the schedules
 * where CPU 0 freed first: PCP-3) and DRAIN_LOSES_FRAME (the pressure drain loses the frame: PCP-1).
 * Within JPF's limits like {@link PcpRaceScenario}.
 */
public final class PcpPressureScenario {
    /** The seeded bugs that take effect here; models/pcp-jpf-pressure/jpf-manifest.properties lists them. */
    static final Bug[] BUGS = {Bug.PRESSURE_SKIPS_CACHES, Bug.DRAIN_LOSES_FRAME};
    /** Frames of the one node. */
    static final int FRAMES = 3;

    private PcpPressureScenario() {
    }

    /**
     * An allocation that may run out of memory (three frames, four requests: some schedule always
     * exhausts the node); PCP-3, checked after the threads end, says whether the refusal was justified.
     */
    private static PhysFrame allocateOrNull(PcpAllocator pcp, int cpu) {
        try {
            return pcp.allocate(cpu);
        } catch (PcpError e) {
            if (e.errorKind() != PcpError.Kind.OUT_OF_MEMORY) {
                throw e;
            }
            return null;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Bug bug = Bug.NONE;
        if (args.length > 0) {
            bug = Bug.valueOf(args[0]);
            boolean accepted = bug == Bug.NONE;
            for (Bug b : BUGS) {
                accepted |= b == bug;
            }
            if (!accepted) {
                throw new IllegalArgumentException("bug " + bug.name() + " cannot take effect in this scenario");
            }
        }
        PcpAllocator pcp = PcpAllocator.singleNode(FrameRange.of(PcpTopologies.NODE_STRIDE, FRAMES), PcpConfig.of(2, 0, 2, 2),
                AllocatorFactory.REFERENCE, bug);
        PhysFrame[] held = new PhysFrame[3];
        Thread t0 = new Thread(() -> {
            PhysFrame a = allocateOrNull(pcp, 0);
            held[0] = allocateOrNull(pcp, 0);
            if (a != null) {
                pcp.free(0, a);
            }
        }, "cpu0");
        Thread t1 = new Thread(() -> {
            held[1] = allocateOrNull(pcp, 1);
            held[2] = allocateOrNull(pcp, 1);
        }, "cpu1");
        t0.start();
        t1.start();
        t0.join();
        t1.join();
        List<Violation> v = PcpInvariants.ALL.violations(pcp);
        if (!v.isEmpty()) {
            throw new AssertionError(v.get(0).message());
        }
        for (int i = 0; i < held.length; i++) {
            if (held[i] != null) {
                pcp.free(i == 0 ? 0 : 1, held[i]);
            }
        }
        pcp.drainAll();
        if (pcp.allocatedFrames() != 0 || pcp.nodeStats().get(0).free() != FRAMES) {
            throw new AssertionError("PCP-1 violated: frames missing after everything was freed and drained");
        }
        System.out.println("PcpPressureScenario: ok");
    }
}
