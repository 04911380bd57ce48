package org.mmspec.check;

import java.util.Arrays;

/**
 * The explored state graph, kept only when a run checks liveness: for each state id (the
 * explorer's discovery order), its outgoing edges and which liveness predicates hold in it.
 *
 * <p>Encoding: compressed rows. The edges of state {@code u} are {@code edgeTo[edgeStart[u] ..
 * edgeStart[u + 1])}, in the order the model reported its successors, so the {@code k}-th edge
 * of {@code u} is its successor with ordinal {@code k} and a path replays as ordinals (as a
 * safety trace does). {@code edgeProcess} is the process that takes the edge, or
 * {@link #NO_PROCESS}. {@code marks[u]} holds, for liveness property {@code i}, bit {@code 2i}
 * when its P holds and bit {@code 2i + 1} when its Q holds, so at most {@value #MAX_PROPERTIES}
 * properties. States are expanded in id order, so rows are appended in order; a state that was
 * never expanded has no row and the graph is {@link #complete} only when every state has one.
 */
final class StateGraph {
    static final int NO_PROCESS = -1;
    static final int MAX_PROPERTIES = 32;
    /** Processes are bits of a {@code long}. */
    static final int MAX_PROCESSES = 64;

    private int[] edgeStart = new int[1025];
    private int[] edgeTo = new int[4096];
    private int[] edgeProcess = new int[4096];
    private long[] marks = new long[1024];
    private int states;
    private int rows;
    private int edges;

    /** Records state {@code id}'s predicate bits; ids come in order, from 0. */
    void state(int id, long mark) {
        if (id >= marks.length) {
            marks = Arrays.copyOf(marks, Math.max(id + 1, marks.length * 2));
        }
        marks[id] = mark;
        states = Math.max(states, id + 1);
    }

    /** Starts the row of state {@code u}, which must be the next state to be expanded. */
    void beginRow(int u) {
        if (u != rows) {
            throw new IllegalStateException("rows out of order: " + u + " after " + rows);
        }
        if (u + 2 > edgeStart.length) {
            edgeStart = Arrays.copyOf(edgeStart, edgeStart.length * 2);
        }
        edgeStart[u] = edges;
        rows++;
        edgeStart[rows] = edges;
    }

    /** Appends an edge to the row begun last. */
    void edge(int to, int process) {
        if (process >= MAX_PROCESSES) {
            throw new IllegalArgumentException("liveness supports processes 0.." + (MAX_PROCESSES - 1) + ", not " + process);
        }
        if (edges == edgeTo.length) {
            edgeTo = Arrays.copyOf(edgeTo, edges * 2);
            edgeProcess = Arrays.copyOf(edgeProcess, edges * 2);
        }
        edgeTo[edges] = to;
        edgeProcess[edges] = process;
        edges++;
        edgeStart[rows] = edges;
    }

    int states() {
        return states;
    }

    boolean complete() {
        return rows == states;
    }

    int first(int u) {
        return edgeStart[u];
    }

    int end(int u) {
        return edgeStart[u + 1];
    }

    int to(int e) {
        return edgeTo[e];
    }

    int process(int e) {
        return edgeProcess[e];
    }

    boolean p(int u, int property) {
        return (marks[u] >>> (2 * property) & 1) != 0;
    }

    boolean q(int u, int property) {
        return (marks[u] >>> (2 * property + 1) & 1) != 0;
    }

    /** The processes with an edge out of {@code u}: those enabled there. */
    long enabled(int u) {
        long m = 0;
        for (int e = first(u); e < end(u); e++) {
            if (edgeProcess[e] != NO_PROCESS) {
                m |= 1L << edgeProcess[e];
            }
        }
        return m;
    }

    /** Bytes held, for the end-of-run line. */
    long bytes() {
        return (long) edgeStart.length * Integer.BYTES + (long) edgeTo.length * Integer.BYTES * 2
                + (long) marks.length * Long.BYTES;
    }
}
