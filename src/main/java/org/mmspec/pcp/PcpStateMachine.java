package org.mmspec.pcp;

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
import org.mmspec.frames.PhysFrame;
import org.mmspec.numa.NodeId;
import org.mmspec.numa.NumaAllocation;
import org.mmspec.numa.NumaAllocator;
import org.mmspec.numa.NumaError;
import org.mmspec.numa.NumaRequest;
import org.mmspec.numa.NumaTopology;
import org.mmspec.zones.AllocatorFactory;

/**
 * Stateful, model-based check of the per-CPU frame caches against the sequential allocator: the
 * model is a {@link NumaAllocator} over the same topology (the sequential, cacheless allocator of
 * the NUMA component), asked for one order-0 frame per frame the caches hand out. Random machines
 * of one to three nodes (some without memory or CPUs, some with a hole) and one to four CPUs, with
 * random watermarks and batch sizes, each node's allocator a HybridAllocator with a small
 * threshold.
 *
 * <p>After every step: both agree on success or OUT_OF_MEMORY (a cache layer that refuses what the
 * sequential allocator grants is a spurious out-of-memory), every frame lands on the node where the
 * model's allocation lands (the fallback order by distance), every node's free frames (allocator
 * plus its CPUs' caches) equal the model node's free frames, and no frame is handed to two holders
 * (PCP-2). The checker checks every PCP invariant after every step and that every rejection changed
 * nothing.
 */
public final class PcpStateMachine implements StateMachine<PcpStateMachine.State> {
    /** Small hybrid threshold so tiny nodes use both halves of their HybridAllocator. */
    private static final AllocatorFactory NODE_ALLOCATORS = AllocatorFactory.hybrid(2, org.mmspec.frames.BuddyAllocator.GIB_ORDER);
    /** Largest batch a step asks for. */
    static final int MAX_BATCH = 6;

    private final Bug bug;

    public PcpStateMachine() {
        this(Bug.NONE);
    }

    PcpStateMachine(Bug bug) {
        this.bug = bug;
    }

    /** The caches under test, the sequential model, and who holds what. */
    public static final class State {
        final PcpAllocator pcp;
        final NumaAllocator model;
        /** Frames held by callers, each paired with the model's allocation on the same node. */
        final List<PhysFrame> held = new ArrayList<>();
        final List<NumaAllocation> modelHeld = new ArrayList<>();
        final List<Long> probes = new ArrayList<>();

        State(PcpAllocator pcp, NumaAllocator model) {
            this.pcp = pcp;
            this.model = model;
        }

        @Override
        public String toString() {
            return pcp + "\n  held " + held;
        }
    }

    @Override
    public String name() {
        return bug == Bug.NONE ? "pcp" : "pcp[" + bug + "]";
    }

