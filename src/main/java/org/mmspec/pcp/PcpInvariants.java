package org.mmspec.pcp;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.PhysFrame;

/**
 * The invariants of the per-CPU frame caches, as spec/frames-percpu.md defines them; stated over a
 * quiescent {@link PcpAllocator} (no operation in flight). Written with loops only, no streams, so
 * that the Java PathFinder scenarios can evaluate them.
 */
public final class PcpInvariants {
    private PcpInvariants() {
    }

    public static final Invariant<PcpAllocator> PCP_1 = Invariant.of("PCP-1",
            "Conservation: every usable frame is in exactly one place (a CPU cache, its node allocator's free structure, or allocated), the places agree with the node allocators, and cached + free + allocated + reserved = managed",
            PcpInvariants::conservation);

    public static final Invariant<PcpAllocator> PCP_2 = Invariant.of("PCP-2",
            "No duplication: no frame is twice in the caches, and a cached frame is never also handed out",
            PcpInvariants::noDuplication);

    public static final Invariant<PcpAllocator> PCP_3 = Invariant.of("PCP-3",
            "No spurious out-of-memory: an allocation rejected for lack of memory found, at one instant, fewer free frames in all caches and node allocators together than it asked for",
            PcpInvariants::noSpuriousOom);

    public static final Invariant<PcpAllocator> PCP_4 = Invariant.of("PCP-4",
            "Watermarks: every CPU cache holds between 0 and high frames",
            PcpInvariants::watermarks);

    public static final Invariant<PcpAllocator> PCP_5 = Invariant.of("PCP-5",
            "NUMA locality: every cached frame belongs to the memory of its CPU's node",
            PcpInvariants::locality);

    public static final InvariantSet<PcpAllocator> ALL = InvariantSet.of("pcp", List.of(PCP_1, PCP_2, PCP_3, PCP_4, PCP_5),
            PcpAllocator::toString);

    private static Optional<String> conservation(PcpAllocator a) {
        long cached = 0;
        for (int c = 0; c < a.config().cpus(); c++) {
            cached += a.cacheAt(c).count;
        }
        long free = 0;
        long reserved = 0;
        for (int i = 0; i < a.nodeCount(); i++) {
            NodeFrames n = a.nodeAt(i);
            if (n.pool == null) {
                continue;
            }
            free += n.pool.freeFrames();
            reserved += n.pool.holeFrames();
            Optional<String> p = n.pool.accountingProblem();
            if (p.isPresent()) {
                return broken("%s: %s", n.id, p.get());
            }
        }
        long allocated = 0;
        long managed = 0;
        for (int i = 0; i < a.spanFrames(); i++) {
            int node = a.nodeIndexAt(i);
            int p = a.placeAt(i);
            long f = a.firstFrame() + i;
            if (node < 0) {
                if (p != PcpAllocator.NOT_MANAGED) {
                    return broken("frame#%d is not usable memory but its place says %s", f, PcpAllocator.describePlace(p));
                }
                continue;
            }
            managed++;
            boolean liveInNode = a.nodeAt(node).pool.isLive(new org.mmspec.frames.FrameRange(PhysFrame.of(f), 1));
            if (p == PcpAllocator.FREE && liveInNode) {
                return broken("frame#%d is marked free but %s's allocator still holds it as allocated: lost", f, a.nodeAt(node).id);
            }
            if (p != PcpAllocator.FREE && !liveInNode) {
                return broken("frame#%d is %s but free in %s's allocator", f, PcpAllocator.describePlace(p), a.nodeAt(node).id);
            }
            if (p == PcpAllocator.ALLOCATED) {
                allocated++;
            } else if (p < 0 && p != PcpAllocator.FREE) {
                return broken("frame#%d of %s is %s at a quiescent point", f, a.nodeAt(node).id, PcpAllocator.describePlace(p));
            }
        }
        if (managed != a.usableFrames()) {
            return broken("%d frames are usable but the allocator manages %d", managed, a.usableFrames());
        }
        if (cached + free + allocated != managed) {
            return broken("cached %d + free %d + allocated %d = %d, but %d frames are managed (plus %d reserved)", cached, free,
                    allocated, cached + free + allocated, managed, reserved);
        }
        return holds();
    }

    private static Optional<String> noDuplication(PcpAllocator a) {
        for (int c = 0; c < a.config().cpus(); c++) {
            CpuCache cc = a.cacheAt(c);
            for (int m = 0; m < cc.count; m++) {
                long f = cc.frames[m];
                if (a.placeOf(PhysFrame.of(f)) != c) {
                    return broken("cpu%d caches frame#%d, which is %s", c, f, PcpAllocator.describePlace(a.placeOf(PhysFrame.of(f))));
                }
                for (int d = c; d < a.config().cpus(); d++) {
                    CpuCache dc = a.cacheAt(d);
                    for (int k = d == c ? m + 1 : 0; k < dc.count; k++) {
                        if (dc.frames[k] == f) {
                            return broken("frame#%d is cached twice: by cpu%d and cpu%d", f, c, d);
                        }
                    }
                }
            }
        }
        return holds();
    }

    private static Optional<String> noSpuriousOom(PcpAllocator a) {
        Optional<PcpStats.OomWitness> w = a.lastOom();
        if (w.isPresent() && w.get().available() >= w.get().requested()) {
            return broken("cpu%d was refused %d frame(s) for lack of memory while %d were free in caches and nodes",
                    w.get().cpu(), w.get().requested(), w.get().available());
        }
        return holds();
    }

    private static Optional<String> watermarks(PcpAllocator a) {
        for (int c = 0; c < a.config().cpus(); c++) {
            int n = a.cacheAt(c).count;
            if (n < 0 || n > a.config().high()) {
                return broken("cpu%d caches %d frames; the high watermark is %d", c, n, a.config().high());
            }
        }
        return holds();
    }

    private static Optional<String> locality(PcpAllocator a) {
        for (int c = 0; c < a.config().cpus(); c++) {
            CpuCache cc = a.cacheAt(c);
            for (int m = 0; m < cc.count; m++) {
                long f = cc.frames[m];
                int i = (int) (f - a.firstFrame());
                int node = f < a.firstFrame() || i >= a.spanFrames() ? -1 : a.nodeIndexAt(i);
                if (node != cc.node) {
                    return broken("cpu%d (on %s) caches frame#%d, which is %s", c, a.nodeAt(cc.node).id, f,
                            node < 0 ? "in no node's usable memory" : "on " + a.nodeAt(node).id);
                }
            }
        }
        return holds();
    }
}
