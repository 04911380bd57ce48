package org.mmspec.numa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * The exhaustive model {@code models/numa-3node}: two CPU nodes and one memory-only (CXL) node,
 * with a distance tie, and every allocation, free and bad input enabled in every state.
 *
 * <p>Topology: node0 (CPU 0), node1 (CPU 1), node2 (no CPUs: CXL memory), each with
 * {@code frames} frames at 16, 32 and 48. Distances: node0–node1 21, node0–node2 21 (a tie from
 * node0, broken by the lower id: node0, node1, node2), node1–node2 20 (the CXL device hangs off
 * node1's socket, so from node1 the order is node1, node2, node0: not id order). Bounds: {@code frames},
 * {@code maxOrder}, {@code bug} (a seeded {@link NumaAllocator.Bug}, default NONE), {@code allocator}
 * (the nodes' frame allocator, {@link AllocatorFactory#named}: {@code hybrid}, the default, or
 * {@code reference} or {@code hybrid-T}).
 *
 * <p>Actions in every state: for every order up to {@code maxOrder}, a LOCAL request from CPU 0
 * and from CPU 1, and a PREFERRED and a STRICT request bound to each node; the bad requests
 * (CPU 7, which no node owns; a strict binding to node 9, which does not exist; orders -1 and
 * {@code MAX_ORDER + 1}); {@code free} of every live allocation; and bad frees of every frame of
 * every node, and the frame on either side of each node, that is not itself a live allocation.
 */
public final class NumaModel implements ExhaustiveModel {
    /** Where node {@code n}'s memory starts in the model: frame 16 * (n + 1). */
    static final long NODE_STRIDE = 16;
    /** A CPU no node owns. */
    static final int STRAY_CPU = 7;
    /** The nodes' allocator when a configuration names none: the seed's HybridAllocator. */
    static final String DEFAULT_ALLOCATOR = "hybrid";
    /** A node id the topology lacks. */
    static final NodeId STRAY_NODE = NodeId.of(9);

    @Override
    public String name() {
        return "numa-3node";
    }

    @Override
    public String component() {
        return "numa";
    }

    /** The model's topology with {@code frames} frames per node. */
    public static NumaTopology topology(int frames) {
        NodeId n0 = NodeId.of(0);
        NodeId n1 = NodeId.of(1);
        NodeId n2 = NodeId.of(2);
        return NumaTopology.of(List.of(
                new NodeSpec(n0, List.of(FrameRange.of(NODE_STRIDE, frames)), CpuSet.of(0), Map.of(n0, 10, n1, 21, n2, 21)),
                new NodeSpec(n1, List.of(FrameRange.of(2 * NODE_STRIDE, frames)), CpuSet.of(1), Map.of(n0, 21, n1, 10, n2, 20)),
                new NodeSpec(n2, List.of(FrameRange.of(3 * NODE_STRIDE, frames)), CpuSet.empty(),
                        Map.of(n0, 21, n1, 20, n2, 10))));
    }

    @Override
    public TransitionSystem<NumaAllocator> build(Bounds b) {
        int frames = b.getInt("frames");
        int maxOrder = b.getInt("maxOrder", 0);
        NumaAllocator.Bug bug = NumaAllocator.Bug.valueOf(b.get("bug", "NONE"));
        AllocatorFactory factory = AllocatorFactory.named(b.get("allocator", DEFAULT_ALLOCATOR));
        NumaTopology t = topology(frames);
        List<Long> probes = probes(t);
        List<NumaRequest> requests = requests(t, maxOrder);
        return ActionSystem.of("numa-3node " + b,
                () -> List.of(new NumaAllocator(t, factory, bug)),
                NumaAllocator::copy,
                NumaAllocator::key,
                s -> actions(s, requests, probes),
                NumaInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new NumaAllocator(t, factory, bug), NumaAllocator::copy,
                        NumaAllocator::writeState, NumaAllocator::readState));
    }

    /**
     * The frames the bad frees probe: every frame of every node's memory and one on each side
     * (where off-by-one range checks would let a free through), in ascending order.
     */
    static List<Long> probes(NumaTopology t) {
        TreeSet<Long> p = new TreeSet<>();
        for (NodeSpec s : t.nodes()) {
            for (FrameRange r : s.memory()) {
                for (long f = r.start().number() - 1; f <= r.endNumber(); f++) {
                    p.add(f);
                }
            }
        }
        return List.copyOf(p);
    }

    /** Every request the model makes, good and bad. */
    static List<NumaRequest> requests(NumaTopology t, int maxOrder) {
        List<NumaRequest> out = new ArrayList<>();
        for (int order = 0; order <= maxOrder; order++) {
            out.add(NumaRequest.local(0, order));
            out.add(NumaRequest.local(1, order));
            for (NodeId n : t.ids()) {
                out.add(new NumaRequest(0, order, Binding.preferred(n)));
                out.add(new NumaRequest(0, order, Binding.strict(n)));
            }
        }
        out.add(NumaRequest.local(STRAY_CPU, 0));
        out.add(new NumaRequest(0, 0, Binding.strict(STRAY_NODE)));
        out.add(NumaRequest.local(0, -1));
        out.add(NumaRequest.local(0, NumaAllocator.MAX_ORDER + 1));
        return out;
    }

    static List<Action<NumaAllocator>> actions(NumaAllocator s, List<NumaRequest> requests, List<Long> probes) {
        List<Action<NumaAllocator>> out = new ArrayList<>();
        for (NumaRequest r : requests) {
            out.add(new Action<>("allocate(" + r + ")", st -> st.allocate(r)));
        }
        for (NumaAllocation a : s.live().values()) {
            out.add(new Action<>("free(" + a.run() + ")", st -> st.free(a.run())));
        }
        for (long f : probes) {
            NumaAllocation a = s.live().get(f);
            if (a == null || a.run().count() != 1) {
                FrameRange one = FrameRange.of(f, 1);
                out.add(new Action<>("free(" + one + ") [bad]", st -> st.free(one)));
            }
        }
        return out;
    }
}
