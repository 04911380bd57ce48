package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;

/** The model-based stateful check of transparent huge pages (HUGE-1 among the invariants it checks). */
class VmHugeStateMachineTest {

    @Test
    void HUGE_1_andEveryOtherInvariantHoldOverRandomHugePageHistories() {
        StatefulChecker.Report r = StatefulChecker.check(new VmHugeStateMachine(),
                CheckSettings.fromSystemProperties(30).withRuns(Integer.getInteger("mmspec.runs", 40)));
        System.out.println("vm/huge stateful: " + r);
        assertThat(r.runs()).isPositive();
    }
}
