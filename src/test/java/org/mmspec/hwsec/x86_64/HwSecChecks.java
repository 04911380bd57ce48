package org.mmspec.hwsec.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StateMachine;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/** Shared helpers of the hardware-security tests: fixed seeds, and "this seeded bug is caught by that ID". */
final class HwSecChecks {
    static final long SEED = 20261204L;

    private HwSecChecks() {
    }

    static CheckSettings settings(int runs) {
        return CheckSettings.fromSystemProperties(50).withRuns(runs).withSeed(SEED);
    }

    /** Runs {@code machine} until it fails, and checks the shrunk failure names {@code id}. */
    static <S> StatefulFailure assertCaughtBy(StateMachine<S> machine, String id, int maxSteps) {
        try {
            StatefulChecker.check(machine, settings(300));
        } catch (StatefulFailure f) {
            assertThat(f.failure()).as(f.getMessage()).isInstanceOf(InvariantViolation.class);
            assertThat(((InvariantViolation) f.failure()).invariantId()).as(f.getMessage()).isEqualTo(id);
            assertThat(f.steps()).as(f.getMessage()).hasSizeLessThanOrEqualTo(maxSteps);
            return f;
        }
        throw new AssertionError("the seeded bug of " + machine.name() + " was not caught");
    }
}
