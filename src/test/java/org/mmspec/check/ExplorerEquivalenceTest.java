package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.Catalog;
import org.mmspec.check.store.StoreMode;

/**
 * The fast explorer against the simple one on every ci configuration of every catalogue model.
 * The manifests' recorded counts were produced by the one-thread search ({@link ReferenceExplorer});
 * {@code ModelManifestDriftTest} holds the default settings (auto store, every processor) to them,
 * and this test holds the other modes: every model with fingerprints on three threads (each ci
 * configuration whose recorded time is at most {@link #MAX_MILLIS}, at least one per model, so that
 * the test costs a fraction of the drift test) must give the recorded states, transitions, depth, completeness, verdict and counterexample length; and where a
 * seeded bug gives a counterexample, the reference search, one thread with exact keys and four
 * threads switching to fingerprints after 10 states must give the very same trace (labels and
 * states) and counts. That is what "performance keeps semantics exact" means here.
 */
class ExplorerEquivalenceTest {
    static final ExplorerSettings PARALLEL_FINGERPRINT = new ExplorerSettings(StoreMode.FINGERPRINT, 3,
            ExplorerSettings.DEFAULT_SWITCH_AT);
    static final long MAX_MILLIS = 3000;
    static final List<ExplorerSettings> ON_BUGS = List.of(
            new ExplorerSettings(StoreMode.EXACT, 1, ExplorerSettings.DEFAULT_SWITCH_AT),
            new ExplorerSettings(StoreMode.AUTO, 4, 10));

    @TestFactory
    Stream<DynamicTest> everyModelGivesItsRecordedResultInParallelWithFingerprints() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ExhaustiveModel model : Catalog.models()) {
            Manifest manifest = Manifest.load(model.name());
            int before = tests.size();
            for (String config : manifest.configs()) {
                if (!manifest.profile(config).equals("ci")
                        || Long.parseLong(manifest.get(config + ".millis", "0")) > MAX_MILLIS) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(model.name() + " [" + config + "]", () -> {
                    ExploreBounds bounds = manifest.exploreBounds(config);
                    CheckOptions checks = manifest.checks(config);
                    ExplorationResult r = Explorer.explore(model.build(manifest.bounds(config)), bounds, Progress.NONE,
                            PARALLEL_FINGERPRINT, checks);
                    assertThat(r.stats().store()).isEqualTo("fingerprint");
                    assertThat(r.stats().threads()).isEqualTo(3);
                    assertThat(ModelRun.drift(manifest, config, r)).as("%s [%s] with %s", model.name(), config,
                            PARALLEL_FINGERPRINT).isEmpty();
                    if (r.passed()) {
                        return;
                    }
                    // the reference search checks safety and deadlock; a lasso is compared across settings only
                    ExplorationResult ref = r.counterexample().get().isLasso() ? r
                            : ReferenceExplorer.explore(model.build(manifest.bounds(config)), bounds, Progress.NONE, checks);
                    assertSame(ref, r, model.name() + " [" + config + "] " + PARALLEL_FINGERPRINT);
                    for (ExplorerSettings s : ON_BUGS) {
                        assertSame(ref, Explorer.explore(model.build(manifest.bounds(config)), bounds, Progress.NONE, s,
                                checks), model.name() + " [" + config + "] " + s);
                    }
                }));
            }
            assertThat(tests.size()).as("%s has a ci configuration of at most %d ms", model.name(), MAX_MILLIS)
                    .isGreaterThan(before);
        }
        return tests.stream();
    }

    static void assertSame(ExplorationResult ref, ExplorationResult r, String what) {
        assertThat(r.distinctStates()).as(what + " states").isEqualTo(ref.distinctStates());
        assertThat(r.transitions()).as(what + " transitions").isEqualTo(ref.transitions());
        assertThat(r.depth()).as(what + " depth").isEqualTo(ref.depth());
        assertThat(r.complete()).as(what + " complete").isEqualTo(ref.complete());
        assertThat(Manifest.verdict(r)).as(what + " verdict").isEqualTo(Manifest.verdict(ref));
        assertThat(r.counterexample()).as(what + " counterexample").isEqualTo(ref.counterexample());
    }
}
