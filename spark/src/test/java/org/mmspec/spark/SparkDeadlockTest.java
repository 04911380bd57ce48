package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.Progress;

/**
 * The built-in deadlock check on the executors ({@code spec/checking-core.md} §0.9), against the
 * in-process explorer, on {@link StuckModel}: a state with no successor that the model does not
 * mark final is {@code DEADLOCK} with the same shortest trace; marked final, or with the check
 * off, the search passes with the in-process counts.
 */
class SparkDeadlockTest {
    @TempDir
    static Path checkpoints;
    private static JavaSparkContext sc;
    private static final SparkExplorer.Settings SETTINGS = new SparkExplorer.Settings(2, 1);

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(SparkSetup.conf("local[2]", "mmspec-deadlock", false));
        sc.setLogLevel("WARN");
        sc.setCheckpointDir(checkpoints.toString());
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    private static ExplorationResult local(String bounds, CheckOptions checks) {
        return Explorer.explore(new StuckModel().build(Bounds.parse(bounds)), ExploreBounds.unbounded(), Progress.NONE,
                ExplorerSettings.fromProperties(), checks);
    }

    private static SparkExplorer.Run spark(String bounds, CheckOptions checks) {
        return SparkExplorer.explore(sc, new ModelSpec(StuckModel.class.getName(), bounds), ExploreBounds.unbounded(),
                SETTINGS, checks, null);
    }

    @Test
    void deadlockIsFoundOnTheExecutorsWithTheInProcessShortestTrace() {
        for (String bounds : new String[] {"longWay=0", "longWay=1"}) {
            ExplorationResult l = local(bounds, CheckOptions.DEFAULT);
            SparkExplorer.Run run = spark(bounds, CheckOptions.DEFAULT);
            ExplorationResult s = run.result();
            Counterexample lc = l.counterexample().orElseThrow();
            Counterexample scx = s.counterexample().orElseThrow();
            assertThat(lc.invariantId()).isEqualTo(CheckOptions.DEADLOCK);
            assertThat(scx.invariantId()).as(bounds).isEqualTo(CheckOptions.DEADLOCK);
            assertThat(scx.failure()).isEqualTo(lc.failure()).isEqualTo(Explorer.DEADLOCK_MESSAGE);
            assertThat(scx.length()).as(bounds).isEqualTo(lc.length()).isEqualTo(2);
            // one shortest path to the stuck state: the same steps, label by label
            assertThat(scx.steps()).isEqualTo(lc.steps());
            assertThat(s.depth()).isEqualTo(l.depth());
            // the spark search finishes the level it found the deadlock in (§0.9, counts)
            assertThat(l.distinctStates()).isBetween(run.statesBefore(), s.distinctStates());
            assertThat(l.transitions()).isBetween(run.transitionsBefore(), s.transitions());
        }
    }

    @Test
    void aStuckStateTheModelMarksFinalIsNoDeadlock() {
        ExplorationResult l = local("stuckFinal=1,longWay=1", CheckOptions.DEFAULT);
        ExplorationResult s = spark("stuckFinal=1,longWay=1", CheckOptions.DEFAULT).result();
        assertThat(l.passed()).isTrue();
        assertThat(s.passed()).isTrue();
        assertThat(s.distinctStates()).isEqualTo(l.distinctStates()).isEqualTo(8);
        assertThat(s.transitions()).isEqualTo(l.transitions());
        assertThat(s.depth()).isEqualTo(l.depth());
    }

    @Test
    void withTheDeadlockCheckOffTheStuckStateIsNotReported() {
        CheckOptions off = CheckOptions.DEFAULT.withDeadlock(false);
        ExplorationResult l = local("longWay=1", off);
        ExplorationResult s = spark("longWay=1", off).result();
        assertThat(l.passed()).isTrue();
        assertThat(s.passed()).isTrue();
        assertThat(s.distinctStates()).isEqualTo(l.distinctStates());
        assertThat(s.transitions()).isEqualTo(l.transitions());
    }
}
