package org.mmspec.zones;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.FrameRange;

/** The invariants of the zone allocator, as spec/zones.md defines them. */
public final class ZoneInvariants {
    private ZoneInvariants() {
    }

    public static final Invariant<ZoneAllocator> ZONE_1 = Invariant.of("ZONE-1",
            "Each zone's memory lies in its window (DMA below 16 MiB) and the zones are pairwise disjoint",
            ZoneInvariants::boundsHold);

    public static final Invariant<ZoneAllocator> ZONE_2 = Invariant.of("ZONE-2",
            "The memory map has usable memory, and the zones together cover exactly it: no frame lost, none invented",
            ZoneInvariants::coverageHolds);

    public static final Invariant<ZoneAllocator> ZONE_3 = Invariant.of("ZONE-3",
            "Every live allocation is a live run in usable memory of the zone that served it, and ends at or below the ceiling of the zone it requested: a DMA allocation lies below 16 MiB",
            ZoneInvariants::allocationsInBounds);

    public static final Invariant<ZoneAllocator> ZONE_4 = Invariant.of("ZONE-4",
            "An allocation tries its allowed zones in fallback order, from the first, in each pass, stops at the first that can satisfy it, and is served by that zone; a failed decision tried every allowed zone after reclaim",
            ZoneInvariants::fallbackRespected);

    public static final Invariant<ZoneAllocator> ZONE_5 = Invariant.of("ZONE-5",
            "Reclaim runs only when the request allows it, at most once, and only after every allowed zone failed",
            ZoneInvariants::reclaimOnlyWhenExhausted);

    public static final Invariant<ZoneAllocator> ZONE_6 = Invariant.of("ZONE-6",
            "Per zone: allocatedFrames = frames of the live allocations it served = its pool's live frames; the pool's live runs avoid its holes and each other; free + allocated + hole frames = span",
            ZoneInvariants::accountingHolds);

    public static final Invariant<ZoneAllocator> ZONE_7 = Invariant.of("ZONE-7",
            "The fallback matrix is well-formed: each list starts with its zone, has no repeats, names only existing zones and never falls back upwards",
            za -> za.fallbackOrder().problem(za.wordSize()).map(p -> "fallback " + za.fallbackOrder() + ": " + p));

    public static final Invariant<ZoneAllocator> ZONE_8 = Invariant.of("ZONE-8",
            "Every live allocation is a naturally aligned block: 2^order frames starting at a frame number that is a multiple of 2^order",
            ZoneInvariants::naturallyAligned);

    public static final InvariantSet<ZoneAllocator> ALL = InvariantSet.of("zones",
            List.of(ZONE_1, ZONE_2, ZONE_3, ZONE_4, ZONE_5, ZONE_6, ZONE_7, ZONE_8), ZoneAllocator::toString);

    private static Optional<String> naturallyAligned(ZoneAllocator za) {
        for (ZoneAllocation a : za.live().values()) {
            long n = a.run().count();
            if ((n & (n - 1)) != 0 || a.run().start().number() % n != 0) {
                return broken("%s: %d frames at frame#%d is not a block aligned to its size", a, n, a.run().start().number());
            }
        }
        return holds();
    }

