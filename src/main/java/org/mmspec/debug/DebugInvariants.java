package org.mmspec.debug;

import java.util.List;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.heap.Allocation;
import org.mmspec.heap.CallSite;
import org.mmspec.heap.Corruption;
import org.mmspec.heap.HeapStats;
import org.mmspec.heap.SlabAllocator;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

/**
 * The debugging invariants, defined in {@code spec/debugging.md}: guards intact, leak reports
 * complete, statistics true. Stated over a quiescent heap, through its public API only.
 */
public final class DebugInvariants {
    private DebugInvariants() {
    }

    /** DEBUG-1: with red zones on, every live allocation's red zone holds the guard byte. */
    public static final Invariant<SlabAllocator> DEBUG_1 = Invariant.of("DEBUG-1",
            "every live allocation's red zone is intact", h -> first(h, Corruption.Kind.RED_ZONE));

    /** DEBUG-2: with poisoning on, every free object and free large block holds poison, and none was found written. */
    public static final Invariant<SlabAllocator> DEBUG_2 = Invariant.of("DEBUG-2",
            "every free object holds poison", h -> first(h, Corruption.Kind.POISON));

    /** DEBUG-3: with checksums on, every free slab object still has the checksum recorded when it was freed. */
    public static final Invariant<SlabAllocator> DEBUG_3 = Invariant.of("DEBUG-3",
            "every free object's checksum matches", h -> first(h, Corruption.Kind.CHECKSUM));

    /** DEBUG-4: the leak report accounts for every live allocation, and with tracking on each has its call site. */
    public static final Invariant<SlabAllocator> DEBUG_4 = Invariant.of("DEBUG-4",
            "the leak report groups every live allocation under its call site", h -> {
                List<Allocation> live = h.liveAllocations();
                long count = 0;
                long bytes = 0;
                for (LeakDetector.Group g : LeakDetector.report(h, LeakDetector.empty())) {
                    count += g.count();
                    bytes += g.bytes();
                }
                long liveBytes = 0;
                for (Allocation a : live) {
                    liveBytes += a.requested();
                    if (h.config().debug().trackCallers() && a.site().equals(CallSite.UNKNOWN)) {
                        return broken("%s was tracked without a call site", a);
                    }
                }
                return Invariant.require(count == live.size() && bytes == liveBytes,
                        "leak report holds %d allocations / %d bytes, the heap %d / %d", count, bytes, live.size(), liveBytes);
            });

    /** DEBUG-5: the statistics agree with the structure. */
    public static final Invariant<SlabAllocator> DEBUG_5 = Invariant.of("DEBUG-5",
            "per-class and per-CPU statistics agree with the heap's structure", h -> {
                HeapStats s = h.stats();
                for (HeapStats.ClassStats c : s.classes()) {
                    if (c.allocs() - c.frees() != c.live()) {
                        return broken("class %s: %d allocs - %d frees != %d live", c.cls().label(), c.allocs(), c.frees(), c.live());
                    }
                    if (c.freeInSlabs() + c.cached() + c.live() != c.objects()) {
                        return broken("class %s: free %d + cached %d + live %d != %d objects", c.cls().label(),
                                c.freeInSlabs(), c.cached(), c.live(), c.objects());
                    }
                    long cached = 0;
                    for (HeapStats.CpuStats p : s.cpus()) {
                        if (p.cls() == c.cls()) {
                            cached += p.cached();
                        }
                    }
                    if (cached != c.cached()) {
                        return broken("class %s: per-CPU cached %d != %d", c.cls().label(), cached, c.cached());
                    }
                }
                HeapStats.LargeStats l = s.large();
                if (l.allocs() - l.frees() != l.usedBlocks() || l.freeBytes() + l.usedBytes() != l.managedBytes()) {
                    return broken("large: %s", l);
                }
                long frames = l.managedBytes() / org.mmspec.frames.PhysFrame.SIZE;
                for (HeapStats.ClassStats c : s.classes()) {
                    frames += c.frames();
                }
                return Invariant.require(frames == s.heldFrames(), "slab and arena frames %d != held %d", frames, s.heldFrames());
            });

    public static final InvariantSet<SlabAllocator> ALL = InvariantSet.of("debug", List.of(DEBUG_1, DEBUG_2, DEBUG_3,
            DEBUG_4, DEBUG_5), SlabAllocator::stateKey);

    private static java.util.Optional<String> first(SlabAllocator h, Corruption.Kind kind) {
        for (Corruption c : h.scan()) {
            if (c.kind() == kind) {
                return broken("%s", c);
            }
        }
        for (Corruption c : h.corruptionLog()) {
            if (c.kind() == kind) {
                return broken("logged on reallocation: %s", c);
            }
        }
        return holds();
    }

}
