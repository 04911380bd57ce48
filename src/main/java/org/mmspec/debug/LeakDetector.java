package org.mmspec.debug;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.mmspec.heap.Allocation;
import org.mmspec.heap.CallSite;
import org.mmspec.heap.HeapAddr;
import org.mmspec.heap.SlabAllocator;

/**
 * Leak detection: the allocations made since a {@link Mark} and still live, grouped by call
 * site, largest first (kmemleak's report, grouped the way a reader triages it).
 */
public final class LeakDetector {
    private LeakDetector() {
    }

    /** The live allocations at some moment; later reports leave them out. */
    public static final class Mark {
        private final Set<HeapAddr> live;

        private Mark(Set<HeapAddr> live) {
            this.live = live;
        }
    }

    /**
     * One call site's unreleased allocations.
     *
     * @param site where they were made
     * @param count how many
     * @param bytes bytes requested
     * @param addrs their addresses
     */
    public record Group(CallSite site, long count, long bytes, List<HeapAddr> addrs) {
    }

    /** A mark with nothing live: every live allocation counts as unreleased. */
    public static Mark empty() {
        return new Mark(Set.of());
    }

    public static Mark mark(SlabAllocator heap) {
        Set<HeapAddr> s = new HashSet<>();
        for (Allocation a : heap.liveAllocations()) {
            s.add(a.addr());
        }
        return new Mark(s);
    }

    /** Live allocations not in {@code since}, grouped by call site, most bytes first. */
    public static List<Group> report(SlabAllocator heap, Mark since) {
        Map<CallSite, List<Allocation>> by = new TreeMap<>();
        for (Allocation a : heap.liveAllocations()) {
            if (!since.live.contains(a.addr())) {
                by.computeIfAbsent(a.site(), k -> new ArrayList<>()).add(a);
            }
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<CallSite, List<Allocation>> e : by.entrySet()) {
            long bytes = 0;
            List<HeapAddr> addrs = new ArrayList<>();
            for (Allocation a : e.getValue()) {
                bytes += a.requested();
                addrs.add(a.addr());
            }
            out.add(new Group(e.getKey(), e.getValue().size(), bytes, addrs));
        }
        out.sort(Comparator.comparingLong(Group::bytes).reversed().thenComparing(Group::site));
        return out;
    }

    /** The report as text, one line per call site. */
    public static String render(List<Group> groups) {
        StringBuilder sb = new StringBuilder();
        for (Group g : groups) {
            sb.append(String.format("unreleased: %d allocations, %d bytes, from %s%n", g.count(), g.bytes(), g.site()));
        }
        return sb.toString();
    }
}
