package org.mmspec.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Checks one {@link Liveness} property {@code P ~> Q} on a complete {@link StateGraph} under weak
 * fairness per process.
 *
 * <p>The property fails exactly when some reachable state where P holds and Q does not starts a
 * weakly fair infinite run that never reaches a Q state. In a finite graph such a run ends in a
 * strongly connected component of the states where Q is false, or stops in a state with no
 * successor (read as stuttering there for ever, with no process enabled). A component is
 * <em>fair</em> when it has an edge inside it and every process enabled in all of its states takes
 * one of the component's inner edges: then a cycle through the whole component is a weakly fair
 * run, and if some process is enabled everywhere in it and never steps inside it, no cycle in it is
 * fair (so no refinement of the component is needed, unlike strong fairness). The search:
 * Tarjan's algorithm, written with explicit stacks (no recursion, so no stack overflow on a
 * million states), over the non-Q states; then a breadth-first search among non-Q states from the
 * P-and-not-Q states to the nearest state of a fair component; then, inside that component, a cycle
 * that for each process either takes one of its steps or passes a state where it is disabled,
 * which makes the printed cycle itself fair.
 */
final class LivenessCheck {
    /** Any process, or none, for {@link #innerEdgeOf}. */
    private static final int ANY = -2;

    private LivenessCheck() {
    }

    /**
     * A fair run that breaks a property: from {@code source} (P holds, Q does not), the edges
     * {@code from[i]} --ordinal[i]--> ..., all through non-Q states; the edges from index
     * {@code cycleStart} on lead back to the state where they started, and repeat for ever. When
     * {@code cycleStart == from.length} the run stops in its last state, which has no successor.
     */
    record Lasso(int source, int[] from, int[] ordinal, int cycleStart) {
    }

