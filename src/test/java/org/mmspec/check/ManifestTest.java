package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final String TEXT = """
            # demo
            configs=small,big
            small.bounds=frames=8,maxOrder=2
            small.depth=4
            small.states=10
            small.transitions=20
            small.reached=4
            big.bounds=frames=64
            big.profile=heavy
            big.expect=fail:DEMO-1
            """;

    @Test
    void parsesConfigsBoundsAndProfiles() {
        Manifest m = Manifest.parse("demo", TEXT);
        assertThat(m.configs()).containsExactly("small", "big");
        assertThat(m.bounds("small").getInt("frames")).isEqualTo(8);
        assertThat(m.exploreBounds("small").maxDepth()).isEqualTo(4);
        assertThat(m.exploreBounds("big").maxDepth()).isEqualTo(Integer.MAX_VALUE);
        assertThat(m.profile("small")).isEqualTo("ci");
        assertThat(m.profile("big")).isEqualTo("heavy");
        assertThat(m.expect("big")).isEqualTo("fail:DEMO-1");
    }

    @Test
    void driftIsReportedAndRecordingFixesIt() {
        Manifest m = Manifest.parse("demo", TEXT);
        ExplorationResult r = new ExplorationResult("demo", 11, 20, 4, false, Duration.ofMillis(5), Optional.empty());
        assertThat(ModelRun.drift(m, "small", r)).containsExactly("small: states drifted: recorded 10, now 11");
        m.record("small", r);
        assertThat(ModelRun.drift(m, "small", r)).isEmpty();
        assertThat(m.render()).contains("# demo", "small.states=11", "small.verdict=pass");
        assertThat(Manifest.parse("demo", m.render()).get("small.states")).isEqualTo("11");
    }

    @Test
    void aSeededBugThatIsNotCaughtIsDrift() {
        Manifest m = Manifest.parse("demo", TEXT);
        ExplorationResult r = new ExplorationResult("demo", 5, 5, 2, true, Duration.ZERO, Optional.empty());
        assertThat(ModelRun.drift(m, "big", r)).first().asString().contains("expected verdict fail:DEMO-1 but got pass");
    }

    @Test
    void malformedBoundsAreRejected() {
        assertThatThrownBy(() -> Bounds.parse("frames")).hasMessageContaining("not key=value");
        assertThat(Bounds.parse("a=1,b=x").with("c", 3).toString()).isEqualTo("a=1,b=x,c=3");
        assertThat(List.of(Bounds.parse(""))).hasSize(1);
    }

    @Test
    void aSearchThatStopsBeingCompleteIsDrift() {
        Manifest m = Manifest.parse("demo", TEXT + "small.complete=true\n");
        ExplorationResult r = new ExplorationResult("demo", 10, 20, 4, false, Duration.ZERO, Optional.empty());
        assertThat(ModelRun.drift(m, "small", r)).containsExactly("small: complete drifted: recorded true, now false");
    }
}
