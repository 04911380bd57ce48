package org.mmspec.numa;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;
import org.mmspec.zones.ZoneLayout;

/**
 * Zones inside NUMA nodes, as Linux has them: every node ({@code pg_data_t}) splits its memory at
 * the 16 MiB and 4 GiB boundaries into its own DMA, DMA32 and NORMAL zones
 * ({@link NodeZoneType}), each with its own frame allocator and its own watermarks
 * ({@link Watermarks}); an allocation walks a <em>node-ordered zonelist</em>.
 *
 * <p><b>The zonelist modelled, and why.</b> For a request whose highest zone is {@code Z} and
 * whose preferred node is {@code N}, the zonelist is: the nodes in
 * {@link NumaTopology#fallbackOrder} from {@code N} (increasing distance, ties by lower id), and
 * within each node its populated zones from {@code Z} down to DMA. So a request exhausts the
 * nearest node's eligible zones, highest first, before it moves to a farther node. This is
 * Linux's {@code ZONELIST_FALLBACK} as {@code build_zonelists_in_node_order()} builds it, the only
 * order Linux has had since 4.14 removed the zone-ordered alternative (which tried zone {@code Z}
 * on every node before {@code Z − 1} anywhere, to spare low memory at the price of locality).
 * The "first by zone type, then by distance" reads either way; the node order is what a
 * kernel does today, keeps allocations local, and still never goes <em>up</em> in zone type. The
 * zone-ordered list is kept as the seeded bug {@link Bug#ZONE_ORDER}, which NZONE-3 tells apart.
 *
 * <p><b>Watermarks.</b> The zonelist is walked twice: first every zone must keep its LOW mark
 * free after the allocation, then (if no zone could) its MIN mark. Each zone is judged by its
 * <em>own</em> free frames and marks, on its own node.
 *
 * <p>Encoding: {@code topology} is validated; {@code zones} holds one {@link ZonePool} per
 * populated (node, zone) pair, in node then zone order, with the part of the node's memory inside
 * the zone's window; {@code live} maps the first frame of every allocation to its
 * {@link ZonedAllocation}; {@code last} is the audit record of the last successful allocation.
 *
 * <p>Invariants ({@link ZonedNumaInvariants}, spec/numa.md): NZONE-1 a node's zones lie in their
 * windows and together hold exactly the node's memory; NZONE-2 every allocation lies in the zone
 * that served it, never above its request's highest zone; NZONE-3 the last allocation walked the
 * node-ordered zonelist, LOW pass then MIN pass, and stopped at the first zone that could serve
 * it; NZONE-4 the serving zone kept its own watermark for the pass; NZONE-5 per-zone accounting.
 * Failed operations change nothing.
 */
public final class ZonedNumaAllocator {
    /** The largest order, as in {@link NumaAllocator#MAX_ORDER}. */
    public static final int MAX_ORDER = NumaAllocator.MAX_ORDER;

    /** Seeded bugs, to show that the checks catch them. */
    enum Bug {
        NONE,
        /** The DMA32 window ends one frame past 4 GiB, so DMA32 takes NORMAL's first frame (NZONE-1). */
        DMA32_OFF_BY_ONE,
        /** The zonelist of a DMA request also lists DMA32: fallback returns a DMA32 page for a DMA request (NZONE-2). */
        DMA_GETS_DMA32,
        /** The zone-ordered zonelist: zone Z on every node before Z − 1 anywhere (NZONE-3). */
        ZONE_ORDER,
        /** Every candidate is judged by the marks of the preferred node's zone of the same type, not its own (NZONE-4). */
        WATERMARK_WRONG_NODE,
        /** Forgets to lower the zone's allocated count on free (NZONE-5). */
        FORGET_ACCOUNTING
    }

    /**
     * Where each zone's watermarks come from: called once per populated zone of every node.
     */
    @FunctionalInterface
    public interface WatermarkPolicy {
        Watermarks marks(NodeZone zone, long usableFrames);

        /** Linux's defaults scaled to the zone ({@link Watermarks#scaled}). */
        WatermarkPolicy SCALED = (z, usable) -> Watermarks.scaled(usable);
    }

