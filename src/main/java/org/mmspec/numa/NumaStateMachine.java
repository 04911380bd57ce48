package org.mmspec.numa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridModel;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;
import org.mmspec.zones.FramePool;

/**
 * Stateful, model-based check of the NUMA allocator over random topologies: one to four nodes
 * with scattered ids, CPU nodes, memory-only (CXL) nodes and memoryless nodes, and distance
 * tables full of ties. Each node allocates from its own HybridAllocator by default
 * ({@link AllocatorFactory#HYBRID}, the seed's design). The model is one {@link HybridModel} per
 * node (a reference allocator per half of the node's hybrid) and a fallback order found by
 * repeatedly picking the nearest untried node (lowest id on ties), written independently of
 * {@link NumaTopology#fallbackOrder}. Every allocation must land on the node where the model's
 * search lands it (the operational meaning of NUMA-5, "the nearest node that could satisfy it",
 * and NUMA-4), as a block aligned to its size at the place the hybrid's contract allows.
 */
public final class NumaStateMachine implements StateMachine<NumaStateMachine.State> {
    private final NumaAllocator.Bug bug;
    private final AllocatorFactory factory;

    /** The NUMA allocator with its production default: a HybridAllocator per node. */
    public NumaStateMachine() {
        this(NumaAllocator.Bug.NONE, AllocatorFactory.HYBRID);
    }

    /** The NUMA allocator with the nodes' allocators built by {@code factory}. */
    public NumaStateMachine(AllocatorFactory factory) {
        this(NumaAllocator.Bug.NONE, factory);
    }

    NumaStateMachine(NumaAllocator.Bug bug) {
        this(bug, AllocatorFactory.HYBRID);
    }

    NumaStateMachine(NumaAllocator.Bug bug, AllocatorFactory factory) {
        this.bug = bug;
        this.factory = factory;
    }

    /** The allocator under test and its model. */
    public static final class State {
        final NumaAllocator numa;
        final NumaTopology topology;
        final Map<NodeId, HybridModel> model = new TreeMap<>();
        final Map<NodeId, FrameRange> memory = new TreeMap<>();
        final List<Integer> cpus = new ArrayList<>();
        final List<Long> probes = new ArrayList<>();
        /** The holes of the nodes' memory, as the model drew them. */
        final List<FrameRange> holes = new ArrayList<>();

        State(NumaAllocator numa, NumaTopology topology) {
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
        String base = factory == AllocatorFactory.HYBRID ? "numa-allocator" : "numa-allocator/" + factory;
        return bug == NumaAllocator.Bug.NONE ? base : base + "[" + bug + "]";
    }

    /**
     * The input rules of {@link NumaTopology#of}, each refused with its own {@link NumaError.Kind},
     * and how to break exactly one of them in a valid topology: the generator of bad topologies.
     */
    public enum TopologyRule {
        EMPTY_TOPOLOGY(NumaError.Kind.EMPTY_TOPOLOGY, 0),
        DUPLICATE_NODE(NumaError.Kind.DUPLICATE_NODE, 2),
        UNKNOWN_NODE(NumaError.Kind.UNKNOWN_NODE, 1),
        MISSING_DISTANCE(NumaError.Kind.MISSING_DISTANCE, 1),
        BAD_SELF_DISTANCE(NumaError.Kind.BAD_SELF_DISTANCE, 1),
        BAD_DISTANCE(NumaError.Kind.BAD_DISTANCE, 2),
        ASYMMETRIC_DISTANCE(NumaError.Kind.ASYMMETRIC_DISTANCE, 2),
        OVERLAPPING_MEMORY(NumaError.Kind.OVERLAPPING_MEMORY, 1),
        CPU_ON_TWO_NODES(NumaError.Kind.CPU_ON_TWO_NODES, 2);

        /** The error a topology breaking this rule must get. */
        public final NumaError.Kind kind;
        private final int minNodes;

        TopologyRule(NumaError.Kind kind, int minNodes) {
            this.kind = kind;
            this.minNodes = minNodes;
        }

        /** The rules a valid topology of {@code n} nodes can be made to break alone. */
        public static List<TopologyRule> applicable(int n, List<NodeSpec> specs) {
            return java.util.Arrays.stream(values()).filter(r -> n >= r.minNodes).toList();
        }

