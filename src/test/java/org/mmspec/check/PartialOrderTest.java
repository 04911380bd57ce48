package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.mmspec.check.store.StoreMode;

/**
 * Partial-order reduction on hand-built graphs with known answers: a sound reduction and its exact
 * reduced count, a reduction the cycle proviso (C3) makes sound, a visible step that must not be
 * deferred (C2), a dependent process that must not be deferred (C1), and equal reduced counts for
 * any number of threads.
 */
class PartialOrderTest {
    private static final CheckOptions POR = CheckOptions.DEFAULT.withPor(true);
    private static final CheckOptions FULL = CheckOptions.DEFAULT;

    /** One step: taken by {@code process} when {@code guard} holds. */
    record Move(int process, String name, Predicate<int[]> guard, UnaryOperator<int[]> apply) {
    }

    /**
     * Variables {@code v[0..]}, one bit each in the footprints; process {@code p} reads
     * {@code reads[p]} and writes {@code writes[p]} in every step, now and later.
     */
    static final class Toy implements TransitionSystem<int[]> {
        final int[] init;
        final List<Move> moves;
        final long[] reads;
        final long[] writes;
        final long visible;
        final Invariant<int[]> invariant;
        final boolean declares;

        Toy(int[] init, List<Move> moves, long[] reads, long[] writes, long visible, Invariant<int[]> invariant,
                boolean declares) {
            this.init = init;
            this.moves = moves;
            this.reads = reads;
            this.writes = writes;
            this.visible = visible;
            this.invariant = invariant;
            this.declares = declares;
        }

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public List<int[]> initialStates() {
            return List.of(init);
        }

        @Override
        public void successors(int[] s, Successors<int[]> out) {
            for (Move m : moves) {
                if (m.guard().test(s)) {
                    out.add(m.process(), m::name, m.apply().apply(s.clone()));
                }
            }
        }

        @Override
        public Object key(int[] s) {
            return Arrays.toString(s);
        }

        @Override
        public boolean isFinal(int[] s) {
            return true;
        }

        @Override
        public InvariantSet<int[]> invariants() {
            return InvariantSet.of("toy", invariant);
        }

        @Override
        public PartialOrder<int[]> partialOrder() {
            if (!declares) {
                return null;
            }
            return new PartialOrder<>() {
                @Override
                public int processes() {
                    return reads.length;
                }

                @Override
                public long visible() {
                    return visible;
                }

                @Override
                public long nextReads(int[] s, int p) {
                    return p < 0 ? 0 : reads[p];
                }

                @Override
                public long nextWrites(int[] s, int p) {
                    return p < 0 ? 0 : writes[p];
                }

                @Override
                public long laterReads(int[] s, int p) {
                    return nextReads(s, p);
                }

                @Override
                public long laterWrites(int[] s, int p) {
                    return nextWrites(s, p);
                }
            };
        }
    }

    private static final long A = 1;
    private static final long B = 2;
    private static final long F = 4;
    private static final int N = 3;

    private static Move inc(int process, int var, int max) {
        return new Move(process, "p" + process + " v" + var + "++", s -> s[var] < max, s -> {
            s[var]++;
            return s;
        });
    }

    /**
     * Process 0 counts a to N, process 1 counts b to N, process 2 raises a flag once; the
     * invariant reads b and the flag. Full graph: 4 * 4 * 2 = 32 states. Reduced: process 0 is
     * independent and invisible, so it runs first alone: (0..3, 0, 0), then everything from
     * (3, 0, 0): 4 + 4 * 2 - 1 = 11 states.
     */
    private static Toy counters(Invariant<int[]> inv, boolean declares) {
        List<Move> moves = List.of(inc(0, 0, N), inc(1, 1, N), inc(2, 2, 1));
        return new Toy(new int[3], moves, new long[] {A, B, F}, new long[] {A, B, F}, B | F, inv, declares);
    }

    private static final Invariant<int[]> B_BOUNDED = Invariant.of("T-1", "b stays within N",
            s -> Invariant.require(s[1] <= N, "b = %d", s[1]));
    private static final Invariant<int[]> NOT_BOTH = Invariant.of("T-2", "the flag is never up once b is N",
            s -> Invariant.require(!(s[2] == 1 && s[1] == N), "flag up with b = %d", s[1]));

    private static ExplorationResult run(TransitionSystem<int[]> t, CheckOptions o, int threads) {
        return Explorer.explore(t, ExploreBounds.unbounded(), Progress.NONE,
                new ExplorerSettings(StoreMode.EXACT, threads, ExplorerSettings.DEFAULT_SWITCH_AT), o);
    }

    @Test
    void soundReductionHasTheKnownCountAndTheSameVerdict() {
        assertThat(run(counters(B_BOUNDED, true), FULL, 1).distinctStates()).isEqualTo(32);
        ExplorationResult reduced = run(counters(B_BOUNDED, true), POR, 1);
        assertThat(reduced.passed()).isTrue();
        assertThat(reduced.distinctStates()).isEqualTo(11);
        // a model that declares nothing is never reduced
        assertThat(run(counters(B_BOUNDED, false), POR, 1).distinctStates()).isEqualTo(32);
        ExplorationResult bad = run(counters(NOT_BOTH, true), POR, 1);
        assertThat(bad.passed()).isFalse();
        assertThat(bad.counterexample().orElseThrow().invariantId()).isEqualTo("T-2");
    }

