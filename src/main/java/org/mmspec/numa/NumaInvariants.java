package org.mmspec.numa;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.zones.FramePool;

/** The invariants of the NUMA allocator, as spec/numa.md defines them. */
public final class NumaInvariants {
    private NumaInvariants() {
    }

    public static final Invariant<NumaAllocator> NUMA_1 = Invariant.of("NUMA-1",
            "The distance table is complete, symmetric, 10 on the diagonal and in [11, 254] elsewhere",
            na -> na.topology().distanceProblem().map(NumaError::getMessage));

    public static final Invariant<NumaAllocator> NUMA_2 = Invariant.of("NUMA-2",
            "Nodes are disjoint: no frame belongs to two nodes and no CPU is local to two nodes",
            na -> na.topology().disjointnessProblem().map(NumaError::getMessage));

    public static final Invariant<NumaAllocator> NUMA_3 = Invariant.of("NUMA-3",
            "Every live allocation is a live run in the usable memory of the node that served it",
            NumaInvariants::allocationsOnTheirNode);

    public static final Invariant<NumaAllocator> NUMA_4 = Invariant.of("NUMA-4",
            "Strict binding never leaves its node: a strictly bound allocation was served by, and tried only, its bound node",
            NumaInvariants::strictStaysHome);

    public static final Invariant<NumaAllocator> NUMA_5 = Invariant.of("NUMA-5",
            "Fallback goes by distance: a non-strict allocation starts at its local or preferred node, tries nodes by increasing distance (ties by lower id) and lands on the first that can satisfy it",
            NumaInvariants::fallbackByDistance);

    public static final Invariant<NumaAllocator> NUMA_6 = Invariant.of("NUMA-6",
            "Per node: allocated count = frames of live allocations it served = its pool's live frames, and free + allocated + holes = span",
            NumaInvariants::accountingHolds);

    public static final Invariant<NumaAllocator> NUMA_7 = Invariant.of("NUMA-7",
            "Every live allocation is a naturally aligned block: 2^order frames starting at a frame number that is a multiple of 2^order",
            NumaInvariants::naturallyAligned);

    public static final InvariantSet<NumaAllocator> ALL = InvariantSet.of("numa",
            List.of(NUMA_1, NUMA_2, NUMA_3, NUMA_4, NUMA_5, NUMA_6, NUMA_7), NumaAllocator::toString);

    private static Optional<String> naturallyAligned(NumaAllocator na) {
        for (NumaAllocation a : na.live().values()) {
            long n = a.run().count();
            if ((n & (n - 1)) != 0 || a.run().start().number() % n != 0) {
                return Invariant.broken("%s: %d frames at frame#%d is not a block aligned to its size", a, n, a.run().start().number());
            }
        }
        return Invariant.holds();
    }

    private static Optional<String> allocationsOnTheirNode(NumaAllocator na) {
        for (NumaAllocation a : na.live().values()) {
            if (!na.topology().has(a.served())) {
                return broken("%s: served by unknown %s", a, a.served());
            }
            NumaNode n = na.node(a.served());
            if (n.pool().map(p -> !p.isLive(a.run())).orElse(true)) {
                return broken("%s is not a live run of %s", a, a.served());
            }
            if (n.pool().get().usable().stream().noneMatch(u -> u.contains(a.run()))) {
                return broken("%s lies outside the usable memory of %s", a, a.served());
            }
        }
        return holds();
    }

    private static Optional<String> strictStaysHome(NumaAllocator na) {
        for (NumaAllocation a : na.live().values()) {
            if (a.strict() && !a.served().equals(a.intended())) {
                return broken("%s was strictly bound to %s but served by %s", a, a.intended(), a.served());
            }
        }
        Optional<NumaDecision> d = na.lastDecision();
        if (d.isPresent() && d.get().request().binding().strict()) {
            NodeId bound = d.get().request().binding().node();
            for (NumaDecision.Attempt at : d.get().attempts()) {
                if (!at.node().equals(bound)) {
                    return broken("%s: a request strictly bound to %s tried %s", d.get(), bound, at.node());
                }
            }
        }
        return holds();
    }

    private static Optional<String> fallbackByDistance(NumaAllocator na) {
        Optional<NumaDecision> last = na.lastDecision();
        if (last.isEmpty()) {
            return holds();
        }
        NumaDecision d = last.get();
        Binding b = d.request().binding();
        if (b.strict()) {
            return holds(); // a strict request has no fallback; NUMA-4 states what it may try
        }
        Optional<NodeId> expectedStart = b.policy() == Binding.Policy.LOCAL ? na.topology().localNode(d.request().cpu())
                : Optional.of(b.node());
        if (!expectedStart.equals(Optional.of(d.start()))) {
            return broken("%s: started at %s but the request's %s node is %s", d, d.start(),
                    b.policy() == Binding.Policy.LOCAL ? "local" : "bound", expectedStart.map(NodeId::toString).orElse("none"));
        }
        List<NodeId> expected = na.topology().fallbackOrder(d.start());
        List<NumaDecision.Attempt> at = d.attempts();
        for (int i = 0; i < at.size(); i++) {
            if (i >= expected.size() || !at.get(i).node().equals(expected.get(i))) {
                return broken("%s: attempt %d tried %s but the order by distance from %s is %s", d, i, at.get(i).node(),
                        d.start(), expected);
            }
            if (at.get(i).satisfied() && i != at.size() - 1) {
                return broken("%s: went on past %s, which satisfied it", d, at.get(i).node());
            }
        }
        Optional<NodeId> by = at.isEmpty() || !at.get(at.size() - 1).satisfied() ? Optional.empty()
                : Optional.of(at.get(at.size() - 1).node());
        if (!by.equals(d.served())) {
            return broken("%s: served by %s but the attempts say %s", d, d.served(), by);
        }
        return holds();
    }

    private static Optional<String> accountingHolds(NumaAllocator na) {
        for (NumaNode n : na.nodes()) {
            long live = na.live().values().stream().filter(a -> a.served().equals(n.id()))
                    .mapToLong(a -> a.run().count()).sum();
            if (n.allocatedFrames() != live) {
                return broken("%s counts %d allocated frames but its live allocations hold %d", n.id(), n.allocatedFrames(),
                        live);
            }
            if (n.pool().isEmpty()) {
                continue;
            }
            FramePool p = n.pool().get();
            if (p.allocatedFrames() != live) {
                return broken("%s: its pool holds %d live frames but the allocator's live allocations hold %d", n.id(),
                        p.allocatedFrames(), live);
            }
            Optional<String> problem = p.accountingProblem();
            if (problem.isPresent()) {
                return broken("%s: %s", n.id(), problem.get());
            }
        }
        return holds();
    }
}