        /**
         * {@code specs} (valid, sorted by id as drawn) changed to break this rule and no rule
         * {@link NumaTopology#of} checks before it: the first node's row, or the first two nodes.
         */
        public List<NodeSpec> breakIt(Choices c, List<NodeSpec> specs) {
            List<NodeSpec> out = new ArrayList<>(specs);
            NodeSpec a = out.isEmpty() ? null : out.get(0);
            NodeSpec b = out.size() > 1 ? out.get(1) : null;
            switch (this) {
                case EMPTY_TOPOLOGY -> out.clear();
                case DUPLICATE_NODE -> out.add(new NodeSpec(a.id(), List.of(), CpuSet.empty(), a.distances()));
                case UNKNOWN_NODE -> out.set(0, withRow(a, a.id().value() + 100 + c.between(0, 9), 20));
                case MISSING_DISTANCE -> {
                    Map<NodeId, Integer> row = new TreeMap<>(a.distances());
                    row.remove(out.get(out.size() - 1).id());
                    out.set(0, new NodeSpec(a.id(), a.memory(), a.cpus(), row));
                }
                case BAD_SELF_DISTANCE -> out.set(0, withRow(a, a.id().value(), c.pick(List.of(0, 9, 11, 20))));
                case BAD_DISTANCE -> {
                    int d = c.pick(List.of(NumaTopology.LOCAL_DISTANCE, NumaTopology.MAX_DISTANCE + 1, 5));
                    out.set(0, withRow(a, b.id().value(), d));
                    out.set(1, withRow(b, a.id().value(), d));
                }
                case ASYMMETRIC_DISTANCE -> out.set(0, withRow(a, b.id().value(), a.distances().get(b.id()) + 1));
                case OVERLAPPING_MEMORY -> {
                    long start = 16L * 40 + c.between(0, 3);
                    out.set(0, new NodeSpec(a.id(), List.of(FrameRange.of(start, 3), FrameRange.of(start + 2, 2)), a.cpus(),
                            a.distances()));
                }
                case CPU_ON_TWO_NODES -> {
                    int cpu = 100 + c.between(0, 9);
                    out.set(0, new NodeSpec(a.id(), a.memory(), CpuSet.of(cpu), a.distances()));
                    out.set(1, new NodeSpec(b.id(), b.memory(), CpuSet.of(cpu), b.distances()));
                }
                default -> throw new AssertionError(this);
            }
            return out;
        }

        private static NodeSpec withRow(NodeSpec s, int to, int distance) {
            Map<NodeId, Integer> row = new TreeMap<>(s.distances());
            row.put(NodeId.of(to), distance);
            return new NodeSpec(s.id(), s.memory(), s.cpus(), row);
        }
    }

