package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.Fingerprinted;
import org.mmspec.check.store.StoreMode;

/**
 * The explorer and the liveness check at their edges, each test at one place where a wrong
 * comparison, shift or sum would still pass the broader suites: the number of liveness properties
 * at its limit, a violation of a later property, the state cap reached inside a chunk, the frontier
 * counts in the progress reports, one report per chunk, spilled frontier files deleted however the
 * search ends, the reduced transition count and an ample set of a process other than 0, the
 * statistics' exact figures, a fingerprint collision under liveness, and lassos whose path or cycle
 * passes state 0 or needs a step of process 1. Hand-built {@link Graph}s and
 * {@link PartialOrderTest.Toy}s, small enough to work every figure out by hand.
 */
class ExplorerEdgesTest {
    private static final CheckOptions LIVE = CheckOptions.DEFAULT.withLiveness(true);
    private static final CheckOptions POR = CheckOptions.DEFAULT.withPor(true);
    private static final ExplorerSettings EXACT = new ExplorerSettings(StoreMode.EXACT, 2,
            ExplorerSettings.DEFAULT_SWITCH_AT);

    private static ExplorationResult live(TransitionSystem<Integer> g) {
        return Explorer.explore(g, ExploreBounds.unbounded(), Progress.NONE, EXACT, LIVE);
    }

    private static List<String> labels(Counterexample c) {
        return c.steps().stream().map(Counterexample.TraceStep::label).toList();
    }

    // --- liveness: how many properties, and which one fails ------------------------------------

    /** A graph with {@code n} properties {@code []<> state 0}-like: each holds, except maybe the last. */
    private static Graph withProperties(int n, boolean lastFails) {
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(0, 1, 0);
        for (int i = 0; i < n; i++) {
            g.alwaysEventually("DEMO-L" + i, lastFails && i == n - 1 ? Set.of(7) : Set.of(1));
        }
        return g;
    }