    /** One zone of one node: its memory, its allocator, its marks and its count. */
    public static final class ZonePool {
        private final NodeZone id;
        private final FramePool pool;
        private final Watermarks marks;
        long allocatedFrames;

        ZonePool(NodeZone id, FramePool pool, Watermarks marks) {
            this.id = id;
            this.pool = pool;
            this.marks = marks;
        }

        ZonePool copy() {
            ZonePool c = new ZonePool(id, pool.copy(), marks);
            c.allocatedFrames = allocatedFrames;
            return c;
        }

        public NodeZone id() {
            return id;
        }

        public FramePool pool() {
            return pool;
        }

        public Watermarks marks() {
            return marks;
        }

        public long allocatedFrames() {
            return allocatedFrames;
        }

        public long freeFrames() {
            return pool.freeFrames();
        }

        @Override
        public String toString() {
            return id + " " + pool + " [" + marks + "] allocated " + allocatedFrames;
        }
    }

    private final NumaTopology topology;
    private final TreeMap<NodeZone, ZonePool> zones;
    private final TreeMap<Long, ZonedAllocation> live;
    private ZonedDecision last;
    private final Bug bug;

    /** Every node's zones with {@link WatermarkPolicy#SCALED} marks and a HybridAllocator each. */
    public ZonedNumaAllocator(NumaTopology topology) {
        this(topology, WatermarkPolicy.SCALED, AllocatorFactory.HYBRID);
    }

    /**
     * Every node's zones, each with the marks {@code policy} gives and an allocator from
     * {@code factory}.
     *
     * @throws NumaError {@code BAD_WATERMARKS} if a zone's marks are not
     *         {@code 0 <= min <= low <= high <= usable}
     */
    public ZonedNumaAllocator(NumaTopology topology, WatermarkPolicy policy, AllocatorFactory factory) {
        this(topology, policy, factory, Bug.NONE);
    }

    ZonedNumaAllocator(NumaTopology topology, WatermarkPolicy policy, AllocatorFactory factory, Bug bug) {
        this.topology = Objects.requireNonNull(topology);
        this.bug = bug;
        this.zones = new TreeMap<>();
        for (NodeSpec n : topology.nodes()) {
            List<FrameRange> mem = new ArrayList<>(n.memory());
            mem.sort(Comparator.naturalOrder());
            for (NodeZoneType t : NodeZoneType.values()) {
                List<FrameRange> part = ZoneLayout.clip(mem, window(t));
                if (part.isEmpty()) {
                    continue; // an unpopulated zone: Linux leaves it out of the zonelists
                }
                NodeZone id = new NodeZone(n.id(), t);
                long usable = part.stream().mapToLong(FrameRange::count).sum();
                Watermarks w = policy.marks(id, usable);
                String problem = w.problem(usable);
                if (problem != null) {
                    throw NumaError.of(NumaError.Kind.BAD_WATERMARKS, "%s: %s", id, problem);
                }
                zones.put(id, new ZonePool(id, new FramePool(part, factory), w));
            }
        }
        this.live = new TreeMap<>();
    }

    private ZonedNumaAllocator(ZonedNumaAllocator o) {
        this.topology = o.topology;
        this.bug = o.bug;
        this.zones = new TreeMap<>();
        o.zones.forEach((k, v) -> zones.put(k, v.copy()));
        this.live = new TreeMap<>(o.live);
        this.last = o.last;
    }

    /** A deep copy. */
    public ZonedNumaAllocator copy() {
        return new ZonedNumaAllocator(this);
    }