    @Override
    public State init(Choices c) {
        int n = c.between(1, 4);
        List<NodeId> ids = new ArrayList<>();
        int id = c.between(0, 2);
        for (int i = 0; i < n; i++) {
            ids.add(NodeId.of(id));
            id += c.between(1, 2); // scattered ids, so node order is not index order
        }
        int[][] dist = new int[n][n];
        for (int i = 0; i < n; i++) {
            dist[i][i] = NumaTopology.LOCAL_DISTANCE;
            for (int j = i + 1; j < n; j++) {
                dist[i][j] = dist[j][i] = c.pick(List.of(20, 20, 30, 40));
            }
        }
        List<NodeSpec> specs = new ArrayList<>();
        List<FrameRange> mem = new ArrayList<>();
        int nextCpu = 0;
        for (int i = 0; i < n; i++) {
            int cpuCount = c.between(0, 2);
            int[] cpus = new int[cpuCount];
            for (int k = 0; k < cpuCount; k++) {
                cpus[k] = nextCpu++;
            }
            int frames = c.between(0, 4);
            FrameRange r = frames == 0 ? null : FrameRange.of(16L * (i + 1), frames);
            mem.add(r);
            Map<NodeId, Integer> row = new TreeMap<>();
            for (int j = 0; j < n; j++) {
                row.put(ids.get(j), dist[i][j]);
            }
            specs.add(new NodeSpec(ids.get(i), r == null ? List.of() : List.of(r), CpuSet.of(cpus), row));
        }
        // A hole in one node's memory (draw 0: none), so that frees touching it must be refused with
        // RESERVED: the node with at least two frames gets them as two ranges one or two frames apart.
        int holey = c.between(0, n) - 1;
        Map<Integer, List<FrameRange>> holes = new TreeMap<>();
        if (holey >= 0 && mem.get(holey) != null && mem.get(holey).count() >= 2) {
            FrameRange r = mem.get(holey);
            long before = c.between(1L, r.count() - 1);
            long gap = c.between(1L, 2L);
            long s0 = r.start().number();
            NodeSpec old = specs.get(holey);
            specs.set(holey, new NodeSpec(old.id(),
                    List.of(FrameRange.of(s0, before), FrameRange.of(s0 + before + gap, r.count() - before)), old.cpus(),
                    old.distances()));
            mem.set(holey, FrameRange.of(s0, r.count() + gap));
            holes.put(holey, List.of(FrameRange.of(s0 + before, gap)));
        }
        NumaTopology t = null;
        if (c.oneIn(4)) {
            // Bad input first, one run in four: the drawn topology broken by one rule. It must be
            // refused with exactly that rule's error; if it is accepted (the rule switched off), the
            // run goes on with it and NUMA-1 or NUMA-2 fails at the first check.
            List<TopologyRule> applicable = TopologyRule.applicable(n, specs);
            TopologyRule rule = c.pick(applicable);
            List<NodeSpec> bad = rule.breakIt(c, specs);
            try {
                t = NumaTopology.of(bad, bug != NumaAllocator.Bug.SYMMETRY_UNCHECKED);
            } catch (NumaError e) {
                if (e.errorKind() != rule.kind) {
                    throw new AssertionError("topology broken by " + rule + " refused with " + e.errorKind() + ": " + bad, e);
                }
            }
        }
        if (t == null) {
            t = NumaTopology.of(specs);
        }
        State s = new State(new NumaAllocator(t, factory, bug), t);
        for (int i = 0; i < n; i++) {
            if (mem.get(i) != null) {
                FrameRange m = mem.get(i);
                List<FrameRange> h = holes.getOrDefault(i, List.of());
                // The allocator's configuration (a hybrid's threshold and split) comes from the node
                // under test; its memory, from the model's own topology. HYBRID-1 checks the split.
                s.model.put(ids.get(i), s.numa.node(ids.get(i)).pool().map(FramePool::allocator)
                        .map(a -> HybridModel.of(a, m, h)).orElseGet(() -> HybridModel.firstFit(m, h)));
                s.holes.addAll(h);
                s.memory.put(ids.get(i), mem.get(i));
                for (long f = mem.get(i).start().number() - 1; f <= mem.get(i).endNumber(); f++) {
                    s.probes.add(f);
                }
            }
        }
        for (int cpu = 0; cpu <= nextCpu; cpu++) {
            s.cpus.add(cpu); // nextCpu itself belongs to no node
        }
        if (s.probes.isEmpty()) {
            s.probes.add(16L);
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
    private record Result(String kind, FrameRange run, NodeId served) {
    }

    private void allocate(State s, Step<State> step) {
        int order = step.oneIn(12) ? NumaAllocator.MAX_ORDER + 1 : step.between(-1, 2);
        List<NodeId> nodeChoices = new ArrayList<>(s.topology.ids());
        nodeChoices.add(NodeId.of(NodeId.MAX));
        Binding.Policy policy = step.pick(Binding.Policy.class);
        Binding b = policy == Binding.Policy.LOCAL ? Binding.local()
                : new Binding(policy, step.pick(nodeChoices));
        int cpu = step.pick(s.cpus);
        NumaRequest r = new NumaRequest(cpu, order, b);
        step.call("allocate(%s)", r);
        Outcome<NumaAllocation> got = step.perform(() -> s.numa.allocate(r));
        Result actual = got.isOk() ? new Result("ok", got.value().run(), got.value().served())
                : new Result(got.kind(), null, null);
        step.agree("allocate(" + r + ")", actual, modelAllocate(s, r, actual, step));
        agreeOnFreeFrames(s, step);
    }

    private static Result modelAllocate(State s, NumaRequest r, Result actual, Step<State> step) {
        if (r.order() < 0 || r.order() > NumaAllocator.MAX_ORDER) {
            return new Result("BAD_ORDER", null, null);
        }
        NodeId start = null;
        if (r.binding().policy() == Binding.Policy.LOCAL) {
            for (NodeSpec n : s.topology.nodes()) {
                if (n.cpus().contains(r.cpu())) {
                    start = n.id();
                }
            }
            if (start == null) {
                return new Result("UNKNOWN_CPU", null, null);
            }
        } else {
            start = r.binding().node();
            if (!s.topology.ids().contains(start)) {
                return new Result("UNKNOWN_NODE", null, null);
            }
        }
        List<NodeId> order = new ArrayList<>();
        if (r.binding().strict()) {
            order.add(start);
        } else {
            List<NodeId> left = new ArrayList<>(s.topology.ids());
            while (!left.isEmpty()) {
                NodeId best = null;
                for (NodeId cand : left) {
                    int dc = s.topology.node(start).distances().get(cand);
                    if (best == null || dc < s.topology.node(start).distances().get(best)
                            || dc == s.topology.node(start).distances().get(best) && cand.value() < best.value()) {
                        best = cand;
                    }
                }
                order.add(best);
                left.remove(best);
            }
        }
        for (NodeId n : order) {
            HybridModel m = s.model.get(n);
            if (m == null) {
                continue;
            }
            HybridModel.Expectation e = m.expect(r.frames(), r.frames());
            if (!e.served()) {
                continue;
            }
            // The bitmap half's run is fixed by the contract; the buddy half's is checked and taken.
            FrameRange run = e.exactRun().orElse(null);
            if (actual.run() != null && n.equals(actual.served())) {
                java.util.Optional<String> problem = m.accept(e, r.frames(), actual.run());
                step.check(problem.isEmpty(), "node %s: %s", n, problem.orElse(""));
                run = actual.run();
            }
            return new Result("ok", run, n);
        }
        return new Result(r.binding().strict() ? "BOUND_NODE_FULL" : "OUT_OF_MEMORY", null, null);
    }

    private void freeLive(State s, Step<State> step) {
        NumaAllocation a = step.pick(new ArrayList<>(s.numa.live().values()));
        step.call("free(%s)", a.run());
        Outcome<Void> got = step.performVoid(() -> s.numa.free(a.run()));
        step.agree("free(" + a.run() + ")", got.kind(), "ok");
        s.model.get(a.served()).free(a.run());
        agreeOnFreeFrames(s, step);
    }

    private void freeBad(State s, Step<State> step) {
        long f = step.pick(s.probes);
        FrameRange run = FrameRange.of(f, step.oneIn(3) ? 2 : 1);
        step.call("free(%s)", run);
        String expected = "OUT_OF_RANGE";
        NodeId owner = null;
        for (Map.Entry<NodeId, FrameRange> e : s.memory.entrySet()) {
            if (e.getValue().contains(run.start())) {
                owner = e.getKey();
            }
        }
        if (owner != null && s.memory.get(owner).contains(run)) {
            HybridModel m = s.model.get(owner);
            Long len = m.liveAt(f).orElse(null);
            boolean anyLive = false;
            for (long g = f; g < run.endNumber(); g++) {
                anyLive |= !m.isFree(PhysFrame.of(g));
            }
            boolean inHole = s.holes.stream().anyMatch(h -> h.overlaps(run));
            expected = len != null && len == run.count() ? "ok" : inHole ? "RESERVED" : anyLive ? "NOT_ALLOCATED" : "DOUBLE_FREE";
        }
        Outcome<Void> got = step.performVoid(() -> s.numa.free(run));
        if (got.isOk() && !expected.equals("ok")) {
            // A free the model refuses was accepted: the invariants first, so that a rule switched off
            // whose result breaks one (a free touching a hole: NUMA-6) is reported by its name, not
            // only as the mismatch it also is.
            NumaInvariants.ALL.assertHolds(s.numa);
        }
        step.agree("free(" + run + ")", got.kind(), expected);
        if (got.isOk()) {
            s.model.get(owner).free(run);
        }
        agreeOnFreeFrames(s, step);
    }

    private static void agreeOnFreeFrames(State s, Step<State> step) {
        for (NumaNode n : s.numa.nodes()) {
            HybridModel m = s.model.get(n.id());
            step.agree("free frames of " + n.id(), n.freeFrames(), m == null ? 0L : m.freeFrames());
        }
    }

    @Override
    public InvariantSet<State> invariants() {
        return INVARIANTS;
    }

    private static final InvariantSet<State> INVARIANTS = lift();

    private static InvariantSet<State> lift() {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<NumaAllocator> inv : NumaInvariants.ALL.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(), st -> inv.evaluate(st.numa).map(v -> v.detail())));
        }
        return InvariantSet.of("numa", out, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return s.numa.key();
    }
}
