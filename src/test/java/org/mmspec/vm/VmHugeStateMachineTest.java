package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/** The model-based stateful check of transparent huge pages (HUGE-1 among the invariants it checks). */
class VmHugeStateMachineTest {

    @Test
    void HUGE_1_andEveryOtherInvariantHoldOverRandomHugePageHistories() {
        StatefulChecker.Report r = StatefulChecker.check(new VmHugeStateMachine(),
                CheckSettings.fromSystemProperties(30).withRuns(Integer.getInteger("mmspec.runs", 40)));
        System.out.println("vm/huge stateful: " + r);
        assertThat(r.runs()).isPositive();
    }

    /** The seeded hugetlb fault that maps one 4 KiB page: HUGETLB-1 names it, shrunk to a short history. */
    @Test
    void HUGETLB_1_catchesTheSeededSmallFaultInRandomHistories() {
        CheckSettings s = CheckSettings.fromSystemProperties(30).withSeed(1).withRuns(100);
        assertThatThrownBy(() -> StatefulChecker.check(new VmHugeStateMachine(VmSystem.Bug.HUGETLB_FAULT_SMALL), s))
                .isInstanceOf(StatefulFailure.class)
                .satisfies(f -> {
                    StatefulFailure sf = (StatefulFailure) f;
                    System.out.println("HUGETLB_FAULT_SMALL: " + sf.steps().size() + " steps after shrinking: " + sf.failure());
                    assertThat(sf.failure().toString()).contains("HUGETLB-1");
                    assertThat(sf.steps().size()).isLessThanOrEqualTo(3);
                });
    }
}
