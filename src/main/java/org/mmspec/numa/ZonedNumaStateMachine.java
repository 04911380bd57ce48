package org.mmspec.numa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.mmspec.check.Choices;
import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * Stateful, model-based check of zones inside NUMA nodes over random topologies: one to three
 * nodes with scattered ids and distance tables full of ties, each node drawing zero to two frames
 * in each of its DMA, DMA32 and NORMAL windows, and every zone drawing its own min/low/high
 * watermarks. One run in five first offers watermarks that break {@code min <= low <= high <=
 * usable}, which construction must refuse with BAD_WATERMARKS.
 *
 * <p>The model is written independently of {@link ZonedNumaAllocator}: a set of free frames per
 * (node, zone), and a zonelist built by repeatedly picking the nearest untried node (lowest id on
 * ties) and listing its zones from the request's highest down. An allocation must land in the
 * zone where the model's two passes (LOW, then MIN; a zone qualifies when it keeps the mark and
 * holds a free block aligned to its size) land it, on a block that is free in the model, aligned
 * and inside that zone. The allocator is the first-fit reference allocator with orders up to 2,
 * or the seed's HybridAllocator with order 0 only (where any free frame is a block).
 */
public final class ZonedNumaStateMachine implements StateMachine<ZonedNumaStateMachine.State> {
    /** Where node {@code i}'s frames of each window start: {@code STRIDE * (i + 1)} below the window's end (or above NORMAL's start). */
    static final long STRIDE = 8;

    private final ZonedNumaAllocator.Bug bug;
    private final AllocatorFactory factory;
    private final int maxOrder;

    /** The first-fit reference allocator in every zone, orders up to 2. */
    public ZonedNumaStateMachine() {
        this(ZonedNumaAllocator.Bug.NONE, AllocatorFactory.REFERENCE, 2);
    }

    /** Zones backed by {@code factory}, with orders up to {@code maxOrder}. */
    public ZonedNumaStateMachine(AllocatorFactory factory, int maxOrder) {
        this(ZonedNumaAllocator.Bug.NONE, factory, maxOrder);
    }

    ZonedNumaStateMachine(ZonedNumaAllocator.Bug bug, AllocatorFactory factory, int maxOrder) {
        this.bug = bug;
        this.factory = factory;
        this.maxOrder = maxOrder;
    }

    /** The allocator under test and its model. */
    public static final class State {
        final ZonedNumaAllocator numa;
        final NumaTopology topology;
        /** Per zone: its frames, the free ones, and its marks. */
        final Map<NodeZone, FrameRange> span = new TreeMap<>();
        final Map<NodeZone, TreeSet<Long>> free = new TreeMap<>();
        final Map<NodeZone, Watermarks> marks = new TreeMap<>();
        final List<Long> probes = new ArrayList<>();
        /** The bad marks construction refused before this run began (one run in five), or null. */
        Watermarks refusedMarks;

        State(ZonedNumaAllocator numa, NumaTopology topology) {
            this.numa = numa;
            this.topology = topology;
        }

        @Override
        public String toString() {
            return numa.toString();
        }
    }

    @Override
    public String name() {
        String base = "numa-zones/" + factory + (maxOrder == 0 ? "/order-0" : "");
        return bug == ZonedNumaAllocator.Bug.NONE ? base : base + "[" + bug + "]";
    }

    /** Where node {@code i}'s {@code count} frames of zone {@code t} lie. */
    static FrameRange frames(NodeZoneType t, int i, int count) {
        FrameRange w = t.window();
        long start = t == NodeZoneType.NORMAL ? w.start().number() + STRIDE * i : w.endNumber() - STRIDE * (i + 1);
        return FrameRange.of(start, count);
    }

