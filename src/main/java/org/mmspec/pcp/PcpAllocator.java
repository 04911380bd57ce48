package org.mmspec.pcp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.numa.NodeId;
import org.mmspec.numa.NodeSpec;
import org.mmspec.numa.NumaTopology;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;

/**
 * Per-CPU frame caches in front of each NUMA node's frame allocator, with batch allocation and
 * free: the design document's "Per-CPU Caches: Reduce lock contention", "Batch Operations" and
 * "NUMA Locality" for the physical layer, safe under real threads (spec/frames-percpu.md).
 *
 * <p>Encoding. {@code nodes[i]} is the i-th node of the topology by id, with its own
 * {@link FramePool} built by the {@link AllocatorFactory} (the seed's HybridAllocator by default)
 * and its own lock. {@code cpus[c]} is CPU c's {@link CpuCache}, bound to the CPU's local node.
 * {@code place} is the frame table ({@code struct page} flags): for every frame number
 * {@code base + i} of the nodes' spans, {@code place[i]} says where the frame is:
 * {@link #FREE} (free in its node's allocator), {@link #ALLOCATED} (handed to a caller), a CPU
 * number {@code c >= 0} (in CPU c's cache), {@link #NOT_MANAGED} (a hole, or between nodes), or
 * {@link #CLAIMED} (being freed: seen only inside a free). A cached or allocated frame is a live
 * one-frame run of its node's pool; a free one is free there.
 *
 * <p>Protocol and locks. Lock order: CPU caches by ascending CPU, then nodes by ascending index;
 * every path takes locks in this order, so no cycle of waits can form.
 * <ul>
 *   <li><b>Allocation, fast path</b> (CPU lock only): pop the cache.</li>
 *   <li><b>Refill</b> (CPU lock, then its node's lock): when the cache is empty, move
 *       {@code min(batch, high)} frames from the node into it, then pop.</li>
 *   <li><b>Free</b>: claim the frame by compare-and-set on its place ({@code ALLOCATED -> CLAIMED},
 *       so two frees of one frame cannot both succeed); a frame of the CPU's node is pushed on the
 *       cache under the CPU lock, and if the cache then holds more than {@code high} frames the
 *       coldest are <b>drained</b> to the node (node lock) until {@code low} remain; a frame of
 *       another node goes straight back to that node under its lock, so caches hold only local
 *       frames.</li>
 *   <li><b>Batch allocation</b> (CPU lock, then node lock): served from the cache and the home
 *       node together when they hold enough, else by the pressure path.</li>
 *   <li><b>Pressure path</b>: when the cache and the home node cannot serve a request, take every
 *       CPU lock and every node lock in order: a consistent cut. Count the free frames in all
 *       caches and all allocators; if fewer than asked, reject with OUT_OF_MEMORY, changing
 *       nothing, and record the count as the proof ({@link #lastOom()}, PCP-3). Otherwise serve
 *       from the CPU's own cache, then node by node in fallback order (by distance), draining the
 *       caches of a node's CPUs into it when its allocator runs dry.</li>
 * </ul>
 *
 * <p>Invariants ({@link PcpInvariants}, at every quiescent point): PCP-1 conservation; PCP-2 no
 * duplication; PCP-3 no spurious out-of-memory; PCP-4 watermarks; PCP-5 NUMA locality of caches.
 */
public final class PcpAllocator {
    /** Place of a frame free in its node's allocator. */
    public static final int FREE = -1;
    /** Place of a frame handed to a caller. */
    public static final int ALLOCATED = -2;
    /** Place of a frame number in a hole or between nodes. */
    public static final int NOT_MANAGED = -3;
    /** Place of a frame a free has claimed and not yet put back. */
    public static final int CLAIMED = -4;

    /** Node index of a frame number that lies outside every node's span. */
    private static final int OUTSIDE = -1;
    /** Node index of a frame number in a hole of a node's span. */
    private static final int HOLE = -2;

    private final PcpConfig config;
    private final Bug bug;
    private final NodeFrames[] nodes;
    private final CpuCache[] cpus;
    /** For each node index, every node index by distance from it (ties by lower id). */
    private final int[][] fallback;
    private final long base;
    /** Node index of every frame number from {@code base}, or OUTSIDE, or HOLE. Immutable. */
    private final int[] frameNode;
    private final AtomicIntegerArray place;
    private final long usable;
    private volatile PcpStats.OomWitness lastOom;

