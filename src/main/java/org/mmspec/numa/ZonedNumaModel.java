package org.mmspec.numa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * The exhaustive model {@code models/numa-zones}: three nodes whose memory straddles the zone
 * boundaries, so that each has different zones, and every allocation, free and bad input enabled
 * in every state.
 *
 * <p>Topology (frames; 16 MiB is frame 4096 = {@link #DMA_END}, 4 GiB frame 2^20 =
 * {@link #DMA32_END}):
 * <ul>
 *   <li>node0 (CPU 0): frame 4095 (DMA), frame 4096 (DMA32), and {@code normal0} frames at 2^20
 *       (NORMAL);</li>
 *   <li>node1 (CPU 1): {@code normal} frames at 2^20 + 16 (NORMAL only);</li>
 *   <li>node2 (no CPUs: CXL memory): frame 2^20 − 1 (DMA32 only).</li>
 * </ul>
 * Distances: node0–node1 21, node0–node2 21, node1–node2 20, so from node1 a DMA32 request finds
 * node2's DMA32 (distance 20) before node0's (21), and a DMA request falls back to node0, the only
 * node with DMA. Marks: a zone of two frames or more has {@code min=0, low=high=lowMark}; a
 * one-frame zone has none. So node1's NORMAL keeps a frame back from the LOW pass, and a request
 * that would take it goes on to farther and lower zones first, then takes it on the MIN pass.
 *
 * <p>Bounds: {@code normal0} (default 1), {@code normal} (default 2), {@code lowMark} (default 1),
 * {@code maxOrder} (default 0), {@code bug} (a seeded {@link ZonedNumaAllocator.Bug}, default
 * NONE), {@code allocator} ({@link AllocatorFactory#named}; default hybrid).
 *
 * <p>Actions in every state: for both CPU nodes (the preferred node of a request is the
 * requesting CPU's), every highest zone and every order up to {@code maxOrder}, an allocation;
 * the bad requests (node 9, orders −1 and MAX_ORDER + 1); {@code free} of every live allocation;
 * bad frees of every frame of every zone, and of the frame on either side, that is not itself a
 * live allocation.
 */
public final class ZonedNumaModel implements ExhaustiveModel {
    /** The first DMA32 frame (16 MiB). */
    static final long DMA_END = NodeZoneType.DMA32.window().start().number();
    /** The first NORMAL frame (4 GiB). */
    static final long DMA32_END = NodeZoneType.NORMAL.window().start().number();
    /** Where node1's NORMAL memory starts, past node0's. */
    static final long NODE1_NORMAL = DMA32_END + 16;
    /** A node id the topology lacks. */
    static final NodeId STRAY_NODE = NodeId.of(9);

    @Override
    public String name() {
        return "numa-zones";
    }

    @Override
    public String component() {
        return "numa";
    }

    /** The model's topology with {@code normal0} and {@code normal} frames in node0's and node1's NORMAL zones. */
    public static NumaTopology topology(int normal0, int normal) {
        NodeId n0 = NodeId.of(0);
        NodeId n1 = NodeId.of(1);
        NodeId n2 = NodeId.of(2);
        return NumaTopology.of(List.of(
                new NodeSpec(n0, normal0 == 0 ? List.of(FrameRange.of(DMA_END - 1, 2))
                        : List.of(FrameRange.of(DMA_END - 1, 2), FrameRange.of(DMA32_END, normal0)), CpuSet.of(0),
                        Map.of(n0, 10, n1, 21, n2, 21)),
                new NodeSpec(n1, List.of(FrameRange.of(NODE1_NORMAL, normal)), CpuSet.of(1), Map.of(n0, 21, n1, 10, n2, 20)),
                new NodeSpec(n2, List.of(FrameRange.of(DMA32_END - 1, 1)), CpuSet.empty(), Map.of(n0, 21, n1, 20, n2, 10))));
    }

    /** {@code min=0, low=high=lowMark} (clipped to the zone) for a zone of two frames or more; none for a one-frame zone. */
    static ZonedNumaAllocator.WatermarkPolicy policy(int lowMark) {
        return (z, usable) -> {
            long low = usable >= 2 ? Math.min(lowMark, usable) : 0;
            return new Watermarks(0, low, low);
        };
    }

    @Override
    public TransitionSystem<ZonedNumaAllocator> build(Bounds b) {
        int normal0 = b.getInt("normal0", 1);
        int normal = b.getInt("normal", 2);
        int lowMark = b.getInt("lowMark", 1);
        int maxOrder = b.getInt("maxOrder", 0);
        ZonedNumaAllocator.Bug bug = ZonedNumaAllocator.Bug.valueOf(b.get("bug", "NONE"));
        AllocatorFactory factory = AllocatorFactory.named(b.get("allocator", "hybrid"));
        NumaTopology t = topology(normal0, normal);
        List<Long> probes = NumaModel.probes(t);
        List<ZonedRequest> requests = requests(t, maxOrder);
        return ActionSystem.of("numa-zones " + b,
                () -> List.of(new ZonedNumaAllocator(t, policy(lowMark), factory, bug)),
                ZonedNumaAllocator::copy,
                ZonedNumaAllocator::key,
                s -> actions(s, requests, probes),
                ZonedNumaInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new ZonedNumaAllocator(t, policy(lowMark), factory, bug),
                        ZonedNumaAllocator::copy, ZonedNumaAllocator::writeState, ZonedNumaAllocator::readState));
    }

    /** Every request the model makes, good and bad. */
    static List<ZonedRequest> requests(NumaTopology t, int maxOrder) {
        List<ZonedRequest> out = new ArrayList<>();
        for (int order = 0; order <= maxOrder; order++) {
            for (NodeId n : List.of(NodeId.of(0), NodeId.of(1))) {
                for (NodeZoneType z : NodeZoneType.values()) {
                    out.add(new ZonedRequest(n, z, order));
                }
            }
        }
        out.add(new ZonedRequest(STRAY_NODE, NodeZoneType.NORMAL, 0));
        out.add(new ZonedRequest(NodeId.of(0), NodeZoneType.NORMAL, -1));
        out.add(new ZonedRequest(NodeId.of(0), NodeZoneType.NORMAL, ZonedNumaAllocator.MAX_ORDER + 1));
        return out;
    }

    static List<Action<ZonedNumaAllocator>> actions(ZonedNumaAllocator s, List<ZonedRequest> requests, List<Long> probes) {
        List<Action<ZonedNumaAllocator>> out = new ArrayList<>();
        for (ZonedRequest r : requests) {
            out.add(new Action<>("allocate(" + r + ")", st -> st.allocate(r)));
        }
        for (ZonedAllocation a : s.live().values()) {
            out.add(new Action<>("free(" + a.run() + ")", st -> st.free(a.run())));
        }
        for (long f : probes) {
            ZonedAllocation a = s.live().get(f);
            if (a == null || a.run().count() != 1) {
                FrameRange one = FrameRange.of(f, 1);
                out.add(new Action<>("free(" + one + ") [bad]", st -> st.free(one)));
            }
        }
        return out;
    }
}