    @Override
    public State init(Choices c) {
        int n = c.between(1, 3);
        List<NodeId> ids = new ArrayList<>();
        int id = c.between(0, 2);
        for (int i = 0; i < n; i++) {
            ids.add(NodeId.of(id));
            id += c.between(1, 2);
        }
        int[][] dist = new int[n][n];
        for (int i = 0; i < n; i++) {
            dist[i][i] = NumaTopology.LOCAL_DISTANCE;
            for (int j = i + 1; j < n; j++) {
                dist[i][j] = dist[j][i] = c.pick(List.of(20, 20, 30));
            }
        }
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<FrameRange> mem = new ArrayList<>();
            for (NodeZoneType t : NodeZoneType.values()) {
                int count = c.between(0, 2);
                if (count > 0) {
                    mem.add(frames(t, i, count));
                }
            }
            Map<NodeId, Integer> row = new TreeMap<>();
            for (int j = 0; j < n; j++) {
                row.put(ids.get(j), dist[i][j]);
            }
            specs.add(new NodeSpec(ids.get(i), mem, CpuSet.of(i), row));
        }
        NumaTopology t = NumaTopology.of(specs);
        Map<NodeZone, Watermarks> drawn = new TreeMap<>();
        for (NodeSpec s : specs) {
            for (FrameRange r : s.memory()) {
                long usable = r.count();
                long min = c.between(0L, usable);
                long low = c.between(min, usable);
                long high = c.between(low, usable);
                drawn.put(new NodeZone(s.id(), NodeZoneType.of(r.start())), new Watermarks(min, low, high));
            }
        }
        Watermarks refused = null;
        if (!drawn.isEmpty() && c.oneIn(5)) {
            // Bad input first: one zone's marks out of order, or above the zone. Construction must refuse them.
            NodeZone victim = c.pick(new ArrayList<>(drawn.keySet()));
            Watermarks w = drawn.get(victim);
            Watermarks bad = c.bool() ? new Watermarks(w.low() + 1, w.low(), w.high() + 1) : new Watermarks(w.min(), w.low(), 3);
            Map<NodeZone, Watermarks> badMarks = new TreeMap<>(drawn);
            badMarks.put(victim, bad);
            try {
                new ZonedNumaAllocator(t, (z, u) -> badMarks.get(z), factory, bug);
                throw new AssertionError("watermarks " + bad + " for " + victim + " were accepted");
            } catch (NumaError e) {
                if (e.errorKind() != NumaError.Kind.BAD_WATERMARKS) {
                    throw new AssertionError("bad watermarks refused with " + e.errorKind(), e);
                }
                refused = bad;
            }
        }
        State s = new State(new ZonedNumaAllocator(t, (z, u) -> drawn.get(z), factory, bug), t);
        s.refusedMarks = refused;
        for (NodeSpec spec : specs) {
            for (FrameRange r : spec.memory()) {
                NodeZone z = new NodeZone(spec.id(), NodeZoneType.of(r.start()));
                s.span.put(z, r);
                TreeSet<Long> f = new TreeSet<>();
                for (long g = r.start().number(); g < r.endNumber(); g++) {
                    f.add(g);
                }
                s.free.put(z, f);
                s.marks.put(z, drawn.get(z));
                for (long g = r.start().number() - 1; g <= r.endNumber(); g++) {
                    s.probes.add(g);
                }
            }
        }
        if (s.probes.isEmpty()) {
            s.probes.add(NodeZoneType.DMA32.window().start().number());
        }
        return s;
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("allocate", this::allocate),
                Rule.when("free", s -> !s.numa.live().isEmpty(), this::freeLive),
                Rule.of("freeBad", this::freeBad));
    }

    /** What an allocation did, comparable between implementation and model. */
    private record Result(String kind, NodeZone zone) {
    }

    private void allocate(State s, Step<State> step) {
        int order = step.oneIn(12) ? ZonedNumaAllocator.MAX_ORDER + 1 : step.between(-1, maxOrder);
        List<NodeId> nodes = new ArrayList<>(s.topology.ids());
        nodes.add(NodeId.of(NodeId.MAX));
        ZonedRequest r = new ZonedRequest(step.pick(nodes), step.pick(NodeZoneType.class), order);
        step.call("allocate(%s)", r);
        Outcome<ZonedAllocation> got = step.perform(() -> s.numa.allocate(r));
        Result actual = got.isOk() ? new Result("ok", got.value().zone()) : new Result(got.kind(), null);
        step.agree("allocate(" + r + ")", actual, expected(s, r));
        if (got.isOk()) {
            FrameRange run = got.value().run();
            TreeSet<Long> f = s.free.get(got.value().zone());
            boolean ok = run.count() == r.frames() && run.start().number() % r.frames() == 0;
            for (long g = run.start().number(); g < run.endNumber(); g++) {
                ok &= f.remove(g);
            }
            step.check(ok, "%s: %s is not an aligned block of %d frames free in %s", r, run, r.frames(), got.value().zone());
        }
        agreeOnFreeFrames(s, step);
    }

    /** The model's answer: the zone the two passes over the node-ordered zonelist land on. */
    private static Result expected(State s, ZonedRequest r) {
        if (r.order() < 0 || r.order() > ZonedNumaAllocator.MAX_ORDER) {
            return new Result("BAD_ORDER", null);
        }
        if (!s.topology.ids().contains(r.node())) {
            return new Result("UNKNOWN_NODE", null);
        }
        List<NodeId> byDistance = new ArrayList<>();
        List<NodeId> left = new ArrayList<>(s.topology.ids());
        Map<NodeId, Integer> row = s.topology.node(r.node()).distances();
        while (!left.isEmpty()) {
            NodeId best = null;
            for (NodeId cand : left) {
                if (best == null || row.get(cand) < row.get(best) || row.get(cand).equals(row.get(best)) && cand.value() < best.value()) {
                    best = cand;
                }
            }
            byDistance.add(best);
            left.remove(best);
        }
        List<NodeZone> list = new ArrayList<>();
        for (NodeId n : byDistance) {
            for (int t = r.highest().ordinal(); t >= 0; t--) {
                NodeZone z = new NodeZone(n, NodeZoneType.values()[t]);
                if (s.span.containsKey(z)) {
                    list.add(z);
                }
            }
        }
        long frames = r.frames();
        for (Watermarks.Mark pass : Watermarks.Mark.values()) {
            for (NodeZone z : list) {
                TreeSet<Long> f = s.free.get(z);
                if (f.size() - frames >= s.marks.get(z).of(pass) && hasAlignedBlock(f, frames)) {
                    return new Result("ok", z);
                }
            }
        }
        return new Result("OUT_OF_MEMORY", null);
    }

    private static boolean hasAlignedBlock(TreeSet<Long> free, long frames) {
        for (long first : free) {
            if (first % frames == 0 && free.subSet(first, first + frames).size() == frames) {
                return true;
            }
        }
        return false;
    }

    private void freeLive(State s, Step<State> step) {
        ZonedAllocation a = step.pick(new ArrayList<>(s.numa.live().values()));
        step.call("free(%s)", a.run());
        Outcome<Void> got = step.performVoid(() -> s.numa.free(a.run()));
        step.agree("free(" + a.run() + ")", got.kind(), "ok");
        for (long g = a.run().start().number(); g < a.run().endNumber(); g++) {
            s.free.get(a.zone()).add(g);
        }
        agreeOnFreeFrames(s, step);
    }

    private void freeBad(State s, Step<State> step) {
        long f = step.pick(s.probes);
        FrameRange run = FrameRange.of(f, step.oneIn(3) ? 2 : 1);
        step.call("free(%s)", run);
        String expected = "OUT_OF_RANGE";
        NodeZone owner = null;
        for (Map.Entry<NodeZone, FrameRange> e : s.span.entrySet()) {
            if (e.getValue().contains(run)) {
                owner = e.getKey();
            }
        }
        if (owner != null) {
            ZonedAllocation live = s.numa.live().get(f);
            boolean anyLive = false;
            for (long g = f; g < run.endNumber(); g++) {
                anyLive |= !s.free.get(owner).contains(g);
            }
            expected = live != null && live.run().equals(run) ? "ok" : anyLive ? "NOT_ALLOCATED" : "DOUBLE_FREE";
        }
        Outcome<Void> got = step.performVoid(() -> s.numa.free(run));
        step.agree("free(" + run + ")", got.kind(), expected);
        if (got.isOk()) {
            for (long g = run.start().number(); g < run.endNumber(); g++) {
                s.free.get(owner).add(g);
            }
        }
        agreeOnFreeFrames(s, step);
    }

    private static void agreeOnFreeFrames(State s, Step<State> step) {
        for (ZonedNumaAllocator.ZonePool z : s.numa.zones()) {
            TreeSet<Long> f = s.free.get(z.id());
            step.agree("free frames of " + z.id(), z.freeFrames(), f == null ? -1L : (long) f.size());
        }
    }

    @Override
    public InvariantSet<State> invariants() {
        return INVARIANTS;
    }

    private static final InvariantSet<State> INVARIANTS = lift();

    private static InvariantSet<State> lift() {
        List<Invariant<State>> out = new ArrayList<>();
        for (Invariant<ZonedNumaAllocator> inv : ZonedNumaInvariants.ALL.invariants()) {
            out.add(Invariant.of(inv.id(), inv.statement(), st -> inv.evaluate(st.numa).map(v -> v.detail())));
        }
        return InvariantSet.of("numa-zones", out, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return s.numa.key();
    }
}