    /**
     * Writes what allocations and frees change, for a state codec: per zone (in zone order) its
     * allocated count and pool, the live allocations and the last decision (a presence byte
     * first). Topology, watermarks and bug are the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        for (ZonePool z : zones.values()) {
            out.writeLong(z.allocatedFrames);
            z.pool.writeState(out);
        }
        org.mmspec.check.Encoding.writeList(List.copyOf(live.values()), NumaCodec::writeZoned, out);
        org.mmspec.check.Encoding.writeNullable(last, NumaCodec::writeZonedDecision, out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        for (ZonePool z : zones.values()) {
            z.allocatedFrames = in.readLong();
            z.pool.readState(in);
        }
        live.clear();
        for (ZonedAllocation a : org.mmspec.check.Encoding.readList(NumaCodec::readZoned, in)) {
            live.put(a.run().start().number(), a);
        }
        last = org.mmspec.check.Encoding.readNullable(NumaCodec::readZonedDecision, in);
    }

    /** The window a zone is split at: the type's, or with {@link Bug#DMA32_OFF_BY_ONE} one frame too far. */
    private FrameRange window(NodeZoneType t) {
        FrameRange w = t.window();
        if (bug == Bug.DMA32_OFF_BY_ONE) {
            if (t == NodeZoneType.DMA32) {
                return FrameRange.of(w.start().number(), w.count() + 1);
            }
            if (t == NodeZoneType.NORMAL) {
                return FrameRange.of(w.start().number() + 1, w.count() - 1);
            }
        }
        return w;
    }

    /**
     * The node-ordered zonelist for a request preferring {@code node} with highest zone
     * {@code highest}: the nodes by distance from {@code node}, each with its populated zones
     * from {@code highest} down to DMA.
     */
    public List<NodeZone> zonelist(NodeId node, NodeZoneType highest) {
        List<NodeZone> out = new ArrayList<>();
        for (NodeId n : topology.fallbackOrder(node)) {
            for (int t = highest.ordinal(); t >= 0; t--) {
                NodeZone z = new NodeZone(n, NodeZoneType.values()[t]);
                if (zones.containsKey(z)) {
                    out.add(z);
                }
            }
        }
        return out;
    }

    /** The zonelist this allocator walks: {@link #zonelist}, or what a seeded bug makes of it. */
    private List<NodeZone> walked(NodeId node, NodeZoneType highest) {
        if (bug == Bug.ZONE_ORDER) {
            List<NodeZone> out = new ArrayList<>();
            for (int t = highest.ordinal(); t >= 0; t--) {
                for (NodeId n : topology.fallbackOrder(node)) {
                    NodeZone z = new NodeZone(n, NodeZoneType.values()[t]);
                    if (zones.containsKey(z)) {
                        out.add(z);
                    }
                }
            }
            return out;
        }
        if (bug == Bug.DMA_GETS_DMA32 && highest == NodeZoneType.DMA) {
            return zonelist(node, NodeZoneType.DMA32);
        }
        return zonelist(node, highest);
    }

    /**
     * Allocates {@code 2^order} contiguous frames, aligned to their size.
     *
     * <p>Pre: {@code 0 <= order <= MAX_ORDER}; the preferred node exists. Post: the run lies in
     * the first zone of the zonelist that, on the LOW pass, keeps its LOW mark free after the
     * allocation and can hand out an aligned block; failing every zone, the first that does so
     * on the MIN pass. It is recorded live with its zone, and the zone's count grows by its length.
     *
     * @throws NumaError {@code BAD_ORDER}, {@code UNKNOWN_NODE}, {@code OUT_OF_MEMORY}; nothing changes
     */
    public ZonedAllocation allocate(ZonedRequest request) {
        if (request.order() < 0 || request.order() > MAX_ORDER) {
            throw NumaError.of(NumaError.Kind.BAD_ORDER, "allocate(%s): order must lie in [0, %d]", request, MAX_ORDER);
        }
        if (!topology.has(request.node())) {
            throw NumaError.of(NumaError.Kind.UNKNOWN_NODE, "allocate(%s): no node %s", request, request.node());
        }
        long frames = request.frames();
        List<NodeZone> list = walked(request.node(), request.highest());
        List<ZonedDecision.Attempt> attempts = new ArrayList<>();
        for (Watermarks.Mark mark : Watermarks.Mark.values()) {
            for (NodeZone z : list) {
                ZonePool p = zones.get(z);
                Watermarks marks = p.marks();
                if (bug == Bug.WATERMARK_WRONG_NODE) {
                    marks = zones.getOrDefault(new NodeZone(request.node(), z.type()), p).marks();
                }
                long free = p.freeFrames();
                if (!marks.ok(mark, free, frames)) {
                    attempts.add(new ZonedDecision.Attempt(z, mark, free, marks.of(mark), false, false));
                    continue;
                }
                Optional<FrameRange> run = p.pool().tryAllocate(frames, frames);
                attempts.add(new ZonedDecision.Attempt(z, mark, free, marks.of(mark), true, run.isPresent()));
                if (run.isPresent()) {
                    ZonedAllocation a = new ZonedAllocation(run.get(), z, request);
                    live.put(run.get().start().number(), a);
                    p.allocatedFrames += frames;
                    last = new ZonedDecision(request, attempts, Optional.of(z));
                    return a;
                }
            }
        }
        throw NumaError.of(NumaError.Kind.OUT_OF_MEMORY, "allocate(%s): no zone of %s keeps its watermark", request, list);
    }