    /** Caches of {@code config} over the nodes of {@code topology}, each with its own HybridAllocator. */
    public PcpAllocator(NumaTopology topology, PcpConfig config) {
        this(topology, config, AllocatorFactory.HYBRID, Bug.NONE);
    }

    /** Caches over nodes whose allocators {@code factory} builds. */
    public PcpAllocator(NumaTopology topology, PcpConfig config, AllocatorFactory factory) {
        this(topology, config, factory, Bug.NONE);
    }

    PcpAllocator(NumaTopology topology, PcpConfig config, AllocatorFactory factory, Bug bug) {
        this(ids(topology), memories(topology), cpuNodes(topology, config), fallbacks(topology), config, factory, bug);
    }

    /**
     * One node (id 0) over {@code memory} with every CPU of {@code config} on it. Builds no
     * {@link NumaTopology}, whose validation Java PathFinder cannot run (its paths through record
     * methods are cut), so the JPF scenarios use this.
     */
    static PcpAllocator singleNode(FrameRange memory, PcpConfig config, AllocatorFactory factory, Bug bug) {
        List<List<FrameRange>> mem = new ArrayList<>();
        List<FrameRange> one = new ArrayList<>();
        one.add(memory);
        mem.add(one);
        return new PcpAllocator(new NodeId[] {new NodeId(0)}, mem, new int[config.cpus()], new int[][] {{0}}, config, factory, bug);
    }

    private static NodeId[] ids(NumaTopology t) {
        List<NodeSpec> specs = t.nodes();
        NodeId[] out = new NodeId[specs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = specs.get(i).id();
        }
        return out;
    }

    private static List<List<FrameRange>> memories(NumaTopology t) {
        List<List<FrameRange>> out = new ArrayList<>();
        for (NodeSpec s : t.nodes()) {
            List<FrameRange> mem = new ArrayList<>(s.memory());
            mem.sort(Comparator.naturalOrder());
            out.add(mem);
        }
        return out;
    }

    private static int[] cpuNodes(NumaTopology t, PcpConfig config) {
        List<NodeId> ids = t.ids();
        int[] out = new int[config.cpus()];
        for (int c = 0; c < out.length; c++) {
            int cpu = c;
            NodeId home = t.localNode(c).orElseThrow(() -> PcpError.of(PcpError.Kind.BAD_CONFIG,
                    "cpu %d belongs to no node of the topology", cpu));
            out[c] = ids.indexOf(home);
        }
        return out;
    }

    private static int[][] fallbacks(NumaTopology t) {
        List<NodeId> ids = t.ids();
        int[][] out = new int[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            List<NodeId> order = t.fallbackOrder(ids.get(i));
            out[i] = new int[order.size()];
            for (int k = 0; k < order.size(); k++) {
                out[i][k] = ids.indexOf(order.get(k));
            }
        }
        return out;
    }

    /**
     * The machine: node {@code i} has id {@code ids[i]} and usable memory {@code memory.get(i)}
     * (sorted; empty for a CPU-only node); CPU {@code c} is on node {@code cpuNode[c]};
     * {@code fallback[i]} lists every node index by distance from node {@code i}.
     */
    private PcpAllocator(NodeId[] ids, List<List<FrameRange>> memory, int[] cpuNode, int[][] fallback, PcpConfig config,
            AllocatorFactory factory, Bug bug) {
        this.config = Objects.requireNonNull(config);
        this.bug = Objects.requireNonNull(bug);
        nodes = new NodeFrames[ids.length];
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        long total = 0;
        for (int i = 0; i < ids.length; i++) {
            List<FrameRange> mem = memory.get(i);
            FramePool pool = mem.isEmpty() ? null : new FramePool(mem, factory);
            nodes[i] = new NodeFrames(i, ids[i], pool);
            if (pool != null) {
                lo = Math.min(lo, pool.span().start().number());
                hi = Math.max(hi, pool.span().endNumber());
                total += pool.usableFrames();
            }
        }
        if (lo == Long.MAX_VALUE) {
            throw PcpError.of(PcpError.Kind.BAD_CONFIG, "no node has memory");
        }
        this.base = lo;
        this.usable = total;
        this.frameNode = new int[Math.toIntExact(hi - lo)];
        this.place = new AtomicIntegerArray(frameNode.length);
        for (int i = 0; i < frameNode.length; i++) {
            frameNode[i] = OUTSIDE;
            place.set(i, NOT_MANAGED);
        }
        for (NodeFrames n : nodes) {
            if (n.pool == null) {
                continue;
            }
            FrameRange span = n.pool.span();
            for (long f = span.start().number(); f < span.endNumber(); f++) {
                frameNode[(int) (f - base)] = HOLE;
            }
            for (FrameRange u : memory.get(n.index)) {
                for (long f = u.start().number(); f < u.endNumber(); f++) {
                    frameNode[(int) (f - base)] = n.index;
                    place.set((int) (f - base), FREE);
                }
            }
        }
        this.fallback = fallback;
        this.cpus = new CpuCache[config.cpus()];
        for (int c = 0; c < cpus.length; c++) {
            cpus[c] = new CpuCache(c, cpuNode[c], config.high());
        }
    }

