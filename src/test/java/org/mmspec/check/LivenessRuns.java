package org.mmspec.check;

import java.util.List;

/**
 * Runs a model's manifest configurations for the liveness tests of each component: a seeded
 * liveness bug's configuration, its safety-only twin, and the clean {@code live*} ones.
 */
public final class LivenessRuns {
    private LivenessRuns() {
    }

    /** Configuration {@code config} of {@code model} at its manifest's bounds and checks. */
    public static ExplorationResult run(ExhaustiveModel model, String config) {
        return ModelRun.explore(model, Manifest.load(model.name()), config, Progress.NONE);
    }

    /** The labels of a lasso's cycle, the steps that repeat for ever. */
    public static List<String> cycle(Counterexample c) {
        return c.steps().subList(c.cycleStart() + 1, c.steps().size()).stream().map(Counterexample.TraceStep::label)
                .toList();
    }
}
