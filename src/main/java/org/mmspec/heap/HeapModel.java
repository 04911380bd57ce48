package org.mmspec.heap;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Liveness;
import org.mmspec.check.TransitionSystem;

/**
 * The heap's exhaustive models: every interleaving of whole operations by every CPU, at a small
 * scope, with every heap invariant checked in every reachable state. Operations are atomic
 * under the heap's locks, so interleaving whole operations covers every ordering the locks
 * allow; the races that the locks rule out are the subject of the Lincheck tests and the JPF
 * scenarios instead.
 *
 * <p>Bounds (in {@code models/<name>/manifest.properties}): {@code cpus}, {@code frames},
 * {@code sizes} (request sizes, {@code /}-separated), {@code cap} and {@code batch} (per-CPU
 * cache geometry), {@code kept} (empty slabs kept), {@code debug} ({@code off} or {@code all}),
 * {@code bug} (a {@link Bug} name, default NONE). With {@code debug=all} the DEBUG invariants
 * are checked too. Actions in a state: {@code alloc(cpu, size)}
 * for every CPU and size, plus the rejected {@code alloc(cpu, 0)} and {@code alloc(badCpu, 8)};
 * {@code free(cpu, a)} of every live allocation on every CPU; the rejected double free of every
 * free slab object, interior free ({@code a + 8}) and size-mismatched free ({@code 16} bytes) of
 * every live allocation; {@code drain(cpu)}; {@code shrink()}. Each rejection is checked to
 * change nothing.
 *
 * <p>With {@code remote=1} (the per-CPU model's liveness configurations) a free by a CPU other than
 * the allocating one is a <em>remote free</em>: the object goes on its owner's remote-free list
 * (state the heap itself does not have: {@link HeapState#remote}) and stays live in the table
 * until the owner drains the list into its own cache, the allocating CPU's work, as Linux's SLAB
 * drains its alien caches back to the home node. Allocations and frees are the workload's (no
 * fairness: a CPU need never allocate); the owner's drain is the CPU's own step, under weak
 * fairness. HEAP-L1 (every remote free is drained back to its owner's cache) is checked when a
 * run asks for liveness; the seeded bug REMOTE_DRAIN_ONLY_ON_ALLOC, where the owner drains only
 * inside its own next allocation, breaks it and no invariant.
 */
public final class HeapModel implements ExhaustiveModel {
    private final String name;

    public HeapModel(String name) {
        this.name = name;
    }

    /** The per-CPU cache model: small objects, two CPUs. */
    public static HeapModel perCpu() {
        return new HeapModel("heap-percpu");
    }