    @Test
    void exactlyMaxPropertiesAreCheckedAndOneMoreIsRefused() {
        int max = StateGraph.MAX_PROPERTIES;
        assertThat(live(withProperties(max, false)).passed()).isTrue();
        // the last property uses the top two bits of the marks: its violation must still be seen
        Counterexample c = live(withProperties(max, true)).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-L" + (max - 1));
        assertThatThrownBy(() -> live(withProperties(max + 1, false))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("graph: at most " + max + " liveness properties, not " + (max + 1));
    }

    @Test
    void DEMO_L1_onlyTheSecondPropertyFailsAndItsLassoIsReportedWordForWord() {
        // LivenessCheckTest.fairCycle's graph: P at 1, the fair cycle 1 -> 3 -> 1 avoids 2
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(1, 1, 3).step(1, 3, 1).step(0, 1, 2).step(0, 2, 2)
                .leadsTo("DEMO-L0", Set.of(1), Set.of(1)).leadsTo("DEMO-L1", Set.of(1), Set.of(2));
        ExplorationResult r = live(g);
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("DEMO-L1");
        assertThat(labels(c)).containsExactly("init", "p0 to 1", "p1 to 3", "p1 to 1");
        assertThat(c.cycleStart()).isEqualTo(1);
        assertThat(c.failure()).isEqualTo("DEMO-L1 violated (a state in [1] leads to one in [2]): P holds in step 1 and Q"
                + " never holds again on a weakly fair run: steps 2-3 return to step 1's state and repeat for ever,"
                + " every CPU able to step taking one or being disabled on the way");
        assertThat(r.complete()).isTrue();
    }

    // --- the state cap inside a chunk ------------------------------------------------------------

    /** {@link Graph} that records every state whose invariants were evaluated. */
    static final class Checked extends Graph {
        final Set<Integer> checked = ConcurrentHashMap.newKeySet();

        Checked(Set<Integer> bad) {
            super(List.of(0), bad);
        }

        @Override
        public InvariantSet<Integer> invariants() {
            InvariantSet<Integer> inner = super.invariants();
            return InvariantSet.of("graph", List.of(Invariant.of("DEMO-7", "the state is not bad", (Integer s) -> {
                checked.add(s);
                return inner.firstViolation(s).isPresent() ? Invariant.broken("state %d is bad", s) : Invariant.holds();
            })), s -> "state " + s);
        }
    }

    @Test
    void aCapReachedExactlyInsideAChunkStopsStoringAndCheckingThere() {
        // 0 -> 1, 2, 3; 1 -> 4, 5; 2 -> 6; 3 -> 7. With a cap of 6 states, expanding 1 reaches it.
        Checked g = new Checked(Set.of(6));
        g.edge(0, 1).edge(0, 2).edge(0, 3).edge(1, 4).edge(1, 5).edge(2, 6).edge(3, 7);
        ExplorationResult r = Explorer.explore(g, new ExploreBounds(Integer.MAX_VALUE, 6), Progress.NONE, EXACT);
        assertThat(r.distinctStates()).isEqualTo(6);
        assertThat(r.transitions()).isEqualTo(5);
        assertThat(r.complete()).isFalse();
        assertThat(r.passed()).as("6 lies beyond the cap").isTrue();
        assertThat(new TreeSet<>(g.checked)).as("states checked: exactly those stored").containsExactly(0, 1, 2, 3, 4, 5);
        // one state more of room: 2's expansion is the one that reaches the cap, and 6 is found
        Checked h = new Checked(Set.of(6));
        h.edge(0, 1).edge(0, 2).edge(0, 3).edge(1, 4).edge(1, 5).edge(2, 6).edge(3, 7);
        ExplorationResult s = Explorer.explore(h, new ExploreBounds(Integer.MAX_VALUE, 7), Progress.NONE, EXACT);
        assertThat(s.counterexample().orElseThrow().steps()).extracting(Counterexample.TraceStep::state)
                .containsExactly("state 0", "state 2", "state 6");
        assertThat(new TreeSet<>(h.checked)).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    // --- progress: the frontier figure and one report per chunk ----------------------------------

    private record Report(long states, long transitions, int depth, long frontier) {
    }

    private static List<Report> reports(TransitionSystem<Integer> g, ExplorationResult[] result) {
        List<Report> out = new ArrayList<>();
        result[0] = Explorer.explore(g, ExploreBounds.unbounded(),
                (name, states, transitions, depth, frontier, elapsed) -> out.add(new Report(states, transitions, depth,
                        frontier)), EXACT);
        return out;
    }

    @Test
    void theProgressFrontierIsTheStatesStillWaitingAndItsPeakIsInTheStats() {
        // 0 -> 1, 2, 3; 1 -> 4; 2 -> 5: levels of 1, 3 and 2 states
        Graph g = new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 2).edge(0, 3).edge(1, 4).edge(2, 5);
        ExplorationResult[] r = new ExplorationResult[1];
        assertThat(reports(g, r)).containsExactly(new Report(4, 3, 1, 3), new Report(6, 5, 2, 2),
                new Report(6, 5, 3, 0));
        assertThat(r[0].stats().peakFrontier()).isEqualTo(3);
    }

    @Test
    void aLevelOfExactlyOneChunkIsReportedOnce() {
        int n = Explorer.CHUNK;
        Graph g = new Graph(List.of(0), Set.of());
        for (int i = 1; i <= n; i++) {
            g.edge(0, i);
        }
        ExplorationResult[] r = new ExplorationResult[1];
        assertThat(reports(g, r)).containsExactly(new Report(n + 1, n, 1, n), new Report(n + 1, n, 2, 0));
        assertThat(r[0].distinctStates()).isEqualTo(n + 1);
        assertThat(r[0].depth()).isEqualTo(1);
    }

    // --- spilled frontier levels leave no file behind ----------------------------------------------

    /** Writes integers and notes, at each write, the frontier files this JVM has open. */
    static final class NotingCodec implements StateCodec<Integer> {
        final Set<Path> files = new LinkedHashSet<>();

        @Override
        public void write(Integer state, DataOutput out) throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        Path target = Files.readSymbolicLink(fd);
                        if (target.getFileName() != null
                                && target.getFileName().toString().startsWith("mmspec-frontier-")) {
                            files.add(target);
                        }
                    } catch (IOException | UnsupportedOperationException gone) {
                        // the descriptor of the listing itself, closed by now
                    }
                }
            }
            out.writeInt(state);
        }

        @Override
        public Integer read(DataInput in) throws IOException {
            return in.readInt();
        }
    }

    private static List<Path> spilledFiles(Graph g) {
        NotingCodec codec = new NotingCodec();
        TransitionSystem<Integer> spilling = new ForwardingSystem<>(g) {
            @Override
            public StateCodec<Integer> codec() {
                return codec;
            }
        };
        ExplorationResult r = Explorer.explore(spilling, ExploreBounds.unbounded(), Progress.NONE, EXACT.withSpillAt(1));
        assertThat(r.stats().spilledStates()).as("states went to disk").isPositive();
        assertThat(codec.files).as("the levels' files were seen").isNotEmpty();
        return List.copyOf(codec.files);
    }

    @Test
    void everySpilledLevelsFileIsDeletedWhenTheSearchCompletes() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to see the search's open files");
        for (Path f : spilledFiles(Graph.chain(5, Set.of()))) {
            assertThat(f).doesNotExist();
        }
    }

    @Test
    void everySpilledLevelsFileIsDeletedWhenTheSearchStopsAtAViolation() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to see the search's open files");
        // levels 1 and 2 go to disk; the violation at 3 stops the search while level 2 is being read
        List<Path> files = spilledFiles(Graph.chain(5, Set.of(3)));
        assertThat(files).hasSizeGreaterThanOrEqualTo(2);
        for (Path f : files) {
            assertThat(f).doesNotExist();
        }
    }

    // --- partial-order reduction ----------------------------------------------------------------------

    private static final long A = 1;
    private static final long B = 2;
    private static final long F = 4;

    private static PartialOrderTest.Move inc(int process, int var, int max) {
        return new PartialOrderTest.Move(process, "p" + process + " v" + var + "++", s -> s[var] < max, s -> {
            s[var]++;
            return s;
        });
    }

    private static ExplorationResult run(TransitionSystem<int[]> t, CheckOptions o) {
        return Explorer.explore(t, ExploreBounds.unbounded(), Progress.NONE, EXACT, o);
    }

    @Test
    void aReducedSearchCountsOnlyTheAmpleSetsTransitions() {
        // PartialOrderTest's counters: process 0 runs alone from (0,0,0) to (3,0,0), 3 transitions; from
        // there the full 4 x 2 grid of b and the flag, 3 * 2 + 4 * 1 = 10 transitions
        Invariant<int[]> bBounded = Invariant.of("T-1", "b stays within 3",
                s -> Invariant.require(s[1] <= 3, "b = %d", s[1]));
        PartialOrderTest.Toy t = new PartialOrderTest.Toy(new int[3], List.of(inc(0, 0, 3), inc(1, 1, 3), inc(2, 2, 1)),
                new long[] {A, B, F}, new long[] {A, B, F}, B | F, bBounded, true);
        ExplorationResult full = run(t, CheckOptions.DEFAULT);
        ExplorationResult reduced = run(t, POR);
        assertThat(full.distinctStates()).isEqualTo(32);
        assertThat(full.transitions()).isEqualTo(3 * 4 * 2 + 4 * 3 * 2 + 4 * 4);
        assertThat(reduced.distinctStates()).isEqualTo(11);
        assertThat(reduced.transitions()).isEqualTo(13);
    }

    @Test
    void anAmpleSetOfProcessOneIsExpandedAndTheViolationFound() {
        // process 0 (a) and process 2 (the flag) are visible, process 1 (b) is not: the ample set of
        // (0,0,0) is process 1's step. T-5 breaks at a = 1 with the flag up.
        Invariant<int[]> notBoth = Invariant.of("T-5", "a and the flag are never both 1",
                s -> Invariant.require(!(s[0] == 1 && s[2] == 1), "a = 1, flag up"));
        PartialOrderTest.Toy t = new PartialOrderTest.Toy(new int[3], List.of(inc(0, 0, 1), inc(1, 1, 1), inc(2, 2, 1)),
                new long[] {A, B, F}, new long[] {A, B, F}, A | F, notBoth, true);
        PartialOrderTest.Toy clean = new PartialOrderTest.Toy(new int[3], t.moves, t.reads, t.writes, t.visible,
                Invariant.of("T-1", "always", s -> Invariant.holds()), true);
        assertThat(run(clean, CheckOptions.DEFAULT).distinctStates()).isEqualTo(8);
        // (0,0,0) -p1-> (0,1,0), fully expanded from there: (1,1,0), (0,1,1), (1,1,1)
        ExplorationResult reduced = run(clean, POR);
        assertThat(reduced.distinctStates()).isEqualTo(5);
        assertThat(reduced.transitions()).isEqualTo(1 + 2 + 1 + 1);
        Counterexample c = run(t, POR).counterexample().orElseThrow();
        assertThat(c.invariantId()).isEqualTo("T-5");
        assertThat(labels(c)).containsExactly("init", "p1 v1++", "p0 v0++", "p2 v2++");
        assertThat(run(t, CheckOptions.DEFAULT).counterexample().orElseThrow().invariantId()).isEqualTo("T-5");
    }

    @Test
    void aReducedExpansionThatThrowsStillStoresWhatItReportedFirst() {
        // in (0,0) process 0 (deferrable) reports (1,0), then process 1's step throws
        PartialOrderTest.Move boom = new PartialOrderTest.Move(1, "p1 boom", s -> true, s -> {
            throw new IllegalStateException("p1 cannot step");
        });
        PartialOrderTest.Toy t = new PartialOrderTest.Toy(new int[2], List.of(inc(0, 0, 1), boom), new long[] {A, B},
                new long[] {A, B}, B, Invariant.of("T-1", "always", s -> Invariant.holds()), true);
        ExplorationResult full = run(t, CheckOptions.DEFAULT);
        ExplorationResult reduced = run(t, POR);
        for (ExplorationResult r : List.of(full, reduced)) {
            Counterexample c = r.counterexample().orElseThrow();
            assertThat(c.invariantId()).isEqualTo("IllegalStateException");
            assertThat(c.failure()).isEqualTo("a transition failed: p1 cannot step");
            assertThat(r.distinctStates()).isEqualTo(2);
            assertThat(r.transitions()).isEqualTo(1);
        }
    }

    // --- the statistics' figures ----------------------------------------------------------------------

    @Test
    void theTraceArraysAndTheCollisionEstimateAreReportedExactly() {
        // ExplorerTest's 4 x 4 counters: 16 states, 32 transitions, 33 states generated with the initial one
        ExplorationResult r = Explorer.explore(ExplorerTest.counters(4, ExplorerTest.TRUE, false),
                ExploreBounds.unbounded(), Progress.NONE, EXACT.withStore(StoreMode.FINGERPRINT));
        assertThat(r.distinctStates()).isEqualTo(16);
        assertThat(r.transitions()).isEqualTo(32);
        SearchStats s = r.stats();
        // two int arrays (parent, transition index) of the initial 1024 entries
        assertThat(s.traceBytes()).isEqualTo(1024L * Integer.BYTES * 2);
        assertThat(s.collisions().optimistic()).isEqualTo(16.0 * (33 - 16) / 0x1p64);
        Graph big = Graph.chain(1025, Set.of());
        assertThat(Explorer.explore(big, ExploreBounds.unbounded(), Progress.NONE, EXACT).stats().traceBytes())
                .as("the arrays double at the 1025th state").isEqualTo(2048L * Integer.BYTES * 2);
    }

    // --- liveness with fingerprints -----------------------------------------------------------------

    /** A key whose fingerprint is the same for every state: any two states collide. */
    record Colliding(int state) implements Fingerprinted {
        @Override
        public long fingerprint() {
            return 42;
        }
    }

    @Test
    void aFingerprintCollisionUnderLivenessIsReportedNotFollowed() {
        Graph g = new Graph(List.of(0), Set.of()) {
            @Override
            public Object key(Integer state) {
                return new Colliding(state);
            }
        };
        g.step(0, 0, 1).step(0, 1, 0).alwaysEventually("DEMO-L2", Set.of(1));
        ExplorerSettings prints = EXACT.withStore(StoreMode.FINGERPRINT);
        assertThatThrownBy(() -> Explorer.explore(g, ExploreBounds.unbounded(), Progress.NONE, prints, LIVE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("graph: a successor's fingerprint matched another state's; check liveness with the exact"
                        + " store (--store=exact)");
    }

    /** A key that supplies its fingerprint and cannot be hashed into a Java table. */
    record Unhashable(int state) implements Fingerprinted {
        @Override
        public long fingerprint() {
            return 0x9E3779B97F4A7C15L * (state + 1);
        }

        @Override
        public int hashCode() {
            throw new AssertionError("a fingerprint search without liveness keeps no key of state " + state);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unhashable u && u.state == state;
        }
    }

    @Test
    void aFingerprintSearchWithoutLivenessKeepsNoKey() {
        // only the liveness graph maps keys to ids; without it the fingerprint store holds 8 bytes a state
        Graph g = new Graph(List.of(0), Set.of(3)) {
            @Override
            public Object key(Integer state) {
                return new Unhashable(state);
            }
        };
        g.edge(0, 1).edge(0, 2).edge(1, 3).edge(2, 0);
        ExplorationResult r = Explorer.explore(g, ExploreBounds.unbounded(), Progress.NONE,
                EXACT.withStore(StoreMode.FINGERPRINT));
        assertThat(r.distinctStates()).isEqualTo(4);
        assertThat(labels(r.counterexample().orElseThrow())).containsExactly("init", "to 1", "to 3");
    }

    // --- a violation and a key failure in the same chunk: the first in BFS order wins -----------------

    /** {@link Graph} whose key throws at state 4; state 3 is bad. */
    static final class BadAndKeyless extends Graph {
        BadAndKeyless() {
            super(List.of(0), Set.of(3));
        }

        @Override
        public Object key(Integer state) {
            if (state == 4) {
                throw new IllegalStateException("no key for state 4");
            }
            return state;
        }
    }

    @Test
    void DEMO_7_aViolationBeforeAKeyFailureInTheSameChunkIsReportedAndViceVersa() {
        BadAndKeyless violationFirst = new BadAndKeyless();
        violationFirst.edge(0, 1).edge(0, 2).edge(1, 3).edge(2, 4);
        BadAndKeyless keyFirst = new BadAndKeyless();
        keyFirst.edge(0, 1).edge(0, 2).edge(1, 4).edge(2, 3);
        for (ExplorationResult r : List.of(Explorer.explore(violationFirst, ExploreBounds.unbounded(), Progress.NONE, EXACT),
                ReferenceExplorer.explore(violationFirst, ExploreBounds.unbounded()))) {
            Counterexample c = r.counterexample().orElseThrow();
            assertThat(c.invariantId()).isEqualTo("DEMO-7");
            assertThat(labels(c)).containsExactly("init", "to 1", "to 3");
            assertThat(r.distinctStates()).isEqualTo(4);
            assertThat(r.transitions()).isEqualTo(3);
        }
        for (ExplorationResult r : List.of(Explorer.explore(keyFirst, ExploreBounds.unbounded(), Progress.NONE, EXACT),
                ReferenceExplorer.explore(keyFirst, ExploreBounds.unbounded()))) {
            Counterexample c = r.counterexample().orElseThrow();
            assertThat(c.invariantId()).isEqualTo("IllegalStateException");
            assertThat(c.failure()).isEqualTo("a transition failed: no key for state 4");
            assertThat(labels(c)).containsExactly("init", "to 1");
            assertThat(r.distinctStates()).isEqualTo(3);
            assertThat(r.transitions()).isEqualTo(3);
        }
        // within one expansion too: 1 reports the bad 3 before the keyless 4
        BadAndKeyless sameState = new BadAndKeyless();
        sameState.edge(0, 1).edge(1, 3).edge(1, 4);
        ExplorationResult ref = ReferenceExplorer.explore(sameState, ExploreBounds.unbounded());
        ExplorationResult r = Explorer.explore(sameState, ExploreBounds.unbounded(), Progress.NONE, EXACT);
        assertThat(ref.counterexample().orElseThrow().invariantId()).isEqualTo("DEMO-7");
        assertThat(r.counterexample()).isEqualTo(ref.counterexample());
        assertThat(r.distinctStates()).isEqualTo(ref.distinctStates()).isEqualTo(3);
        assertThat(r.transitions()).isEqualTo(ref.transitions());
    }

    // --- LivenessCheck: paths and cycles through state 0, and a second process ------------------------

    @Test
    void DEMO_L1_thePathFromPStartsAtState0WhenPHoldsOnlyThere() {
        // P only at 0; 0 -> 1, and 1 <-> 2 is a fair cycle without Q
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(0, 1, 2).step(0, 2, 1)
                .leadsTo("DEMO-L1", Set.of(0), Set.of(9));
        Counterexample c = live(g).counterexample().orElseThrow();
        assertThat(labels(c)).containsExactly("init", "p0 to 1", "p0 to 2", "p0 to 1");
        assertThat(c.cycleStart()).isEqualTo(1);
        assertThat(c.failure()).contains("P holds in step 0 and Q never holds again");
    }

    @Test
    void DEMO_L1_thePrintedCycleTakesTheStepOfProcessOneThatMakesItFair() {
        // {0, 1, 2} is fair: process 1 is enabled everywhere and steps 0 -> 2 -> 0; the environment's
        // 0 <-> 1 alone would starve it, so the printed cycle must be 0 -p1-> 2 -p1-> 0
        Graph g = new Graph(List.of(0), Set.of()).edge(0, 1).step(1, 0, 2).edge(1, 0).step(1, 1, 2).step(1, 2, 0)
                .leadsTo("DEMO-L1", Set.of(0), Set.of(9));
        Counterexample c = live(g).counterexample().orElseThrow();
        assertThat(c.cycleStart()).isZero();
        assertThat(LivenessRuns.cycle(c)).containsExactly("p1 to 2", "p1 to 0");
    }

    @Test
    void DEMO_L1_aProcessThatStepsOnState0sFirstEdgeSettlesThere() {
        // process 0's self-loop is graph edge 0: the cycle is that loop, not a walk to 1 where process 0 is disabled
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 0).edge(0, 1).edge(1, 0)
                .leadsTo("DEMO-L1", Set.of(0), Set.of(9));
        Counterexample c = live(g).counterexample().orElseThrow();
        assertThat(LivenessRuns.cycle(c)).containsExactly("p0 to 0");
    }

    @Test
    void DEMO_L1_state0sFirstEdgeIsTakenWhenItsProcessIsEnabledThere() {
        // 0 -p0-> 1 is graph edge 0; process 1 steps 1 -> 0 and also 0 -> 1
        Graph g = new Graph(List.of(0), Set.of()).step(0, 0, 1).step(1, 0, 1).step(1, 1, 0)
                .leadsTo("DEMO-L1", Set.of(0), Set.of(9));
        Counterexample c = live(g).counterexample().orElseThrow();
        assertThat(LivenessRuns.cycle(c)).containsExactly("p0 to 1", "p1 to 0");
    }
}
