package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * The stateful checker and its shrinker on tiny machines whose minimal failing case is known by
 * hand: the initial state is checked, runs have exactly the configured length, shrinking reaches
 * the minimal choice sequence, keeps the failure's identity, and stops at its attempt and time
 * limits.
 */
class ShrinkerTest {
    private static final CheckSettings BASE = new CheckSettings(42, 50, 40, 20_000, Duration.ofSeconds(30));

    /** A machine's state: the values the rules recorded and how many steps were taken. */
    static final class Tape {
        final List<Integer> values = new ArrayList<>();
        final List<Boolean> flags = new ArrayList<>();
        int ticks;
        int config;

        @Override
        public String toString() {
            return "ticks=" + ticks + " values=" + values;
        }
    }

    /** A machine assembled from parts; {@code inits} counts how often a fresh system was built. */
    static StateMachine<Tape> machine(String name, java.util.function.Function<Choices, Tape> init,
            List<Rule<Tape>> rules, InvariantSet<Tape> invariants, AtomicInteger inits) {
        return new StateMachine<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Tape init(Choices choices) {
                inits.incrementAndGet();
                return init.apply(choices);
            }

            @Override
            public List<Rule<Tape>> rules() {
                return rules;
            }

            @Override
            public InvariantSet<Tape> invariants() {
                return invariants;
            }

            @Override
            public Object snapshot(Tape state) {
                return state.toString();
            }
        };
    }

    private static final Rule<Tape> TICK = Rule.of("tick", (t, step) -> t.ticks++);

    private static Rule<Tape> tickWhileBelow(int limit) {
        return Rule.when("tick", t -> t.ticks < limit, (t, step) -> t.ticks++);
    }

    private static final Rule<Tape> PUT = Rule.of("put", (t, step) -> {
        int x = step.between(0, 1000);
        step.call("put(%d)", x);
        t.values.add(x);
    });

    private static final Rule<Tape> NOP = Rule.of("nop", (t, step) -> step.call("nop()"));

    private static InvariantSet<Tape> ticksBelow(int n) {
        return InvariantSet.of("tape", Invariant.of("DEMO-8", "fewer than " + n + " ticks",
                (Tape t) -> Invariant.require(t.ticks < n, "%d ticks", t.ticks)));
    }

    private static final InvariantSet<Tape> ALWAYS = InvariantSet.of("tape",
            Invariant.of("DEMO-1", "always", (Tape t) -> Invariant.holds()));

    // --- runs and reports ------------------------------------------------------------------------

    @Test
    void everyRunTakesExactlyTheConfiguredNumberOfSteps() {
        AtomicInteger inits = new AtomicInteger();
        StatefulChecker.Report r = StatefulChecker.check(machine("ticker", c -> new Tape(), List.of(TICK), ALWAYS, inits),
                BASE.withRuns(3).withSteps(7));
        assertThat(r).isEqualTo(new StatefulChecker.Report("ticker", 42, 3, 21));
        assertThat(inits.get()).isEqualTo(3);
    }

    @Test
    void aRunEndsWhenNoRuleIsEnabled() {
        AtomicInteger inits = new AtomicInteger();
        StatefulChecker.Report r = StatefulChecker.check(
                machine("ticker", c -> new Tape(), List.of(tickWhileBelow(4)), ALWAYS, inits), BASE.withRuns(5).withSteps(7));
        assertThat(r.steps()).isEqualTo(20);
    }

    @Test
    void checkWithoutSettingsUsesTheSystemPropertyDefaults() {
        AtomicInteger inits = new AtomicInteger();
        StatefulChecker.Report r = StatefulChecker.check(machine("ticker", c -> new Tape(), List.of(TICK), ALWAYS, inits));
        CheckSettings d = CheckSettings.defaults();
        assertThat(r.runs()).isEqualTo(d.runs());
        assertThat(r.steps()).isEqualTo((long) d.runs() * d.steps());
        assertThat(r.machine()).isEqualTo("ticker");
    }

    @Test
    void DEMO_9_aBadInitialStateFailsBeforeAnyStep() {
        InvariantSet<Tape> configPositive = InvariantSet.of("tape", Invariant.of("DEMO-9", "config is positive",
                (Tape t) -> Invariant.require(t.config > 0, "config %d", t.config)));
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                machine("cfg", c -> new Tape(), List.of(TICK), configPositive, new AtomicInteger()), BASE));
        assertThat(f).isNotNull();
        assertThat(f.steps()).isEmpty();
        assertThat(((InvariantViolation) f.failure()).invariantId()).isEqualTo("DEMO-9");
        assertThat(f.getMessage()).startsWith("cfg: falsified after shrinking 0 steps to 0\n"
                + "  reproduce with -Dmmspec.seed=42 (run 0)\n  minimal steps:\n  choices: []\n  failure: ");
    }

    @Test
    void DEMO_10_aDrawnConfigurationShrinksToTheSmallestThatFails() {
        InvariantSet<Tape> small = InvariantSet.of("tape", Invariant.of("DEMO-10", "config below 13",
                (Tape t) -> Invariant.require(t.config < 13, "config %d", t.config)));
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(machine("cfg", c -> {
            Tape t = new Tape();
            t.config = c.between(0, 20);
            return t;
        }, List.of(TICK), small, new AtomicInteger()), BASE));
        assertThat(f.choices()).containsExactly(13);
        assertThat(f.steps()).isEmpty();
    }

    // --- shrinking to the exact minimum -----------------------------------------------------------

    @Test
    void DEMO_11_aThresholdShrinksToOneStepAtTheThreshold() {
        InvariantSet<Tape> below37 = InvariantSet.of("tape", Invariant.of("DEMO-11", "every value below 37",
                (Tape t) -> Invariant.require(t.values.stream().allMatch(v -> v < 37), "values %s", t.values)));
        for (long seed : new long[] {1, 2, 3, 42}) {
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("put", c -> new Tape(), List.of(NOP, PUT), below37, new AtomicInteger()), BASE.withSeed(seed)));
            assertThat(f.steps()).as("seed %d", seed).containsExactly("put(37)");
            assertThat(f.choices()).as("seed %d", seed).containsExactly(1, 37);
            assertThat(f.seed()).isEqualTo(seed);
        }
    }

    @Test
    void DEMO_12_shrinkingKeepsTheInvariantThatFailed() {
        // put draws a flag, then a value; DEMO-12 covers flagged values and DEMO-13 the others.
        // Clearing the flag still fails, but under another ID, so the shrinker must keep it.
        Rule<Tape> flaggedPut = Rule.of("put", (t, step) -> {
            boolean flag = step.bool();
            int x = step.between(0, 99);
            step.call("put(%b, %d)", flag, x);
            t.flags.add(flag);
            t.values.add(x);
        });
        InvariantSet<Tape> inv = InvariantSet.of("tape",
                Invariant.of("DEMO-12", "flagged values below 50", (Tape t) -> Invariant.require(
                        !hasBig(t, true), "values %s", t.values)),
                Invariant.of("DEMO-13", "unflagged values below 50", (Tape t) -> Invariant.require(
                        !hasBig(t, false), "values %s", t.values)));
        int flagged = 0;
        for (long s = 1; s <= 12; s++) {
            long seed = s;
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("flags", c -> new Tape(), List.of(flaggedPut), inv, new AtomicInteger()), BASE.withSeed(seed)));
            String id = ((InvariantViolation) f.failure()).invariantId();
            if (id.equals("DEMO-12")) {
                flagged++;
                assertThat(f.choices()).containsExactly(0, 1, 50);
                assertThat(f.steps()).containsExactly("put(true, 50)");
            } else {
                assertThat(id).isEqualTo("DEMO-13");
                assertThat(f.choices()).containsExactly(0, 0, 50);
            }
        }
        assertThat(flagged).as("seeds whose failure is DEMO-12").isPositive();
    }

    private static boolean hasBig(Tape t, boolean flag) {
        for (int i = 0; i < t.values.size(); i++) {
            if (t.flags.get(i) == flag && t.values.get(i) >= 50) {
                return true;
            }
        }
        return false;
    }

    /** put(x) for x in [0, 20], enabled until three values are put. */
    private static final Rule<Tape> PUT_THREE = Rule.when("put", t -> t.values.size() < 3, (t, step) -> {
        int x = step.between(0, 20);
        step.call("put(%d)", x);
        t.values.add(x);
    });

    @Test
    void DEMO_14_equalDrawsShrinkTogetherAndAnotherPassLowersWhatTheyHeldUp() {
        // Broken by [x, x, z] with x >= 5 and z > x. Alone, neither x can move; together they
        // drop to 5, and only then can a second pass lower z from x + 1 to 6.
        InvariantSet<Tape> inv = InvariantSet.of("tape", Invariant.of("DEMO-14", "no pair of 5 or more with a larger third",
                (Tape t) -> Invariant.require(t.values.size() < 3 || t.values.get(0) < 5
                        || !t.values.get(0).equals(t.values.get(1)) || t.values.get(2) <= t.values.get(0),
                        "values %s", t.values)));
        for (long seed : new long[] {1, 2, 3}) {
            AtomicInteger inits = new AtomicInteger();
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("triple", c -> new Tape(), List.of(PUT_THREE), inv, inits),
                    BASE.withSeed(seed).withRuns(5000).withSteps(3)));
            assertThat(f.steps()).as("seed %d", seed).containsExactly("put(5)", "put(5)", "put(6)");
            assertThat(f.choices()).containsExactly(0, 5, 0, 5, 0, 6);
            assertThat(f.getMessage()).contains("shrinking 3 steps to 3");
        }
    }

    @Test
    void DEMO_15_equalDrawsAreBinarySearchedAllTheWayDown() {
        // Broken by two equal values of 100 or more among values in [0, 1000].
        InvariantSet<Tape> inv = InvariantSet.of("tape", Invariant.of("DEMO-15", "no value of 100 or more twice",
                (Tape t) -> Invariant.require(t.values.stream().filter(v -> v >= 100).distinct().count()
                        == t.values.stream().filter(v -> v >= 100).count(), "values %s", t.values)));
        for (long seed : new long[] {1, 2, 3}) {
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("pairs", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()),
                    BASE.withSeed(seed).withRuns(200).withSteps(20)));
            assertThat(f.steps()).as("seed %d", seed).containsExactly("put(100)", "put(100)");
            assertThat(f.choices()).containsExactly(0, 100, 0, 100);
        }
    }

    // --- shrinking a given failing sequence ----------------------------------------------------------

    /** Replays {@code choices} (which must fail) and shrinks the run with generous limits. */
    private static StatefulChecker.Run shrunk(StateMachine<Tape> m, long... choices) {
        StatefulChecker.Run failing = StatefulChecker.execute(m, Choices.replay(choices), Integer.MAX_VALUE);
        assertThat(failing.failed()).as("the starting sequence fails").isTrue();
        return StatefulChecker.shrink(m, failing, BASE);
    }

    private static InvariantSet<Tape> broken(String id, String statement,
            java.util.function.Predicate<List<Integer>> broken) {
        return InvariantSet.of("tape", Invariant.of(id, statement,
                (Tape t) -> Invariant.require(!broken.test(t.values), "values %s", t.values)));
    }

    @Test
    void DEMO_16_eachDrawIsLoweredAloneAsFarAsItStillFailsInFewReplays() {
        // Broken by [x, y, z] with x >= 20, y >= 50, z >= 25. Lowered together the three 50s
        // cannot move; alone, x binary-searches down to 20 and z to 25, each in a handful of
        // replays (not until the attempt budget runs out).
        InvariantSet<Tape> inv = broken("DEMO-16", "not (x >= 20 and y >= 50 and z >= 25)",
                v -> v.size() == 3 && v.get(0) >= 20 && v.get(1) >= 50 && v.get(2) >= 25);
        AtomicInteger inits = new AtomicInteger();
        StatefulChecker.Run r = shrunk(machine("three", c -> new Tape(), List.of(PUT), inv, inits), 0, 50, 0, 50, 0, 50);
        assertThat(r.choices()).containsExactly(0, 20, 0, 50, 0, 25);
        assertThat(r.steps()).containsExactly("put(20)", "put(50)", "put(25)");
        assertThat(inits.get()).as("replays").isBetween(10, 150);
    }

    @Test
    void DEMO_19_aPassThatOnlyZeroedADrawIsFollowedByAnother() {
        // Broken by [w, v, x] with v >= 30 and w >= 30, or w >= 10 once x is 0. Pass one can only
        // zero x (w and v are equal and v cannot move); pass two then lowers w alone to 10.
        InvariantSet<Tape> inv = broken("DEMO-19", "not (v >= 30 and w >= (x == 0 ? 10 : 30))",
                v -> v.size() == 3 && v.get(1) >= 30 && v.get(0) >= (v.get(2) == 0 ? 10 : 30));
        StatefulChecker.Run r = shrunk(machine("wait", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()),
                0, 30, 0, 30, 0, 40);
        assertThat(r.choices()).containsExactly(0, 10, 0, 30, 0, 0);
    }

    @Test
    void DEMO_20_aPassThatOnlyLoweredSingleDrawsIsFollowedByAnother() {
        // Broken by [x, y, z] with y >= 15, z >= 15 and x >= z - 5. Pass one lowers each alone to
        // 15 (x first, while z is still 20); the three 15s cannot move together; pass two lowers
        // x to 10.
        InvariantSet<Tape> inv = broken("DEMO-20", "not (y >= 15 and z >= 15 and x >= z - 5)",
                v -> v.size() == 3 && v.get(1) >= 15 && v.get(2) >= 15 && v.get(0) >= v.get(2) - 5);
        StatefulChecker.Run r = shrunk(machine("lag", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()),
                0, 20, 0, 20, 0, 20);
        assertThat(r.choices()).containsExactly(0, 10, 0, 15, 0, 15);
    }

    @Test
    void DEMO_14_aPassThatOnlyLoweredEqualDrawsIsFollowedByAnother() {
        // [9, 9, 10]: neither 9 can move alone and 10 is already 9 + 1, so the first pass only
        // lowers the pair (to 5); the second pass then lowers the third value to 6.
        InvariantSet<Tape> inv = broken("DEMO-14", "no pair of 5 or more with a larger third",
                v -> v.size() == 3 && v.get(0) >= 5 && v.get(0).equals(v.get(1)) && v.get(2) > v.get(0));
        StatefulChecker.Run r = shrunk(machine("triple", c -> new Tape(), List.of(PUT_THREE), inv, new AtomicInteger()),
                0, 9, 0, 9, 0, 10);
        assertThat(r.choices()).containsExactly(0, 5, 0, 5, 0, 6);
    }

    @Test
    void DEMO_17_aDeletedSpanIsFollowedByTheSpanThatTookItsPlace() {
        // Broken when a value of 50 or more follows an even number of smaller ones, so smaller
        // values can only be deleted in pairs: spans of two steps, tried again at the same index.
        InvariantSet<Tape> inv = broken("DEMO-17", "a large value follows an odd number of small ones",
                v -> !v.isEmpty() && v.get(v.size() - 1) >= 50 && v.stream().filter(x -> x < 50).count() % 2 == 0);
        StatefulChecker.Run r = shrunk(machine("parity", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()),
                0, 1, 0, 1, 0, 1, 0, 1, 0, 60);
        assertThat(r.choices()).containsExactly(0, 50);
        assertThat(r.steps()).containsExactly("put(50)");
    }

    @Test
    void DEMO_21_aPassThatOnlyDeletedStepsIsFollowedByAnother() {
        // Broken when a value of 50 or more follows a positive, even number of smaller ones.
        // Fifteen steps: ten 60s, four 0s, a 50. Pass one tries spans of 7, 3 and 1 and deletes
        // the 60s (pairs of 0s need a span of 2); pass two, on five steps, deletes a pair.
        InvariantSet<Tape> inv = broken("DEMO-21", "no large value after a positive even number of small ones",
                v -> {
                    long small = v.stream().filter(x -> x < 50).count();
                    return !v.isEmpty() && v.get(v.size() - 1) >= 50 && small > 0 && small % 2 == 0;
                });
        long[] start = new long[30];
        for (int i = 0; i < 10; i++) {
            start[2 * i + 1] = 60;
        }
        start[29] = 50;
        StatefulChecker.Run r = shrunk(machine("pairs", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()), start);
        assertThat(r.choices()).containsExactly(0, 0, 0, 0, 0, 50);
        assertThat(r.steps()).containsExactly("put(0)", "put(0)", "put(50)");
    }

    @Test
    void DEMO_22_aCandidateWhoseReplayReadsMoreDrawsThanTheBestIsNotKept() {
        // init reads one draw a; with a = 0 it reads five more (all 0 past the candidate's end).
        // Every initial state is broken, so [0] fails as [1] does, and [0] is the smaller
        // candidate; but its replay consumes six draws, more than the one of [1], so keeping it
        // would make the shrunk run longer than the one it started from.
        InvariantSet<Tape> inv = InvariantSet.of("tape", Invariant.of("DEMO-22", "never",
                (Tape t) -> Invariant.broken("config %d", t.config)));
        StatefulChecker.Run r = shrunk(machine("wide", c -> {
            Tape t = new Tape();
            t.config = (int) c.below(2);
            if (t.config == 0) {
                for (int i = 0; i < 5; i++) {
                    c.below(3);
                }
            }
            return t;
        }, List.of(NOP), inv, new AtomicInteger()), 1);
        assertThat(r.choices()).containsExactly(1);
    }

    @Test
    void DEMO_18_aSpanInTheMiddleIsDeletedWithoutItsTail() {
        // Broken when the values sum to 100 or more: the 10 in the middle goes, the 70 stays.
        InvariantSet<Tape> inv = broken("DEMO-18", "values sum to less than 100",
                v -> v.stream().mapToInt(Integer::intValue).sum() >= 100);
        StatefulChecker.Run r = shrunk(machine("sum", c -> new Tape(), List.of(PUT), inv, new AtomicInteger()),
                0, 40, 0, 10, 0, 70);
        assertThat(r.choices()).containsExactly(0, 30, 0, 70);
    }

    @Test
    void shrinkingKeepsTheExceptionClassOfAFailureWithoutAnId() {
        // Values of 50 and above throw IllegalArgumentException, values below 10 throw
        // IllegalStateException: lowering op(73) to op(0) still fails, but another way.
        Rule<Tape> risky = Rule.of("op", (t, step) -> {
            int x = step.between(0, 99);
            step.call("op(%d)", x);
            if (x >= 50) {
                throw new IllegalArgumentException("too big: " + x);
            }
            if (x < 10) {
                throw new IllegalStateException("too small: " + x);
            }
        });
        int big = 0;
        for (long s = 1; s <= 6; s++) {
            long seed = s;
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("risky", c -> new Tape(), List.of(risky), ALWAYS, new AtomicInteger()), BASE.withSeed(seed)));
            if (f.failure() instanceof IllegalArgumentException) {
                big++;
                assertThat(f.steps()).as("seed %d", seed).containsExactly("op(50)");
                assertThat(f.failure()).hasMessage("too big: 50");
            } else {
                assertThat(f.failure()).isInstanceOf(IllegalStateException.class);
                assertThat(f.steps()).containsExactly("op(0)");
            }
        }
        assertThat(big).as("seeds whose failure is IllegalArgumentException").isPositive();
    }

    @Test
    void replayedChoicesRunExactlyTheRecordedCase() {
        InvariantSet<Tape> below37 = InvariantSet.of("tape", Invariant.of("DEMO-11", "every value below 37",
                (Tape t) -> Invariant.require(t.values.stream().allMatch(v -> v < 37), "values %s", t.values)));
        StateMachine<Tape> m = machine("put", c -> new Tape(), List.of(NOP, PUT), below37, new AtomicInteger());
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class,
                () -> StatefulChecker.replay(m, new long[] {0, 1, 5, 1, 40, 0}));
        assertThat(f.steps()).containsExactly("nop()", "put(5)", "put(40)");
        assertThat(f.seed()).isZero();
        assertThat(f.getMessage()).startsWith("put: falsified after shrinking 3 steps to 3\n"
                + "  reproduce with -Dmmspec.seed=0 (run 0)\n  minimal steps:\n");
        assertThat(f.getMessage()).contains("choices: [0, 1, 5, 1, 40]");
        // A passing sequence replays without failing, however long.
        StatefulChecker.replay(m, new long[] {1, 36, 0, 1, 2});
    }

    // --- limits ----------------------------------------------------------------------------------

    @Test
    void DEMO_8_anUnshrinkableRunIsReportedWhole() {
        AtomicInteger inits = new AtomicInteger();
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                machine("ticker", c -> new Tape(), List.of(TICK), ticksBelow(10), inits), BASE));
        assertThat(f.steps()).hasSize(10).containsOnly("tick");
        assertThat(f.choices()).hasSize(10).containsOnly(0L);
        assertThat(f.getMessage()).startsWith("ticker: falsified after shrinking 10 steps to 10\n");
        assertThat(f.getMessage()).contains("     1. tick\n", "    10. tick\n", "DEMO-8 violated");
        // Delta debugging on 10 steps tries spans of 5, 2 and 1 at every offset: 6 + 9 + 10
        // deletions, none of which still fails; the draws are all 0 already.
        assertThat(inits.get()).isEqualTo(1 + 25);
    }

    @Test
    void shrinkingStopsAtItsAttemptBudget() {
        for (int budget : new int[] {0, 1, 5, 24}) {
            AtomicInteger inits = new AtomicInteger();
            CheckSettings s = new CheckSettings(42, 5, 40, budget, Duration.ofSeconds(30));
            StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                    machine("ticker", c -> new Tape(), List.of(TICK), ticksBelow(10), inits), s));
            assertThat(inits.get()).as("budget %d", budget).isEqualTo(1 + budget);
            assertThat(f.steps()).hasSize(10);
        }
    }

    @Test
    void shrinkingStopsAtItsTimeLimit() {
        AtomicInteger inits = new AtomicInteger();
        CheckSettings s = new CheckSettings(42, 5, 40, 20_000, Duration.ZERO);
        InvariantSet<Tape> below37 = InvariantSet.of("tape", Invariant.of("DEMO-11", "every value below 37",
                (Tape t) -> Invariant.require(t.values.stream().allMatch(v -> v < 37), "values %s", t.values)));
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(
                machine("put", c -> new Tape(), List.of(NOP, PUT), below37, inits), s));
        assertThat(inits.get()).isEqualTo(1);
        assertThat(f.getMessage()).startsWith("put: falsified after shrinking " + f.steps().size() + " steps to "
                + f.steps().size() + "\n");
    }

    // --- seeds -----------------------------------------------------------------------------------

    @Test
    void aSeedFixesEveryRunAndRunsDiffer() {
        List<Integer> first = new ArrayList<>();
        List<Integer> again = new ArrayList<>();
        List<Integer> other = new ArrayList<>();
        for (List<Integer> out : List.of(first, again, other)) {
            long seed = out == other ? 43 : 42;
            StatefulChecker.check(machine("cfg", c -> {
                Tape t = new Tape();
                t.config = c.between(0, 1_000_000);
                out.add(t.config);
                return t;
            }, List.of(TICK), ALWAYS, new AtomicInteger()), BASE.withSeed(seed).withRuns(5).withSteps(1));
        }
        assertThat(first).hasSize(5).isEqualTo(again).isNotEqualTo(other);
        assertThat(first).doesNotHaveDuplicates();
    }

    @Test
    void theFailingRunIndexIsReported() {
        // First find, with a passing machine, which run of seed 42 first draws 900000 or more.
        List<Integer> configs = new ArrayList<>();
        StatefulChecker.check(machine("cfg", c -> {
            Tape t = new Tape();
            t.config = c.between(0, 1_000_000);
            configs.add(t.config);
            return t;
        }, List.of(TICK), ALWAYS, new AtomicInteger()), BASE.withRuns(20).withSteps(1));
        int firstBig = -1;
        for (int i = 0; i < configs.size(); i++) {
            if (configs.get(i) >= 900_000) {
                firstBig = i;
                break;
            }
        }
        assertThat(firstBig).as("some run draws 900000 or more").isPositive();
        InvariantSet<Tape> below = InvariantSet.of("tape", Invariant.of("DEMO-10", "config below 900000",
                (Tape t) -> Invariant.require(t.config < 900_000, "config %d", t.config)));
        StatefulFailure f = catchThrowableOfType(StatefulFailure.class, () -> StatefulChecker.check(machine("cfg", c -> {
            Tape t = new Tape();
            t.config = c.between(0, 1_000_000);
            return t;
        }, List.of(TICK), below, new AtomicInteger()), BASE.withRuns(20).withSteps(1)));
        assertThat(f.getMessage()).contains("(run " + firstBig + ")");
        assertThat(f.choices()).containsExactly(900_000);
    }

    @Test
    void signatureIsTheInvariantIdOrTheExceptionClass() {
        Violation v = new Violation("DEMO-3", "s", "d");
        assertThat(StatefulChecker.signature(new InvariantViolation(v, "x"))).isEqualTo("invariant DEMO-3");
        assertThat(StatefulChecker.signature(new ModelMismatch("a", 1, 2))).isEqualTo(ModelMismatch.class.getName());
    }

    @Test
    void executeRecordsWhereEachStepsDrawsStart() {
        StateMachine<Tape> m = machine("put", c -> new Tape(), List.of(NOP, PUT), ALWAYS, new AtomicInteger());
        StatefulChecker.Run run = StatefulChecker.execute(m, Choices.replay(new long[] {0, 1, 5, 0, 1, 7}), 100);
        assertThat(run.failed()).isFalse();
        assertThat(run.stepStarts()).containsExactly(0, 1, 3, 4);
        assertThat(run.steps()).containsExactly("nop()", "put(5)", "nop()", "put(7)");
        assertThat(StatefulChecker.describe(run)).isEqualTo("[nop(), put(5), nop(), put(7)]");
        StatefulChecker.Run capped = StatefulChecker.execute(m, Choices.replay(new long[] {0, 1, 5, 0, 1, 7}), 2);
        assertThat(capped.steps()).hasSize(2);
        assertThat(capped.choices()).containsExactly(0, 1, 5);
        // When no rule is enabled the last step start is not kept.
        StateMachine<Tape> stuck = machine("stuck", c -> new Tape(), List.of(tickWhileBelow(2)), ALWAYS,
                new AtomicInteger());
        StatefulChecker.Run ended = StatefulChecker.execute(stuck, Choices.random(1), 10);
        assertThat(ended.stepStarts()).containsExactly(0, 1);
        assertThat(ended.steps()).containsExactly("tick", "tick");
    }

    @Test
    void aFailingStepIsStillListed() {
        Rule<Tape> boom = Rule.of("boom", (t, step) -> {
            step.call("boom(%d)", step.between(0, 0));
            throw new IllegalStateException("boom");
        });
        StatefulChecker.Run run = StatefulChecker.execute(
                machine("boom", c -> new Tape(), List.of(boom), ALWAYS, new AtomicInteger()), Choices.random(1), 10);
        assertThat(run.failed()).isTrue();
        assertThat(run.steps()).containsExactly("boom(0)");
        assertThat(run.failure()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }
}
