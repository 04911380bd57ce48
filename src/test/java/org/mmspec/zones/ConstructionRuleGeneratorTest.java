package org.mmspec.zones;

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
import org.mmspec.check.Violation;
import org.mmspec.frames.FrameRange;

/**
 * The construction rules of the zone allocator (BAD_MEMORY_MAP: an empty map, overlapping
 * ranges; BAD_FALLBACK: ZONE-7's well-formedness, one clause at a time): the generator
 * ({@link ZoneStateMachine.InputRule}) breaks each alone and the constructor refuses each draw
 * with exactly its error and message; the machine's init offers them in about one run in four;
 * switching either family off makes ZONE-2 or ZONE-7 fail every stateful run.
 */
class ConstructionRuleGeneratorTest {

    /** Valid maps of the shapes init draws: straddling 16 MiB, with a hole, with upper memory. */
    private static final List<List<FrameRange>> MAPS = List.of(
            List.of(FrameRange.of(4095, 1)),
            List.of(FrameRange.of(4093, 5)),
            List.of(FrameRange.of(4094, 3), FrameRange.of(4099, 2)),
            List.of(FrameRange.of(4092, 4), FrameRange.of(1L << 20, 3)));

    @Test
    void everyRuleBrokenAloneGetsItsOwnErrorAndNothingIsBuilt() {
        SplittableRandom seeds = new SplittableRandom(13);
        Map<ZoneStateMachine.InputRule, Integer> seen = new EnumMap<>(ZoneStateMachine.InputRule.class);
        java.util.Set<String> variants = new java.util.TreeSet<>();
        for (WordSize word : WordSize.values()) {
            for (List<FrameRange> map : MAPS) {
                assertThat(new ZoneAllocator(word, map).memoryMap()).isNotEmpty(); // the valid input is accepted
                for (ZoneStateMachine.InputRule rule : ZoneStateMachine.InputRule.applicable(word)) {
                    for (int k = 0; k < 20; k++) {
                        Choices c = Choices.random(seeds.nextLong());
                        List<FrameRange> badMap = rule.breakMap(c, map);
                        FallbackOrder badFallback = rule.breakFallback(c, word);
                        // exactly one of the two is broken
                        assertThat(badMap.equals(map) != (rule.kind == ZoneError.Kind.BAD_MEMORY_MAP)).as(rule + " map").isTrue();
                        assertThat(badFallback.problem(word).isPresent()).as(rule + " fallback " + badFallback)
                                .isEqualTo(rule.kind == ZoneError.Kind.BAD_FALLBACK);
                        assertThatThrownBy(() -> new ZoneAllocator(word, badMap, badFallback, AllocatorFactory.REFERENCE))
                                .as(rule + " on " + word + ": " + badMap + " " + badFallback)
                                .isInstanceOfSatisfying(ZoneError.class, e -> {
                                    assertThat(e.errorKind()).isEqualTo(rule.kind);
                                    assertThat(e.getMessage()).contains(rule.says);
                                    assertThat(e.reclaimedFrames()).isZero();
                                    variants.add(rule + variant(e.getMessage()));
                                });
                        seen.merge(rule, 1, Integer::sum);
                    }
                }
            }
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder(ZoneStateMachine.InputRule.values());
        // every way of breaking each rule is drawn: a list missing, empty or led by another zone; HIGH
        // given a list or named in one; a repeat of the zone itself or of a lower one; every zone
        // falling back upwards, to each zone above it
        assertThat(variants).contains("NOT_SELF_FIRST: null", "NOT_SELF_FIRST: []", "NOT_SELF_FIRST: [NORMAL, DMA]",
                "NOT_SELF_FIRST: [DMA, NORMAL, DMA]", "NOT_SELF_FIRST: [HIGH, DMA]", "ABSENT_ZONE: a list for HIGH",
                "ABSENT_ZONE: names HIGH", "REPEATED_ZONE: names DMA twice", "REPEATED_ZONE: names NORMAL twice",
                "FALLS_UPWARDS: DMA falls back upwards to NORMAL", "FALLS_UPWARDS: DMA falls back upwards to HIGH",
                "FALLS_UPWARDS: NORMAL falls back upwards to HIGH");
        assertThat(ZoneStateMachine.InputRule.applicable(WordSize.BITS_32)).doesNotContain(ZoneStateMachine.InputRule.ABSENT_ZONE);
        assertThat(ZoneStateMachine.InputRule.applicable(WordSize.BITS_64)).containsExactly(ZoneStateMachine.InputRule.values());
    }

    /** The part of a refusal's message that says which way the rule was broken. */
    private static String variant(String message) {
        if (message.contains("must start with")) {
            return ": " + message.substring(message.lastIndexOf(": ") + 2);
        }
        if (message.contains("a list for HIGH")) {
            return ": a list for HIGH";
        }
        if (message.contains("names HIGH, which")) {
            return ": names HIGH";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(names \\w+ twice|\\w+ falls back upwards to \\w+)").matcher(message);
        return m.find() ? ": " + m.group(1) : "";
    }

    @Test
    void theMachinesInitOffersEachFamilyAtAUsefulRate() {
        // With a family switched off its bad input is built, and the first check after init names
        // its invariant: counting those counts how often init offers the family.
        int runs = 800;
        Map<ZoneAllocator.Bug, Integer> caught = new EnumMap<>(ZoneAllocator.Bug.class);
        for (ZoneAllocator.Bug bug : List.of(ZoneAllocator.Bug.MEMORY_MAP_UNCHECKED, ZoneAllocator.Bug.FALLBACK_UNCHECKED)) {
            SplittableRandom seeds = new SplittableRandom(3);
            ZoneStateMachine m = new ZoneStateMachine(bug);
            for (int i = 0; i < runs; i++) {
                ZoneStateMachine.State s = m.init(Choices.random(seeds.nextLong()));
                List<Violation> v = m.invariants().violations(s);
                if (!v.isEmpty()) {
                    assertThat(v).extracting(Violation::invariantId)
                            .containsExactly(bug == ZoneAllocator.Bug.MEMORY_MAP_UNCHECKED ? "ZONE-2" : "ZONE-7");
                    // the run goes on with what was accepted: the model's map is the system's
                    assertThat(s.map).isEqualTo(s.sys.zones.memoryMap());
                    if (s.map.isEmpty()) {
                        assertThat(s.probes).containsExactly(4096L);
                        assertThat(s.model).isEmpty();
                    }
                    caught.merge(bug, 1, Integer::sum);
                }
            }
        }
        // One run in four offers bad input; the map family is 2 of 5 or 6 rules, the fallback family the rest.
        assertThat(caught.get(ZoneAllocator.Bug.MEMORY_MAP_UNCHECKED)).isBetween(runs / 20, runs / 7);
        assertThat(caught.get(ZoneAllocator.Bug.FALLBACK_UNCHECKED)).isBetween(runs / 10, runs / 4);
        // Without a bug every broken input is refused with its own error (init throws otherwise).
        SplittableRandom seeds = new SplittableRandom(3);
        for (int i = 0; i < runs; i++) {
            ZoneStateMachine.State s = new ZoneStateMachine().init(Choices.random(seeds.nextLong()));
            assertThat(new ZoneStateMachine().invariants().violations(s)).isEmpty();
        }
    }

    @Test
    void withTheMapRulesOffTheZonesAreSplitFromTheUnionAndZone2NamesWhatIsWrong() {
        ZoneAllocator.Bug off = ZoneAllocator.Bug.MEMORY_MAP_UNCHECKED;
        FallbackOrder std = FallbackOrder.standard(WordSize.BITS_64);
        // a range inside another, one reaching past it, one adjacent, given unsorted
        ZoneAllocator za = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4097, 1), FrameRange.of(4090, 5),
                FrameRange.of(4092, 1), FrameRange.of(4094, 2), FrameRange.of(4096, 1)), std, AllocatorFactory.REFERENCE, off);
        assertThat(za.memoryMap()).hasSize(5); // kept as given
        assertThat(za.zone(ZoneType.DMA).usable()).containsExactly(FrameRange.of(4090, 6));
        assertThat(za.zone(ZoneType.NORMAL).usable()).containsExactly(FrameRange.of(4096, 2));
        assertThat(ZoneInvariants.ZONE_2.evaluate(za)).get().extracting(Violation::detail).asString()
                .contains("zones cover [[frame#4090..4098)]");
        ZoneAllocator empty = new ZoneAllocator(WordSize.BITS_32, List.of(), FallbackOrder.standard(WordSize.BITS_32),
                AllocatorFactory.REFERENCE, off);
        assertThat(empty.zones()).allMatch(Zone::isEmpty);
        assertThat(ZoneInvariants.ZONE_2.evaluate(empty)).get().extracting(Violation::detail)
                .isEqualTo("the memory map has no usable memory");
        // a well-formed map under the same bug is split exactly as without it
        ZoneAllocator fine = new ZoneAllocator(WordSize.BITS_64, List.of(FrameRange.of(4094, 4), FrameRange.of(4100, 1)), std,
                AllocatorFactory.REFERENCE, off);
        assertThat(fine.zone(ZoneType.NORMAL).usable()).containsExactly(FrameRange.of(4096, 2), FrameRange.of(4100, 1));
        assertThat(ZoneInvariants.ALL.violations(fine)).isEmpty();
    }

    /** The memory-map rules switched off (an empty or overlapping map kept as given): ZONE-2 fails every run. */
    @Test
    void ZONE_2_seededUncheckedMemoryMapFailsEveryStatefulRun() {
        seededBugFailsEveryRun(ZoneAllocator.Bug.MEMORY_MAP_UNCHECKED, "ZONE-2");
    }

    /** The fallback rules switched off (any matrix taken): ZONE-7 fails every run. */
    @Test
    void ZONE_7_seededUncheckedFallbackMatrixFailsEveryStatefulRun() {
        seededBugFailsEveryRun(ZoneAllocator.Bug.FALLBACK_UNCHECKED, "ZONE-7");
    }

    private static void seededBugFailsEveryRun(ZoneAllocator.Bug bug, String id) {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(ZoneSuites.STEPS).withSeed(seed).withRuns(200);
            assertThatThrownBy(() -> StatefulChecker.check(new ZoneStateMachine(bug), s)).as(bug + " seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo(id)));
        }
    }
}
