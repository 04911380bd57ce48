package org.mmspec.debug;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;

/** The heap with every debugging feature on: heap and DEBUG invariants after every step, reports rendered on the way. */
class DebugStatefulTest {

    @Test
    void debuggingHeapKeepsEveryHeapAndDebugInvariant() {
        StatefulChecker.Report r = StatefulChecker.check(DebugMachine.machine(), CheckSettings.fromSystemProperties(60));
        assertThat(r.steps()).isPositive();
    }
}
