package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.assertj.core.groups.Tuple;

/**
 * Small contracts of the checking core that the larger suites pass through without pinning: the
 * partial-order conditions (C1, C2) of {@link PartialOrder#deferrable} process by process, how an
 * {@link ActionSystem} reports who takes a step, a model walk as a stateful {@link Rule}, a lasso
 * starting at the first step, and the invariant IDs a suite declares.
 */
class CoreContractsTest {

    /**
     * Footprints given as tables: {@code next*[p + 1]} and {@code later*[p + 1]} for process
     * {@code p}, the environment ({@link PartialOrder#ENVIRONMENT}) at index 0.
     */
    record Footprints(int processes, long visible, long[] nextReads, long[] nextWrites, long[] laterReads,
            long[] laterWrites) implements PartialOrder<Object> {

        static Footprints of(int processes) {
            int n = processes + 1;
            return new Footprints(processes, 0, new long[n], new long[n], new long[n], new long[n]);
        }

        Footprints visibleBits(long bits) {
            return new Footprints(processes, bits, nextReads, nextWrites, laterReads, laterWrites);
        }

        private static int row(int process) {
            return process == ENVIRONMENT ? 0 : process + 1;
        }

        Footprints next(int process, long reads, long writes) {
            nextReads[row(process)] = reads;
            nextWrites[row(process)] = writes;
            return this;
        }

        Footprints later(int process, long reads, long writes) {
            laterReads[row(process)] = reads;
            laterWrites[row(process)] = writes;
            return this;
        }

        @Override
        public long nextReads(Object state, int process) {
            return nextReads[row(process)];
        }

        @Override
        public long nextWrites(Object state, int process) {
            return nextWrites[row(process)];
        }

        @Override
        public long laterReads(Object state, int process) {
            return laterReads[row(process)];
        }

        @Override
        public long laterWrites(Object state, int process) {
            return laterWrites[row(process)];
        }
    }

    private static final long PAGE_TABLE = 1L;
    private static final long TLB = 1L << 1;
    private static final long MAILBOX = 1L << 2;
    private static final Object STATE = new Object();

    @Nested
    class Deferrable {
        @Test
        void independentProcessesAreDeferrable() {
            Footprints f = Footprints.of(2).next(0, TLB, TLB).later(1, MAILBOX, MAILBOX);
            assertThat(f.deferrable(STATE, 0)).isTrue();
        }

        @Test
        void aStepIsNotDependentOnItsOwnLaterSteps() {
            // Process 0 writes the page table now and again later: only the others count (C1).
            Footprints f = Footprints.of(2).next(0, PAGE_TABLE, PAGE_TABLE).later(0, PAGE_TABLE, PAGE_TABLE);
            assertThat(f.deferrable(STATE, 0)).isTrue();
        }

        @Test
        void aVisibleWriteIsNeverDeferred() {
            Footprints f = Footprints.of(1).visibleBits(TLB).next(0, 0, TLB);
            assertThat(f.deferrable(STATE, 0)).isFalse();
            assertThat(Footprints.of(1).visibleBits(TLB).next(0, TLB, 0).deferrable(STATE, 0))
                    .as("reading a visible variable changes nothing an invariant sees").isTrue();
        }

        @Test
        void processZerosLaterWritesCountAgainstProcessOne() {
            Footprints f = Footprints.of(2).next(1, MAILBOX, 0).later(0, 0, MAILBOX);
            assertThat(f.deferrable(STATE, 1)).isFalse();
        }

        @Test
        void theEnvironmentsLaterWritesCount() {
            Footprints f = Footprints.of(1).next(0, PAGE_TABLE, 0).later(PartialOrder.ENVIRONMENT, 0, PAGE_TABLE);
            assertThat(f.deferrable(STATE, 0)).isFalse();
        }

