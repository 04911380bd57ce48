package org.mmspec.pcp;

import java.util.ArrayDeque;
import java.util.List;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.mmspec.check.Violation;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;

/**
 * The Lincheck subject for {@link PcpLincheckTest}: linearizability of the per-CPU frame caches
 * under real threads, against the same caches run one operation at a time as the sequential
 * specification.
 *
 * <p>One node of {@link #FRAMES} frames with two CPUs (caches of high 2, low 0, batch 2), so
 * refills, watermark drains and the pressure path (which drains the other CPU's cache) all happen
 * within a few operations. Thread {@code i} allocates on CPU {@code i}, as a kernel thread pinned
 * to its CPU; frees pick either CPU. {@code alloc} writes a tag into the frame it gets (a word of
 * the frame's memory) and pushes the frame on a shared stack; {@code free} pops a frame, reads its
 * tag back and frees it. A cache layer that hands one frame to two holders makes a tag come back
 * wrong, and one that loses a frame makes an allocation fail that the sequential run grants. After
 * each run, {@link #invariants()} checks every PCP invariant. Plain assertions only (AssertJ
 * inside Lincheck's runnables breaks its instrumentation).
 */
@Param(name = "cpu", gen = ThreadIdGen.class)
@Param(name = "other", gen = IntGen.class, conf = "0:1")
@Param(name = "tag", gen = IntGen.class, conf = "1:9")
public class PcpLincheckSubject {
    /** Frames of the one node. */
    static final int FRAMES = 4;

    private final PcpAllocator pcp;
    private final int[] memory;
    private final ArrayDeque<PhysFrame> owned = new ArrayDeque<>();

    public PcpLincheckSubject() {
        this(Bug.NONE);
    }

    PcpLincheckSubject(Bug bug) {
        pcp = new PcpAllocator(PcpTopologies.of(new int[] {FRAMES}, new int[] {0, 0}), PcpConfig.of(2, 0, 2, 2),
                AllocatorFactory.REFERENCE, bug);
        memory = new int[(int) PcpTopologies.NODE_STRIDE * 2];
    }

    @Operation
    public boolean alloc(@Param(name = "cpu") int cpu, @Param(name = "tag") int tag) {
        PhysFrame f;
        try {
            f = pcp.allocate(cpu);
        } catch (PcpError e) {
            return false;
        }
        memory[(int) f.number()] = tag;
        synchronized (owned) {
            owned.push(f);
        }
        return true;
    }

    @Operation
    public int allocPair(@Param(name = "cpu") int cpu, @Param(name = "tag") int tag) {
        PhysFrame[] fs;
        try {
            fs = pcp.allocateBatch(cpu, 2);
        } catch (PcpError e) {
            return -1;
        }
        for (PhysFrame f : fs) {
            memory[(int) f.number()] = tag;
        }
        synchronized (owned) { // both frames become visible to frees at once, as the batch is one operation
            for (PhysFrame f : fs) {
                owned.push(f);
            }
        }
        return fs.length;
    }

    @Operation
    public int free(@Param(name = "other") int cpu) {
        // The pop and the free are one step of the harness: were the pop its own step, a free could
        // be linearized at the pop while its frame is still in transit (claimed, not yet cached), and
        // an allocation that ran out of memory meanwhile would look non-linearizable although the
        // caches linearize the free at its push.
        synchronized (owned) {
            PhysFrame f = owned.poll();
            if (f == null) {
                return -1;
            }
            int tag = memory[(int) f.number()];
            try {
                pcp.free(cpu, f);
            } catch (PcpError e) {
                return -2;
            }
            return tag;
        }
    }

    /** Every PCP invariant after every Lincheck run. */
    @Validate
    public void invariants() {
        List<Violation> v = PcpInvariants.ALL.violations(pcp);
        if (!v.isEmpty()) {
            throw new AssertionError(v.get(0).message());
        }
    }

    /** Seeded: refill and drain without the node lock, a race that only interleavings show. */
    public static class NoNodeLock extends PcpLincheckSubject {
        public NoNodeLock() {
            super(Bug.NO_NODE_LOCK);
        }
    }

    /** Seeded: a refill that takes a frame twice. */
    public static class RefillTakesTwice extends PcpLincheckSubject {
        public RefillTakesTwice() {
            super(Bug.REFILL_TAKES_TWICE);
        }
    }

    /** Seeded: a drain that loses a frame. */
    public static class DrainLosesFrame extends PcpLincheckSubject {
        public DrainLosesFrame() {
            super(Bug.DRAIN_LOSES_FRAME);
        }
    }

    /** Seeded: a watermark off by one. */
    public static class WatermarkOffByOne extends PcpLincheckSubject {
        public WatermarkOffByOne() {
            super(Bug.WATERMARK_OFF_BY_ONE);
        }
    }
}
