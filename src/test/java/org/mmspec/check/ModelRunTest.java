package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * {@link ModelRun} on a model that declares a partial order (three counters, from
 * {@link PartialOrderTest}: 32 states in full, 11 reduced): partial-order reduction as the manifest
 * asks, forced either way by {@code explore(..., por)} or by {@code --por}
 * ({@value ModelRun#POR_PROPERTY}), and the drift check that compares only the unreduced count
 * when {@code --por} overrides the manifest.
 */
class ModelRunTest {
    private static final int FULL = 32;
    private static final int REDUCED = 11;
    private static final int MAX = 3;

    private static final Invariant<int[]> B_BOUNDED = Invariant.of("T-1", "b stays within the bound",
            s -> Invariant.require(s[1] <= MAX, "b = %d", s[1]));

    private static PartialOrderTest.Move inc(int process, int var, int max) {
        return new PartialOrderTest.Move(process, "p" + process + " v" + var + "++", s -> s[var] < max, s -> {
            s[var]++;
            return s;
        });
    }

    /** Process 0 counts a, process 1 counts b, process 2 raises a flag; the invariant reads b and the flag. */
    private static ExhaustiveModel counters(boolean declares) {
        return new ExhaustiveModel() {
            @Override
            public String name() {
                return "counters";
            }

            @Override
            public String component() {
                return "demo";
            }

            @Override
            public TransitionSystem<?> build(Bounds bounds) {
                int n = bounds.getInt("n");
                return new PartialOrderTest.Toy(new int[3], List.of(inc(0, 0, n), inc(1, 1, n), inc(2, 2, 1)),
                        new long[] {1, 2, 4}, new long[] {1, 2, 4}, 2 | 4, B_BOUNDED, declares);
            }
        };
    }

    private static final ExhaustiveModel MODEL = counters(true);
    private static final String BASE = "configs=c\nc.bounds=n=" + MAX + "\n";

    /** Runs {@code body} with {@code --por} set to {@code value} ({@code null}: not given), restoring it after. */
    private static <T> T withPor(String value, Supplier<T> body) {
        String before = System.getProperty(ModelRun.POR_PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(ModelRun.POR_PROPERTY);
            } else {
                System.setProperty(ModelRun.POR_PROPERTY, value);
            }
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty(ModelRun.POR_PROPERTY);
            } else {
                System.setProperty(ModelRun.POR_PROPERTY, before);
            }
        }
    }

    @Test
    void exploreReducesAsTheManifestSaysUnlessForced() {
        Manifest on = Manifest.parse("counters", BASE);
        Manifest off = Manifest.parse("counters", BASE + "c.por=off\n");
        withPor(null, () -> {
            assertThat(ModelRun.explore(MODEL, on, "c", Progress.NONE).distinctStates()).isEqualTo(REDUCED);
            assertThat(ModelRun.explore(MODEL, off, "c", Progress.NONE).distinctStates()).isEqualTo(FULL);
            assertThat(ModelRun.explore(MODEL, on, "c", Progress.NONE, false).distinctStates()).isEqualTo(FULL);
            assertThat(ModelRun.explore(MODEL, off, "c", Progress.NONE, true).distinctStates()).isEqualTo(REDUCED);
            ExplorationResult forced = ModelRun.explore(MODEL, on, "c", Progress.NONE, true);
            assertThat(forced.distinctStates()).isEqualTo(REDUCED);
            assertThat(forced.counterexample()).isEmpty();
            return null;
        });
    }

    @Test
    void aRunReducesOnlyWhenPorIsAskedForAndTheModelDeclaresAPartialOrder() {
        Manifest on = Manifest.parse("counters", BASE);
        Manifest off = Manifest.parse("counters", BASE + "c.por=off\n");
        withPor(null, () -> {
            assertThat(ModelRun.reduces(MODEL, on, "c")).isTrue();
            assertThat(ModelRun.reduces(MODEL, off, "c")).isFalse();
            assertThat(ModelRun.reduces(counters(false), on, "c")).isFalse();
            return null;
        });
        assertThat(withPor("off", () -> ModelRun.reduces(MODEL, on, "c"))).isFalse();
        assertThat(withPor("on", () -> ModelRun.reduces(MODEL, off, "c"))).isTrue();
    }

    @Test
    void thePorPropertyOverridesTheManifestAndMustBeOnOrOff() {
        Manifest on = Manifest.parse("counters", BASE);
        Manifest off = Manifest.parse("counters", BASE + "c.por=off\n");
        assertThat(withPor(null, () -> ModelRun.options(on, "c"))).isEqualTo(on.checks("c")).extracting(CheckOptions::por)
                .isEqualTo(true);
        assertThat(withPor(null, () -> ModelRun.options(off, "c")).por()).isFalse();
        assertThat(withPor("off", () -> ModelRun.options(on, "c"))).isEqualTo(on.checks("c").withPor(false));
        assertThat(withPor("on", () -> ModelRun.options(off, "c"))).isEqualTo(off.checks("c").withPor(true));
        assertThatThrownBy(() -> withPor("maybe", () -> ModelRun.options(on, "c")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mmspec.por must be on or off, not maybe");
    }

    @Test
    void recordingAReducedRunKeepsTheUnreducedCountBesideIt() {
        Manifest m = Manifest.parse("counters", BASE);
        withPor(null, () -> {
            ExplorationResult reduced = ModelRun.explore(MODEL, m, "c", Progress.NONE);
            ExplorationResult full = ModelRun.explore(MODEL, m, "c", Progress.NONE, false);
            m.record("c", reduced);
            assertThat(m.get("c.statesFull")).isEqualTo(String.valueOf(REDUCED));
            m.recordFull("c", full.distinctStates());
            assertThat(m.get("c.states")).isEqualTo(String.valueOf(REDUCED));
            assertThat(m.get("c.statesFull")).isEqualTo(String.valueOf(FULL));
            assertThat(Manifest.parse("counters", m.render()).get("c.statesFull")).isEqualTo(String.valueOf(FULL));
            assertThat(ModelRun.drift(m, "c", reduced)).isEmpty();
            return null;
        });
    }

    /** A manifest (POR on) recording the reduced run and {@code statesFull} unreduced states. */
    private static Manifest recorded(String statesFull) {
        Manifest m = Manifest.parse("counters", BASE);
        withPor(null, () -> {
            m.record("c", ModelRun.explore(MODEL, m, "c", Progress.NONE));
            return null;
        });
        String text = m.render().replace("c.statesFull=" + REDUCED + "\n", statesFull == null ? "" : "c.statesFull=" + statesFull + "\n");
        return Manifest.parse("counters", text);
    }

    @Test
    void withPorOffOverridingTheManifestOnlyTheUnreducedCountIsCompared() {
        withPor("off", () -> {
            Manifest m = recorded(String.valueOf(FULL));
            ExplorationResult r = ModelRun.explore(MODEL, m, "c", Progress.NONE);
            assertThat(r.distinctStates()).isEqualTo(FULL);
            // states, transitions and reached record the reduced run: not compared
            assertThat(ModelRun.drift(m, "c", r)).isEmpty();
            assertThat(ModelRun.drift(recorded(String.valueOf(FULL - 1)), "c", r))
                    .containsExactly("c: statesFull drifted: recorded 31, now 32");
            assertThat(ModelRun.drift(recorded(null), "c", r))
                    .containsExactly("c: nothing recorded for statesFull (run `./mmspec models --record`)");
            return null;
        });
    }

    @Test
    void withPorOnOverridingAManifestWithoutItNoCountIsCompared() {
        Manifest m = Manifest.parse("counters", BASE + "c.por=off\n");
        withPor(null, () -> {
            m.record("c", ModelRun.explore(MODEL, m, "c", Progress.NONE));
            return null;
        });
        assertThat(m.get("c.states")).isEqualTo(String.valueOf(FULL));
        withPor("on", () -> {
            ExplorationResult r = ModelRun.explore(MODEL, m, "c", Progress.NONE);
            assertThat(r.distinctStates()).isEqualTo(REDUCED);
            assertThat(ModelRun.drift(m, "c", r)).isEmpty();
            Manifest failing = Manifest.parse("counters", m.render() + "c.expect=fail:T-1\n");
            assertThat(ModelRun.drift(failing, "c", r)).containsExactly("c: expected verdict fail:T-1 but got pass");
            return null;
        });
    }

    @Test
    void aPorPropertyThatAgreesWithTheManifestComparesEverything() {
        Manifest m = recorded(String.valueOf(FULL));
        withPor("on", () -> {
            ExplorationResult r = ModelRun.explore(MODEL, m, "c", Progress.NONE);
            assertThat(ModelRun.drift(m, "c", r)).isEmpty();
            Manifest drifted = Manifest.parse("counters", m.render().replace("c.states=" + REDUCED, "c.states=12"));
            assertThat(ModelRun.drift(drifted, "c", r)).containsExactly("c: states drifted: recorded 12, now 11");
            return null;
        });
    }

    @Test
    void anUnreducedCountBelowTheReducedOneIsDrift() {
        withPor(null, () -> {
            Manifest below = recorded(String.valueOf(REDUCED - 1));
            ExplorationResult r = ModelRun.explore(MODEL, below, "c", Progress.NONE);
            assertThat(ModelRun.drift(below, "c", r)).containsExactly("c: statesFull 10 is below the reduced run's 11 states");
            assertThat(ModelRun.drift(recorded(String.valueOf(REDUCED)), "c", r)).isEmpty();
            assertThat(ModelRun.drift(recorded(null), "c", r)).isEmpty();
            return null;
        });
    }
}
