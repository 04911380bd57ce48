package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How hard a check works ({@link CheckSettings}, read from system properties) and the rows of
 * the {@code mmspec check} table ({@link CheckSuite}) for each kind of check.
 */
class SettingsAndSuiteTest {
    private static final String[] PROPS = {"mmspec.seed", "mmspec.runs", "mmspec.scale"};
    private final String[] saved = new String[PROPS.length];

    @BeforeEach
    void save() {
        for (int i = 0; i < PROPS.length; i++) {
            saved[i] = System.getProperty(PROPS[i]);
        }
    }

    @AfterEach
    void restore() {
        for (int i = 0; i < PROPS.length; i++) {
            if (saved[i] == null) {
                System.clearProperty(PROPS[i]);
            } else {
                System.setProperty(PROPS[i], saved[i]);
            }
        }
    }

    // --- CheckSettings ---------------------------------------------------------------------------

    @Test
    void settingsRejectNoRunsNoStepsAndNegativeShrinkAttempts() {
        Duration t = Duration.ofSeconds(1);
        String msg = "runs and steps must be positive, shrink attempts non-negative";
        assertThatThrownBy(() -> new CheckSettings(1, 0, 1, 0, t)).isInstanceOf(IllegalArgumentException.class).hasMessage(msg);
        assertThatThrownBy(() -> new CheckSettings(1, 1, 0, 0, t)).isInstanceOf(IllegalArgumentException.class).hasMessage(msg);
        assertThatThrownBy(() -> new CheckSettings(1, 1, 1, -1, t)).isInstanceOf(IllegalArgumentException.class).hasMessage(msg);
        CheckSettings least = new CheckSettings(1, 1, 1, 0, t);
        assertThat(least.runs()).isEqualTo(1);
        assertThat(least.steps()).isEqualTo(1);
        assertThat(least.maxShrinkAttempts()).isZero();
    }

    @Test
    void withersChangeOneFieldOnly() {
        CheckSettings s = new CheckSettings(1, 2, 3, 4, Duration.ofSeconds(5));
        assertThat(s.withSeed(9)).isEqualTo(new CheckSettings(9, 2, 3, 4, Duration.ofSeconds(5)));
        assertThat(s.withRuns(9)).isEqualTo(new CheckSettings(1, 9, 3, 4, Duration.ofSeconds(5)));
        assertThat(s.withSteps(9)).isEqualTo(new CheckSettings(1, 2, 9, 4, Duration.ofSeconds(5)));
    }

    @Test
    void systemPropertiesSetSeedRunsAndScale() {
        System.setProperty("mmspec.seed", " 77 ");
        System.setProperty("mmspec.runs", "3");
        System.setProperty("mmspec.scale", "2");
        CheckSettings s = CheckSettings.fromSystemProperties(10);
        assertThat(s).isEqualTo(new CheckSettings(77, 6, 20, CheckSettings.DEFAULT_SHRINK_ATTEMPTS,
                CheckSettings.DEFAULT_SHRINK_TIME));
        assertThat(CheckSettings.defaults().steps()).isEqualTo(CheckSettings.DEFAULT_STEPS * 2);
        assertThat(CheckSettings.scale()).isEqualTo(2);
        System.setProperty("mmspec.scale", "0");
        assertThat(CheckSettings.scale()).isEqualTo(1);
        System.setProperty("mmspec.scale", "-4");
        assertThat(CheckSettings.scale()).isEqualTo(1);
        System.clearProperty("mmspec.scale");
        System.clearProperty("mmspec.runs");
        assertThat(CheckSettings.scale()).isEqualTo(1);
        assertThat(CheckSettings.defaults()).isEqualTo(new CheckSettings(77, CheckSettings.DEFAULT_RUNS,
                CheckSettings.DEFAULT_STEPS, 20_000, Duration.ofSeconds(30)));
    }

    @Test
    void aBlankSeedPropertyMeansAFreshSeed() {
        System.setProperty("mmspec.seed", " ");
        System.setProperty("mmspec.runs", "4");
        System.clearProperty("mmspec.scale");
        CheckSettings s = CheckSettings.fromSystemProperties(5);
        assertThat(s.runs()).isEqualTo(4);
        assertThat(s.steps()).isEqualTo(5);
        System.clearProperty("mmspec.seed");
        assertThat(CheckSettings.fromSystemProperties(5).runs()).isEqualTo(4);
    }

