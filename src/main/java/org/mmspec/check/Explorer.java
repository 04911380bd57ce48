package org.mmspec.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.mmspec.check.store.Fingerprint;
import org.mmspec.check.store.StateStore;

/**
 * Breadth-first search over every reachable state of a {@link TransitionSystem} within
 * {@link ExploreBounds}, checking every invariant in every state, on every core.
 *
 * <p>Encoding: each distinct state gets an id in discovery order. Visited states live in a
 * {@link StateStore} (exact keys, or 64-bit fingerprints: {@link ExplorerSettings}); per id the
 * search keeps only the parent's id and the index of the transition, among the parent's
 * successors, that first reached it (8 bytes). States themselves are kept only while they wait in
 * the frontier. A counterexample is rebuilt by replaying those indices from the initial state.
 *
 * <p>Level-synchronous and deterministic: a level's frontier is cut into chunks, and each chunk
 * goes through three phases separated by barriers: (A) in parallel, every frontier state's
 * successors are generated, keyed and fingerprinted, and those already stored are dropped;
 * (B) sequentially, in frontier order and successor order, the survivors are added to the store
 * and given ids; (C) in parallel, the new states' invariants are checked. Phase B visits states in
 * exactly the order of the one-thread search ({@link ReferenceExplorer}), so the ids, the parents,
 * and therefore the counts and the counterexample are the same for any number of threads. Where
 * the one-thread search would have stopped (a violation, a failed transition, the state cap), the
 * counts are recomputed as of that point: the states up to and including the violating one, and the
 * transitions the one-thread search had taken by then. Because the search is breadth-first and a
 * state is checked when it is first discovered, the first violation has a shortest trace.
 *
 * <p>The model's {@code successors}, {@code key} and invariants run on several threads at once (on
 * different states) and must not share mutable scratch state; {@code ExplorerEquivalenceTest}
 * runs every catalogue model both ways.
 */
public final class Explorer {
    static final int NO_PARENT = -1;
    /** What a deadlock counterexample says broke (the Spark engine reports the same). */
    public static final String DEADLOCK_MESSAGE = "DEADLOCK: no transition is enabled and the model does not mark this state final";
    /** Frontier states per chunk: bounds the successors held between phases A and B. */
    static final int CHUNK = 4096;
    /** Indices a worker takes at a time. */
    private static final int BLOCK = 8;

    private Explorer() {
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds) {
        return explore(system, bounds, Progress.NONE);
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress) {
        return explore(system, bounds, progress, ExplorerSettings.fromProperties());
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress,
            ExplorerSettings settings) {
        return explore(system, bounds, progress, settings, CheckOptions.DEFAULT);
    }

