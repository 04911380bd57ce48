package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounds and manifests: parsing with typed, worded errors, defaults, recording a run into a
 * manifest without losing its comments, and every kind of drift between a run and what the
 * manifest recorded.
 */
class ManifestDetailTest {

    // --- Bounds ----------------------------------------------------------------------------------

    @Test
    void boundsParseTrimmedPairsInOrder() {
        Bounds b = Bounds.parse(" frames = 32 , maxOrder=3,bug=NONE");
        assertThat(b.getInt("frames")).isEqualTo(32);
        assertThat(b.getInt("maxOrder", 9)).isEqualTo(3);
        assertThat(b.getInt("cpus", 2)).isEqualTo(2);
        assertThat(b.get("bug")).isEqualTo("NONE");
        assertThat(b.get("bug", "X")).isEqualTo("NONE");
        assertThat(b.get("cpus", "X")).isEqualTo("X");
        assertThat(b.has("frames")).isTrue();
        assertThat(b.has("cpus")).isFalse();
        assertThat(b.toString()).isEqualTo("frames=32,maxOrder=3,bug=NONE");
        assertThat(Bounds.parse("a=b=c").get("a")).isEqualTo("b=c");
        assertThat(Bounds.parse("  ").toString()).isEmpty();
    }

    @Test
    void malformedBoundsNameTheBadEntry() {
        assertThatThrownBy(() -> Bounds.parse("frames=8,cpus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bounds entry is not key=value: 'cpus' in 'frames=8,cpus'");
        assertThatThrownBy(() -> Bounds.parse(" =4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bounds entry is not key=value: ' =4' in ' =4'");
        Bounds b = Bounds.parse("frames=8");
        assertThatThrownBy(() -> b.get("cpus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bounds lack 'cpus': frames=8");
    }

    @Test
    void withReplacesOrAddsAKeyAndKeepsTheOrder() {
        Bounds b = Bounds.parse("a=1,b=2,c=3");
        assertThat(b.with("b", 7).toString()).isEqualTo("a=1,b=7,c=3");
        assertThat(b.with("d", true).toString()).isEqualTo("a=1,b=2,c=3,d=true");
        assertThat(b.toString()).isEqualTo("a=1,b=2,c=3");
        assertThat(Bounds.parse("").with("x", 1).toString()).isEqualTo("x=1");
    }

    @Test
    void boundsAreEqualByTheirEntries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("b", "2");
        m.put("a", "1");
        Bounds fromMap = Bounds.of(m);
        assertThat(fromMap.toString()).isEqualTo("b=2,a=1");
        assertThat(fromMap).isEqualTo(Bounds.parse("a=1,b=2")).hasSameHashCodeAs(Bounds.parse("a=1,b=2"));
        assertThat(fromMap).isNotEqualTo(Bounds.parse("a=1,b=3")).isNotEqualTo(Bounds.parse("a=1"))
                .isNotEqualTo("a=1,b=2");
        assertThat(Bounds.parse("").hashCode()).isEqualTo(Map.of().hashCode());
        assertThat(Bounds.parse("a=1").hashCode()).isNotEqualTo(Bounds.parse("a=2").hashCode());
    }

    // --- Manifest --------------------------------------------------------------------------------

    private static final String TEXT = """
            # demo model
            configs = small , big

            small.bounds=frames=8
            small.depth=3
            small.maxStates=100
              # an indented comment
            small.states=10
            big.profile=heavy
            """;

    @Test
    void manifestParsesTrimmedEntriesAndSkipsComments() {
        Manifest m = Manifest.parse("demo", TEXT);
        assertThat(m.name()).isEqualTo("demo");
        assertThat(m.configs()).containsExactly("small", "big");
        assertThat(m.get("small.states")).isEqualTo("10");
        assertThat(m.get("small.nothing", "dflt")).isEqualTo("dflt");
        assertThat(m.exploreBounds("small")).isEqualTo(new ExploreBounds(3, 100));
        assertThat(m.exploreBounds("big")).isEqualTo(ExploreBounds.unbounded());
        assertThat(m.bounds("big")).isEqualTo(Bounds.parse(""));
        assertThat(m.profile("small")).isEqualTo("ci");
        assertThat(m.expect("small")).isEqualTo("pass");
        assertThat(m.render()).isEqualTo(TEXT);
    }

    @Test
    void aLineWithoutEqualsSignIsRejectedWithItsModelAndLine() {
        assertThatThrownBy(() -> Manifest.parse("demo", "configs=a\nbroken line\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models/demo/manifest.properties: not key=value: broken line");
        assertThat(Manifest.parse("demo", "=x\n").get("")).isEqualTo("x");
    }

    @Test
    void aMissingKeyIsNamed() {
        Manifest m = Manifest.parse("demo", TEXT);
        assertThatThrownBy(() -> m.get("small.expect")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models/demo/manifest.properties lacks small.expect");
        assertThatThrownBy(() -> Manifest.parse("empty", "").configs())
                .hasMessage("models/empty/manifest.properties lacks configs");
    }

    @Test
    void manifestsLoadFromTheClassPath() {
        Manifest m = Manifest.load("bitmap-16");
        assertThat(m.name()).isEqualTo("bitmap-16");
        assertThat(m.configs()).contains("ci");
        assertThatThrownBy(() -> Manifest.load("no-such-model")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no manifest on the class path: /models/no-such-model/manifest.properties");
    }

    @Test
    void DEMO_7_recordingWritesEveryResultKeyInPlaceOrAtTheEnd(@TempDir Path dir) throws Exception {
        Manifest m = Manifest.parse("demo", TEXT);
        Counterexample c = new Counterexample(List.of(new Counterexample.TraceStep("init", "s"),
                new Counterexample.TraceStep("go", "t")), "broke", "DEMO-7");
        ExplorationResult r = new ExplorationResult("demo", 12, 30, 3, false, Duration.ofMillis(8), Optional.of(c));
        m.record("small", r);
        assertThat(Manifest.verdict(r)).isEqualTo("fail:DEMO-7");
        assertThat(m.render()).isEqualTo("""
                # demo model
                configs = small , big

                small.bounds=frames=8
                small.depth=3
                small.maxStates=100
                  # an indented comment
                small.states=12
                big.profile=heavy
                small.transitions=30
                small.reached=3
                small.complete=false
                small.verdict=fail:DEMO-7
                small.cexLength=1
                small.millis=8
                small.statesFull=12
                """);
        assertThat(m.get("small.states")).isEqualTo("12");
        ExplorationResult pass = new ExplorationResult("demo", 12, 30, 3, true, Duration.ofMillis(9), Optional.empty());
        m.record("small", pass);
        assertThat(m.get("small.verdict")).isEqualTo("pass");
        assertThat(m.get("small.cexLength")).isEqualTo("-");
        assertThat(m.get("small.complete")).isEqualTo("true");
        assertThat(m.render().lines().filter(l -> l.startsWith("small.")).count()).isEqualTo(11);
        Path file = dir.resolve("manifest.properties");
        m.write(file);
        assertThat(Files.readString(file)).isEqualTo(m.render());
    }

    @Test
    void aKeyIsMatchedWholeWhenRecorded() {
        // "small.states" must not be taken for "small.statesExtra", nor the reverse.
        Manifest m = Manifest.parse("demo", "configs=small\nsmall.statesExtra=1\n");
        m.record("small", new ExplorationResult("demo", 5, 6, 1, true, Duration.ZERO, Optional.empty()));
        assertThat(m.get("small.statesExtra")).isEqualTo("1");
        assertThat(m.render()).contains("small.statesExtra=1\n", "small.states=5\n");
    }

    // --- ModelRun --------------------------------------------------------------------------------

    private static final String RECORDED = """
            configs=c
            c.bounds=n=4
            c.depth=full
            c.states=4
            c.transitions=3
            c.reached=3
            c.complete=true
            """;

    private static final ExhaustiveModel CHAIN = new ExhaustiveModel() {
        @Override
        public String name() {
            return "chain";
        }

        @Override
        public String component() {
            return "demo";
        }

        @Override
        public TransitionSystem<?> build(Bounds bounds) {
            return Graph.chain(bounds.getInt("n"), bounds.has("bad") ? Set.of(bounds.getInt("bad")) : Set.of());
        }
    };

    @Test
    void aRunAtTheManifestsBoundsMatchesWhatItRecorded() {
        Manifest m = Manifest.parse("chain", RECORDED);
        ExplorationResult r = ModelRun.explore(CHAIN, m, "c", Progress.NONE);
        assertThat(r.distinctStates()).isEqualTo(4);
        assertThat(ModelRun.drift(m, "c", r)).isEmpty();
        Manifest shallow = Manifest.parse("chain", RECORDED.replace("c.depth=full", "c.depth=2"));
        ExplorationResult cut = ModelRun.explore(CHAIN, shallow, "c", Progress.NONE);
        assertThat(ModelRun.drift(shallow, "c", cut)).containsExactly(
                "c: states drifted: recorded 4, now 3",
                "c: transitions drifted: recorded 3, now 2",
                "c: reached drifted: recorded 3, now 2",
                "c: complete drifted: recorded true, now false");
    }

    @Test
    void DEMO_7_anUnexpectedViolationIsDriftWithItsCounterexample() {
        Manifest m = Manifest.parse("chain", RECORDED.replace("c.bounds=n=4", "c.bounds=n=4,bad=2") + "c.cexLength=1\n");
        ExplorationResult r = ModelRun.explore(CHAIN, m, "c", Progress.NONE);
        List<String> drift = ModelRun.drift(m, "c", r);
        assertThat(drift.get(0)).startsWith("c: expected verdict pass but got fail:DEMO-7\ncounterexample, 2 steps");
        assertThat(drift.subList(1, drift.size())).containsExactly(
                "c: states drifted: recorded 4, now 3",
                "c: transitions drifted: recorded 3, now 2",
                "c: reached drifted: recorded 3, now 2",
                "c: complete drifted: recorded true, now false",
                "c: cexLength drifted: recorded 1, now 2");
    }

    @Test
    void anUnrecordedCountIsDriftThatSaysHowToRecord() {
        Manifest m = Manifest.parse("chain", "configs=c\nc.bounds=n=4\nc.expect=fail:DEMO-7\n");
        ExplorationResult r = new ExplorationResult("chain", 4, 3, 3, true, Duration.ZERO, Optional.empty());
        assertThat(ModelRun.drift(m, "c", r)).containsExactly(
                "c: expected verdict fail:DEMO-7 but got pass",
                "c: nothing recorded for states (run `./mmspec models --record`)",
                "c: nothing recorded for transitions (run `./mmspec models --record`)",
                "c: nothing recorded for reached (run `./mmspec models --record`)");
    }
}