    private static Optional<String> boundsHold(ZoneAllocator za) {
        List<FrameRange> spans = new ArrayList<>();
        for (Zone z : za.zones()) {
            FrameRange window = ZoneLayout.windowOf(za.wordSize(), z.type());
            for (FrameRange r : z.usable()) {
                if (!window.contains(r)) {
                    return broken("zone %s holds %s outside its window %s", z.type(), r, window);
                }
            }
            z.pool().ifPresent(p -> spans.add(p.span()));
        }
        spans.sort(Comparator.naturalOrder());
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i - 1).overlaps(spans.get(i))) {
                return broken("zone spans %s and %s overlap", spans.get(i - 1), spans.get(i));
            }
        }
        return holds();
    }

    private static Optional<String> coverageHolds(ZoneAllocator za) {
        if (za.memoryMap().isEmpty()) {
            return broken("the memory map has no usable memory");
        }
        List<FrameRange> all = new ArrayList<>();
        za.zones().forEach(z -> all.addAll(z.usable()));
        all.sort(Comparator.naturalOrder());
        List<FrameRange> merged = new ArrayList<>();
        for (FrameRange r : all) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).endNumber() == r.start().number()) {
                FrameRange prev = merged.remove(merged.size() - 1);
                merged.add(FrameRange.between(prev.start(), r.end()));
            } else {
                merged.add(r);
            }
        }
        return merged.equals(za.memoryMap()) ? holds()
                : broken("zones cover %s but the usable memory is %s", merged, za.memoryMap());
    }

    private static Optional<String> allocationsInBounds(ZoneAllocator za) {
        for (ZoneAllocation a : za.live().values()) {
            Zone served = za.zone(a.served());
            if (served.pool().map(p -> !p.isLive(a.run())).orElse(true)) {
                return broken("%s is not a live run of zone %s", a, a.served());
            }
            if (!served.usable().stream().anyMatch(u -> u.contains(a.run()))) {
                return broken("%s lies outside the usable memory of zone %s", a, a.served());
            }
            long ceiling = ZoneLayout.ceiling(za.wordSize(), a.requested());
            if (a.run().endNumber() > ceiling) {
                return broken("%s requested %s but reaches frame %d, above its ceiling frame %d", a, a.requested(),
                        a.run().last().number(), ceiling);
            }
        }
        return holds();
    }

    /** The list a request may try, as ZONE-4 defines it. */
    static List<ZoneType> allowed(ZoneAllocator za, ZoneRequest r) {
        return r.mayFallback() ? za.fallbackOrder().of(r.preferred()) : List.of(r.preferred());
    }

    private static Optional<String> fallbackRespected(ZoneAllocator za) {
        Optional<ZoneDecision> last = za.lastDecision();
        if (last.isEmpty()) {
            return holds();
        }
        ZoneDecision d = last.get();
        List<ZoneType> allowed = allowed(za, d.request());
        List<ZoneDecision.Attempt> at = d.attempts();
        int split = d.reclaimAfter() < 0 ? at.size() : d.reclaimAfter();
        for (List<ZoneDecision.Attempt> pass : List.of(at.subList(0, split), at.subList(split, at.size()))) {
            for (int i = 0; i < pass.size(); i++) {
                if (i >= allowed.size() || pass.get(i).zone() != allowed.get(i)) {
                    return broken("%s: attempt %d tried %s but fallback_order[%s] is %s", d, i, pass.get(i).zone(),
                            d.request().preferred(), allowed);
                }
                if (pass.get(i).satisfied() && i != pass.size() - 1) {
                    return broken("%s: went on past %s, which satisfied it", d, pass.get(i).zone());
                }
            }
        }
        Optional<ZoneDecision.Attempt> lastAttempt = at.isEmpty() ? Optional.empty() : Optional.of(at.get(at.size() - 1));
        Optional<ZoneType> satisfiedBy = lastAttempt.filter(ZoneDecision.Attempt::satisfied).map(ZoneDecision.Attempt::zone);
        if (!satisfiedBy.equals(d.served())) {
            return broken("%s: served by %s but the attempts say %s", d, d.served(), satisfiedBy);
        }
        if (d.served().isEmpty() && at.size() - split != allowed.size()) {
            return broken("%s: failed without trying all of %s after reclaim", d, allowed);
        }
        return holds();
    }

    private static Optional<String> reclaimOnlyWhenExhausted(ZoneAllocator za) {
        Optional<ZoneDecision> last = za.lastDecision();
        if (last.isEmpty() || last.get().reclaimAfter() < 0) {
            return holds();
        }
        ZoneDecision d = last.get();
        if (!d.request().mayReclaim()) {
            return broken("%s: reclaimed although the request forbids it", d);
        }
        List<ZoneType> allowed = allowed(za, d.request());
        List<ZoneDecision.Attempt> before = d.attempts().subList(0, d.reclaimAfter());
        if (before.size() != allowed.size() || before.stream().anyMatch(ZoneDecision.Attempt::satisfied)) {
            return broken("%s: reclaimed after %s, before every zone of %s had failed", d, before, allowed);
        }
        return holds();
    }

    private static Optional<String> accountingHolds(ZoneAllocator za) {
        for (Zone z : za.zones()) {
            long live = za.live().values().stream().filter(a -> a.served() == z.type()).mapToLong(a -> a.run().count())
                    .sum();
            if (z.allocatedFrames() != live) {
                return broken("zone %s counts %d allocated frames but its live allocations hold %d", z.type(),
                        z.allocatedFrames(), live);
            }
            if (z.isEmpty()) {
                continue;
            }
            FramePool p = z.pool().get();
            if (p.allocatedFrames() != live) {
                return broken("zone %s: its pool holds %d live frames but the allocator's live allocations hold %d",
                        z.type(), p.allocatedFrames(), live);
            }
            Optional<String> problem = p.accountingProblem();
            if (problem.isPresent()) {
                return broken("zone %s: %s", z.type(), problem.get());
            }
        }
        return holds();
    }
}