        @Test
        void eachOfTheThreeConflictsAloneBlocksDeferral() {
            assertThat(Footprints.of(2).next(0, 0, TLB).later(1, TLB, 0).deferrable(STATE, 0))
                    .as("write now, another reads later").isFalse();
            assertThat(Footprints.of(2).next(0, 0, TLB).later(1, 0, TLB).deferrable(STATE, 0))
                    .as("write now, another writes later").isFalse();
            assertThat(Footprints.of(2).next(0, TLB, 0).later(1, 0, TLB).deferrable(STATE, 0))
                    .as("read now, another writes later").isFalse();
            assertThat(Footprints.of(2).next(0, TLB, 0).later(1, TLB, 0).deferrable(STATE, 0))
                    .as("two readers never conflict").isTrue();
        }

        @Test
        void theLastProcessIsChecked() {
            Footprints f = Footprints.of(3).next(0, 0, MAILBOX).later(2, MAILBOX, 0);
            assertThat(f.deferrable(STATE, 0)).isFalse();
        }
    }

    /** One reported successor: the overload the system called, its process and its label. */
    record Reported(String how, int process, String label, int[] next) {
    }

    /** Records both {@code add} overloads separately, so a test sees which one a system used. */
    static final class Recorder implements TransitionSystem.Successors<int[]> {
        final List<Reported> reported = new ArrayList<>();

        @Override
        public void add(Supplier<String> label, int[] next) {
            reported.add(new Reported("plain", ActionSystem.NO_PROCESS, label.get(), next));
        }

        @Override
        public void add(int process, Supplier<String> label, int[] next) {
            reported.add(new Reported("process", process, label.get(), next));
        }
    }

    @Test
    void anActionSystemReportsAProcessOnlyForActionsThatHaveOne() {
        ActionSystem<int[]> system = ActionSystem.of("counter", () -> List.of(new int[] {0}), int[]::clone,
                s -> s[0],
                s -> List.of(new ActionSystem.Action<int[]>("tick", x -> x[0]++),
                        new ActionSystem.Action<int[]>("cpu1: add 10", x -> x[0] += 10, 1)),
                InvariantSet.of("counter"));
        Recorder out = new Recorder();
        system.successors(new int[] {5}, out);
        assertThat(out.reported).extracting(Reported::how, Reported::process, Reported::label)
                .containsExactly(Tuple.tuple("plain", ActionSystem.NO_PROCESS, "tick"),
                        Tuple.tuple("process", 1, "cpu1: add 10"));
        assertThat(out.reported).extracting(r -> r.next()[0]).containsExactly(6, 15);
    }

    /** A machine whose state is one node of a {@link Graph}, walked by {@link Rule#walk}. */
    static final class Walker {
        final Graph graph;
        Integer at;

        Walker(Graph graph) {
            this.graph = graph;
            this.at = graph.initialStates().get(0);
        }
    }

    @Nested
    class Walk {
        private final Rule<Walker> walk = Rule.walk("walk", w -> w.graph, w -> w.at, (w, next) -> w.at = next);

        @Test
        void takesTheDrawnSuccessorAndRecordsItsLabel() {
            Graph g = new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 2).edge(0, 3);
            Walker w = new Walker(g);
            List<String> labels = new ArrayList<>();
            g.successors(0, (l, n) -> labels.add(l.get()));
            Step<Walker> step = RuleDriver.step(w, x -> x.at, 2);
            assertThat(walk.enabled(w)).isTrue();
            walk.apply(w, step);
            assertThat(w.at).isEqualTo(3);
            assertThat(step.describe("walk")).contains(labels.get(2));
        }

        @Test
        void aDrawPastTheLastSuccessorWrapsAround() {
            Walker w = new Walker(new Graph(List.of(0), Set.of()).edge(0, 1).edge(0, 2).edge(0, 3));
            walk.apply(w, RuleDriver.step(w, x -> x.at, 3));
            assertThat(w.at).as("draw 3 of successors [1, 2, 3]").isEqualTo(1);
        }