    // --- CheckSuite ------------------------------------------------------------------------------

    @Test
    void kindsNameTheirUnits() {
        assertThat(CheckSuite.Kind.RANDOM.unit()).isEqualTo("cases");
        assertThat(CheckSuite.Kind.EXHAUSTIVE.unit()).isEqualTo("states");
        assertThat(CheckSuite.Kind.INDUCTIVE.unit()).isEqualTo("states");
    }

    @Test
    void aSuiteFromPartsCallsItsSuppliersOnlyWhenAsked() {
        AtomicInteger calls = new AtomicInteger();
        CheckSuite.Result result = new CheckSuite.Result(3, Duration.ofMillis(1), true, "fine");
        CheckSuite s = CheckSuite.of("frames", "buddy", CheckSuite.Kind.EXHAUSTIVE, () -> {
            calls.incrementAndGet();
            return List.of("BUDDY-1");
        }, () -> {
            calls.incrementAndGet();
            return result;
        });
        assertThat(calls.get()).isZero();
        assertThat(s.component()).isEqualTo("frames");
        assertThat(s.name()).isEqualTo("buddy");
        assertThat(s.kind()).isEqualTo(CheckSuite.Kind.EXHAUSTIVE);
        assertThat(s.invariantIds()).containsExactly("BUDDY-1");
        assertThat(s.run()).isSameAs(result);
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void aStatefulSuiteReportsRunsStepsAndSeed() {
        CheckSuite s = CheckSuite.stateful("toy", ToySet.machine(ToySet.Bug.NONE),
                () -> new CheckSettings(5, 4, 3, 10, Duration.ofSeconds(1)));
        assertThat(s.name()).isEqualTo("toyset-NONE (stateful, model-based)");
        assertThat(s.component()).isEqualTo("toy");
        assertThat(s.kind()).isEqualTo(CheckSuite.Kind.RANDOM);
        assertThat(s.invariantIds()).containsExactly("SET-1");
        CheckSuite.Result r = s.run();
        assertThat(r.passed()).isTrue();
        assertThat(r.count()).isEqualTo(4);
        assertThat(r.detail()).isEqualTo("4 runs, 12 steps, seed 5");
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void SET_1_aFailingStatefulSuiteCarriesTheShrunkReport() {
        CheckSuite s = CheckSuite.stateful("toy", ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3),
                () -> new CheckSettings(42, 200, 40, 20_000, Duration.ofSeconds(30)));
        CheckSuite.Result r = s.run();
        assertThat(r.passed()).isFalse();
        assertThat(r.count()).isEqualTo(200);
        assertThat(r.detail()).startsWith("toyset-DUPLICATES_FROM_3: falsified after shrinking").contains("SET-1 violated",
                "add(3) -> ok");
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void aStatefulSuiteWithStepsReadsTheSystemProperties() {
        System.setProperty("mmspec.seed", "11");
        System.setProperty("mmspec.runs", "2");
        System.clearProperty("mmspec.scale");
        CheckSuite.Result r = CheckSuite.stateful("toy", ToySet.machine(ToySet.Bug.NONE), 6).run();
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.detail()).isEqualTo("2 runs, 12 steps, seed 11");
    }

    @Test
    void DEMO_7_anExhaustiveSuiteCountsStatesAndRendersItsCounterexample() {
        CheckSuite ok = CheckSuite.exhaustive("g", "chain", () -> Graph.chain(4, Set.of()), ExploreBounds.unbounded());
        assertThat(ok.kind()).isEqualTo(CheckSuite.Kind.EXHAUSTIVE);
        assertThat(ok.invariantIds()).containsExactly("DEMO-7");
        CheckSuite.Result r = ok.run();
        assertThat(r.passed()).isTrue();
        assertThat(r.count()).isEqualTo(4);
        assertThat(r.detail()).startsWith("graph: 4 states, 3 transitions, depth 3 (complete), ").endsWith(" ms, pass");
        CheckSuite bad = CheckSuite.exhaustive("g", "chain", () -> Graph.chain(4, Set.of(2)), ExploreBounds.unbounded());
        CheckSuite.Result f = bad.run();
        assertThat(f.passed()).isFalse();
        assertThat(f.count()).isEqualTo(3);
        assertThat(f.detail()).startsWith("counterexample, 2 steps, breaks DEMO-7\n");
    }

    @Test
    void DEMO_7_anInductiveSuiteCountsItsScope() {
        CheckSuite ok = CheckSuite.inductive("g", "step", () -> List.of(0, 1, 2, 7), () -> Graph.chain(4, Set.of(7)));
        assertThat(ok.kind()).isEqualTo(CheckSuite.Kind.INDUCTIVE);
        assertThat(ok.name()).isEqualTo("step");
        assertThat(ok.invariantIds()).containsExactly("DEMO-7");
        CheckSuite.Result r = ok.run();
        assertThat(r.passed()).isTrue();
        assertThat(r.count()).isEqualTo(4);
        assertThat(r.detail()).isEqualTo("4 states in scope, 3 satisfying, 3 transitions");
        CheckSuite bad = CheckSuite.inductive("g", "step", () -> List.of(0, 1, 2), () -> Graph.chain(4, Set.of(2)));
        CheckSuite.Result f = bad.run();
        assertThat(f.passed()).isFalse();
        assertThat(f.count()).isEqualTo(2);
        assertThat(f.detail()).startsWith("counterexample, 1 steps, breaks DEMO-7\n");
    }

    // --- errors ----------------------------------------------------------------------------------

    enum DemoKind { DOUBLE_FREE, OUT_OF_RANGE }

    static final class DemoError extends KindedException {
        private static final long serialVersionUID = 1L;

        DemoError(DemoKind kind, String format, Object... args) {
            super(kind, format, args);
        }
    }

    @Test
    void aKindedErrorFormatsItsMessageLazilyAndKeepsItsKind() {
        int[] frame = {3};
        DemoError e = new DemoError(DemoKind.DOUBLE_FREE, "frame %d freed twice", frame[0]);
        frame[0] = 4;
        assertThat(e.getMessage()).isEqualTo("frame 3 freed twice");
        assertThat(e.getMessage()).isSameAs(e.getMessage());
        assertThat(e.kind()).isEqualTo("DOUBLE_FREE");
        assertThat(e.errorKind()).isEqualTo(DemoKind.DOUBLE_FREE);
        assertThat(e.toString()).isEqualTo("DemoError[DOUBLE_FREE]: frame 3 freed twice");
        // Without arguments the text is taken as it is, '%' and all.
        assertThat(new DemoError(DemoKind.OUT_OF_RANGE, "100% full").getMessage()).isEqualTo("100% full");
        assertThatThrownBy(() -> new DemoError(null, "x")).isInstanceOf(NullPointerException.class).hasMessage("kind");
    }

    @Test
    void aKindedErrorHasNoStackTraceByDefault() {
        DemoError e = new DemoError(DemoKind.OUT_OF_RANGE, "x");
        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.fillInStackTrace()).isSameAs(e);
    }

