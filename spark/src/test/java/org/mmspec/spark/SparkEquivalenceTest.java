package org.mmspec.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mmspec.Catalog;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.Manifest;
import org.mmspec.check.Progress;

/**
 * The Spark engine against the in-process explorer, on {@code local[2]}: every {@code ci}
 * configuration of every catalogue model that encodes its states, up to {@value #CI_STATE_CAP}
 * recorded states. The larger ones (tlb-shootdown lazy, reclaim, small-tlb, symmetric,
 * symmetric-off; tlb-asid x86-slots, aarch64-huge, riscv-huge; zones-small z64-align, z64-ref;
 * hwsec-aarch64 small; hwsec-shadow-stack p2: 21,794 to 126,145 states) are left out only for CI's
 * time: on the shared 2-core CI machine {@code local[2]} explores some 3,000 states a second, and
 * these twelve alone would add about four minutes; {@code ./mmspec check MODEL CONFIG --engine spark}
 * runs any of them and compares it with its manifest. A passing configuration must
 * give the same distinct states, transitions, depth and completeness; a seeded bug the same
 * verdict, the same broken invariant and a counterexample of the same (shortest) length, whose
 * replayed last state breaks that invariant, and counts that bracket the in-process ones: the
 * in-process search stops at the failing state, the Spark search at the end of its level
 * ({@link SparkExplorer.Run#statesBefore}, {@code spec/checking-core.md} §0.9).
 */
class SparkEquivalenceTest {
    @TempDir
    static Path checkpoints;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(SparkSetup.conf("local[2]", "mmspec-equivalence", false));
        sc.setLogLevel("WARN");
        sc.setCheckpointDir(checkpoints.toString());
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    /** The most recorded states a configuration may have to run here (CI time; see the class comment). */
    static final long CI_STATE_CAP = 20_000;

    /** Every ci configuration of every model whose system has a codec, up to {@link #CI_STATE_CAP} states. */
    static List<String[]> encodableConfigs() {
        List<String[]> out = new ArrayList<>();
        for (ExhaustiveModel model : Catalog.models()) {
            Manifest manifest;
            try {
                manifest = Manifest.load(model.name());
            } catch (IllegalArgumentException e) {
                continue; // a JPF folder: no exhaustive manifest
            }
            for (String c : manifest.configs()) {
                // liveness needs the whole graph on one machine: the spark engine refuses it (SparkSetupTest)
                long states = Long.parseLong(manifest.get(c + ".states", "0"));
                if (manifest.profile(c).equals("ci") && model.build(manifest.bounds(c)).codec() != null
                        && !manifest.checks(c).liveness() && states <= CI_STATE_CAP) {
                    out.add(new String[] {model.name(), c});
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyEncodableCiConfigurationMatchesTheInProcessExplorer() {
        List<String[]> configs = encodableConfigs();
        assertThat(configs).as("configurations of models that encode their states").hasSizeGreaterThanOrEqualTo(120);
        // checkpointing every 4 levels: most configurations cross several checkpoints
        SparkExplorer.Settings settings = new SparkExplorer.Settings(2, 4);
        return configs.stream().map(mc -> DynamicTest.dynamicTest(mc[0] + ":" + mc[1], () -> {
            ExhaustiveModel model = Catalog.model(mc[0]);
            Manifest manifest = Manifest.load(mc[0]);
            // the spark engine does not reduce (no model but tlb-shootdown declares footprints, and there POR defers nothing)
            ExplorationResult local = Explorer.explore(model.build(manifest.bounds(mc[1])), manifest.exploreBounds(mc[1]),
                    Progress.NONE, ExplorerSettings.fromProperties(), manifest.checks(mc[1]).withPor(false));
            ModelSpec spec = new ModelSpec(mc[0], manifest.get(mc[1] + ".bounds", ""));
            SparkExplorer.Run run = SparkExplorer.explore(sc, spec, manifest.exploreBounds(mc[1]), settings,
                    manifest.checks(mc[1]), null);
            ExplorationResult spark = run.result();
            assertThat(Manifest.verdict(spark)).isEqualTo(Manifest.verdict(local)).isEqualTo(manifest.expect(mc[1]));
            assertThat(spark.depth()).as("depth").isEqualTo(local.depth());
            assertThat(spark.complete()).as("complete").isEqualTo(local.complete());
            if (local.passed()) {
                assertThat(spark.distinctStates()).as("states").isEqualTo(local.distinctStates());
                assertThat(spark.transitions()).as("transitions").isEqualTo(local.transitions());
            } else {
                Counterexample s = spark.counterexample().orElseThrow();
                Counterexample l = local.counterexample().orElseThrow();
                assertThat(s.invariantId()).isEqualTo(l.invariantId());
                assertThat(s.length()).as("counterexample length").isEqualTo(l.length());
                assertThat(s.steps().get(0).label()).isEqualTo("init");
                assertThat(s.failure()).startsWith(l.invariantId() + " violated");
                // the spark search finishes the failing level; the in-process one stops at the failing state
                assertThat(local.distinctStates()).as("states").isBetween(run.statesBefore(), spark.distinctStates());
                assertThat(local.transitions()).as("transitions").isBetween(run.transitionsBefore(), spark.transitions());
            }
        }));
    }

    @org.junit.jupiter.api.Test
    void aModelThatDoesNotEncodeItsStatesIsRefusedInOneLine() throws IOException {
        Manifest vm = Manifest.load("vm-address-space");
        String c = vm.configs().get(0);
        ModelSpec spec = new ModelSpec("vm-address-space", vm.get(c + ".bounds", ""));
        try {
            spec.codec();
            throw new AssertionError("vm-address-space has a codec now: pick a model without one");
        } catch (ModelSpec.NotEncodable e) {
            assertThat(e.getMessage()).contains("vm-address-space does not encode its states").doesNotContain("\n");
        }
        assertThat(Files.exists(checkpoints)).isTrue();
    }
}
