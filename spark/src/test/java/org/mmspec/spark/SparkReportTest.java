package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;

/**
 * How {@link SparkCheck#report} compares a Spark run with the manifest when the failing level
 * breaks several invariants (spec/checking-core.md §0.9): the in-process explorer's ID must be
 * among those broken at that level, and the counterexample as short; nothing else passes.
 */
class SparkReportTest {
    /** vm-address-space small-bug-remap: the manifest expects COW-1 in 3 steps. */
    private static final String MODEL = "vm-address-space";
    private static final String CONFIG = "small-bug-remap";

    private static SparkExplorer.Run failing(String id, int steps, String... brokenAtLevel) {
        List<Counterexample.TraceStep> trace = new ArrayList<>();
        trace.add(new Counterexample.TraceStep("init", "s0"));
        for (int i = 1; i <= steps; i++) {
            trace.add(new Counterexample.TraceStep("step " + i, "s" + i));
        }
        Counterexample cex = new Counterexample(trace, id + " violated (test)", id);
        ExplorationResult r = new ExplorationResult(MODEL, 10, 20, steps, false, Duration.ZERO, Optional.of(cex));
        return new SparkExplorer.Run(r, steps, 0, 0, 0, 5, 10, new TreeSet<>(List.of(brokenAtLevel)));
    }

    private static String report(SparkExplorer.Run run, int[] code) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        code[0] = SparkCheck.report(new PrintStream(bytes, true, StandardCharsets.UTF_8), Manifest.load(MODEL), CONFIG, run);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anotherInvariantAtTheFailingLevelMatchesWhenTheManifestsIsBrokenThereToo() {
        int[] code = new int[1];
        String out = report(failing("AS-1", 3, "AS-1", "COW-1"), code);
        assertThat(code[0]).isZero();
        assertThat(out).contains("the in-process explorer names COW-1, broken at the same level")
                .contains("[AS-1, COW-1]").contains("matches the manifest (fail:COW-1)").doesNotContain("DIFFERS");
    }

    @Test
    void anotherInvariantDiffersWhenTheManifestsIsNotBrokenAtThatLevel() {
        int[] code = new int[1];
        String out = report(failing("AS-1", 3, "AS-1"), code);
        assertThat(code[0]).isEqualTo(1);
        assertThat(out).contains("DIFFERS: expected verdict fail:COW-1 but got fail:AS-1");
    }

    @Test
    void theManifestsInvariantAtAnotherDepthDiffers() {
        int[] code = new int[1];
        String out = report(failing("AS-1", 4, "AS-1", "COW-1"), code);
        assertThat(code[0]).isEqualTo(1);
        assertThat(out).contains("DIFFERS: counterexample length 4, in-process 3");
    }
}
