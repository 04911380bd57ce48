package org.mmspec.check;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The original sequential breadth-first search, kept as the simple model that {@link Explorer} is
 * compared with ({@code ExplorerEquivalenceTest}): the same states, transitions, depth, verdict and
 * counterexample length on every model. Breadth-first search over every reachable state of a {@link TransitionSystem} within
 * {@link ExploreBounds}, checking every invariant in every state.
 *
 * <p>Encoding: each distinct state gets an index in discovery order. The search keeps, per index,
 * the canonical key, the parent's index and the label of the transition that first reached it;
 * states themselves are kept only while they wait in the frontier. Because the search is
 * breadth-first and checks a state when it is first discovered, the first violation found has a
 * shortest trace. The trace is rebuilt by replaying the recorded labels from the initial state
 * and matching keys, so no state needs to be stored for it.
 */
final class ReferenceExplorer {
    private static final int NO_PARENT = -1;

    private ReferenceExplorer() {
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds) {
        return explore(system, bounds, Progress.NONE);
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress) {
        return explore(system, bounds, progress, CheckOptions.DEFAULT);
    }

    public static <S> ExplorationResult explore(TransitionSystem<S> system, ExploreBounds bounds, Progress progress,
            CheckOptions options) {
        return new Search<>(system, bounds, progress, options).run();
    }

    private static final class Search<S> {
        private final TransitionSystem<S> system;
        private final ExploreBounds bounds;
        private final Progress progress;
        private final Map<Object, Integer> index = new HashMap<>();
        private final List<Object> keys = new ArrayList<>();
        private int[] parent = new int[1024];
        private String[] label = new String[1024];
        private long transitions;
        private int depth;
        private long start;
        private final CheckOptions options;
        /** Successors the last expansion reported, known ones included. */
        private int emitted;

        Search(TransitionSystem<S> system, ExploreBounds bounds, Progress progress, CheckOptions options) {
            this.options = options;
            this.system = system;
            this.bounds = bounds;
            this.progress = progress;
        }

        ExplorationResult run() {
            start = System.nanoTime();
            ArrayDeque<S> frontier = new ArrayDeque<>();
            ArrayDeque<Integer> frontierIds = new ArrayDeque<>();
            for (S init : system.initialStates()) {
                Integer known = index.get(system.key(init));
                if (known != null) {
                    continue;
                }
                int id = add(init, NO_PARENT, "init");
                Optional<Counterexample> bad = check(init, id);
                if (bad.isPresent()) {
                    return result(false, bad);
                }
                frontier.add(init);
                frontierIds.add(id);
            }
            boolean cut = false;
            while (!frontier.isEmpty()) {
                if (depth >= bounds.maxDepth()) {
                    cut = true;
                    break;
                }
                int levelSize = frontier.size();
                depth++;
                for (int n = 0; n < levelSize; n++) {
                    S state = frontier.poll();
                    int id = frontierIds.poll();
                    List<S> fresh = new ArrayList<>();
                    List<Integer> freshIds = new ArrayList<>();
                    Optional<Counterexample> bad;
                    try {
                        bad = expand(state, id, fresh, freshIds);
                    } catch (RuntimeException | AssertionError e) {
                        return result(false, Optional.of(transitionFailure(id, e)));
                    }
                    if (bad.isPresent()) {
                        return result(false, bad);
                    }
                    if (emitted == 0 && options.deadlock() && !system.isFinal(state)) {
                        return result(false, Optional.of(new Counterexample(trace(id), Explorer.DEADLOCK_MESSAGE,
                                CheckOptions.DEADLOCK)));
                    }
                    frontier.addAll(fresh);
                    frontierIds.addAll(freshIds);
                    if (keys.size() >= bounds.maxStates()) {
                        return result(false, Optional.empty());
                    }
                    progress.report(system.name(), keys.size(), transitions, depth, frontier.size(), elapsed());
                }
                if (frontier.isEmpty()) {
                    depth--; // the last level produced nothing new; report the deepest level with states
                }
            }
            return result(!cut, Optional.empty());
        }

        private Optional<Counterexample> expand(S state, int id, List<S> fresh, List<Integer> freshIds) {
            List<Counterexample> bad = new ArrayList<>(1);
            emitted = 0;
            system.successors(state, (lbl, next) -> {
                transitions++;
                emitted++;
                if (!bad.isEmpty()) {
                    return;
                }
                Object k = system.key(next);
                if (index.containsKey(k)) {
                    return;
                }
                int nid = add(next, id, lbl.get());
                check(next, nid).ifPresent(bad::add);
                fresh.add(next);
                freshIds.add(nid);
            });
            return bad.stream().findFirst();
        }

        private int add(S state, int parentId, String lbl) {
            int id = keys.size();
            Object k = system.key(state);
            keys.add(k);
            index.put(k, id);
            if (id == parent.length) {
                parent = Arrays.copyOf(parent, id * 2);
                label = Arrays.copyOf(label, id * 2);
            }
            parent[id] = parentId;
            label[id] = lbl;
            return id;
        }

        private Optional<Counterexample> check(S state, int id) {
            Optional<Violation> v = system.invariants().firstViolation(state);
            return v.map(viol -> new Counterexample(trace(id), viol.message(), viol.invariantId()));
        }

        private Counterexample transitionFailure(int id, Throwable e) {
            String kind = e instanceof FailureNotAtomic ? "ATOMIC-1" : e.getClass().getSimpleName();
            return new Counterexample(trace(id), "a transition failed: " + e.getMessage(), kind);
        }

        /** Rebuilds the path to {@code id} by replaying recorded labels from its initial state. */
        private List<Counterexample.TraceStep> trace(int id) {
            List<Integer> path = new ArrayList<>();
            for (int i = id; i != NO_PARENT; i = parent[i]) {
                path.add(0, i);
            }
            List<Counterexample.TraceStep> out = new ArrayList<>();
            S current = null;
            for (S init : system.initialStates()) {
                if (system.key(init).equals(keys.get(path.get(0)))) {
                    current = init;
                    break;
                }
            }
            if (current == null) {
                throw new IllegalStateException(system.name() + ": initial states are not reproducible");
            }
            out.add(new Counterexample.TraceStep("init", system.invariants().describe(current)));
            for (int p = 1; p < path.size(); p++) {
                int want = path.get(p);
                List<S> match = new ArrayList<>(1);
                system.successors(current, (lbl, next) -> {
                    if (match.isEmpty() && lbl.get().equals(label[want]) && system.key(next).equals(keys.get(want))) {
                        match.add(next);
                    }
                });
                if (match.isEmpty()) {
                    throw new IllegalStateException(system.name() + ": successors are not deterministic at " + label[want]);
                }
                current = match.get(0);
                out.add(new Counterexample.TraceStep(label[want], system.invariants().describe(current)));
            }
            return out;
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - start);
        }

        private ExplorationResult result(boolean complete, Optional<Counterexample> cex) {
            return new ExplorationResult(system.name(), keys.size(), transitions, depth, complete, elapsed(), cex);
        }
    }
}