    /**
     * Frees a run an allocation returned.
     *
     * <p>Pre: {@code run} is exactly a live allocation. Post: it is free in its zone, no longer
     * live, and the zone's count drops by its length.
     *
     * @throws NumaError {@code OUT_OF_RANGE}, {@code RESERVED}, {@code NOT_ALLOCATED},
     *         {@code DOUBLE_FREE}; nothing changes
     */
    public void free(FrameRange run) {
        ZonePool z = zones.values().stream().filter(p -> p.pool().span().contains(run.start())).findFirst()
                .orElseThrow(() -> NumaError.of(NumaError.Kind.OUT_OF_RANGE, "free(%s): in no zone of any node", run));
        Optional<FrameError.Kind> bad = z.pool().checkFree(run);
        if (bad.isPresent()) {
            NumaError.Kind k = switch (bad.get()) {
                case OUT_OF_RANGE -> NumaError.Kind.OUT_OF_RANGE;
                case RESERVED -> NumaError.Kind.RESERVED;
                case DOUBLE_FREE -> NumaError.Kind.DOUBLE_FREE;
                default -> NumaError.Kind.NOT_ALLOCATED;
            };
            throw NumaError.of(k, "free(%s): %s in %s", run, bad.get(), z.id());
        }
        z.pool().free(run);
        live.remove(run.start().number());
        if (bug != Bug.FORGET_ACCOUNTING) {
            z.allocatedFrames -= run.count();
        }
    }

    public NumaTopology topology() {
        return topology;
    }

    /** Every populated zone of every node, in node then zone order. */
    public List<ZonePool> zones() {
        return List.copyOf(zones.values());
    }

    /** The zone {@code id}, if the node has memory in it. */
    public Optional<ZonePool> zone(NodeZone id) {
        return Optional.ofNullable(zones.get(id));
    }

    public NavigableMap<Long, ZonedAllocation> live() {
        return Collections.unmodifiableNavigableMap(live);
    }

    public Optional<ZonedDecision> lastDecision() {
        return Optional.ofNullable(last);
    }

    /**
     * {@code /proc/zoneinfo}, restricted to this model's fields: per node and zone, the free
     * frames and the min/low/high marks, in pages.
     */
    public String zoneinfo() {
        StringBuilder sb = new StringBuilder();
        for (ZonePool z : zones.values()) {
            sb.append(String.format("Node %d, zone %8s%n  pages free     %d%n        min      %d%n        low      %d%n"
                    + "        high     %d%n        managed  %d%n", z.id().node().value(), z.id().type(), z.freeFrames(),
                    z.marks().min(), z.marks().low(), z.marks().high(), z.pool().usableFrames()));
        }
        return sb.toString();
    }

    /** The canonical state: every zone's live runs and count, the live allocations and the last decision. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        zones.values().forEach(z -> k.add(List.of(z.id(), new TreeMap<>(z.pool().live()), z.allocatedFrames)));
        k.add(new TreeMap<>(live));
        k.add(Optional.ofNullable(last));
        return k;
    }

    /** Test hook: records a live allocation. */
    void corruptLive(ZonedAllocation a) {
        live.put(a.run().start().number(), a);
    }

    /** Test hook: sets the last decision. */
    void corruptDecision(ZonedDecision d) {
        this.last = d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ZonedNumaAllocator\n");
        zones.values().forEach(z -> sb.append("  ").append(z).append('\n'));
        sb.append("  live ").append(live.values()).append('\n');
        sb.append("  last ").append(last == null ? "-" : last);
        return sb.toString();
    }
}