    @Test
    void aKindedErrorSerializesWithItsFormattedMessage() throws Exception {
        DemoError e = new DemoError(DemoKind.OUT_OF_RANGE, "page %s out of range", new StringBuilder("0x40"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        Object back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        DemoError copy = (DemoError) back;
        assertThat(copy.getMessage()).isEqualTo("page 0x40 out of range");
        assertThat(copy.kind()).isEqualTo("OUT_OF_RANGE");
    }

    @Test
    void failureMessagesNameWhatBroke() {
        Violation v = new Violation("DEMO-3", "the list is sorted", "3 before 2");
        assertThat(v.message()).isEqualTo("DEMO-3 violated (the list is sorted): 3 before 2");
        InvariantViolation withState = new InvariantViolation(v, "[3, 2]");
        assertThat(withState).hasMessage("DEMO-3 violated (the list is sorted): 3 before 2\n  state: [3, 2]");
        assertThat(withState.violation()).isSameAs(v);
        assertThat(withState.invariantId()).isEqualTo("DEMO-3");
        assertThat(new InvariantViolation(v, "")).hasMessage("DEMO-3 violated (the list is sorted): 3 before 2");
        assertThat(new InvariantViolation(v, null)).hasMessage("DEMO-3 violated (the list is sorted): 3 before 2");
        assertThat(new ModelMismatch("free(3)", true, false))
                .hasMessage("model mismatch on free(3): implementation gave true, model gave false");
    }
}