    @Test
    void reducedCountsDoNotDependOnTheThreads() {
        for (int threads : new int[] {1, 2, 4}) {
            assertThat(run(counters(B_BOUNDED, true), POR, threads).distinctStates()).isEqualTo(11);
            assertThat(run(counters(NOT_BOTH, true), POR, threads).distinctStates())
                    .isEqualTo(run(counters(NOT_BOTH, true), POR, 1).distinctStates());
        }
    }

    /**
     * Process 0 toggles a between 0 and 1 for ever (invisible, independent); process 1 sets b once,
     * which breaks T-3. Without C3 the toggle is the ample set of both states, its cycle closes,
     * and b's step is never taken: the violation is missed (the ignoring problem). With C3 the
     * toggle back to a stored state forces full expansion and the violation is found.
     */
    @Test
    void cycleProvisoCatchesTheIgnoringProblem() {
        Move toggle = new Move(0, "p0 toggle a", s -> true, s -> {
            s[0] = 1 - s[0];
            return s;
        });
        Invariant<int[]> bZero = Invariant.of("T-3", "b stays 0", s -> Invariant.require(s[1] == 0, "b = %d", s[1]));
        Toy t = new Toy(new int[2], List.of(toggle, inc(1, 1, 1)), new long[] {A, B}, new long[] {A, B}, B, bZero, true);
        ExplorerSettings one = new ExplorerSettings(StoreMode.EXACT, 1, ExplorerSettings.DEFAULT_SWITCH_AT);
        ExplorationResult unsound = Explorer.explore(t, ExploreBounds.unbounded(), Progress.NONE, one, POR, false);
        assertThat(unsound.passed()).as("without the proviso the reduction ignores b's step").isTrue();
        assertThat(unsound.distinctStates()).isEqualTo(2);
        ExplorationResult sound = Explorer.explore(t, ExploreBounds.unbounded(), Progress.NONE, one, POR, true);
        assertThat(sound.passed()).isFalse();
        assertThat(sound.counterexample().orElseThrow().invariantId()).isEqualTo("T-3");
        assertThat(run(t, FULL, 1).counterexample().orElseThrow().invariantId()).isEqualTo("T-3");
    }

    /**
     * Process 0 moves a 0 -> 1 -> 2, process 1 sets b once; T-4 forbids a = 1 with b = 1. a is read
     * by the invariant, so process 0's steps are visible and must not be deferred: the truthful
     * declaration explores every state and finds (1, 1). A declaration that hides a from the
     * invariant runs process 0 to 2 first and misses it, which is what C2 prevents.
     */
    @Test
    void visibleStepIsNotDeferred() {
        Invariant<int[]> notBoth = Invariant.of("T-4", "a = 1 and b = 1 never together",
                s -> Invariant.require(!(s[0] == 1 && s[1] == 1), "a = 1, b = 1"));
        List<Move> moves = List.of(inc(0, 0, 2), inc(1, 1, 1));
        Toy truthful = new Toy(new int[2], moves, new long[] {A, B}, new long[] {A, B}, A | B, notBoth, true);
        Toy hiding = new Toy(new int[2], moves, new long[] {A, B}, new long[] {A, B}, B, notBoth, true);
        ExplorationResult full = run(truthful, FULL, 1);
        ExplorationResult reduced = run(truthful, POR, 1);
        assertThat(reduced.distinctStates()).isEqualTo(full.distinctStates());
        assertThat(reduced.counterexample().orElseThrow().invariantId()).isEqualTo("T-4");
        assertThat(run(hiding, POR, 1).passed()).as("a visible step deferred hides the violation").isTrue();
    }

    /**
     * C1: process 0 writes v0, which process 1 reads; process 0 must not be deferred past process 1
     * even though it is invisible, so the reduced count equals the full one.
     */
    @Test
    void dependentProcessIsNotDeferred() {
        List<Move> moves = new ArrayList<>(List.of(inc(0, 0, N), new Move(1, "p1 copies a into b", s -> s[1] != s[0], s -> {
            s[1] = s[0];
            return s;
        })));
        Toy t = new Toy(new int[2], moves, new long[] {A, A | B}, new long[] {A, B}, B, B_BOUNDED, true);
        assertThat(run(t, POR, 1).distinctStates()).isEqualTo(run(t, FULL, 1).distinctStates());
    }

    @Test
    void livenessTurnsTheReductionOff() {
        Toy t = counters(B_BOUNDED, true);
        assertThat(Explorer.reduces(t, POR)).isTrue();
        assertThat(Explorer.reduces(t, POR.withLiveness(true))).as("no liveness properties: nothing to protect").isTrue();
        assertThat(Explorer.reduces(t, FULL)).isFalse();
        assertThat(Explorer.reduces(counters(B_BOUNDED, false), POR)).isFalse();
    }
}
