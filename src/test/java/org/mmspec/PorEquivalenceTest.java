package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Explorer;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;
import org.mmspec.check.TransitionSystem;

/**
 * Partial-order reduction changes no verdict: every {@code ci} configuration of every model runs
 * with POR on and off, and the two agree on the verdict and the violated invariant ID; every
 * counterexample POR-on reports is replayed step by step, by label, in the unreduced model, so its
 * violating state is reachable in the full search and breaks the same invariant there. The
 * unreduced count is the manifest's {@code statesFull}.
 *
 * <p>A configuration whose run does not reduce ({@link ModelRun#reduces}: the model declares no
 * partial order, or liveness is on) runs the identical search both ways, so it is run once and only
 * that is asserted.
 */
class PorEquivalenceTest {

    @TestFactory
    Stream<DynamicTest> porOnAndOffAgreeOnEveryCiConfiguration() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ExhaustiveModel model : Catalog.models()) {
            Manifest manifest = Manifest.load(model.name());
            for (String config : manifest.configs()) {
                if (!manifest.profile(config).equals("ci")) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(model.name() + " [" + config + "]", () -> {
                    TransitionSystem<?> system = model.build(manifest.bounds(config));
                    CheckOptions on = manifest.checks(config).withPor(true);
                    if (!Explorer.reduces(system, on)) {
                        assertThat(system.partialOrder() == null || on.liveness()).isTrue();
                        return;
                    }
                    ExplorationResult reduced = ModelRun.explore(model, manifest, config, Progress.NONE, true);
                    ExplorationResult full = ModelRun.explore(model, manifest, config, Progress.NONE, false);
                    System.out.printf("  %s [%s] POR on %d states, off %d states%n", model.name(), config,
                            reduced.distinctStates(), full.distinctStates());
                    assertThat(Manifest.verdict(reduced)).isEqualTo(Manifest.verdict(full));
                    assertThat(reduced.complete()).isEqualTo(full.complete());
                    assertThat(reduced.distinctStates()).isLessThanOrEqualTo(full.distinctStates());
                    assertThat(manifest.get(config + ".statesFull", null)).isEqualTo(String.valueOf(full.distinctStates()));
                    if (reduced.counterexample().isPresent() && !reduced.counterexample().get().isLasso()) {
                        replayInFullModel(model.build(manifest.bounds(config)), reduced.counterexample().get());
                    }
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Follows {@code c}'s steps in {@code system}'s unreduced successors, matching each step's label
     * and rendered state, and checks that the last state breaks {@code c}'s invariant.
     */
    private static <S> void replayInFullModel(TransitionSystem<S> system, Counterexample c) {
        List<Counterexample.TraceStep> steps = c.steps();
        S current = null;
        for (S init : system.initialStates()) {
            if (system.invariants().describe(init).equals(steps.get(0).state())) {
                current = init;
            }
        }
        assertThat(current).as("the trace starts in an initial state").isNotNull();
        for (int i = 1; i < steps.size(); i++) {
            Counterexample.TraceStep want = steps.get(i);
            List<S> match = new ArrayList<>();
            system.successors(current, (label, next) -> {
                if (match.isEmpty() && label.get().equals(want.label())
                        && system.invariants().describe(next).equals(want.state())) {
                    match.add(next);
                }
            });
            assertThat(match).as("step %d (%s) is a transition of the full model", i, want.label()).hasSize(1);
            current = match.get(0);
        }
        if (c.invariantId().equals(CheckOptions.DEADLOCK)) {
            int[] n = {0};
            system.successors(current, (label, next) -> n[0]++);
            assertThat(n[0]).as("the deadlocked state has no successor in the full model").isZero();
        } else if (!c.failure().startsWith("a transition failed")) {
            assertThat(system.invariants().firstViolation(current)).as("the last state breaks %s", c.invariantId())
                    .hasValueSatisfying(v -> assertThat(v.invariantId()).isEqualTo(c.invariantId()));
        }
    }
}