    /** Explores with the checks {@code options} names beside the invariants (deadlock, liveness). */
    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress,
            ExplorerSettings settings, CheckOptions options) {
        return explore(system, bounds, progress, settings, options, true);
    }

    /**
     * {@link #explore}, with the cycle proviso C3 switchable for the checking core's own tests: a
     * reduction without it may defer a step for ever around a cycle (the ignoring problem) and
     * miss a violation. Nothing outside those tests turns it off.
     */
    static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress,
            ExplorerSettings settings, CheckOptions options, boolean proviso) {
        try (Workers workers = new Workers(settings.threads())) {
            Search<S> search = new Search<>(system, bounds, progress, workers,
                    StateStore.create(settings.store(), settings.switchAt()), settings.spillAt(), options);
            search.proviso = proviso;
            return search.run();
        }
    }

    /** Whether a run with {@code options} reduces {@code system}: POR asked for, declared, and no liveness. */
    public static boolean reduces(TransitionSystem<?> system, CheckOptions options) {
        return options.por() && system.partialOrder() != null && !(options.liveness() && !system.liveness().isEmpty());
    }

    /**
     * The successors of one frontier state that were not stored when its level began, with their
     * keys, fingerprints and indices among all its successors; and how its expansion ended.
     */
    static final class Expansion {
        private static final int FIRST = 4;
        Object[] states = new Object[FIRST];
        Object[] keys = new Object[FIRST];
        long[] fps = new long[FIRST];
        int[] ordinals = new int[FIRST];
        int n;
        /** Successors reported, including those already stored. */
        int emitted;
        /** The index of the successor whose key threw, and what it threw; later keys are not computed. */
        int keyFailedAt = -1;
        Throwable keyFailure;
        /** What {@code successors} itself threw, after {@link #emitted} successors. */
        Throwable failure;
        /** No successor, and the model does not call the state final. */
        boolean deadlock;
        /** With a {@link StateGraph}: every successor's key and process, known ones included, in order. */
        Object[] edgeKeys;
        int[] edgeProcesses;
        int edges;

        void edge(Object key, int process) {
            if (edges == edgeKeys.length) {
                edgeKeys = Arrays.copyOf(edgeKeys, edges * 2);
                edgeProcesses = Arrays.copyOf(edgeProcesses, edges * 2);
            }
            edgeKeys[edges] = key;
            edgeProcesses[edges] = process;
            edges++;
        }

        void add(Object state, Object key, long fp, int ordinal) {
            if (n == states.length) {
                int cap = n * 2;
                states = Arrays.copyOf(states, cap);
                keys = Arrays.copyOf(keys, cap);
                fps = Arrays.copyOf(fps, cap);
                ordinals = Arrays.copyOf(ordinals, cap);
            }
            states[n] = state;
            keys[n] = key;
            fps[n] = fp;
            ordinals[n] = ordinal;
            n++;
        }
    }

    /** {@link Search#ample}'s answer when the state is fully expanded. */
    static final int NO_AMPLE = Integer.MIN_VALUE;

    /** Every successor of a state being expanded under POR, until the ample set is chosen. */
    static final class Pending {
        final List<Object> states = new ArrayList<>();
        final List<Object> keys = new ArrayList<>();
        final Ints ordinals = new Ints();
        final Ints processes = new Ints();
        long[] fps = new long[8];
        boolean[] known = new boolean[8];
        int n;

        void add(Object state, Object key, long fp, int ordinal, int process, boolean isKnown) {
            if (n == fps.length) {
                fps = Arrays.copyOf(fps, n * 2);
                known = Arrays.copyOf(known, n * 2);
            }
            states.add(state);
            keys.add(key);
            fps[n] = fp;
            known[n] = isKnown;
            ordinals.add(ordinal);
            processes.add(process);
            n++;
        }

        int count(int process) {
            int c = 0;
            for (int i = 0; i < n; i++) {
                c += processes.get(i) == process ? 1 : 0;
            }
            return c;
        }

        boolean anyKnown(int process) {
            for (int i = 0; i < n; i++) {
                if (processes.get(i) == process && known[i]) {
                    return true;
                }
            }
            return false;
        }

        /** Hands the new successors to {@code e}: all of them, or only {@code process}'s. */
        void flush(Expansion e, int process) {
            for (int i = 0; i < n; i++) {
                if (!known[i] && (process == NO_AMPLE || processes.get(i) == process)) {
                    e.add(states.get(i), keys.get(i), fps[i], ordinals.get(i));
                }
            }
        }
    }

    /** A growable int array. */
    static final class Ints {
        int[] a = new int[16];
        int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }
    }

    private static final class Search<S> {
        private final TransitionSystem<S> system;
        private final ExploreBounds bounds;
        private final Progress progress;
        private final Workers workers;
        private final StateStore store;
        /** Per id: the parent's id, and the index of the transition from it (for an initial state, its index). */
        private int[] parent = new int[1024];
        private int[] choice = new int[1024];
        private int count;
        private long transitions;
        private int depth;
        private long start;
        private long peakFrontier;
        /** The most states of one level that were on disk at once. */
        private long spilled;
        private final long spillAt;
        private final CheckOptions options;
        private final List<Frontier<S>> levels = new ArrayList<>(2);
        /** The liveness properties checked, and the graph they are checked on; null without liveness. */
        private final List<Liveness<S>> properties;
        private final StateGraph graph;
        /** State ids by exact key, for the graph's edges to known states; null without liveness. */
        private final Map<Object, Integer> idOf;
        /** The model's partial order when this search reduces, else null. */
        private final PartialOrder<S> order;
        /** C3; only the checking core's tests turn it off. */
        boolean proviso = true;

        Search(TransitionSystem<S> system, ExploreBounds bounds, Progress progress, Workers workers, StateStore store,
                long spillAt, CheckOptions options) {
            this.spillAt = spillAt;
            this.options = options;
            List<Liveness<S>> props = options.liveness() ? system.liveness() : List.of();
            if (!props.isEmpty() && system.reducesSymmetry()) {
                throw new IllegalArgumentException(system.name() + ": liveness needs the symmetry reduction off (a cycle"
                        + " of symmetric states may hand one CPU's role to another); set symmetry=off");
            }
            if (props.size() > StateGraph.MAX_PROPERTIES) {
                throw new IllegalArgumentException(system.name() + ": at most " + StateGraph.MAX_PROPERTIES
                        + " liveness properties, not " + props.size());
            }
            this.properties = props;
            this.graph = props.isEmpty() ? null : new StateGraph();
            this.idOf = props.isEmpty() ? null : new HashMap<>();
            this.system = system;
            this.bounds = bounds;
            this.progress = progress;
            this.workers = workers;
            this.store = store;
            this.order = reduces(system, options) ? system.partialOrder() : null;
        }

        ExplorationResult run() {
            start = System.nanoTime();
            Frontier<S> frontier = newLevel();
            try {
                return search(frontier);
            } finally {
                for (Frontier<S> f : levels) {
                    f.close();
                }
            }
        }

        /** A new frontier level, closed (its file deleted) when the search ends. */
        private Frontier<S> newLevel() {
            Frontier<S> f = new Frontier<>(system.codec(), spillAt);
            levels.add(f);
            return f;
        }

        private ExplorationResult search(Frontier<S> frontier) {
            Ints ids = new Ints();
            List<S> inits = system.initialStates();
            for (int i = 0; i < inits.size(); i++) {
                S init = inits.get(i);
                Object k = system.key(init);
                if (!store.add(k, 0)) {
                    continue;
                }
                int id = record(NO_PARENT, i);
                if (graph != null) {
                    idOf.put(k, id);
                    graph.state(id, marks(init));
                }
                Optional<Violation> v = system.invariants().firstViolation(init);
                if (v.isPresent()) {
                    return result(false, count, Optional.of(violation(id, v.get())));
                }
                frontier.add(init);
                ids.add(id);
            }
            boolean cut = false;
            while (!frontier.isEmpty()) {
                if (depth >= bounds.maxDepth()) {
                    cut = true;
                    break;
                }
                depth++;
                Frontier<S> next = newLevel();
                Ints nextIds = new Ints();
                long size = frontier.size();
                for (int from = 0; from < size; from += CHUNK) {
                    List<S> part = frontier.take(CHUNK);
                    ExplorationResult stop = chunk(part, ids, from, size, next, nextIds);
                    if (stop != null) {
                        return stop;
                    }
                    next.spillIfNeeded();
                    spilled = Math.max(spilled, next.spilled());
                }
                frontier.close();
                levels.remove(frontier);
                frontier = next;
                ids = nextIds;
                if (frontier.isEmpty()) {
                    depth--; // the last level produced nothing new; report the deepest level with states
                }
            }
            if (graph != null && cut) {
                // a liveness verdict on part of the graph would be a guess either way
                throw new IllegalArgumentException(system.name() + ": liveness needs the whole graph, but the depth bound "
                        + bounds.maxDepth() + " cut the search; explore to full depth");
            }
            if (graph != null) {
                for (int p = 0; p < properties.size(); p++) {
                    Optional<LivenessCheck.Lasso> lasso = LivenessCheck.find(graph, p);
                    if (lasso.isPresent()) {
                        return result(true, count, Optional.of(lasso(properties.get(p), lasso.get())));
                    }
                }
            }
            return result(!cut, count, Optional.empty());
        }

        /** For each liveness property {@code i}: bit {@code 2i} when its P holds in {@code state}, {@code 2i + 1} for Q. */
        private long marks(S state) {
            long m = 0;
            for (int i = 0; i < properties.size(); i++) {
                Liveness<S> l = properties.get(i);
                m |= (l.p().test(state) ? 1L : 0L) << (2 * i);
                m |= (l.q().test(state) ? 1L : 0L) << (2 * i + 1);
            }
            return m;
        }

        /**
         * Phases A, B and C for {@code part}, the level's states from index {@code from} on (of
         * {@code levelSize}); a result when the search stops here.
         */
        private ExplorationResult chunk(List<S> part, Ints ids, int from, long levelSize, Frontier<S> next,
                Ints nextIds) {
            int n = part.size();
            int to = from + n;
            Expansion[] ex = new Expansion[n];
            workers.forEach(n, BLOCK, i -> ex[i] = expand(part.get(i)));
            for (int i = 0; i < n; i++) {
                part.set(i, null); // the trace replays from the initial state; the state is done
            }
            int firstId = count;
            List<S> fresh = new ArrayList<>();
            int[] end = new int[n];
            int last = n - 1;
            for (int i = 0; i < n; i++) {
                Expansion e = ex[i];
                int pid = ids.get(from + i);
                for (int j = 0; j < e.n; j++) {
                    if (store.add(e.keys[j], e.fps[j])) {
                        int id = record(pid, e.ordinals[j]);
                        nextIds.add(id);
                        if (idOf != null) {
                            idOf.put(e.keys[j], id);
                        }
                        @SuppressWarnings("unchecked")
                        S s = (S) e.states[j];
                        next.add(s);
                        fresh.add(s);
                    }
                }
                if (graph != null && e.failure == null && e.keyFailure == null) {
                    graph.beginRow(pid);
                    for (int j = 0; j < e.edges; j++) {
                        Integer target = idOf.get(e.edgeKeys[j]);
                        if (target == null) {
                            throw new IllegalStateException(system.name() + ": a successor's fingerprint matched another"
                                    + " state's; check liveness with the exact store (--store=exact)");
                        }
                        graph.edge(target, e.edgeProcesses[j]);
                    }
                }
                ex[i] = e.failure != null || e.keyFailure != null ? e : trim(e);
                end[i] = count;
                if (e.failure != null || e.keyFailure != null || e.deadlock || count >= bounds.maxStates()) {
                    last = i;
                    break;
                }
            }
            Object[] outcome = new Object[count - firstId];
            long[] marks = graph == null ? null : new long[outcome.length];
            workers.forEach(outcome.length, BLOCK, j -> {
                outcome[j] = check(fresh.get(j));
                if (marks != null) {
                    marks[j] = marks(fresh.get(j));
                }
            });
            for (int j = 0; marks != null && j < marks.length; j++) {
                graph.state(firstId + j, marks[j]);
            }
            for (int i = 0; i <= last; i++) {
                Expansion e = ex[i];
                int pid = ids.get(from + i);
                int bad = -1;
                for (int s = i == 0 ? firstId : end[i - 1]; s < end[i]; s++) {
                    if (outcome[s - firstId] != null) {
                        bad = s;
                        break;
                    }
                }
                if (bad < 0 && e.keyFailure != null) {
                    transitions += e.keyFailedAt + 1;
                    return failed(pid, e.keyFailure, end[i]);
                }
                if (bad >= 0) {
                    Object o = outcome[bad - firstId];
                    if (o instanceof Throwable t) {
                        // the one-thread search checks each new state as it is reported and stops there
                        transitions += choice[bad] + 1;
                        return failed(pid, t, bad + 1);
                    }
                    transitions += e.emitted;
                    if (e.failure != null) {
                        return failed(pid, e.failure, bad + 1);
                    }
                    return result(false, bad + 1, Optional.of(violation(bad, (Violation) o)));
                }
                transitions += e.emitted;
                if (e.failure != null) {
                    return failed(pid, e.failure, end[i]);
                }
                if (e.deadlock) {
                    return result(false, end[i], Optional.of(deadlock(pid)));
                }
                if (end[i] >= bounds.maxStates()) {
                    return result(false, end[i], Optional.empty());
                }
            }
            long waiting = levelSize - to + next.size();
            peakFrontier = Math.max(peakFrontier, waiting);
            progress.report(system.name(), count, transitions, depth, waiting, elapsed());
            return null;
        }

        /** Keeps only the counts of an expansion once its states have been stored. */
        private static Expansion trim(Expansion e) {
            e.edgeKeys = null;
            e.edgeProcesses = null;
            e.states = null;
            e.keys = null;
            e.fps = null;
            e.ordinals = null;
            return e;
        }

        /** Phase A for one state; runs on any worker, reads the store only. */
        private Expansion expand(S state) {
            Expansion e = new Expansion();
            if (graph != null) {
                e.edgeKeys = new Object[Expansion.FIRST];
                e.edgeProcesses = new int[Expansion.FIRST];
            }
            boolean prints = store.needsFingerprints();
            boolean[] deferrable = deferrable(state);
            Pending pending = deferrable == null ? null : new Pending();
            try {
                system.successors(state, new TransitionSystem.Successors<S>() {
                    @Override
                    public void add(Supplier<String> lbl, S next) {
                        add(StateGraph.NO_PROCESS, lbl, next);
                    }

                    @Override
                    public void add(int process, Supplier<String> lbl, S next) {
                        int ordinal = e.emitted++;
                        if (e.keyFailure != null) {
                            return;
                        }
                        Object k;
                        try {
                            k = system.key(next);
                        } catch (RuntimeException | AssertionError t) {
                            e.keyFailure = t;
                            e.keyFailedAt = ordinal;
                            return;
                        }
                        // outside the try: a key that cannot be fingerprinted is the explorer's error, not a counterexample
                        long fp = prints ? Fingerprint.of(k) : 0;
                        boolean known = store.contains(k, fp);
                        if (pending != null) {
                            pending.add(next, k, fp, ordinal, process, known);
                        } else if (!known) {
                            e.add(next, k, fp, ordinal);
                        }
                        if (e.edgeKeys != null) {
                            e.edge(k, process);
                        }
                    }
                });
                e.deadlock = e.emitted == 0 && options.deadlock() && !system.isFinal(state);
                if (pending != null) {
                    int p = e.keyFailure == null ? ample(pending, deferrable) : NO_AMPLE;
                    pending.flush(e, p);
                    if (p != NO_AMPLE) {
                        e.emitted = pending.count(p);
                    }
                }
            } catch (RuntimeException | AssertionError t) {
                if (pending != null) {
                    pending.flush(e, NO_AMPLE);
                }
                e.failure = t;
            }
            return e;
        }

        /**
         * The process whose enabled steps are the ample set of {@code state}, or {@link #NO_AMPLE}
         * to expand it fully: the lowest-numbered process that has an enabled step but not all of
         * them (C0), whose next steps are independent of everything the others may do and invisible
         * (C1, C2: {@link PartialOrder#deferrable}), and whose steps all lead to states not stored
         * when this chunk began (C3). Those states get ids above every stored one, {@code state}'s
         * included, so along any cycle of the reduced graph the ids cannot only grow: some state on
         * it was fully expanded. The decision reads only the store as of the chunk's start, which
         * does not depend on the number of threads, so neither do the reduced counts.
         */
        private int ample(Pending pending, boolean[] deferrable) {
            for (int p = 0; p < deferrable.length; p++) {
                if (!deferrable[p]) {
                    continue;
                }
                int steps = pending.count(p);
                if (steps == 0 || steps == pending.n) {
                    continue;
                }
                if (proviso && pending.anyKnown(p)) {
                    continue;
                }
                return p;
            }
            return NO_AMPLE;
        }

        /**
         * C1 and C2 per process in {@code state}, or null when no process may be deferred (or the
         * search does not reduce): the state is then expanded exactly as without POR, at no cost.
         */
        private boolean[] deferrable(S state) {
            if (order == null) {
                return null;
            }
            boolean[] d = null;
            for (int p = 0; p < order.processes(); p++) {
                if (order.deferrable(state, p)) {
                    if (d == null) {
                        d = new boolean[order.processes()];
                    }
                    d[p] = true;
                }
            }
            return d;
        }

        /** Phase C for one new state: null, its first {@link Violation}, or what the check threw. */
        private Object check(S state) {
            try {
                return system.invariants().firstViolation(state).orElse(null);
            } catch (RuntimeException | AssertionError t) {
                return t;
            }
        }

        private int record(int parentId, int transition) {
            int id = count;
            if (id == parent.length) {
                parent = Arrays.copyOf(parent, id * 2);
                choice = Arrays.copyOf(choice, id * 2);
            }
            parent[id] = parentId;
            choice[id] = transition;
            count++;
            return id;
        }

        private Counterexample violation(int id, Violation v) {
            return new Counterexample(trace(id), v.message(), v.invariantId());
        }

        private Counterexample deadlock(int id) {
            return new Counterexample(trace(id), DEADLOCK_MESSAGE, CheckOptions.DEADLOCK);
        }

        private ExplorationResult failed(int id, Throwable e, int states) {
            String kind = e instanceof FailureNotAtomic ? "ATOMIC-1" : e.getClass().getSimpleName();
            Counterexample c = new Counterexample(trace(id), "a transition failed: " + e.getMessage(), kind);
            return result(false, states, Optional.of(c));
        }

        /** Rebuilds the path to {@code id} by replaying recorded transition indices from its initial state. */
        private List<Counterexample.TraceStep> trace(int id) {
            return replayTo(id).steps;
        }

        /** A replayed path: its steps, and the state it ends in. */
        private final class Replay {
            final List<Counterexample.TraceStep> steps = new ArrayList<>();
            S current;

            /** Takes the successor with index {@code want} of the current state. */
            void take(int want) {
                TransitionSystem.Transition<S> t = system.successor(current, want);
                S next = t.next();
                Object k = system.key(next);
                if (!store.contains(k, 0)) {
                    throw new IllegalStateException(system.name() + ": successors are not deterministic at " + t.label());
                }
                current = next;
                steps.add(new Counterexample.TraceStep(t.label(), system.invariants().describe(current)));
            }
        }

        private Replay replayTo(int id) {
            List<Integer> path = new ArrayList<>();
            for (int i = id; i != NO_PARENT; i = parent[i]) {
                path.add(0, i);
            }
            List<S> inits = system.initialStates();
            Replay r = new Replay();
            r.current = inits.get(choice[path.get(0)]);
            if (!store.contains(system.key(r.current), 0)) {
                // a trace from a state the search never saw would be a wrong counterexample
                throw new IllegalStateException(system.name() + ": initial states are not reproducible");
            }
            r.steps.add(new Counterexample.TraceStep("init", system.invariants().describe(r.current)));
            for (int p = 1; p < path.size(); p++) {
                r.take(choice[path.get(p)]);
            }
            return r;
        }

        /** The lasso as a counterexample: the shortest trace to its first state, then its edges. */
        private Counterexample lasso(Liveness<S> property, LivenessCheck.Lasso lasso) {
            Replay r = replayTo(lasso.source());
            int sourceStep = r.steps.size() - 1;
            for (int i = 0; i < lasso.from().length; i++) {
                r.take(lasso.ordinal()[i]);
            }
            int cycleStart = sourceStep + lasso.cycleStart();
            int last = r.steps.size() - 1;
            String detail = "P holds in step " + sourceStep + " and Q never holds again on a weakly fair run: "
                    + (cycleStart == last ? "the run stops in step " + last + ", where no step is enabled"
                            : "steps " + (cycleStart + 1) + "-" + last + " return to step " + cycleStart
                                    + "'s state and repeat for ever, every CPU able to step taking one or being disabled on the way");
            return new Counterexample(r.steps, property.message(detail), property.id(), cycleStart);
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - start);
        }

        private ExplorationResult result(boolean complete, long states, Optional<Counterexample> cex) {
            SearchStats stats = new SearchStats(store.kind(), workers.threads(), store.bytes(),
                    (long) parent.length * Integer.BYTES * 2, peakFrontier, store.collisions(transitions + 1), spilled);
            return new ExplorationResult(system.name(), states, transitions, depth, complete, elapsed(), cex, stats);
        }
    }
}