    private PcpAllocator(PcpAllocator o) {
        this.config = o.config;
        this.bug = o.bug;
        this.nodes = new NodeFrames[o.nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = o.nodes[i].copy();
        }
        this.cpus = new CpuCache[o.cpus.length];
        for (int c = 0; c < cpus.length; c++) {
            cpus[c] = o.cpus[c].copy();
        }
        this.fallback = o.fallback;
        this.base = o.base;
        this.frameNode = o.frameNode;
        this.place = new AtomicIntegerArray(o.place.length());
        for (int i = 0; i < frameNode.length; i++) {
            place.set(i, o.place.get(i));
        }
        this.usable = o.usable;
        this.lastOom = o.lastOom;
    }

    /** A deep copy (callers must not run operations on the original meanwhile). */
    public PcpAllocator copy() {
        return new PcpAllocator(this);
    }

    // ---------------------------------------------------------------- state codec (PcpAllocatorCodec)

    NodeFrames[] nodes() {
        return nodes;
    }

    CpuCache[] cpus() {
        return cpus;
    }

    int[] places() {
        int[] p = new int[place.length()];
        for (int i = 0; i < p.length; i++) {
            p[i] = place.get(i);
        }
        return p;
    }

    /** Sets each frame's place and the last out-of-memory witness, as {@link #places} and {@link #lastOom()} read them. */
    void restore(int[] places, PcpStats.OomWitness oom) {
        if (places.length != place.length()) {
            throw new IllegalArgumentException(places.length + " places where this configuration has " + place.length());
        }
        for (int i = 0; i < places.length; i++) {
            place.set(i, places[i]);
        }
        lastOom = oom;
    }

    private int indexOf(NodeId id) {
        for (NodeFrames n : nodes) {
            if (n.id.value() == id.value()) {
                return n.index;
            }
        }
        throw new IllegalArgumentException("no node " + id);
    }

    // ---------------------------------------------------------------- allocation

    /**
     * Allocates one frame on {@code cpu}.
     *
     * <p>Post: the frame was free (in a cache or a node allocator) and is now allocated; it comes
     * from the CPU's cache or node when they have one, else from the nearest node that has one.
     *
     * @throws PcpError {@code UNKNOWN_CPU}; {@code OUT_OF_MEMORY} only when, at one instant, no
     *         cache and no node allocator held a free frame; nothing changes
     */
    public PhysFrame allocate(int cpu) {
        CpuCache c = cache(cpu);
        synchronized (c) {
            if (c.count > 0) {
                c.hits++;
                c.allocs++;
                return handOut(c.pop());
            }
            if (refill(c) > 0) {
                c.allocs++;
                return handOut(c.pop());
            }
        }
        return underPressure(c, 1)[0];
    }

