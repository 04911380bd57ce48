package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.Choices;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * The construction-time rules of reserved regions (RESERVED-1's input: no overlap, inside managed
 * memory): the generator breaks each, every allocator refuses each draw with BAD_REGION, the
 * machines' init offers it often, and switching the rule off makes RESERVED-1 fail every run.
 */
class ReservedRuleGeneratorTest {

    @Test
    void everyBadReservedDrawIsRefusedWithBadRegion() {
        SplittableRandom seeds = new SplittableRandom(7);
        Map<FrameOracle.ReservedRule, Integer> refused = new EnumMap<>(FrameOracle.ReservedRule.class);
        for (int i = 0; i < 600; i++) {
            Choices c = Choices.random(seeds.nextLong());
            FrameRange m = FrameRange.of(c.between(0L, 40L), c.between(1L, 90L));
            FrameOracle.ReservedRule rule = c.pick(FrameOracle.ReservedRule.class);
            List<ReservedRegion> bad = FrameOracle.drawBadReserved(c, m, rule);
            for (java.util.function.Supplier<Object> make : List.<java.util.function.Supplier<Object>>of(
                    () -> new BitmapAllocator(m, bad), () -> new BuddyAllocator(m, bad, 3),
                    () -> new HybridAllocator(m, bad, 4, HybridAllocator.defaultSplit(m, 4), 3))) {
                assertThatThrownBy(make::get).as(rule + " " + bad + " in " + m).isInstanceOfSatisfying(FrameError.class,
                        e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION));
            }
            refused.merge(rule, 1, Integer::sum);
        }
        // Both rules are drawn, each about half the time.
        assertThat(refused.get(FrameOracle.ReservedRule.OVERLAPPING)).isBetween(240, 360);
        assertThat(refused.get(FrameOracle.ReservedRule.OUTSIDE_MANAGED)).isBetween(240, 360);
    }

    /** The overlap rule switched off in the bitmap's constructor: RESERVED-1 fails every stateful run. */
    @Test
    void RESERVED_1_seededUncheckedReservedRegionsFailEveryStatefulRun() {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(40).withSeed(seed).withRuns(200);
            assertThatThrownBy(() -> StatefulChecker.check(FrameMachines.bitmap(BitmapAllocator.Bug.RESERVED_UNCHECKED), s))
                    .as("seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("RESERVED-1")));
        }
    }
}
