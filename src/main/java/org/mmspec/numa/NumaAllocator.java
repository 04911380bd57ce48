package org.mmspec.numa;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;

/**
 * The seed's NUMA-aware allocation: per-node allocators for local allocation, distance-aware
 * fallback when the local node is full, CPU affinity for placement, and CXL memory-only nodes.
 *
 * <p>Encoding: {@code topology} is validated ({@link NumaTopology#of}); {@code nodes} holds one
 * {@link NumaNode} per node, by id; {@code live} maps the first frame of every allocation to its
 * {@link NumaAllocation} (run, serving node, intended node, strict or not); {@code last} is the
 * audit record of the last successful allocation.
 *
 * <p>Strategy: a request starts at its <em>start node</em> — the requesting CPU's node for a
 * LOCAL binding, the bound node otherwise. A STRICT request tries only that node and fails with
 * {@code BOUND_NODE_FULL}; every other request tries the nodes in
 * {@link NumaTopology#fallbackOrder} from the start node (increasing distance, ties by lower id)
 * and takes the first that can satisfy it.
 *
 * <p>Invariants (spec/numa.md, {@link NumaInvariants}): NUMA-1 distance table well-formed;
 * NUMA-2 nodes disjoint in memory and CPUs; NUMA-3 allocations lie in their serving node's
 * memory; NUMA-4 strict binding never leaves its node; NUMA-5 fallback goes by distance; NUMA-6
 * per-node accounting; NUMA-7 every allocation is a naturally aligned block (an order request
 * asks the node's allocator for {@code allocate(2^order, 2^order)}).
 */
public final class NumaAllocator {
    /** The largest order: 2^18 frames of 4 KiB is 1 GiB, the largest huge page. */
    public static final int MAX_ORDER = 18;
    /** Bytes in the kilobyte unit meminfo reports in. */
    private static final long KIB = 1024;

    /** Seeded bugs, to show that the checks catch them. */
    enum Bug {
        NONE,
        /** Records the intended node as the serving node (NUMA-3). */
        RECORD_INTENDED_NODE,
        /** A strict request falls back like a preferred one (NUMA-4). */
        STRICT_FALLS_BACK,
        /** Breaks distance ties by the higher node id (NUMA-5). */
        TIES_BY_HIGHER_ID,
        /** Falls back in node-id order, ignoring distance (NUMA-5). */
        IGNORE_DISTANCE,
        /** Forgets to lower the node's allocated count on free (NUMA-6). */
        FORGET_ACCOUNTING,
        /** Asks the node's allocator for 2^order frames without alignment (NUMA-7). */
        UNALIGNED_ORDER,
        /**
         * The RESERVED rule switched off: a free that touches a hole of the node's memory is
         * accepted; the node's count drops by the run's length though its pool, which refuses
         * holes, frees nothing (NUMA-6).
         */
        RESERVED_UNCHECKED,
        /**
         * The topology rule ASYMMETRIC_DISTANCE switched off ({@link NumaTopology#of(List, boolean)}):
         * a distance table with distance(a, b) != distance(b, a) is accepted (NUMA-1). The stateful
         * machine's generator of bad topologies ({@link NumaStateMachine.TopologyRule}) catches it.
         */
        SYMMETRY_UNCHECKED
    }

    private NumaTopology topology;
    private final TreeMap<NodeId, NumaNode> nodes = new TreeMap<>();
    private final TreeMap<Long, NumaAllocation> live = new TreeMap<>();
    private NumaDecision last;
    private final Bug bug;

    /** Nodes of {@code topology}, each with an allocator from {@code factory}. */
    public NumaAllocator(NumaTopology topology, AllocatorFactory factory) {
        this(topology, factory, Bug.NONE);
    }

    /** Nodes of {@code topology}, each with its own {@code HybridAllocator}, as the seed has it. */
    public NumaAllocator(NumaTopology topology) {
        this(topology, AllocatorFactory.HYBRID);
    }

    NumaAllocator(NumaTopology topology, AllocatorFactory factory, Bug bug) {
        this.topology = Objects.requireNonNull(topology);
        this.bug = bug;
        for (NodeSpec s : topology.nodes()) {
            nodes.put(s.id(), new NumaNode(s, factory));
        }
    }

    private NumaAllocator(NumaAllocator other) {
        this.topology = other.topology;
        this.bug = other.bug;
        other.nodes.forEach((k, v) -> nodes.put(k, v.copy()));
        live.putAll(other.live);
        this.last = other.last;
    }

    /** A deep copy. */
    public NumaAllocator copy() {
        return new NumaAllocator(this);
    }