    /**
     * Allocates {@code count} frames on {@code cpu}, all or nothing.
     *
     * <p>Post: {@code count} distinct frames, each previously free, now allocated; the CPU's cache
     * and node serve it when together they hold enough, else frames come from the cache and then
     * node by node in fallback order.
     *
     * @throws PcpError {@code UNKNOWN_CPU}, {@code ZERO_SIZE}; {@code OUT_OF_MEMORY} when fewer
     *         than {@code count} frames were free at one instant; nothing changes
     */
    public PhysFrame[] allocateBatch(int cpu, int count) {
        CpuCache c = cache(cpu);
        if (count < 1) {
            throw PcpError.of(PcpError.Kind.ZERO_SIZE, "allocateBatch(cpu%d, %d): at least one frame", cpu, count);
        }
        synchronized (c) {
            NodeFrames home = nodes[c.node];
            if (c.count >= count) {
                return fromCache(c, count);
            }
            if (home.pool != null) {
                synchronized (nodeLock(home)) {
                    if (c.count + home.pool.freeFrames() >= count) {
                        int fromNode = count - c.count;
                        PhysFrame[] out = new PhysFrame[count];
                        for (int k = 0; k < fromNode; k++) {
                            out[k] = handOut(takeFromNode(home));
                            home.direct++;
                        }
                        PhysFrame[] rest = fromCache(c, c.count);
                        System.arraycopy(rest, 0, out, fromNode, rest.length);
                        c.allocs += fromNode;
                        return out;
                    }
                }
            }
        }
        return underPressure(c, count);
    }

    private PhysFrame[] fromCache(CpuCache c, int count) {
        PhysFrame[] out = new PhysFrame[count];
        for (int k = 0; k < count; k++) {
            out[k] = handOut(c.pop());
        }
        c.hits += count;
        c.allocs += count;
        return out;
    }

    /** Holding c: moves up to {@code min(batch, high - count)} frames of c's node into it. */
    private int refill(CpuCache c) {
        NodeFrames n = nodes[c.node];
        if (n.pool == null) {
            return 0;
        }
        synchronized (nodeLock(n)) {
            int want = Math.min(config.batch(), config.high() - c.count);
            int got = 0;
            while (got < want) {
                Optional<FrameRange> r = n.pool.tryAllocate(1);
                if (r.isEmpty()) {
                    break;
                }
                long f = r.get().start().number();
                place.set(index(f), c.cpu);
                c.push(f);
                if (bug == Bug.REFILL_TAKES_TWICE && got == 0) {
                    c.push(f);
                }
                got++;
            }
            if (got > 0) {
                c.refills++;
                n.refills++;
            }
            return got;
        }
    }

    /** Holding n's lock: one frame from n's allocator, which has one. */
    private long takeFromNode(NodeFrames n) {
        long f = n.pool.tryAllocate(1).orElseThrow().start().number();
        place.set(index(f), ALLOCATED);
        return f;
    }

    private PhysFrame handOut(long frame) {
        place.set(index(frame), ALLOCATED);
        return PhysFrame.of(frame);
    }

    /** The node's monitor; the seeded NO_NODE_LOCK bug hands out a fresh object, which excludes nobody. */
    private Object nodeLock(NodeFrames n) {
        return bug == Bug.NO_NODE_LOCK ? new Object() : n;
    }

    /** Takes every CPU lock, then every node lock, in order, and serves {@code count} frames at that cut. */
    private PhysFrame[] underPressure(CpuCache c, int count) {
        return lockCpusFrom(0, c, count);
    }

    private PhysFrame[] lockCpusFrom(int i, CpuCache c, int count) {
        if (i == cpus.length) {
            return lockNodesFrom(0, c, count);
        }
        synchronized (cpus[i]) {
            return lockCpusFrom(i + 1, c, count);
        }
    }

    private PhysFrame[] lockNodesFrom(int i, CpuCache c, int count) {
        if (i == nodes.length) {
            return atCut(c, count);
        }
        synchronized (nodeLock(nodes[i])) {
            return lockNodesFrom(i + 1, c, count);
        }
    }

    private PhysFrame[] atCut(CpuCache c, int count) {
        long available = 0;
        for (NodeFrames n : nodes) {
            available += n.freeFrames();
        }
        long reachable = available + c.count;
        for (CpuCache o : cpus) {
            available += o.count;
        }
        if ((bug == Bug.PRESSURE_SKIPS_CACHES ? reachable : available) < count) {
            lastOom = new PcpStats.OomWitness(c.cpu, count, available);
            throw PcpError.of(PcpError.Kind.OUT_OF_MEMORY, "allocate %d frame(s) on cpu%d: %d free in all caches and nodes",
                    count, c.cpu, available);
        }
        PhysFrame[] out = new PhysFrame[count];
        int k = 0;
        while (k < count && c.count > 0) {
            out[k++] = handOut(c.pop());
            c.hits++;
        }
        for (int ni : fallback[c.node]) {
            NodeFrames n = nodes[ni];
            while (k < count && n.pool != null) {
                if (n.pool.freeFrames() == 0 && bug != Bug.PRESSURE_SKIPS_CACHES) {
                    drainCachesOf(ni);
                }
                if (n.pool.freeFrames() == 0) {
                    break;
                }
                out[k++] = handOut(takeFromNode(n));
                n.direct++;
            }
        }
        if (k < count) {
            // Conservation is broken: frames counted free at the cut are in no cache and no allocator.
            throw new IllegalStateException(String.format("PCP-1 violated: the pressure path found %d of %d frames though %d were counted free",
                    k, count, available));
        }
        c.allocs += count;
        return out;
    }