    @Override
    public State init(Choices c) {
        int nodes = c.between(1, 3);
        int[] frames = new int[nodes];
        boolean[] hole = new boolean[nodes];
        for (int i = 0; i < nodes; i++) {
            frames[i] = c.between(i == 0 ? 1 : 0, 6);
            hole[i] = frames[i] >= 2 && c.oneIn(3);
        }
        int cpus = c.between(1, 4);
        int[] cpuNode = new int[cpus];
        for (int k = 0; k < cpus; k++) {
            cpuNode[k] = c.between(0, nodes - 1);
        }
        int high = c.between(1, 4);
        int low = c.between(0, high - 1);
        int batch = c.between(1, high);
        NumaTopology t = PcpTopologies.of(frames, cpuNode, hole);
        State s = new State(new PcpAllocator(t, PcpConfig.of(cpus, low, high, batch), NODE_ALLOCATORS, bug),
                new NumaAllocator(t, AllocatorFactory.REFERENCE));
        for (int i = 0; i < nodes; i++) {
            long start = PcpTopologies.NODE_STRIDE * (i + 1);
            for (long f = start - 1; f <= start + frames[i] + 1; f++) {
                s.probes.add(f);
            }
        }
        return s;
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("allocate", this::allocate),
                Rule.of("allocateBatch", this::allocateBatch),
                Rule.when("free", s -> !s.held.isEmpty(), this::free),
                Rule.when("freeBatch", s -> !s.held.isEmpty(), this::freeBatch),
                Rule.of("freeBad", this::freeBad),
                Rule.of("drain", this::drain));
    }

    @Override
    public InvariantSet<State> invariants() {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<PcpAllocator> inv : PcpInvariants.ALL.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(), s -> inv.evaluate(s.pcp).map(v -> v.detail())));
        }
        return InvariantSet.of("pcp", out, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return List.of(s.pcp.key(), s.model.key(), List.copyOf(s.held));
    }

    private int cpu(State s, Step<State> step) {
        return step.oneIn(12) ? s.pcp.config().cpus() : step.between(0, s.pcp.config().cpus() - 1);
    }

    private void allocate(State s, Step<State> step) {
        int cpu = cpu(s, step);
        step.call("allocate(cpu%d)", cpu);
        Outcome<PhysFrame> o = step.perform(() -> s.pcp.allocate(cpu));
        if (cpu >= s.pcp.config().cpus()) {
            step.agree("allocate on an unknown cpu", o.kind(), "UNKNOWN_CPU");
            return;
        }
        NumaAllocation m = modelAllocate(s, cpu);
        step.agree("allocate(cpu" + cpu + ") succeeds exactly when the sequential allocator does", o.isOk(), m != null);
        if (!o.isOk()) {
            step.agree("rejection", o.kind(), "OUT_OF_MEMORY");
            return;
        }
        take(s, step, o.value(), m);
        compareNodes(s, step);
    }

    private NumaAllocation modelAllocate(State s, int cpu) {
        try {
            return s.model.allocate(NumaRequest.local(cpu, 0));
        } catch (NumaError e) {
            if (e.errorKind() != NumaError.Kind.OUT_OF_MEMORY) {
                throw e;
            }
            return null;
        }
    }

    private void take(State s, Step<State> step, PhysFrame f, NumaAllocation m) {
        PcpInvariants.ALL.assertHolds(s.pcp);
        step.check(!s.held.contains(f), "PCP-2 violated: %s handed out while a caller still holds it", f);
        step.agree("node of " + f, s.pcp.nodeOfFrame(f).orElse(null), m.served());
        s.held.add(f);
        s.modelHeld.add(m);
    }

    private void allocateBatch(State s, Step<State> step) {
        int cpu = cpu(s, step);
        int n = step.between(0, MAX_BATCH);
        step.call("allocateBatch(cpu%d, %d)", cpu, n);
        Outcome<PhysFrame[]> o = step.perform(() -> s.pcp.allocateBatch(cpu, n));
        if (cpu >= s.pcp.config().cpus()) {
            step.agree("batch on an unknown cpu", o.kind(), "UNKNOWN_CPU");
            return;
        }
        if (n == 0) {
            step.agree("empty batch", o.kind(), "ZERO_SIZE");
            return;
        }
        long modelFree = 0;
        for (org.mmspec.numa.NumaNode node : s.model.nodes()) {
            modelFree += node.freeFrames();
        }
        step.agree("allocateBatch(cpu" + cpu + ", " + n + ") succeeds exactly when the sequential allocator has " + n + " frames",
                o.isOk(), modelFree >= n);
        if (!o.isOk()) {
            step.agree("rejection", o.kind(), "OUT_OF_MEMORY");
            return;
        }
        Map<NodeId, List<NumaAllocation>> byNode = new TreeMap<>();
        for (int k = 0; k < n; k++) {
            NumaAllocation m = modelAllocate(s, cpu);
            byNode.computeIfAbsent(m.served(), x -> new ArrayList<>()).add(m);
        }
        for (PhysFrame f : o.value()) {
            NodeId node = s.pcp.nodeOfFrame(f).orElseThrow();
            List<NumaAllocation> ms = byNode.get(node);
            step.check(ms != null && !ms.isEmpty(), "batch frame %s is on %s, more than the sequential allocator took there (%s)", f,
                    node, byNode);
            take(s, step, f, ms.remove(ms.size() - 1));
        }
        compareNodes(s, step);
    }

    private void free(State s, Step<State> step) {
        int i = step.between(0, s.held.size() - 1);
        int cpu = step.between(0, s.pcp.config().cpus() - 1);
        PhysFrame f = s.held.get(i);
        step.call("free(cpu%d, %s)", cpu, f);
        Outcome<Void> o = step.performVoid(() -> s.pcp.free(cpu, f));
        step.check(o.isOk(), "free of a held frame rejected: %s", o);
        s.model.free(s.modelHeld.get(i).run());
        s.held.remove(i);
        s.modelHeld.remove(i);
        compareNodes(s, step);
    }

    private void freeBatch(State s, Step<State> step) {
        int cpu = step.between(0, s.pcp.config().cpus() - 1);
        int n = step.between(1, Math.min(4, s.held.size()));
        int first = step.between(0, s.held.size() - 1);
        List<Integer> picked = new ArrayList<>();
        List<PhysFrame> frames = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int i = (first + k) % s.held.size();
            picked.add(i);
            frames.add(s.held.get(i));
        }
        int spoil = step.between(0, 5);
        String expect = "ok";
        if (spoil == 1) {
            frames.add(frames.get(0));
            expect = "DUPLICATE_IN_BATCH";
        } else if (spoil == 2) {
            PhysFrame free = notHeld(s, step);
            if (free != null) {
                frames.add(free);
                expect = s.pcp.placeOf(free) == PcpAllocator.NOT_MANAGED ? kindOfUnmanaged(s, free) : "DOUBLE_FREE";
            }
        }
        PhysFrame[] arr = frames.toArray(new PhysFrame[0]);
        step.call("freeBatch(cpu%d, %s)", cpu, frames);
        Outcome<Void> o = step.performVoid(() -> s.pcp.freeBatch(cpu, arr));
        step.agree("freeBatch outcome", o.isOk() ? "ok" : o.kind(), expect);
        if (!o.isOk()) {
            return;
        }
        picked.sort(java.util.Comparator.reverseOrder());
        for (int i : picked) {
            s.model.free(s.modelHeld.get(i).run());
            s.held.remove(i);
            s.modelHeld.remove(i);
        }
        compareNodes(s, step);
    }

    private PhysFrame notHeld(State s, Step<State> step) {
        List<Long> candidates = new ArrayList<>();
        for (long f : s.probes) {
            if (!s.held.contains(PhysFrame.of(f))) {
                candidates.add(f);
            }
        }
        return candidates.isEmpty() ? null : PhysFrame.of(step.pick(candidates));
    }

    private String kindOfUnmanaged(State s, PhysFrame f) {
        for (org.mmspec.numa.NumaNode n : s.model.nodes()) {
            if (n.pool().isPresent() && n.pool().get().span().contains(f)) {
                return "RESERVED";
            }
        }
        return "OUT_OF_RANGE";
    }

    private void freeBad(State s, Step<State> step) {
        PhysFrame f = notHeld(s, step);
        if (f == null) {
            return;
        }
        int cpu = step.between(0, s.pcp.config().cpus() - 1);
        step.call("free(cpu%d, %s)", cpu, f);
        Outcome<Void> o = step.performVoid(() -> s.pcp.free(cpu, f));
        String expect = s.pcp.placeOf(f) == PcpAllocator.NOT_MANAGED ? kindOfUnmanaged(s, f) : "DOUBLE_FREE";
        step.agree("free of a frame nobody holds", o.isOk() ? "ok" : o.kind(), expect);
    }

    private void drain(State s, Step<State> step) {
        int cpu = step.between(0, s.pcp.config().cpus() - 1);
        step.call("drain(cpu%d)", cpu);
        step.performVoid(() -> s.pcp.drain(cpu));
        step.check(s.pcp.cached(cpu).length == 0, "cpu%d's cache is not empty after a drain", cpu);
        compareNodes(s, step);
    }

    /**
     * The invariants first (so a broken one is reported by its ID, not as the disagreement it
     * causes), then every node's free frames against the model.
     */
    private void compareNodes(State s, Step<State> step) {
        PcpInvariants.ALL.assertHolds(s.pcp);
        for (org.mmspec.numa.NumaNode n : s.model.nodes()) {
            step.agree("free frames of " + n.id() + " (allocator + its CPUs' caches)", s.pcp.freeOnNode(n.id()), n.freeFrames());
        }
    }
}
