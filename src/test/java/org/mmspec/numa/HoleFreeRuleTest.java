package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.Choices;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;
import org.mmspec.zones.AllocatorFactory;

/**
 * NUMA's RESERVED rule (a free touching a hole of a node's memory): the machine's init gives a
 * node a hole in most runs, so freeBad breaks the rule (its rate is checked with every other
 * operation rule in ValidationRuleCoverageTest); switched off, NUMA-6 fails every stateful run.
 */
class HoleFreeRuleTest {
    private static final NodeId N0 = NodeId.of(0);

    private static NumaTopology oneNodeWithAHole() {
        return NumaTopology.of(List.of(new NodeSpec(N0, List.of(FrameRange.of(16, 2), FrameRange.of(20, 2)), CpuSet.of(0),
                Map.of(N0, NumaTopology.LOCAL_DISTANCE))));
    }

    @Test
    void aFreeTouchingAHoleIsRefusedWithReservedAndChangesNothing() {
        NumaAllocator a = new NumaAllocator(oneNodeWithAHole(), AllocatorFactory.REFERENCE);
        NumaAllocation got = a.allocate(new NumaRequest(0, 1, Binding.local()));
        Object before = a.key();
        for (FrameRange run : List.of(FrameRange.of(18, 1), FrameRange.of(19, 1), FrameRange.of(17, 2), FrameRange.of(19, 2))) {
            assertThatThrownBy(() -> a.free(run)).as(run.toString())
                    .isInstanceOfSatisfying(NumaError.class, e -> assertThat(e.errorKind()).isEqualTo(NumaError.Kind.RESERVED))
                    .hasMessageContaining("RESERVED on node0");
            assertThat(a.key()).isEqualTo(before);
        }
        a.free(got.run());
        assertThat(a.node(N0).allocatedFrames()).isZero();
    }

    @Test
    void withTheRuleOffTheNodeDropsTheRunFromItsBooksAndNuma6SaysSo() {
        NumaAllocator a = new NumaAllocator(oneNodeWithAHole(), AllocatorFactory.REFERENCE, NumaAllocator.Bug.RESERVED_UNCHECKED);
        NumaAllocation got = a.allocate(new NumaRequest(0, 1, Binding.local()));
        a.free(FrameRange.of(18, 1)); // accepted: the hole rule is off
        assertThat(a.node(N0).allocatedFrames()).isEqualTo(1);
        assertThat(a.live()).containsKey(got.run().start().number());
        assertThat(a.node(N0).freeFrames()).isEqualTo(2); // the pool refused the hole: nothing freed
        assertThat(NumaInvariants.ALL.violations(a)).extracting(Violation::invariantId).containsExactly("NUMA-6");
        // every other rule is still checked
        assertThatThrownBy(() -> a.free(FrameRange.of(30, 1))).isInstanceOfSatisfying(NumaError.class,
                e -> assertThat(e.errorKind()).isEqualTo(NumaError.Kind.OUT_OF_RANGE));
        assertThatThrownBy(() -> a.free(FrameRange.of(20, 1))).isInstanceOfSatisfying(NumaError.class,
                e -> assertThat(e.errorKind()).isEqualTo(NumaError.Kind.DOUBLE_FREE));
    }

    @Test
    void theMachinesInitGivesANodeAHoleInMostRunsWithMemory() {
        SplittableRandom seeds = new SplittableRandom(9);
        int withHole = 0;
        int runs = 400;
        for (int i = 0; i < runs; i++) {
            NumaStateMachine.State s = new NumaStateMachine().init(Choices.random(seeds.nextLong()));
            if (!s.holes.isEmpty()) {
                withHole++;
                FrameRange h = s.holes.get(0);
                assertThat(h.count()).isBetween(1L, 2L);
                assertThat(s.probes).contains(h.start().number());
                assertThat(s.numa.nodeContaining(h.start())).isPresent();
            }
        }
        assertThat(withHole).isBetween(runs / 4, runs * 3 / 4);
    }

    /** The RESERVED rule switched off (a free touching a hole accepted): NUMA-6 fails every run. */
    @Test
    void NUMA_6_seededUncheckedHoleFreeFailsEveryStatefulRun() {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(NumaSuites.STEPS).withSeed(seed).withRuns(200);
            assertThatThrownBy(() -> StatefulChecker.check(new NumaStateMachine(NumaAllocator.Bug.RESERVED_UNCHECKED), s))
                    .as("seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("NUMA-6")));
        }
    }
}