    /** At the cut: empties the caches of node {@code ni}'s CPUs into it. */
    private void drainCachesOf(int ni) {
        for (CpuCache o : cpus) {
            if (o.node == ni && o.count > 0) {
                drainLocked(o, nodes[ni], o.count);
                o.pressureDrains++;
                nodes[ni].pressureDrains++;
            }
        }
    }

    // ---------------------------------------------------------------- free

    /**
     * Frees a frame an allocation returned, on {@code cpu}.
     *
     * <p>Post: the frame is free: in {@code cpu}'s cache if it belongs to the CPU's node (drained
     * down to {@code low} if the cache then exceeded {@code high}), else in its own node's
     * allocator.
     *
     * @throws PcpError {@code UNKNOWN_CPU}, {@code OUT_OF_RANGE}, {@code RESERVED},
     *         {@code DOUBLE_FREE} (free in a cache or a node allocator); nothing changes
     */
    public void free(int cpu, PhysFrame frame) {
        CpuCache c = cache(cpu);
        int i = checkedIndex(frame, "free");
        claim(i, frame);
        release(c, frame.number(), i);
    }

    /**
     * Frees {@code frames} on {@code cpu}, all or nothing: either every frame is freed as by
     * {@link #free}, or none is.
     *
     * @throws PcpError {@code UNKNOWN_CPU}, {@code ZERO_SIZE}, {@code OUT_OF_RANGE},
     *         {@code RESERVED}, {@code DUPLICATE_IN_BATCH}, {@code DOUBLE_FREE}; nothing changes
     */
    public void freeBatch(int cpu, PhysFrame[] frames) {
        CpuCache c = cache(cpu);
        if (frames.length == 0) {
            throw PcpError.of(PcpError.Kind.ZERO_SIZE, "freeBatch(cpu%d): no frames", cpu);
        }
        int[] idx = new int[frames.length];
        for (int k = 0; k < frames.length; k++) {
            idx[k] = checkedIndex(frames[k], "freeBatch");
            for (int m = 0; m < k; m++) {
                if (idx[m] == idx[k]) {
                    throw PcpError.of(PcpError.Kind.DUPLICATE_IN_BATCH, "freeBatch(cpu%d): %s appears twice", cpu, frames[k]);
                }
            }
        }
        for (int k = 0; k < frames.length; k++) {
            if (!place.compareAndSet(idx[k], ALLOCATED, CLAIMED)) {
                int was = place.get(idx[k]);
                for (int m = 0; m < k; m++) {
                    place.set(idx[m], ALLOCATED);
                }
                throw PcpError.of(PcpError.Kind.DOUBLE_FREE, "freeBatch(cpu%d): %s is not allocated (%s)", cpu, frames[k],
                        describePlace(was));
            }
        }
        for (int k = 0; k < frames.length; k++) {
            release(c, frames[k].number(), idx[k]);
        }
    }

    /** Empties {@code cpu}'s cache into its node (Linux's {@code drain_local_pages}). */
    public void drain(int cpu) {
        CpuCache c = cache(cpu);
        synchronized (c) {
            if (c.count > 0) {
                NodeFrames n = nodes[c.node];
                synchronized (nodeLock(n)) {
                    drainLocked(c, n, c.count);
                }
            }
        }
    }

    /** Empties every CPU's cache into its node. */
    public void drainAll() {
        for (int c = 0; c < cpus.length; c++) {
            drain(c);
        }
    }

    private void claim(int i, PhysFrame frame) {
        if (!place.compareAndSet(i, ALLOCATED, CLAIMED)) {
            throw PcpError.of(PcpError.Kind.DOUBLE_FREE, "free(%s): not allocated (%s)", frame, describePlace(place.get(i)));
        }
    }

