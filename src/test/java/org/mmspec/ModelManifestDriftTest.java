package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;

/**
 * Runs every {@code ci} configuration of every model under {@code models/} at its manifest
 * bounds and fails if a recorded count drifts or a verdict differs from the expected one (a seeded
 * bug that is no longer caught is drift too). Heavy configurations run with {@code -Pheavy}.
 */
class ModelManifestDriftTest {

    @TestFactory
    Stream<DynamicTest> everyCiConfigurationMatchesItsManifest() {
        boolean heavy = Boolean.getBoolean("mmspec.heavy");
        List<DynamicTest> tests = new ArrayList<>();
        for (ExhaustiveModel model : Catalog.models()) {
            Manifest manifest = Manifest.load(model.name());
            for (String config : manifest.configs()) {
                if (!heavy && !manifest.profile(config).equals("ci")) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(model.name() + " [" + config + "] " + manifest.bounds(config), () -> {
                    ExplorationResult r = ModelRun.explore(model, manifest, config, Progress.NONE);
                    System.out.println("  " + model.name() + " [" + config + "] " + r.summary());
                    assertThat(ModelRun.drift(manifest, config, r)).as("drift against models/%s/manifest.properties "
                            + "(if the change is intended, run ./mmspec models %s --record)", model.name(), model.name())
                            .isEmpty();
                    assertThat(manifest.get(config + ".statesFull", null)).as("%s: statesFull recorded (./mmspec models %s"
                            + " --record)", config, model.name()).isNotNull();
                    if (!ModelRun.reduces(model, manifest, config)) {
                        assertThat(manifest.get(config + ".statesFull", null)).as("%s: no reduction, so statesFull = states",
                                config).isEqualTo(String.valueOf(r.distinctStates()));
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void everyModelFolderIsRegisteredAndEveryModelHasAFolder() throws Exception {
        java.nio.file.Path models = java.nio.file.Path.of("models");
        List<String> folders = new ArrayList<>();
        try (var dirs = java.nio.file.Files.list(models)) {
            dirs.filter(p -> java.nio.file.Files.exists(p.resolve("manifest.properties")))
                    .forEach(p -> folders.add(p.getFileName().toString()));
        }
        List<String> registered = Catalog.models().stream().map(ExhaustiveModel::name).toList();
        assertThat(registered).containsExactlyInAnyOrderElementsOf(folders);
    }
}