    /**
     * Writes what allocations and frees change, for a state codec: each node's pool (in node
     * order), the live allocations and the last decision (a presence byte first). Topology and
     * bug are the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        for (NumaNode n : nodes.values()) {
            n.writeState(out);
        }
        org.mmspec.check.Encoding.writeList(List.copyOf(live.values()), NumaCodec::writeAllocation, out);
        org.mmspec.check.Encoding.writeNullable(last, NumaCodec::writeDecision, out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        for (NumaNode n : nodes.values()) {
            n.readState(in);
        }
        live.clear();
        for (NumaAllocation a : org.mmspec.check.Encoding.readList(NumaCodec::readAllocation, in)) {
            live.put(a.run().start().number(), a);
        }
        last = org.mmspec.check.Encoding.readNullable(NumaCodec::readDecision, in);
    }

    /**
     * Allocates {@code 2^order} contiguous frames for {@code request}.
     *
     * <p>Pre: {@code 0 <= order <= MAX_ORDER}; a LOCAL request's CPU belongs to a node; a bound
     * node exists. Post: the run is {@code 2^order} frames starting at a multiple of
     * {@code 2^order}; it lies on the first node of the request's node list (the bound
     * node alone for STRICT, else the fallback order from the start node) that could satisfy it,
     * and is recorded live with its serving and intended node; that node's allocated count grows
     * by the run's length.
     *
     * @throws NumaError {@code BAD_ORDER}, {@code UNKNOWN_CPU}, {@code UNKNOWN_NODE},
     *         {@code BOUND_NODE_FULL} (strict), {@code OUT_OF_MEMORY}; nothing changes
     */
    public NumaAllocation allocate(NumaRequest request) {
        if (request.order() < 0 || request.order() > MAX_ORDER) {
            throw NumaError.of(NumaError.Kind.BAD_ORDER, "allocate(%s): order must lie in [0, %d]", request, MAX_ORDER);
        }
        NodeId start = startNode(request);
        List<NodeId> order = nodeList(request, start);
        List<NumaDecision.Attempt> attempts = new ArrayList<>();
        for (NodeId n : order) {
            long align = bug == Bug.UNALIGNED_ORDER ? FrameAllocator.ANY_ALIGNMENT : request.frames();
            Optional<FrameRange> run = nodes.get(n).tryAllocate(request.frames(), align);
            attempts.add(new NumaDecision.Attempt(n, run.isPresent()));
            if (run.isPresent()) {
                NodeId recorded = bug == Bug.RECORD_INTENDED_NODE ? start : n;
                NumaAllocation a = new NumaAllocation(run.get(), recorded, start, request.binding().strict());
                live.put(run.get().start().number(), a);
                nodes.get(n).allocatedFrames += run.get().count();
                last = new NumaDecision(request, start, attempts, Optional.of(n));
                return a;
            }
        }
        if (request.binding().strict()) {
            throw NumaError.of(NumaError.Kind.BOUND_NODE_FULL, "allocate(%s): %s cannot satisfy it and the binding is strict",
                    request, start);
        }
        throw NumaError.of(NumaError.Kind.OUT_OF_MEMORY, "allocate(%s): every node of %s is full", request, order);
    }

    private NodeId startNode(NumaRequest request) {
        Binding b = request.binding();
        if (b.policy() == Binding.Policy.LOCAL) {
            return topology.localNode(request.cpu()).orElseThrow(() -> NumaError.of(NumaError.Kind.UNKNOWN_CPU,
                    "allocate(%s): cpu %d belongs to no node", request, request.cpu()));
        }
        if (!topology.has(b.node())) {
            throw NumaError.of(NumaError.Kind.UNKNOWN_NODE, "allocate(%s): no node %s", request, b.node());
        }
        return b.node();
    }

    /** The nodes {@code request} may try, in order (NUMA-4 and NUMA-5 say what it must be). */
    private List<NodeId> nodeList(NumaRequest request, NodeId start) {
        if (request.binding().strict() && bug != Bug.STRICT_FALLS_BACK) {
            return List.of(start);
        }
        List<NodeId> order = new ArrayList<>(topology.ids());
        if (bug == Bug.IGNORE_DISTANCE) {
            order.remove(start);
            order.add(0, start);
            return order;
        }
        Comparator<NodeId> ties = bug == Bug.TIES_BY_HIGHER_ID ? Comparator.reverseOrder() : Comparator.naturalOrder();
        order.sort(Comparator.<NodeId>comparingInt(n -> topology.distance(start, n)).thenComparing(ties));
        return order;
    }

