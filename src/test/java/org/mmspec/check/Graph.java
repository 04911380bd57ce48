package org.mmspec.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written state graph for testing the explorer: states are ints, each edge has a label,
 * and DEMO-7 ("the state is not bad") is broken in the states listed as bad. Small enough that
 * every count the explorer reports can be worked out by hand.
 */
class Graph implements TransitionSystem<Integer> {
    /** One labelled edge, taken by {@code process} (-1: no process, no fairness). */
    record Edge(String label, int to, int process) {
    }

    private final List<Integer> initial;
    private final Map<Integer, List<Edge>> edges = new LinkedHashMap<>();
    private final Set<Integer> bad;
    private final Map<Integer, RuntimeException> failing = new LinkedHashMap<>();
    private final Map<Integer, Error> failingWithError = new LinkedHashMap<>();
    /** States without successors that are not final: deadlocks. Every other sink is an intended end. */
    private final Set<Integer> stuck = new java.util.HashSet<>();
    private final List<Liveness<Integer>> liveness = new ArrayList<>();

    Graph(List<Integer> initial, Set<Integer> bad) {
        this.initial = initial;
        this.bad = bad;
    }

    /** An edge {@code from -> to} labelled {@code "to <to>"}. */
    Graph edge(int from, int to) {
        return edge(from, "to " + to, to);
    }

    Graph edge(int from, String label, int to) {
        edges.computeIfAbsent(from, k -> new ArrayList<>()).add(new Edge(label, to, -1));
        return this;
    }

    /** An edge {@code from -> to} taken by {@code process}, labelled {@code "p<process> to <to>"}. */
    Graph step(int process, int from, int to) {
        edges.computeIfAbsent(from, k -> new ArrayList<>()).add(new Edge("p" + process + " to " + to, to, process));
        return this;
    }

    /** Adds the liveness property {@code id}: a state in {@code p} leads to a state in {@code q}. */
    Graph leadsTo(String id, Set<Integer> p, Set<Integer> q) {
        liveness.add(Liveness.leadsTo(id, "a state in " + p + " leads to one in " + q, "", p::contains, q::contains));
        return this;
    }

    /** Adds {@code []<> q}. */
    Graph alwaysEventually(String id, Set<Integer> q) {
        liveness.add(Liveness.alwaysEventually(id, "always eventually a state in " + q, "", q::contains));
        return this;
    }

    @Override
    public List<Liveness<Integer>> liveness() {
        return liveness;
    }

    /** A chain {@code 0 -> 1 -> ... -> n-1}. */
    static Graph chain(int n, Set<Integer> bad) {
        Graph g = new Graph(List.of(0), bad);
        for (int i = 0; i + 1 < n; i++) {
            g.edge(i, i + 1);
        }
        return g;
    }

    /** Expanding {@code state} throws {@code e}. */
    Graph failsAt(int state, RuntimeException e) {
        failing.put(state, e);
        return this;
    }

    Graph failsAt(int state, Error e) {
        failingWithError.put(state, e);
        return this;
    }

    /** Marks {@code states} as not final, so that a state among them without successors is a deadlock. */
    Graph stuck(int... states) {
        for (int s : states) {
            stuck.add(s);
        }
        return this;
    }

    @Override
    public boolean isFinal(Integer state) {
        return !stuck.contains(state);
    }

    @Override
    public String name() {
        return "graph";
    }

    @Override
    public List<Integer> initialStates() {
        return initial;
    }

    @Override
    public void successors(Integer state, Successors<Integer> out) {
        if (failing.containsKey(state)) {
            throw failing.get(state);
        }
        if (failingWithError.containsKey(state)) {
            throw failingWithError.get(state);
        }
        for (Edge e : edges.getOrDefault(state, List.of())) {
            if (e.process() >= 0) {
                out.add(e.process(), e::label, e.to());
            } else {
                out.add(e.label(), e.to());
            }
        }
    }

    @Override
    public Object key(Integer state) {
        return state;
    }

    @Override
    public InvariantSet<Integer> invariants() {
        return InvariantSet.of("graph", List.of(Invariant.of("DEMO-7", "the state is not bad",
                (Integer s) -> Invariant.require(!bad.contains(s), "state %d is bad", s))), s -> "state " + s);
    }
}
