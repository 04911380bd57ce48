package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Random topologies and operation sequences against the NUMA allocator, compared with the model
 * after every step; every invariant after every step; every rejection checked to change nothing.
 */
class NumaStatefulTest {
    @Test
    void numaAllocatorAgreesWithItsModel() {
        StatefulChecker.Report r = StatefulChecker.check(new NumaStateMachine(),
                CheckSettings.fromSystemProperties(NumaSuites.STEPS));
        assertThat(r.steps()).isPositive();
    }

    @Test
    void numaAllocatorWithReferenceAllocatorsAgreesWithItsModel() {
        StatefulChecker.check(new NumaStateMachine(org.mmspec.zones.AllocatorFactory.REFERENCE),
                CheckSettings.fromSystemProperties(NumaSuites.STEPS));
    }

    @Test
    void numaAllocatorWithSmallThresholdHybridsAgreesWithItsModel() {
        // Node memory starts at multiples of 16, so the seed's 512-frame threshold keeps these tiny
        // nodes' hybrids all bitmap; threshold 2 splits each node and sends orders >= 1 to the buddy.
        StatefulChecker.check(new NumaStateMachine(org.mmspec.zones.AllocatorFactory.hybrid(NumaSuites.SMALL_THRESHOLD, org.mmspec.frames.BuddyAllocator.GIB_ORDER)),
                CheckSettings.fromSystemProperties(NumaSuites.STEPS));
    }

    @Test
    void modelComparison_catchesUnalignedOrderRequests() {
        // the model's aligned first fit disagrees at the allocation itself, one step before NUMA-7 would
        CheckSettings s = CheckSettings.fromSystemProperties(NumaSuites.STEPS).withSeed(1);
        assertThatThrownBy(() -> StatefulChecker.check(new NumaStateMachine(NumaAllocator.Bug.UNALIGNED_ORDER), s))
                .isInstanceOf(StatefulFailure.class).hasMessageContaining("model mismatch on allocate");
    }

    @Test
    void aSeededTieBreakBugIsCaught() {
        CheckSettings s = CheckSettings.fromSystemProperties(NumaSuites.STEPS).withSeed(3);
        assertThatThrownBy(() -> StatefulChecker.check(new NumaStateMachine(NumaAllocator.Bug.TIES_BY_HIGHER_ID), s))
                .isInstanceOf(StatefulFailure.class);
    }

    /** TopologyRule's seeded bug: with the symmetry rule switched off, the bad topology is accepted and NUMA-1 fails at once. */
    @Test
    void NUMA_1_topologyRuleGeneratorCatchesTheSymmetryRuleSwitchedOff() {
        // The seed and the run count are both fixed: under PIT (-Dmmspec.runs=10) ten runs of seed 5 miss the bug.
        CheckSettings s = CheckSettings.fromSystemProperties(NumaSuites.STEPS).withSeed(5).withRuns(CheckSettings.DEFAULT_RUNS);
        assertThatThrownBy(() -> StatefulChecker.check(new NumaStateMachine(NumaAllocator.Bug.SYMMETRY_UNCHECKED), s))
                .isInstanceOfSatisfying(StatefulFailure.class, f -> assertThat(f.failure())
                        .isInstanceOfSatisfying(org.mmspec.check.InvariantViolation.class,
                                iv -> assertThat(iv.invariantId()).isEqualTo("NUMA-1")));
    }

    @Test
    void aSeededStrictFallbackIsCaught() {
        CheckSettings s = CheckSettings.fromSystemProperties(NumaSuites.STEPS).withSeed(4).withRuns(CheckSettings.DEFAULT_RUNS);
        assertThatThrownBy(() -> StatefulChecker.check(new NumaStateMachine(NumaAllocator.Bug.STRICT_FALLS_BACK), s))
                .isInstanceOf(StatefulFailure.class);
    }
}