    /** Puts a claimed frame back: on c's cache if local (draining above high), else on its own node. */
    private void release(CpuCache c, long frame, int i) {
        int fn = frameNode[i];
        if (fn == c.node) {
            synchronized (c) {
                place.set(i, c.cpu);
                c.push(frame);
                c.frees++;
                int limit = bug == Bug.WATERMARK_OFF_BY_ONE ? config.high() + 1 : config.high();
                if (c.count > limit) {
                    NodeFrames n = nodes[c.node];
                    synchronized (nodeLock(n)) {
                        drainLocked(c, n, c.count - config.low());
                    }
                }
            }
            return;
        }
        NodeFrames n = nodes[fn];
        synchronized (nodeLock(n)) {
            n.pool.free(FrameRange.of(frame, 1));
            place.set(i, FREE);
            n.remoteFrees++;
        }
        synchronized (c) {
            c.frees++;
        }
    }

    /** Holding c and n's lock: moves the {@code k} coldest frames of c to n. */
    private void drainLocked(CpuCache c, NodeFrames n, int k) {
        for (int m = 0; m < k; m++) {
            long f = c.takeBottom();
            place.set(index(f), FREE);
            if (bug == Bug.DRAIN_LOSES_FRAME && m == k - 1) {
                continue;
            }
            n.pool.free(FrameRange.of(f, 1));
        }
        c.drains++;
        n.drains++;
    }

    // ---------------------------------------------------------------- input checks

    private CpuCache cache(int cpu) {
        if (cpu < 0 || cpu >= cpus.length) {
            throw PcpError.of(PcpError.Kind.UNKNOWN_CPU, "cpu %d: the caches serve cpus 0 to %d", cpu, cpus.length - 1);
        }
        return cpus[cpu];
    }

    private int checkedIndex(PhysFrame frame, String op) {
        long f = frame.number();
        if (f < base || f >= base + frameNode.length || frameNode[(int) (f - base)] == OUTSIDE) {
            throw PcpError.of(PcpError.Kind.OUT_OF_RANGE, "%s(%s): in no node's memory", op, frame);
        }
        int i = (int) (f - base);
        if (frameNode[i] == HOLE) {
            throw PcpError.of(PcpError.Kind.RESERVED, "%s(%s): in a hole of a node's memory", op, frame);
        }
        return i;
    }

    private int index(long frame) {
        return (int) (frame - base);
    }

    static String describePlace(int p) {
        switch (p) {
            case FREE:
                return "free in its node's allocator";
            case ALLOCATED:
                return "allocated";
            case NOT_MANAGED:
                return "not managed";
            case CLAIMED:
                return "being freed";
            default:
                return "in cpu" + p + "'s cache";
        }
    }

    // ---------------------------------------------------------------- views (quiescent)

    public PcpConfig config() {
        return config;
    }

    Bug bug() {
        return bug;
    }

    /** Usable frames of all nodes: what conservation sums to. */
    public long usableFrames() {
        return usable;
    }

    /** The frames in {@code cpu}'s cache, bottom (coldest) first. */
    public long[] cached(int cpu) {
        CpuCache c = cache(cpu);
        synchronized (c) {
            return java.util.Arrays.copyOf(c.frames, c.count);
        }
    }

    /** The id of {@code cpu}'s node. */
    public NodeId nodeOf(int cpu) {
        return nodes[cache(cpu).node].id;
    }

    /** The node whose memory holds {@code frame}, if any. */
    public Optional<NodeId> nodeOfFrame(PhysFrame frame) {
        long f = frame.number();
        if (f < base || f >= base + frameNode.length || frameNode[(int) (f - base)] < 0) {
            return Optional.empty();
        }
        return Optional.of(nodes[frameNode[(int) (f - base)]].id);
    }

    /** The frame's place: {@link #FREE}, {@link #ALLOCATED}, a CPU, {@link #NOT_MANAGED} or {@link #CLAIMED}. */
    public int placeOf(PhysFrame frame) {
        long f = frame.number();
        if (f < base || f >= base + frameNode.length) {
            return NOT_MANAGED;
        }
        return place.get((int) (f - base));
    }

    /** Every frame number the nodes' spans cover, lowest first. */
    long firstFrame() {
        return base;
    }

    int spanFrames() {
        return frameNode.length;
    }

    int placeAt(int i) {
        return place.get(i);
    }

    /** Node index of span index i, or negative outside usable memory. */
    int nodeIndexAt(int i) {
        return frameNode[i];
    }

