package org.mmspec.numa;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.FramePool;
import org.mmspec.zones.ZoneLayout;

/** The invariants of zones inside NUMA nodes, as spec/numa.md defines them (NZONE-1..5). */
public final class ZonedNumaInvariants {
    private ZonedNumaInvariants() {
    }

    public static final Invariant<ZonedNumaAllocator> NZONE_1 = Invariant.of("NZONE-1",
            "Every zone of a node holds exactly the node's memory inside the zone type's window (DMA below 16 MiB, DMA32 below 4 GiB, NORMAL above), so a node's zones are disjoint and together hold exactly its memory",
            ZonedNumaInvariants::zonesSplitTheNode);

    public static final Invariant<ZonedNumaAllocator> NZONE_2 = Invariant.of("NZONE-2",
            "Every live allocation is a live run of the zone that served it, and that zone is at or below the request's highest zone (a DMA request never gets DMA32 or NORMAL memory)",
            ZonedNumaInvariants::allocationsInTheirZone);

    public static final Invariant<ZonedNumaAllocator> NZONE_3 = Invariant.of("NZONE-3",
            "The last allocation walked the node-ordered zonelist (nodes by distance from the preferred node, each node's zones from the highest allowed down), first with the LOW mark and then with the MIN mark, and stopped at the first zone that kept its mark and handed out the block",
            ZonedNumaInvariants::zonelistOrder);

    public static final Invariant<ZonedNumaAllocator> NZONE_4 = Invariant.of("NZONE-4",
            "Watermarks per zone per node: every zone the last allocation judged was judged by its own free frames and its own mark for the pass, and the zone that served it still has at least that mark free",
            ZonedNumaInvariants::watermarksKept);

    public static final Invariant<ZonedNumaAllocator> NZONE_5 = Invariant.of("NZONE-5",
            "Per zone of every node: allocated count = frames of the live allocations it served = its pool's live frames, and free + allocated + holes = span",
            ZonedNumaInvariants::accountingHolds);

    public static final InvariantSet<ZonedNumaAllocator> ALL = InvariantSet.of("numa-zones",
            List.of(NZONE_1, NZONE_2, NZONE_3, NZONE_4, NZONE_5), ZonedNumaAllocator::toString);

    private static Optional<String> zonesSplitTheNode(ZonedNumaAllocator za) {
        for (NodeSpec n : za.topology().nodes()) {
            List<FrameRange> mem = new ArrayList<>(n.memory());
            mem.sort(FrameRange::compareTo);
            for (NodeZoneType t : NodeZoneType.values()) {
                List<FrameRange> expected = ZoneLayout.clip(mem, t.window());
                List<FrameRange> actual = za.zone(new NodeZone(n.id(), t)).map(z -> z.pool().usable()).orElse(List.of());
                if (!expected.equals(actual)) {
                    return broken("%s/%s holds %s but the node's memory inside %s's window %s is %s", n.id(), t, actual, t,
                            t.window(), expected);
                }
            }
        }
        return holds();
    }

    private static Optional<String> allocationsInTheirZone(ZonedNumaAllocator za) {
        for (ZonedAllocation a : za.live().values()) {
            Optional<ZonedNumaAllocator.ZonePool> z = za.zone(a.zone());
            if (z.isEmpty() || !z.get().pool().isLive(a.run())) {
                return broken("%s is not a live run of %s", a, a.zone());
            }
            if (a.zone().type().compareTo(a.request().highest()) > 0) {
                return broken("%s: served from %s, above the request's highest zone %s", a, a.zone().type(),
                        a.request().highest());
            }
            if (!a.zone().type().window().contains(a.run())) {
                return broken("%s lies outside %s's window %s", a, a.zone().type(), a.zone().type().window());
            }
        }
        return holds();
    }

    private static Optional<String> zonelistOrder(ZonedNumaAllocator za) {
        Optional<ZonedDecision> last = za.lastDecision();
        if (last.isEmpty()) {
            return holds();
        }
        ZonedDecision d = last.get();
        List<NodeZone> list = za.zonelist(d.request().node(), d.request().highest());
        List<ZonedDecision.Attempt> at = d.attempts();
        int i = 0;
        for (Watermarks.Mark pass : Watermarks.Mark.values()) {
            for (NodeZone z : list) {
                if (i == at.size()) {
                    return d.served().isPresent() && at.get(i - 1).satisfied() ? holds()
                            : broken("%s: stopped after %d attempts without a zone", d, i);
                }
                ZonedDecision.Attempt a = at.get(i);
                if (!a.zone().equals(z) || a.pass() != pass) {
                    return broken("%s: attempt %d judged %s on the %s pass but the node-ordered zonelist %s puts %s there", d, i,
                            a.zone(), a.pass(), list, z + "@" + pass);
                }
                if (a.satisfied() && i != at.size() - 1) {
                    return broken("%s: went on past %s, which served it", d, a.zone());
                }
                i++;
            }
        }
        if (i != at.size()) {
            return broken("%s: %d attempts, but the zonelist %s has only %d zones per pass", d, at.size(), list, list.size());
        }
        ZonedDecision.Attempt lastAttempt = at.isEmpty() ? null : at.get(at.size() - 1);
        Optional<NodeZone> by = lastAttempt != null && lastAttempt.satisfied() ? Optional.of(lastAttempt.zone()) : Optional.empty();
        return by.equals(d.served()) ? holds() : broken("%s: served by %s but the attempts say %s", d, d.served(), by);
    }

    private static Optional<String> watermarksKept(ZonedNumaAllocator za) {
        Optional<ZonedDecision> last = za.lastDecision();
        if (last.isEmpty()) {
            return holds();
        }
        ZonedDecision d = last.get();
        long frames = d.request().frames();
        for (ZonedDecision.Attempt a : d.attempts()) {
            Optional<ZonedNumaAllocator.ZonePool> z = za.zone(a.zone());
            if (z.isEmpty()) {
                return broken("%s: judged %s, which the node does not have", d, a.zone());
            }
            long own = z.get().marks().of(a.pass());
            if (a.mark() != own) {
                return broken("%s: judged %s by mark %d but its own %s mark is %d", d, a.zone(), a.mark(), a.pass(), own);
            }
            if (a.keptMark() != (a.free() - frames >= own)) {
                return broken("%s: %s with %d free and mark %d was judged %s", d, a.zone(), a.free(), own,
                        a.keptMark() ? "to keep it" : "not to keep it");
            }
            if (a.satisfied() && z.get().freeFrames() < own) {
                return broken("%s: served by %s, which now has %d free frames, below its %s mark %d", d, a.zone(),
                        z.get().freeFrames(), a.pass(), own);
            }
        }
        return holds();
    }

    private static Optional<String> accountingHolds(ZonedNumaAllocator za) {
        for (ZonedNumaAllocator.ZonePool z : za.zones()) {
            long live = za.live().values().stream().filter(a -> a.zone().equals(z.id())).mapToLong(a -> a.run().count()).sum();
            if (z.allocatedFrames() != live) {
                return broken("%s counts %d allocated frames but its live allocations hold %d", z.id(), z.allocatedFrames(), live);
            }
            FramePool p = z.pool();
            if (p.allocatedFrames() != live) {
                return broken("%s: its pool holds %d live frames but the allocator's live allocations hold %d", z.id(),
                        p.allocatedFrames(), live);
            }
            Optional<String> problem = p.accountingProblem();
            if (problem.isPresent()) {
                return broken("%s: %s", z.id(), problem.get());
            }
        }
        return holds();
    }
}
