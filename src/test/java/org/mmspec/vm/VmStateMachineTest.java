package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/** The model-based stateful check of address spaces and faults, and that it catches seeded bugs. */
class VmStateMachineTest {

    @Test
    void addressSpacesAgreeWithThePageModel() {
        StatefulChecker.Report r = StatefulChecker.check(new VmStateMachine(), CheckSettings.fromSystemProperties(60));
        System.out.println("vm stateful: " + r);
    }

    /** The same check with each 4 KiB-page format's real encoding under the address space. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"aarch64-4k", "sv39", "sv48"})
    void addressSpacesAgreeWithThePageModelOnOtherArchitectures(String format) {
        StatefulChecker.Report r = StatefulChecker.check(
                new VmStateMachine(VmSystem.Bug.NONE, org.mmspec.paging.PagingFormats.byName(format)),
                CheckSettings.fromSystemProperties(60));
        System.out.println("vm stateful " + format + ": " + r);
    }

    /**
     * Every seeded bug but the huge-page ones, which need 2 MiB ranges (AddressSpaceHugePageTest,
     * AddressSpaceHugetlbTest and VmHugeStateMachineTest catch them).
     */
    @ParameterizedTest
    @EnumSource(value = VmSystem.Bug.class, names = {"NONE", "COLLAPSE_ACROSS_AREAS", "HUGETLB_FAULT_SMALL"},
            mode = EnumSource.Mode.EXCLUDE)
    void seededBugIsCaughtAndShrunk(VmSystem.Bug bug) {
        CheckSettings s = CheckSettings.fromSystemProperties(60).withSeed(1).withRuns(300);
        assertThatThrownBy(() -> StatefulChecker.check(new VmStateMachine(bug), s))
                .isInstanceOf(StatefulFailure.class)
                .satisfies(f -> {
                    StatefulFailure sf = (StatefulFailure) f;
                    System.out.println(bug + ": " + sf.steps().size() + " steps after shrinking: " + sf.failure());
                    assertThat(sf.steps().size()).isLessThanOrEqualTo(8);
                });
    }
}
