package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class StatefulCheckerTest {
    private static final CheckSettings SETTINGS = CheckSettings.defaults().withSeed(42).withRuns(200).withSteps(40);

    @Test
    void correctMachinePassesAndRunsSteps() {
        StatefulChecker.Report r = StatefulChecker.check(ToySet.machine(ToySet.Bug.NONE), SETTINGS);
        assertThat(r.runs()).isEqualTo(200);
        assertThat(r.steps()).isGreaterThan(200L * 20);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 42, 1234, 99999, -7})
    void invariantViolationIsShrunkToTheMinimalSequence(long seed) {
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3), SETTINGS.withSeed(seed)));
        assertThat(f.failure()).isInstanceOf(InvariantViolation.class);
        assertThat(((InvariantViolation) f.failure()).invariantId()).isEqualTo("SET-1");
        // Two adds of the smallest value the bug affects: shrinking deleted every other step and
        // lowered the argument as far as it still fails.
        assertThat(f.steps()).containsExactly("add(3) -> ok", "add(3) -> ok");
        assertThat(f.getMessage()).contains("SET-1 violated", "-Dmmspec.seed=" + seed, "minimal steps");
    }

    @Test
    void modelMismatchIsShrunkToo() {
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.REMOVE_IGNORED_FOR_4), SETTINGS));
        assertThat(f.failure()).isInstanceOf(ModelMismatch.class);
        // remove is enabled only while the model is non-empty, so a second element keeps it enabled.
        assertThat(f.steps()).containsExactly("add(0) -> ok", "add(4) -> ok", "remove(4) -> true", "remove(4) -> true");
    }

    @Test
    void ATOMIC_1_rejectedOperationThatChangesStateIsCaught() {
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.MUTATE_ON_REJECT), SETTINGS));
        assertThat(f.failure()).isInstanceOf(FailureNotAtomic.class).hasMessageContaining("ATOMIC-1");
        assertThat(f.steps()).containsExactly("add(-1) -> rejected TOY");
    }

    @Test
    void sameSeedReproducesTheSameFailure() {
        StatefulFailure a = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3), SETTINGS.withSeed(7)));
        StatefulFailure b = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3), SETTINGS.withSeed(7)));
        assertThat(a.getMessage()).isEqualTo(b.getMessage());
    }

    @Test
    void printedChoicesReplayTheMinimalCase() {
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.check(ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3), SETTINGS));
        assertThatThrownBy(() -> StatefulChecker.replay(ToySet.machine(ToySet.Bug.DUPLICATES_FROM_3), f.choices()))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("SET-1");
        // The same choices pass on the correct implementation.
        StatefulChecker.replay(ToySet.machine(ToySet.Bug.NONE), f.choices());
    }

    @Test
    void choicesReplayPastTheEndYieldsSimplestValues() {
        Choices c = Choices.replay(new long[] {12, 3});
        assertThat(c.below(10)).isEqualTo(2); // reduced modulo the bound
        assertThat(c.between(5, 9)).isEqualTo(8);
        assertThat(c.hasMore()).isFalse();
        assertThat(c.below(100)).isZero();
        assertThat(c.recorded()).containsExactly(2, 3, 0);
    }
}
