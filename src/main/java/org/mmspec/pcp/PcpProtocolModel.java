package org.mmspec.pcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Liveness;
import org.mmspec.check.TransitionSystem;

/**
 * The per-CPU protocol at the granularity of its steps, on the explorer: one node, several CPUs,
 * a handful of frames, and each CPU's refill, hit, free and drain as separate steps that every other
 * CPU's steps may interleave with. Where {@link PcpModel} explores the real {@link PcpAllocator}
 * one whole operation at a time (sound because the locks make operations atomic), this model
 * drops that assumption for the step the node lock protects: with {@code lock=false} a refill is
 * two steps, reading the node's lowest free frame and then taking it, so another CPU can take the
 * same frame in between. That is the race the node lock exists for, and the explorer finds it.
 *
 * <p>State: the node's free frames (a sorted set), each CPU's cache (a stack, bottom first), the
 * frames each CPU holds, and each CPU's pending refill read (-1 when none). Frames are
 * {@code 0 .. frames-1}. Bounds ({@code models/pcp-protocol/manifest.properties}): {@code cpus},
 * {@code frames}, {@code high}, {@code low}, {@code batch}, {@code lock} (true or false), and
 * {@code bug} (NONE, REFILL_TAKES_TWICE, DRAIN_LOSES_FRAME, WATERMARK_OFF_BY_ONE or
 * PRESSURE_RETRIES_WITHOUT_DRAIN), and {@code requests} (false by default).
 *
 * <p>With {@code requests=true} an allocation is a request and its answer: the environment (no
 * fairness: a workload need not allocate) issues a request for a CPU that has none, and the CPU's
 * own steps, which carry weak fairness, answer it: a hit pops its cache; a refill takes
 * {@code min(batch, high)} frames from the node and pops one in the same step (the CPU lock is held
 * from the refill to the pop, spec/frames-percpu.md §2, so no pressure drain comes between); on an
 * empty cache and node the pressure path (§3) drains the other CPUs' caches into the node under
 * every lock and takes a frame, or answers out of memory when no frame is free anywhere. A CPU with
 * a request pending frees nothing (it is inside {@code allocate}). The state adds each CPU's
 * pending request. PCP-L1 (every request is answered) is checked when a run asks for liveness;
 * the seeded bug PRESSURE_RETRIES_WITHOUT_DRAIN makes the pressure step, when other caches hold
 * frames, a retry that changes nothing, which only PCP-L1 catches.
 *
 * <p>Invariants: PCP-1 (every frame in exactly one place: the node, one cache, or held by one
 * CPU), PCP-2 (no frame twice in the caches, nor both cached and held), PCP-4 (caches within
 * {@code high} between operations: a free that pushes past {@code high} drains in the same step,
 * under the CPU lock).
 */
public final class PcpProtocolModel implements ExhaustiveModel {
    @Override
    public String name() {
        return "pcp-protocol";
    }

    @Override
    public String component() {
        return "pcp";
    }

    /** The protocol's state. */
    static final class State {
        final TreeSet<Integer> node = new TreeSet<>();
        final List<List<Integer>> caches = new ArrayList<>();
        final List<TreeSet<Integer>> held = new ArrayList<>();
        final int[] pendingRead;
        /** Whether each CPU has an allocation request not yet answered ({@code requests=true} only). */
        final boolean[] requested;
        final int frames;

        State(int cpus, int frames) {
            this.frames = frames;
            this.pendingRead = new int[cpus];
            this.requested = new boolean[cpus];
            for (int c = 0; c < cpus; c++) {
                caches.add(new ArrayList<>());
                held.add(new TreeSet<>());
                pendingRead[c] = -1;
            }
        }

        State copy() {
            State s = new State(pendingRead.length, frames);
            s.node.addAll(node);
            for (int c = 0; c < pendingRead.length; c++) {
                s.caches.get(c).addAll(caches.get(c));
                s.held.get(c).addAll(held.get(c));
                s.pendingRead[c] = pendingRead[c];
                s.requested[c] = requested[c];
            }
            return s;
        }

        Object key() {
            List<Object> k = new ArrayList<>();
            k.add(new ArrayList<>(node));
            for (int c = 0; c < pendingRead.length; c++) {
                k.add(List.of(new ArrayList<>(caches.get(c)), new ArrayList<>(held.get(c)), pendingRead[c], requested[c]));
            }
            return k;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("node free ").append(node);
            for (int c = 0; c < pendingRead.length; c++) {
                sb.append(" | cpu").append(c).append(" cache ").append(caches.get(c)).append(" held ").append(held.get(c));
                if (pendingRead[c] >= 0) {
                    sb.append(" read f").append(pendingRead[c]);
                }
                if (requested[c]) {
                    sb.append(" request pending");
                }
            }
            return sb.toString();
        }
    }