    /** The LinkedListAllocator model: large objects, first fit and coalescing. */
    public static HeapModel large() {
        return new HeapModel("heap-large");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String component() {
        return "heap";
    }

    @Override
    public TransitionSystem<HeapState> build(Bounds b) {
        int cpus = b.getInt("cpus", 2);
        int frames = b.getInt("frames", 3);
        HeapDebugOptions debug = b.get("debug", "off").equals("all") ? HeapDebugOptions.ALL : HeapDebugOptions.OFF;
        HeapConfig config = new HeapConfig(cpus, b.getInt("cap", 2), b.getInt("batch", 1), b.getInt("kept", 1), debug);
        Bug bug = Bug.valueOf(b.get("bug", "NONE"));
        List<Long> sizes = new ArrayList<>();
        for (String s : b.get("sizes", "2040").split("/")) {
            sizes.add(Long.parseLong(s.trim()));
        }
        InvariantSet<SlabAllocator> checked = HeapInvariants.ALL;
        if (debug.touchesMemory()) {
            List<Invariant<SlabAllocator>> all = new ArrayList<>(HeapInvariants.ALL.invariants());
            all.addAll(org.mmspec.debug.DebugInvariants.ALL.invariants());
            checked = InvariantSet.of("heap+debug", all, SlabAllocator::stateKey);
        }
        boolean remote = b.getInt("remote", 0) == 1;
        return ActionSystem.of(name + " " + b, () -> List.of(HeapState.fresh(frames, config, bug)), HeapState::copy,
                remote ? HeapModel::remoteKey : HeapState::key, st -> actions(st, sizes, remote, bug), lift(checked))
                .withLiveness(liveness(cpus))
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> HeapState.fresh(frames, config, bug), HeapState::copy,
                        HeapState::writeState, HeapState::readState));
    }

    /**
     * With remote frees the allocating CPU of each live allocation decides where a free goes, so
     * it is part of the state; the heap's own key leaves it out (without remote frees it changes
     * nothing that follows).
     */
    private static String remoteKey(HeapState st) {
        return st.key() + " | owners " + st.heap.liveAllocations().stream().map(Allocation::cpu).toList();
    }

    /**
     * HEAP-L1 (spec/heap.md, "Liveness"), one member per CPU: a non-empty remote-free list leads
     * to an empty one. Without {@code remote=1} no list is ever filled and it holds vacuously.
     */
    static List<Liveness<HeapState>> liveness(int cpus) {
        List<Liveness<HeapState>> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            int cpu = c;
            out.add(Liveness.leadsTo("HEAP-L1", "every remote free is drained back to its owner's cache", "cpu" + c,
                    st -> !st.remote.get(cpu).isEmpty(), st -> st.remote.get(cpu).isEmpty()));
        }
        return out;
    }

    /** CPU {@code c} frees every allocation on its remote-free list into its own cache, oldest first. */
    private static void drainRemote(HeapState s, int c) {
        for (Allocation a : s.remote.get(c)) {
            s.heap.free(c, a.addr(), a.requested());
        }
        s.remote.get(c).clear();
    }

    /** Heap invariants stated over the model state. */
    static InvariantSet<HeapState> lift(InvariantSet<SlabAllocator> set) {
        List<Invariant<HeapState>> out = new ArrayList<>();
        for (Invariant<SlabAllocator> inv : set.invariants()) {
            out.add(Invariant.of(inv.id(), inv.statement(), st -> inv.evaluate(st.heap).map(v -> v.detail())));
        }
        return InvariantSet.of(set.component(), out, HeapState::key);
    }

    private static List<ActionSystem.Action<HeapState>> actions(HeapState st, List<Long> sizes, boolean remote, Bug bug) {
        List<ActionSystem.Action<HeapState>> out = new ArrayList<>();
        int cpus = st.heap.config.cpus();
        for (int cpu = 0; cpu < cpus; cpu++) {
            int c = cpu;
            boolean drainFirst = remote && bug == Bug.REMOTE_DRAIN_ONLY_ON_ALLOC && !st.remote.get(c).isEmpty();
            for (long size : sizes) {
                if (drainFirst) {
                    out.add(new ActionSystem.Action<>("alloc(cpu" + c + ", " + size + ") after draining its remote frees", s -> {
                        drainRemote(s, c);
                        s.heap.allocate(c, size, CallSite.of("model", c));
                    }));
                } else {
                    out.add(new ActionSystem.Action<>("alloc(cpu" + c + ", " + size + ")",
                            s -> s.heap.allocate(c, size, CallSite.of("model", c))));
                }
            }
            if (remote && bug != Bug.REMOTE_DRAIN_ONLY_ON_ALLOC && !st.remote.get(c).isEmpty()) {
                out.add(new ActionSystem.Action<>("cpu" + c + " drains its remote frees " + st.remote.get(c).stream()
                        .map(Allocation::addr).toList() + " into its cache", s -> drainRemote(s, c), c));
            }
            out.add(new ActionSystem.Action<>("alloc(cpu" + c + ", 0)", s -> s.heap.allocate(c, 0)));
        }
        out.add(new ActionSystem.Action<>("alloc(cpu" + cpus + ", 8)", s -> s.heap.allocate(cpus, 8)));
        for (Allocation a : st.heap.liveAllocations()) {
            if (remote && st.remotelyFreed(a)) {
                continue; // freed already: its owner has yet to drain it
            }
            for (int cpu = 0; cpu < cpus; cpu++) {
                int c = cpu;
                if (remote && c != a.cpu()) {
                    out.add(new ActionSystem.Action<>("free(cpu" + c + ", " + a.addr() + "): remote, onto cpu" + a.cpu()
                            + "'s remote-free list", s -> s.remote.get(a.cpu()).add(a)));
                } else {
                    out.add(new ActionSystem.Action<>("free(cpu" + c + ", " + a.addr() + ")", s -> s.heap.free(c, a.addr(), a.requested())));
                }
            }
            out.add(new ActionSystem.Action<>("free(" + a.addr() + "+8)", s -> s.heap.free(0, a.addr().plus(8), a.requested())));
            out.add(new ActionSystem.Action<>("free(" + a.addr() + ", 16 bytes)", s -> s.heap.free(0, a.addr(), 16)));
        }
        for (long obj : st.heap.freeSlabObjects()) {
            out.add(new ActionSystem.Action<>("double free(" + HeapAddr.ofOffset(obj) + ")",
                    s -> s.heap.free(0, HeapAddr.ofOffset(obj), sizes.get(0))));
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            int c = cpu;
            out.add(new ActionSystem.Action<>("drain(cpu" + c + ")", s -> s.heap.drain(c)));
        }
        out.add(new ActionSystem.Action<>("shrink()", s -> s.heap.shrink()));
        return out;
    }
}