        @Test
        void isDisabledWhereTheModelHasNoSuccessor() {
            Walker w = new Walker(new Graph(List.of(0), Set.of()).edge(0, 1));
            assertThat(walk.enabled(w)).isTrue();
            walk.apply(w, RuleDriver.step(w, x -> x.at));
            assertThat(w.at).isEqualTo(1);
            assertThat(walk.enabled(w)).isFalse();
        }
    }

    @Test
    void aLassoMayReturnToTheInitialState() {
        List<Counterexample.TraceStep> steps = List.of(new Counterexample.TraceStep("init", "s0"),
                new Counterexample.TraceStep("loop", "s0"));
        assertThat(new Counterexample(steps, "no progress", "LIVE-1", 0).isLasso()).isTrue();
        assertThat(new Counterexample(steps, "broken", "INV-1").isLasso()).isFalse();
    }

    @Test
    void exhaustiveAndInductiveSuitesDeclareTheSystemsInvariantIds() {
        Graph g = new Graph(List.of(0), Set.of(2)).edge(0, 1);
        assertThat(CheckSuite.exhaustive("demo", "graph", () -> g, ExploreBounds.unbounded()).invariantIds())
                .containsExactly("DEMO-7");
        assertThat(CheckSuite.inductive("demo", "graph", () -> List.of(0, 1), () -> g).invariantIds())
                .containsExactly("DEMO-7");
    }

    @Test
    void failingExhaustiveAndInductiveSuitesKeepTheirCounterexample() {
        Graph g = new Graph(List.of(0), Set.of(2)).edge(0, 1).edge(1, 2);
        CheckSuite.Result exhaustive = CheckSuite.exhaustive("demo", "graph", () -> g, ExploreBounds.unbounded()).run();
        assertThat(exhaustive.passed()).isFalse();
        assertThat(exhaustive.counterexample()).hasValueSatisfying(f -> {
            assertThat(f.counterexample().invariantId()).isEqualTo("DEMO-7");
            assertThat(f.counterexample().steps()).hasSize(3);
        });
        CheckSuite.Result inductive = CheckSuite.inductive("demo", "one step", () -> List.of(0, 1, 2), () -> g).run();
        assertThat(inductive.passed()).isFalse();
        assertThat(inductive.counterexample()).hasValueSatisfying(f -> {
            assertThat(f.system()).isEqualTo("one step");
            assertThat(f.counterexample().invariantId()).isEqualTo("DEMO-7");
        });
    }

    @Test
    void explorerSettingsTakeOneOfEachAndRefuseZero() {
        ExplorerSettings least = new ExplorerSettings(org.mmspec.check.store.StoreMode.EXACT, 1, 1, 1);
        assertThat(least.withThreads(3).threads()).isEqualTo(3);
        assertThat(least.withThreads(3).switchAt()).isEqualTo(1);
        for (long[] bad : new long[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}) {
            assertThatThrownBy(() -> new ExplorerSettings(org.mmspec.check.store.StoreMode.EXACT, (int) bad[0],
                    bad[1], bad[2])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive: " + bad[0] + ", " + bad[1] + ", " + bad[2]);
        }
    }

    @Test
    void anActionSystemKeepsTheCodecItIsGiven() {
        StateCodec<int[]> codec = new StateCodec<>() {
            @Override
            public void write(int[] state, java.io.DataOutput out) throws java.io.IOException {
                out.writeInt(state[0]);
            }

            @Override
            public int[] read(java.io.DataInput in) throws java.io.IOException {
                return new int[] {in.readInt()};
            }
        };
        ActionSystem<int[]> plain = ActionSystem.of("counter", () -> List.of(new int[] {0}), int[]::clone, s -> s[0],
                s -> List.of(), InvariantSet.of("counter"));
        assertThat(plain.withCodec(codec).codec()).isSameAs(codec);
        assertThat(plain.withCodec(codec).name()).isEqualTo("counter");
    }

    @Test
    void anExplorationReportsItsStoreLine() {
        ExplorationResult r = Explorer.explore(new Graph(List.of(0), Set.of()).edge(0, 1).edge(1, 2),
                ExploreBounds.unbounded());
        assertThat(r.storeSummary()).startsWith("store ").contains("peak frontier");
    }
}
