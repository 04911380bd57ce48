package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.StoreMode;

/**
 * The built-in deadlock check on hand-built graphs: a state without successors that the model does
 * not call final is {@code DEADLOCK}, with a shortest trace, in both searches and with any number
 * of threads; final states and {@code deadlock=off} are not.
 */
class DeadlockCheckTest {

    /** 0 -> 1 -> 2 -> 3 and 0 -> 4; 4 is stuck (not final), 3 is an intended end. */
    static Graph withStuckState() {
        return new Graph(List.of(0), Set.of()).edge(0, 1).edge(1, 2).edge(2, 3).edge(0, 4).stuck(4);
    }

    @Test
    void aStuckStateIsADeadlockWithItsShortestTrace() {
        ExplorationResult r = Explorer.explore(withStuckState(), ExploreBounds.unbounded());
        assertThat(Manifest.verdict(r)).isEqualTo("fail:DEADLOCK");
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.length()).isEqualTo(1);
        assertThat(c.steps().get(1).label()).isEqualTo("to 4");
        assertThat(c.failure()).startsWith("DEADLOCK");
        assertThat(r.complete()).isFalse();
        // expanding 0 found 1 and 4; expanding 1 found 2; then 4 has nothing: 4 states, 3 transitions
        assertThat(r.distinctStates()).isEqualTo(4);
        assertThat(r.transitions()).isEqualTo(3);
    }

    @Test
    void theReferenceSearchAndEveryThreadCountAgree() {
        ExplorationResult ref = ReferenceExplorer.explore(withStuckState(), ExploreBounds.unbounded());
        assertThat(Manifest.verdict(ref)).isEqualTo("fail:DEADLOCK");
        for (int threads : new int[] {1, 3}) {
            ExplorationResult r = Explorer.explore(withStuckState(), ExploreBounds.unbounded(), Progress.NONE,
                    new ExplorerSettings(StoreMode.FINGERPRINT, threads, ExplorerSettings.DEFAULT_SWITCH_AT));
            ExplorerEquivalenceTest.assertSame(ref, r, threads + " threads");
        }
    }

    @Test
    void finalStatesAndDeadlockOffPass() {
        Graph ends = new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 4);
        assertThat(Explorer.explore(ends, ExploreBounds.unbounded()).passed()).isTrue();
        ExplorationResult off = Explorer.explore(withStuckState(), ExploreBounds.unbounded(), Progress.NONE,
                ExplorerSettings.fromProperties(), CheckOptions.DEFAULT.withDeadlock(false));
        assertThat(off.passed()).isTrue();
        assertThat(off.distinctStates()).isEqualTo(5);
        assertThat(off.complete()).isTrue();
    }

    @Test
    void anInvariantViolationFoundEarlierWinsOverADeadlock() {
        // 4 is bad and stuck: it breaks DEMO-7 when discovered, before it is expanded
        Graph g = new Graph(List.of(0), Set.of(4)).edge(0, 1).edge(0, 4).stuck(4);
        assertThat(Manifest.verdict(Explorer.explore(g, ExploreBounds.unbounded()))).isEqualTo("fail:DEMO-7");
    }

    @Test
    void aStuckStateBeyondTheDepthBoundIsNotExpandedSoNotReported() {
        ExplorationResult r = Explorer.explore(Graph.chain(4, Set.of()).stuck(3), ExploreBounds.depth(3));
        assertThat(r.passed()).isTrue();
        assertThat(r.complete()).isFalse();
    }

    @Test
    void theManifestTurnsDeadlockOffOnlyWithAReason() {
        Manifest m = Manifest.parse("g", """
                configs=a,b,c
                a.bounds=
                b.deadlock=off
                b.deadlock.reason=the model stops when its budget is used up
                c.deadlock=off
                """);
        // a manifest asks for partial-order reduction unless it says por=off (it applies where a model declares one)
        assertThat(m.checks("a")).isEqualTo(CheckOptions.DEFAULT.withPor(true));
        assertThat(m.checks("b").deadlock()).isFalse();
        assertThatThrownBy(() -> m.checks("c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deadlock.reason");
        Manifest bad = Manifest.parse("g", "configs=a\na.deadlock=maybe\n");
        assertThatThrownBy(() -> bad.checks("a")).hasMessageContaining("on or off");
        Manifest wide = Manifest.parse("g", "configs=a\ndeadlock=off\ndeadlock.reason=open system\na.liveness=on\n");
        assertThat(wide.checks("a")).isEqualTo(new CheckOptions(false, true, true));
        Manifest noPor = Manifest.parse("g", "configs=a,b\npor=off\nb.por=on\n");
        assertThat(noPor.checks("a").por()).isFalse();
        assertThat(noPor.checks("b").por()).isTrue();
        assertThatThrownBy(() -> Manifest.parse("g", "configs=a\na.por=sometimes\n").checks("a"))
                .hasMessageContaining("on or off");
    }
}
