package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link StateGraph}, the liveness search's compressed rows: edges in the order the model gave
 * them, the processes enabled in a state, each property's P and Q bits, rows only in id order,
 * growth past the first arrays, and completeness (every state has its row).
 */
class StateGraphTest {

    @Test
    void rowsKeepTheirEdgesInOrderWithTheirProcesses() {
        StateGraph g = new StateGraph();
        g.state(0, 0);
        g.state(1, 0);
        g.beginRow(0);
        g.edge(1, 3);
        g.edge(0, StateGraph.NO_PROCESS);
        g.beginRow(1);
        assertThat(g.first(0)).isZero();
        assertThat(g.end(0)).isEqualTo(2);
        assertThat(g.first(1)).isEqualTo(2);
        assertThat(g.end(1)).as("a row without edges").isEqualTo(2);
        assertThat(g.to(0)).isEqualTo(1);
        assertThat(g.process(0)).isEqualTo(3);
        assertThat(g.process(1)).isEqualTo(StateGraph.NO_PROCESS);
        assertThat(g.enabled(0)).isEqualTo(1L << 3);
        assertThat(g.enabled(1)).isZero();
    }

    @Test
    void rowsComeInIdOrderOnly() {
        StateGraph g = new StateGraph();
        g.state(0, 0);
        g.state(1, 0);
        assertThatThrownBy(() -> g.beginRow(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("rows out of order: 1 after 0");
        g.beginRow(0);
        assertThatThrownBy(() -> g.beginRow(0)).hasMessage("rows out of order: 0 after 1");
    }

    @Test
    void processesAreBitsOfALong() {
        StateGraph g = new StateGraph();
        g.state(0, 0);
        g.beginRow(0);
        g.edge(0, StateGraph.MAX_PROCESSES - 1);
        assertThat(g.enabled(0)).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> g.edge(0, StateGraph.MAX_PROCESSES)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("liveness supports processes 0..63, not 64");
    }

    @Test
    void eachPropertyHasItsPAndQBits() {
        StateGraph g = new StateGraph();
        int last = StateGraph.MAX_PROPERTIES - 1;
        g.state(0, 1L << (2 * 5)); // P of property 5
        g.state(1, 1L << (2 * last + 1)); // Q of the last property
        assertThat(g.p(0, 5)).isTrue();
        assertThat(g.q(0, 5)).isFalse();
        assertThat(g.p(0, 4)).isFalse();
        assertThat(g.p(0, 6)).isFalse();
        assertThat(g.q(1, last)).isTrue();
        assertThat(g.p(1, last)).isFalse();
        assertThat(g.q(1, 0)).isFalse();
    }

    @Test
    void growsPastItsFirstArraysAndIsCompleteOnlyWithEveryRow() {
        StateGraph g = new StateGraph();
        int n = 3000;
        for (int u = 0; u < n; u++) {
            g.state(u, u % 2);
        }
        assertThat(g.states()).isEqualTo(n);
        long before = g.bytes();
        for (int u = 0; u < n; u++) {
            assertThat(g.complete()).isFalse();
            g.beginRow(u);
            g.edge((u + 1) % n, u % 3);
            g.edge(u, StateGraph.NO_PROCESS);
        }
        assertThat(g.complete()).isTrue();
        assertThat(g.end(n - 1)).isEqualTo(2 * n);
        assertThat(g.to(2 * (n - 1))).isZero();
        assertThat(g.p(n - 1, 0)).isTrue();
        assertThat(g.p(n - 2, 0)).isFalse();
        assertThat(g.bytes()).isGreaterThan(before);
        // the arrays: row starts (ints), edge targets and processes (two ints each), marks (longs)
        assertThat(new StateGraph().bytes()).isEqualTo(1025L * 4 + 4096L * 4 * 2 + 1024L * 8);
        // an id far ahead grows the marks at once
        StateGraph sparse = new StateGraph();
        sparse.state(5000, 3);
        assertThat(sparse.states()).isEqualTo(5001);
        assertThat(sparse.q(5000, 0)).isTrue();
        assertThat(sparse.complete()).isFalse();
    }
}
