package org.mmspec.pcp;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.PhysFrame;
import org.mmspec.numa.NumaTopology;
import org.mmspec.zones.AllocatorFactory;

/**
 * The per-CPU frame-cache protocol on the explorer: every interleaving of the operations of every
 * CPU, exhaustively, with every PCP invariant checked in every reachable state.
 *
 * <p>Each step is one CPU's operation: an allocation (cache hit, or refill of a batch from the
 * node, or the pressure path that drains other CPUs' caches), a batch allocation, a free (push,
 * and drain above the high watermark), a batch free, or an explicit drain. Steps are atomic
 * because each runs under the locks the protocol prescribes (spec/frames-percpu.md §4): a CPU's
 * fast path holds its CPU lock, refill and drain hold the CPU lock and then the node lock, the
 * pressure path holds every lock. Interleaving whole critical sections therefore covers every
 * ordering the locks allow; the races that locks rule out (a refill without the node lock) are
 * the subject of the Lincheck test and the JPF scenario.
 *
 * <p>Bounds ({@code models/pcp-percpu/manifest.properties}): {@code frames} (frames per node,
 * {@code /}-separated), {@code cpus} (each CPU's node index, {@code /}-separated), {@code low},
 * {@code high}, {@code batch}, {@code hole} (a node index with a one-frame hole, or -1), and
 * {@code bug} (a {@link Bug}, default NONE). Rejected inputs in every state: an unknown CPU, an
 * empty batch, a free of every frame not allocated (double free, hole), a batch free naming one
 * frame twice; each is checked to change nothing. An out-of-memory rejection is a transition that
 * records its proof (PCP-3) and must leave the caches and nodes exactly as they were.
 */
public final class PcpModel implements ExhaustiveModel {
    @Override
    public String name() {
        return "pcp-percpu";
    }

    @Override
    public String component() {
        return "pcp";
    }

    @Override
    public TransitionSystem<PcpAllocator> build(Bounds b) {
        int[] frames = ints(b.get("frames", "3/2"));
        int[] cpuNode = ints(b.get("cpus", "0/0/1"));
        boolean[] hole = new boolean[frames.length];
        int h = b.getInt("hole", -1);
        if (h >= 0) {
            hole[h] = true;
        }
        NumaTopology t = PcpTopologies.of(frames, cpuNode, hole);
        PcpConfig config = PcpConfig.of(cpuNode.length, b.getInt("low", 0), b.getInt("high", 2), b.getInt("batch", 2));
        Bug bug = Bug.valueOf(b.get("bug", "NONE"));
        return ActionSystem.of(name() + " " + b, () -> List.of(new PcpAllocator(t, config, AllocatorFactory.REFERENCE, bug)),
                PcpAllocator::copy, a -> List.of(a.key(), a.lastOom()), PcpModel::actions, PcpInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new PcpAllocator(t, config, AllocatorFactory.REFERENCE, bug),
                        PcpAllocator::copy, PcpAllocatorCodec::write, PcpAllocatorCodec::read));
    }

    private static int[] ints(String s) {
        String[] parts = s.split("/");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }

    /** An allocation whose out-of-memory rejection is a transition recording its proof. */
    private static void allocating(PcpAllocator a, Runnable op) {
        Object before = a.key();
        try {
            op.run();
        } catch (PcpError e) {
            if (e.errorKind() != PcpError.Kind.OUT_OF_MEMORY) {
                throw e;
            }
            if (!before.equals(a.key())) {
                throw new AssertionError("ATOMIC-1 violated: an out-of-memory rejection changed the caches or nodes");
            }
        }
    }

    private static List<ActionSystem.Action<PcpAllocator>> actions(PcpAllocator st) {
        List<ActionSystem.Action<PcpAllocator>> out = new ArrayList<>();
        int cpus = st.config().cpus();
        List<PhysFrame> allocated = st.allocated();
        for (int cpu = 0; cpu < cpus; cpu++) {
            int c = cpu;
            out.add(new ActionSystem.Action<>("cpu" + c + " allocate", a -> allocating(a, () -> a.allocate(c))));
            out.add(new ActionSystem.Action<>("cpu" + c + " allocateBatch(2)", a -> allocating(a, () -> a.allocateBatch(c, 2))));
            for (PhysFrame f : allocated) {
                out.add(new ActionSystem.Action<>("cpu" + c + " free(" + f + ")", a -> a.free(c, f)));
            }
            if (allocated.size() >= 2) {
                PhysFrame[] all = allocated.toArray(new PhysFrame[0]);
                out.add(new ActionSystem.Action<>("cpu" + c + " freeBatch(" + allocated + ")", a -> a.freeBatch(c, all)));
            }
            out.add(new ActionSystem.Action<>("cpu" + c + " drain", a -> a.drain(c)));
        }
        out.add(new ActionSystem.Action<>("cpu" + cpus + " allocate (unknown cpu)", a -> a.allocate(cpus)));
        out.add(new ActionSystem.Action<>("cpu0 allocateBatch(0)", a -> a.allocateBatch(0, 0)));
        for (int i = 0; i < st.spanFrames(); i++) {
            int p = st.placeAt(i);
            PhysFrame f = PhysFrame.of(st.firstFrame() + i);
            if (p != PcpAllocator.ALLOCATED) {
                out.add(new ActionSystem.Action<>("cpu0 free(" + f + ") (not allocated)", a -> a.free(0, f)));
            }
        }
        if (!allocated.isEmpty()) {
            PhysFrame f = allocated.get(0);
            out.add(new ActionSystem.Action<>("cpu0 freeBatch(" + f + ", " + f + ")", a -> a.freeBatch(0, new PhysFrame[] {f, f})));
        }
        return out;
    }
}
