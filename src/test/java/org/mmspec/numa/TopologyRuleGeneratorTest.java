package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.frames.FrameRange;

/**
 * The generator of bad NUMA topologies: each {@link NumaStateMachine.TopologyRule}, applied to a
 * valid topology of one to three nodes, is refused by {@link NumaTopology#of} with exactly its
 * own error, and the machine's init (which offers one in four runs a broken topology and fails on
 * any other answer) runs through every rule.
 */
class TopologyRuleGeneratorTest {

    private static List<NodeSpec> valid(int n) {
        List<NodeSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<NodeId, Integer> row = new TreeMap<>();
            for (int j = 0; j < n; j++) {
                row.put(NodeId.of(2 * j + 1), i == j ? NumaTopology.LOCAL_DISTANCE : 20 + 10 * Math.abs(i - j));
            }
            out.add(new NodeSpec(NodeId.of(2 * i + 1), List.of(FrameRange.of(16L * (i + 1), 4)), CpuSet.of(i), row));
        }
        return out;
    }

    @Test
    void everyRuleBrokenAloneGetsItsOwnError() {
        SplittableRandom seeds = new SplittableRandom(11);
        Map<NumaStateMachine.TopologyRule, Integer> seen = new EnumMap<>(NumaStateMachine.TopologyRule.class);
        for (int n = 1; n <= 3; n++) {
            List<NodeSpec> specs = valid(n);
            assertThat(NumaTopology.of(specs).distanceProblem()).isEmpty();
            for (NumaStateMachine.TopologyRule rule : NumaStateMachine.TopologyRule.applicable(n, specs)) {
                for (int k = 0; k < 20; k++) {
                    List<NodeSpec> bad = rule.breakIt(Choices.random(seeds.nextLong()), specs);
                    assertThatThrownBy(() -> NumaTopology.of(bad)).as(rule + " on " + n + " nodes: " + bad)
                            .isInstanceOfSatisfying(NumaError.class, e -> assertThat(e.errorKind()).isEqualTo(rule.kind));
                    seen.merge(rule, 1, Integer::sum);
                }
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(NumaStateMachine.TopologyRule.values());
    }

    @Test
    void theMachinesInitOffersBrokenTopologiesAndChecksTheirErrors() {
        SplittableRandom seeds = new SplittableRandom(5);
        for (int i = 0; i < 400; i++) {
            // Throws AssertionError if a broken topology is refused with another rule's error.
            assertThat(new NumaStateMachine().init(Choices.random(seeds.nextLong()))).isNotNull();
        }
    }
}