    int nodeCount() {
        return nodes.length;
    }

    NodeFrames nodeAt(int i) {
        return nodes[i];
    }

    CpuCache cacheAt(int cpu) {
        return cpus[cpu];
    }

    /** Frames free in the node's allocator plus frames of the node in caches: what the node could still hand out. */
    public long freeOnNode(NodeId id) {
        NodeFrames n = nodes[indexOf(id)];
        long free = n.freeFrames();
        for (CpuCache c : cpus) {
            if (c.node == n.index) {
                free += c.count;
            }
        }
        return free;
    }

    /** Frames handed out and not freed. */
    public long allocatedFrames() {
        long a = 0;
        for (int i = 0; i < frameNode.length; i++) {
            if (place.get(i) == ALLOCATED) {
                a++;
            }
        }
        return a;
    }

    /** Every allocated frame, lowest first. */
    public List<PhysFrame> allocated() {
        List<PhysFrame> out = new ArrayList<>();
        for (int i = 0; i < frameNode.length; i++) {
            if (place.get(i) == ALLOCATED) {
                out.add(PhysFrame.of(base + i));
            }
        }
        return out;
    }

    /** The proof carried by the last out-of-memory rejection (PCP-3), if any. */
    public Optional<PcpStats.OomWitness> lastOom() {
        return Optional.ofNullable(lastOom);
    }

    public List<PcpStats.CpuStats> cpuStats() {
        List<PcpStats.CpuStats> out = new ArrayList<>();
        for (CpuCache c : cpus) {
            synchronized (c) {
                out.add(new PcpStats.CpuStats(c.cpu, nodes[c.node].id.value(), c.count, c.allocs, c.frees, c.hits, c.refills,
                        c.drains, c.pressureDrains));
            }
        }
        return out;
    }

    public List<PcpStats.NodeStats> nodeStats() {
        List<PcpStats.NodeStats> out = new ArrayList<>();
        for (NodeFrames n : nodes) {
            long cached = 0;
            for (CpuCache c : cpus) {
                if (c.node == n.index) {
                    synchronized (c) {
                        cached += c.count;
                    }
                }
            }
            synchronized (n) {
                out.add(new PcpStats.NodeStats(n.id.value(), n.freeFrames(), cached, n.refills, n.drains, n.direct,
                        n.remoteFrees, n.pressureDrains));
            }
        }
        return out;
    }

    /**
     * The canonical state (quiescent): every cache's frames in stack order, every frame's place,
     * and every node allocator's live runs. Statistics and the out-of-memory proof are not state.
     */
    public Object key() {
        List<Object> k = new ArrayList<>();
        for (CpuCache c : cpus) {
            List<Long> f = new ArrayList<>();
            for (int m = 0; m < c.count; m++) {
                f.add(c.frames[m]);
            }
            k.add(f);
        }
        int[] p = new int[frameNode.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = place.get(i);
        }
        k.add(java.util.Arrays.toString(p));
        for (NodeFrames n : nodes) {
            k.add(n.pool == null ? List.of() : new TreeMap<>(n.pool.live()));
        }
        return k;
    }

    // ---------------------------------------------------------------- corruption hooks (negative tests)

    /** Test hook: pushes {@code frame} on {@code cpu}'s cache without touching its place or its node. */
    void corruptPush(int cpu, long frame) {
        cpus[cpu].push(frame);
    }

    /** Test hook: sets a frame's place. */
    void corruptPlace(long frame, int p) {
        place.set(index(frame), p);
    }

    /** Test hook: records an out-of-memory proof. */
    void corruptOom(PcpStats.OomWitness w) {
        lastOom = w;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PcpAllocator ").append(config).append('\n');
        for (CpuCache c : cpus) {
            sb.append("  cpu").append(c.cpu).append(" (").append(nodes[c.node].id).append(") cache ")
                    .append(java.util.Arrays.toString(java.util.Arrays.copyOf(c.frames, c.count))).append('\n');
        }
        for (NodeFrames n : nodes) {
            sb.append("  ").append(n.id).append(' ').append(n.pool == null ? "(no memory)" : n.pool.toString()).append('\n');
        }
        sb.append("  allocated ").append(allocated());
        if (lastOom != null) {
            sb.append("\n  last out-of-memory: ").append(lastOom);
        }
        return sb.toString();
    }
}