    static Optional<Lasso> find(StateGraph g, int property) {
        int n = g.states();
        boolean[] in = new boolean[n];
        for (int u = 0; u < n; u++) {
            in[u] = !g.q(u, property);
        }
        int[] comp = components(g, in);
        int comps = 0;
        for (int u = 0; u < n; u++) {
            comps = Math.max(comps, comp[u] + 1);
        }
        boolean[] fair = fairComponents(g, in, comp, comps);
        // breadth-first from every P-and-not-Q state at once, in id order, through non-Q states
        int[] parentEdge = new int[n];
        int[] parentNode = new int[n];
        Arrays.fill(parentNode, -2);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int u = 0; u < n; u++) {
            if (in[u] && g.p(u, property)) {
                parentNode[u] = -1;
                queue.add(u);
            }
        }
        int hit = -1;
        while (!queue.isEmpty() && hit < 0) {
            int u = queue.poll();
            if (fair[comp[u]]) {
                hit = u;
                break;
            }
            for (int e = g.first(u); e < g.end(u); e++) {
                int w = g.to(e);
                if (in[w] && parentNode[w] == -2) {
                    parentNode[w] = u;
                    parentEdge[w] = e;
                    queue.add(w);
                }
            }
        }
        if (hit < 0) {
            return Optional.empty();
        }
        List<int[]> path = new ArrayList<>();
        int source = hit;
        while (parentNode[source] >= 0) {
            int from = parentNode[source];
            path.add(0, new int[] {from, parentEdge[source] - g.first(from)});
            source = from;
        }
        int cycleStart = path.size();
        if (g.first(hit) < g.end(hit)) {
            path.addAll(cycle(g, comp, hit));
        }
        int[] from = new int[path.size()];
        int[] ordinal = new int[path.size()];
        for (int i = 0; i < path.size(); i++) {
            from[i] = path.get(i)[0];
            ordinal[i] = path.get(i)[1];
        }
        return Optional.of(new Lasso(source, from, ordinal, cycleStart));
    }

    /** Tarjan's strongly connected components of the subgraph of {@code in} states; -1 outside it. */
    static int[] components(StateGraph g, boolean[] in) {
        int n = g.states();
        int[] index = new int[n];
        int[] low = new int[n];
        int[] pos = new int[n];
        int[] comp = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(index, -1);
        Arrays.fill(comp, -1);
        int[] stack = new int[n];
        int sp = 0;
        int[] call = new int[n];
        int cp = 0;
        int counter = 0;
        int comps = 0;
        for (int s = 0; s < n; s++) {
            if (!in[s] || index[s] >= 0) {
                continue;
            }
            index[s] = low[s] = counter++;
            stack[sp++] = s;
            onStack[s] = true;
            pos[s] = g.first(s);
            call[cp++] = s;
            while (cp > 0) {
                int u = call[cp - 1];
                if (pos[u] < g.end(u)) {
                    int w = g.to(pos[u]++);
                    if (!in[w]) {
                        continue;
                    }
                    if (index[w] < 0) {
                        index[w] = low[w] = counter++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        pos[w] = g.first(w);
                        call[cp++] = w;
                    } else if (onStack[w]) {
                        low[u] = Math.min(low[u], index[w]);
                    }
                    continue;
                }
                cp--;
                if (low[u] == index[u]) {
                    int w;
                    do {
                        w = stack[--sp];
                        onStack[w] = false;
                        comp[w] = comps;
                    } while (w != u);
                    comps++;
                }
                if (cp > 0) {
                    int parent = call[cp - 1];
                    low[parent] = Math.min(low[parent], low[u]);
                }
            }
        }
        return comp;
    }

    /**
     * Per component: fair when it has an inner edge and no process is enabled in all its states
     * without stepping inside it, or when it is one state with no successor at all (it stutters).
     */
    static boolean[] fairComponents(StateGraph g, boolean[] in, int[] comp, int comps) {
        long[] enabledEverywhere = new long[comps];
        Arrays.fill(enabledEverywhere, -1L);
        long[] taken = new long[comps];
        boolean[] inner = new boolean[comps];
        boolean[] stops = new boolean[comps];
        for (int u = 0; u < g.states(); u++) {
            if (!in[u]) {
                continue;
            }
            int c = comp[u];
            enabledEverywhere[c] &= g.enabled(u);
            stops[c] |= g.first(u) == g.end(u);
            for (int e = g.first(u); e < g.end(u); e++) {
                if (in[g.to(e)] && comp[g.to(e)] == c) {
                    inner[c] = true;
                    if (g.process(e) != StateGraph.NO_PROCESS) {
                        taken[c] |= 1L << g.process(e);
                    }
                }
            }
        }
        boolean[] fair = new boolean[comps];
        for (int c = 0; c < comps; c++) {
            fair[c] = stops[c] || inner[c] && (enabledEverywhere[c] & ~taken[c]) == 0;
        }
        return fair;
    }

    /**
     * A cycle from {@code start} back to it inside its component, on which every process enabled
     * somewhere in the component steps or is disabled at some state (the component is fair, so
     * each has one or the other); as (state, ordinal) edges.
     */
    static List<int[]> cycle(StateGraph g, int[] comp, int start) {
        int c = comp[start];
        long somewhere = 0;
        for (int u = 0; u < g.states(); u++) {
            if (comp[u] == c) {
                somewhere |= g.enabled(u);
            }
        }
        List<int[]> out = new ArrayList<>();
        int cur = start;
        for (int p = 0; p < StateGraph.MAX_PROCESSES; p++) {
            if ((somewhere >>> p & 1) == 0) {
                continue;
            }
            long bit = 1L << p;
            int proc = p;
            IntPredicate settles = u -> (g.enabled(u) & bit) == 0 || innerEdgeOf(g, comp, u, proc) >= 0;
            cur = walk(g, comp, cur, settles, out);
            int e = innerEdgeOf(g, comp, cur, proc);
            if ((g.enabled(cur) & bit) != 0 && e >= 0) {
                out.add(new int[] {cur, e - g.first(cur)});
                cur = g.to(e);
            }
        }
        if (out.isEmpty()) {
            int e = innerEdgeOf(g, comp, cur, ANY);
            out.add(new int[] {cur, e - g.first(cur)});
            cur = g.to(e);
        }
        int home = start;
        walk(g, comp, cur, u -> u == home, out);
        return out;
    }

    /**
     * The first edge of {@code u} that stays in its component and is taken by {@code process}
     * (by anyone, for {@link #ANY}), or -1.
     */
    private static int innerEdgeOf(StateGraph g, int[] comp, int u, int process) {
        for (int e = g.first(u); e < g.end(u); e++) {
            if (comp[g.to(e)] == comp[u] && (process == ANY || g.process(e) == process)) {
                return e;
            }
        }
        return -1;
    }

    /** Appends a shortest path inside {@code from}'s component to a state satisfying {@code target}; returns it. */
    private static int walk(StateGraph g, int[] comp, int from, IntPredicate target, List<int[]> out) {
        if (target.test(from)) {
            return from;
        }
        int c = comp[from];
        Map<Integer, int[]> parent = new HashMap<>(); // state -> {previous state, edge}
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(from);
        parent.put(from, null);
        while (!queue.isEmpty()) {
            int u = queue.poll();
            for (int e = g.first(u); e < g.end(u); e++) {
                int w = g.to(e);
                if (comp[w] != c || parent.containsKey(w)) {
                    continue;
                }
                parent.put(w, new int[] {u, e});
                if (target.test(w)) {
                    List<int[]> path = new ArrayList<>();
                    for (int v = w; v != from; v = parent.get(v)[0]) {
                        int[] pe = parent.get(v);
                        path.add(0, new int[] {pe[0], pe[1] - g.first(pe[0])});
                    }
                    out.addAll(path);
                    return w;
                }
                queue.add(w);
            }
        }
        throw new IllegalStateException("no path inside a strongly connected component");
    }
}