    @Override
    public TransitionSystem<State> build(Bounds b) {
        int cpus = b.getInt("cpus", 3);
        int frames = b.getInt("frames", 3);
        int high = b.getInt("high", 2);
        int low = b.getInt("low", 0);
        int batch = b.getInt("batch", 1);
        boolean lock = Boolean.parseBoolean(b.get("lock", "true"));
        Bug bug = Bug.valueOf(b.get("bug", "NONE"));
        int limit = bug == Bug.WATERMARK_OFF_BY_ONE ? high + 1 : high;
        boolean requests = Boolean.parseBoolean(b.get("requests", "false"));
        return ActionSystem.of(name() + " " + b, () -> {
            State s = new State(cpus, frames);
            for (int f = 0; f < frames; f++) {
                s.node.add(f);
            }
            return List.of(s);
        }, State::copy, State::key, st -> requests ? requestActions(st, high, low, batch, lock, bug, limit)
                : actions(st, high, low, batch, lock, bug, limit), invariants(high)).withLiveness(liveness(cpus))
                .withCodec(new PcpProtocolCodec());
    }

    /**
     * PCP-L1 (spec/frames-percpu.md §5.1), one member per CPU: a pending allocation request leads
     * to its answer, a frame or out of memory. Meaningful with {@code requests=true}; without it no
     * request is ever pending and the property holds vacuously.
     */
    static List<Liveness<State>> liveness(int cpus) {
        List<Liveness<State>> out = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            int cpu = c;
            out.add(Liveness.leadsTo("PCP-L1", "every allocation request is answered", "cpu" + c,
                    s -> s.requested[cpu], s -> !s.requested[cpu]));
        }
        return out;
    }

    /**
     * The actions with requests ({@code requests=true}): the environment's requests and frees, and
     * each CPU's answering steps, which are the CPU's process for weak fairness.
     */
    private static List<ActionSystem.Action<State>> requestActions(State st, int high, int low, int batch, boolean lock,
            Bug bug, int limit) {
        List<ActionSystem.Action<State>> out = new ArrayList<>();
        for (int cpu = 0; cpu < st.pendingRead.length; cpu++) {
            int c = cpu;
            if (!st.requested[c]) {
                out.add(new ActionSystem.Action<>("cpu" + c + " allocate: request", s -> s.requested[c] = true));
                frees(st, c, low, bug, limit, out);
                continue;
            }
            if (st.pendingRead[c] >= 0) {
                out.add(new ActionSystem.Action<>("cpu" + c + " refill: take f" + st.pendingRead[c], s -> {
                    int f = s.pendingRead[c];
                    s.node.remove(f);
                    s.caches.get(c).add(f);
                    s.pendingRead[c] = -1;
                }, c));
            } else if (!st.caches.get(c).isEmpty()) {
                out.add(new ActionSystem.Action<>("cpu" + c + " allocate: hit, answered", s -> {
                    pop(s, c);
                    s.requested[c] = false;
                }, c));
            } else if (!st.node.isEmpty()) {
                if (lock) {
                    out.add(new ActionSystem.Action<>("cpu" + c + " allocate: refill (node lock held) and pop, answered", s -> {
                        refill(s, c, high, batch, bug);
                        pop(s, c);
                        s.requested[c] = false;
                    }, c));
                } else {
                    out.add(new ActionSystem.Action<>("cpu" + c + " refill: read the node's first free frame",
                            s -> s.pendingRead[c] = s.node.first(), c));
                }
            } else if (bug == Bug.PRESSURE_RETRIES_WITHOUT_DRAIN && st.caches.stream().anyMatch(k -> !k.isEmpty())) {
                out.add(new ActionSystem.Action<>("cpu" + c + " allocate: node empty, retry the refill (other caches not drained)",
                        s -> { }, c));
            } else {
                out.add(new ActionSystem.Action<>("cpu" + c + " allocate: pressure path (every lock held), answered", s -> {
                    for (List<Integer> cache : s.caches) {
                        s.node.addAll(cache);
                        cache.clear();
                    }
                    if (!s.node.isEmpty()) {
                        s.held.get(c).add(s.node.pollFirst());
                    }
                    s.requested[c] = false;
                }, c));
            }
        }
        return out;
    }

    private static void pop(State s, int c) {
        List<Integer> cache = s.caches.get(c);
        s.held.get(c).add(cache.remove(cache.size() - 1));
    }

    private static void refill(State s, int c, int high, int batch, Bug bug) {
        for (int k = 0; k < Math.min(batch, high) && !s.node.isEmpty(); k++) {
            int f = s.node.pollFirst();
            s.caches.get(c).add(f);
            if (bug == Bug.REFILL_TAKES_TWICE && k == 0) {
                s.caches.get(c).add(f);
            }
        }
    }

    /** CPU {@code c}'s frees of the frames it holds, each pushing on its cache and draining above the watermark. */
    private static void frees(State st, int c, int low, Bug bug, int limit, List<ActionSystem.Action<State>> out) {
        for (int f : st.held.get(c)) {
            out.add(new ActionSystem.Action<>("cpu" + c + " free(f" + f + ")", s -> free(s, c, f, low, bug, limit)));
        }
    }

    private static void free(State s, int c, int f, int low, Bug bug, int limit) {
        s.held.get(c).remove(f);
        List<Integer> cache = s.caches.get(c);
        cache.add(f);
        if (cache.size() > limit) {
            int n = cache.size() - low;
            for (int k = 0; k < n; k++) {
                int g = cache.remove(0);
                if (!(bug == Bug.DRAIN_LOSES_FRAME && k == n - 1)) {
                    s.node.add(g);
                }
            }
        }
    }

    private static List<ActionSystem.Action<State>> actions(State st, int high, int low, int batch, boolean lock, Bug bug,
            int limit) {
        List<ActionSystem.Action<State>> out = new ArrayList<>();
        for (int cpu = 0; cpu < st.pendingRead.length; cpu++) {
            int c = cpu;
            if (st.pendingRead[c] >= 0) {
                // the second half of an unlocked refill: take the frame read earlier, whether or not it is still free
                out.add(new ActionSystem.Action<>("cpu" + c + " refill: take f" + st.pendingRead[c], s -> {
                    int f = s.pendingRead[c];
                    s.node.remove(f);
                    s.caches.get(c).add(f);
                    s.pendingRead[c] = -1;
                }));
                continue; // the CPU is inside its refill
            }
            if (!st.caches.get(c).isEmpty()) {
                out.add(new ActionSystem.Action<>("cpu" + c + " allocate (hit)", s -> {
                    List<Integer> cache = s.caches.get(c);
                    s.held.get(c).add(cache.remove(cache.size() - 1));
                }));
            } else if (!st.node.isEmpty()) {
                if (lock) {
                    out.add(new ActionSystem.Action<>("cpu" + c + " refill (node lock held)", s -> refill(s, c, high, batch, bug)));
                } else {
                    out.add(new ActionSystem.Action<>("cpu" + c + " refill: read the node's first free frame",
                            s -> s.pendingRead[c] = s.node.first()));
                }
            }
            frees(st, c, low, bug, limit, out);
        }
        return out;
    }

    static InvariantSet<State> invariants(int high) {
        return InvariantSet.of("pcp-protocol", List.of(
                Invariant.<State>of("PCP-1", PcpInvariants.PCP_1.statement(), PcpProtocolModel::conservation),
                Invariant.<State>of("PCP-2", PcpInvariants.PCP_2.statement(), PcpProtocolModel::noDuplication),
                Invariant.<State>of("PCP-4", PcpInvariants.PCP_4.statement(), s -> watermarks(s, high))), State::toString);
    }

    /** Every frame in exactly one place: the node, a cache, held, or read by a refill still under way (then also in the node). */
    private static Optional<String> conservation(State s) {
        int[] seen = new int[s.frames];
        for (int f : s.node) {
            seen[f]++;
        }
        for (int c = 0; c < s.pendingRead.length; c++) {
            for (int f : s.caches.get(c)) {
                seen[f]++;
            }
            for (int f : s.held.get(c)) {
                seen[f]++;
            }
        }
        for (int f = 0; f < s.frames; f++) {
            if (seen[f] == 0) {
                return Invariant.broken("f%d is nowhere: lost", f);
            }
            if (seen[f] > 1) {
                return Invariant.broken("f%d is in %d places at once", f, seen[f]);
            }
        }
        return Invariant.holds();
    }

    private static Optional<String> noDuplication(State s) {
        for (int c = 0; c < s.pendingRead.length; c++) {
            List<Integer> cache = s.caches.get(c);
            for (int i = 0; i < cache.size(); i++) {
                int f = cache.get(i);
                for (int d = 0; d < s.pendingRead.length; d++) {
                    if (s.held.get(d).contains(f)) {
                        return Invariant.broken("f%d is cached by cpu%d and held by cpu%d", f, c, d);
                    }
                    List<Integer> other = s.caches.get(d);
                    for (int j = d == c ? i + 1 : 0; j < other.size(); j++) {
                        if (other.get(j) == f) {
                            return Invariant.broken("f%d is cached twice: by cpu%d and cpu%d", f, c, d);
                        }
                    }
                }
            }
            for (int d = c + 1; d < s.pendingRead.length; d++) {
                for (int f : s.held.get(c)) {
                    if (s.held.get(d).contains(f)) {
                        return Invariant.broken("f%d is held by cpu%d and cpu%d", f, c, d);
                    }
                }
            }
        }
        return Invariant.holds();
    }

    private static Optional<String> watermarks(State s, int high) {
        for (int c = 0; c < s.pendingRead.length; c++) {
            if (s.caches.get(c).size() > high) {
                return Invariant.broken("cpu%d caches %d frames; the high watermark is %d", c, s.caches.get(c).size(), high);
            }
        }
        return Invariant.holds();
    }
}