    /**
     * Frees a run an allocation returned.
     *
     * <p>Pre: {@code run} is exactly a live allocation. Post: it is free on its node, no longer
     * live, and the node's allocated count drops by its length.
     *
     * @throws NumaError {@code OUT_OF_RANGE}, {@code RESERVED}, {@code NOT_ALLOCATED},
     *         {@code DOUBLE_FREE}; nothing changes
     */
    public void free(FrameRange run) {
        NumaNode node = nodeContaining(run.start())
                .orElseThrow(() -> NumaError.of(NumaError.Kind.OUT_OF_RANGE, "free(%s): in no node's memory", run));
        FramePool pool = node.pool().orElseThrow();
        Optional<FrameError.Kind> bad = pool.checkFree(run);
        if (bug == Bug.RESERVED_UNCHECKED && bad.equals(Optional.of(FrameError.Kind.RESERVED))) {
            node.allocatedFrames -= run.count();
            return;
        }
        if (bad.isPresent()) {
            NumaError.Kind k = switch (bad.get()) {
                case OUT_OF_RANGE -> NumaError.Kind.OUT_OF_RANGE;
                case RESERVED -> NumaError.Kind.RESERVED;
                case DOUBLE_FREE -> NumaError.Kind.DOUBLE_FREE;
                default -> NumaError.Kind.NOT_ALLOCATED;
            };
            throw NumaError.of(k, "free(%s): %s on %s", run, bad.get(), node.id());
        }
        pool.free(run);
        live.remove(run.start().number());
        if (bug != Bug.FORGET_ACCOUNTING) {
            node.allocatedFrames -= run.count();
        }
    }

    /** The node whose memory span contains {@code frame}. */
    public Optional<NumaNode> nodeContaining(PhysFrame frame) {
        return nodes.values().stream().filter(n -> n.contains(frame)).findFirst();
    }

    public NumaTopology topology() {
        return topology;
    }

    public NumaNode node(NodeId id) {
        NumaNode n = nodes.get(id);
        if (n == null) {
            throw NumaError.of(NumaError.Kind.UNKNOWN_NODE, "no node %s", id);
        }
        return n;
    }

    public List<NumaNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public NavigableMap<Long, NumaAllocation> live() {
        return Collections.unmodifiableNavigableMap(live);
    }

    public Optional<NumaDecision> lastDecision() {
        return Optional.ofNullable(last);
    }

    /**
     * The node's memory statistics in the format of Linux's
     * {@code /sys/devices/system/node/nodeN/meminfo} (the seed's "show NUMA topology" debug
     * command), restricted to the fields this model has: MemTotal (usable memory), MemFree and
     * MemUsed, in kB.
     */
    public String meminfo(NodeId id) {
        NumaNode n = node(id);
        long total = n.totalFrames() * PhysFrame.SIZE / KIB;
        long free = n.freeFrames() * PhysFrame.SIZE / KIB;
        int v = id.value();
        return String.format("Node %d MemTotal:       %8d kB%n", v, total)
                + String.format("Node %d MemFree:        %8d kB%n", v, free)
                + String.format("Node %d MemUsed:        %8d kB%n", v, total - free);
    }

    /** {@code cat /sys/devices/system/node/node*}{@code /meminfo}: every node's meminfo, by id. */
    public String meminfo() {
        StringBuilder sb = new StringBuilder();
        nodes.keySet().forEach(id -> sb.append(meminfo(id)));
        return sb.toString();
    }

    /** {@code /sys/devices/system/node/nodeN/distance}: the node's SLIT row, by node id. */
    public String distanceRow(NodeId id) {
        StringBuilder sb = new StringBuilder();
        for (NodeId other : topology.ids()) {
            sb.append(sb.length() == 0 ? "" : " ").append(topology.distance(id, other));
        }
        return sb.toString();
    }

    /** The canonical state: nodes, live allocations and the last decision. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        nodes.values().forEach(n -> k.add(n.key()));
        k.add(new TreeMap<>(live));
        k.add(Optional.ofNullable(last));
        return k;
    }

    /** Test hook: replaces the topology without validation (allocators stay as they are). */
    void corruptTopology(NumaTopology t) {
        this.topology = t;
    }

    /** Test hook: records a live allocation. */
    void corruptLive(NumaAllocation a) {
        live.put(a.run().start().number(), a);
    }

    /** Test hook: sets the last decision. */
    void corruptDecision(NumaDecision d) {
        this.last = d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("NumaAllocator\n");
        nodes.values().forEach(n -> sb.append("  ").append(n).append(" dist ").append(n.distanceMap().values()).append('\n'));
        sb.append("  live ").append(live.values()).append('\n');
        sb.append("  last ").append(last == null ? "-" : last);
        return sb.toString();
    }
}
