package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.mmspec.check.ShrinkerTest.Tape;

/**
 * The shrinker at the boundary of its shortlex order, where deleting a step does not shorten the
 * run: a step reads a draw more on every other tick, so after a deletion the step that moves into
 * the odd position reads past the candidate's end (zeros), and the replay consumes as many draws
 * as the best run did. Such a replay is kept only if its own draws are strictly simpler: an equal
 * replay is no progress, and a larger one would walk the shrinker away from the minimum. A
 * candidate that is not simpler itself (the best draws, when a lowering searches a value that an
 * earlier one removed) is refused before it is replayed.
 */
class ShrinkerBoundaryTest {
    private static final CheckSettings SETTINGS = new CheckSettings(42, 1, 10, 20_000, Duration.ofSeconds(30));

    /** put(x) with x in [0, 9]; on odd ticks it also draws e in [0, 9], shown in the call only. */
    private static final Rule<Tape> PUT_EXTRA_ON_ODD_TICKS = Rule.of("put", (t, step) -> {
        int x = step.between(0, 9);
        t.values.add(x);
        if (t.ticks % 2 == 1) {
            int e = step.between(0, 9);
            step.call("put(%d, %d)", x, e);
        } else {
            step.call("put(%d)", x);
        }
        t.ticks++;
    });

    /** A tick that on odd ticks draws one value in [0, 9] it does not use. */
    private static final Rule<Tape> TICK_EXTRA_ON_ODD_TICKS = Rule.of("tick", (t, step) -> {
        if (t.ticks % 2 == 1) {
            step.between(0, 9);
        }
        t.ticks++;
    });

    /** Replays {@code choices} (which must fail) and shrinks the run. */
    private static StatefulChecker.Run shrunk(StateMachine<Tape> m, long... choices) {
        StatefulChecker.Run failing = StatefulChecker.execute(m, Choices.replay(choices), Integer.MAX_VALUE);
        assertThat(failing.failed()).as("the starting sequence fails").isTrue();
        return StatefulChecker.shrink(m, failing, SETTINGS);
    }

    private static InvariantSet<Tape> broken(String id, String statement, java.util.function.Predicate<Tape> broken) {
        return InvariantSet.of("tape", Invariant.of(id, statement,
                (Tape t) -> Invariant.require(!broken.test(t), "ticks %d values %s", t.ticks, t.values)));
    }

    @Test
    void DEMO_23_aDeletionWhoseReplayReadsBackTheBestDrawsIsNoProgress() {
        // init draws a configuration c; broken after two ticks, whatever c is. From [5 | 0 | 0, 0]
        // (c, tick, tick with its extra draw), deleting the first tick leaves [5, 0, 0], whose
        // replay ticks twice and reads the extra draw past the end: [5, 0, 0, 0], the best draws
        // themselves. Counting that as progress would retry the same deletion until the attempt
        // budget ran out, and c would never be lowered. Refused, c drops to 0 in six replays:
        // the first run; pass one deletes each tick (2) and zeroes c (1); pass two deletes each
        // tick again (2) and finds nothing else to lower.
        AtomicInteger inits = new AtomicInteger();
        StateMachine<Tape> m = ShrinkerTest.machine("config", c -> {
            Tape t = new Tape();
            t.config = c.between(0, 9);
            return t;
        }, List.of(TICK_EXTRA_ON_ODD_TICKS), broken("DEMO-23", "fewer than two ticks", t -> t.ticks >= 2), inits);
        StatefulChecker.Run r = shrunk(m, 5, 0, 0, 0);
        assertThat(r.choices()).containsExactly(0, 0, 0, 0);
        assertThat(r.steps()).containsExactly("tick", "tick");
        assertThat(inits.get()).as("replays").isEqualTo(6);
        // The refused deletion does fail the same way: it is refused for its draws alone.
        StatefulChecker.Run deletion = StatefulChecker.execute(m, Choices.replay(new long[] {5, 0, 0}), Integer.MAX_VALUE);
        assertThat(StatefulChecker.signature(deletion.failure())).isEqualTo("invariant DEMO-23");
        assertThat(deletion.choices()).containsExactly(5, 0, 0, 0);
    }

    @Test
    void DEMO_24_aDeletionWhoseReplayReadsAsManyButLargerDrawsIsNotKept() {
        // Broken after two puts whose values x0, x1 have x0 >= 1 and x0 + x1 >= 5. From
        // [0, 1 | 0, 5, 0] (pick, x0 | pick, x1, extra), deleting the first put leaves [0, 5, 0],
        // which replays as put(5), put(0, 0): [0, 5, 0, 0, 0], as long as the best run and still
        // failing, but larger (5 > 1 in the second draw). Kept, it would strand the shrinker at
        // put(5), put(0, 0), where x0 cannot go lower alone; refused, x1 binary-searches down to 4.
        StateMachine<Tape> m = ShrinkerTest.machine("odd", c -> new Tape(), List.of(PUT_EXTRA_ON_ODD_TICKS),
                broken("DEMO-24", "not (two puts with x0 >= 1 and x0 + x1 >= 5)", t -> t.values.size() >= 2
                        && t.values.get(0) >= 1 && t.values.get(0) + t.values.get(1) >= 5), new AtomicInteger());
        StatefulChecker.Run r = shrunk(m, 0, 1, 0, 5, 0);
        assertThat(r.choices()).containsExactly(0, 1, 0, 4, 0);
        assertThat(r.steps()).containsExactly("put(1)", "put(4, 0)");
    }

    @Test
    void DEMO_24_theLargerReplayOfADeletionStillFailsTheSameWay() {
        // The refusal above is the order's doing, not the failure's: replayed on its own, the
        // deletion's candidate fails with the same invariant, with the larger draws.
        StateMachine<Tape> m = ShrinkerTest.machine("odd", c -> new Tape(), List.of(PUT_EXTRA_ON_ODD_TICKS),
                broken("DEMO-24", "not (two puts with x0 >= 1 and x0 + x1 >= 5)", t -> t.values.size() >= 2
                        && t.values.get(0) >= 1 && t.values.get(0) + t.values.get(1) >= 5), new AtomicInteger());
        StatefulChecker.Run r = StatefulChecker.execute(m, Choices.replay(new long[] {0, 5, 0}), Integer.MAX_VALUE);
        assertThat(StatefulChecker.signature(r.failure())).isEqualTo("invariant DEMO-24");
        assertThat(r.choices()).containsExactly(0, 5, 0, 0, 0);
        assertThat(r.steps()).containsExactly("put(5)", "put(0, 0)");
    }

    /** put(x) for x in [0, 9]. */
    private static final Rule<Tape> PUT = Rule.of("put", (t, step) -> {
        int x = step.between(0, 9);
        step.call("put(%d)", x);
        t.values.add(x);
    });

    @Test
    void DEMO_25_aValueThatAnEarlierLoweringRemovedCostsNoReplay() {
        // Broken by two equal values in [1, 3], or two equal values followed by a 5. From
        // [6, 6, 5] no step can go and no draw can move alone; lowering the pair together to 3
        // fails already after the second put, so the 5 is never read and drops out of the best
        // draws, and the pair goes on down to 1. The search for the 5, which is gone, builds the
        // best draws themselves at every midpoint, which attempt refuses without a replay; taken
        // as a success, one would carry the search on through 2 to the 1s, which are there, for
        // one replay more. Replays: the first run; pass one 3 deletions, 4 + 4 + 4 lowerings of
        // single draws, 3 of the pair; pass two 2 deletions, 2 single lowerings and 1 of the pair.
        AtomicInteger inits = new AtomicInteger();
        StateMachine<Tape> m = ShrinkerTest.machine("pair", c -> new Tape(), List.of(PUT),
                broken("DEMO-25", "not (a pair in [1, 3], or a pair followed by 5)", t -> {
                    List<Integer> v = t.values;
                    boolean pair = v.size() >= 2 && v.get(0).equals(v.get(1));
                    return pair && (v.get(0) >= 1 && v.get(0) <= 3 || v.size() >= 3 && v.get(2) == 5);
                }), inits);
        StatefulChecker.Run r = shrunk(m, 0, 6, 0, 6, 0, 5);
        assertThat(r.choices()).containsExactly(0, 1, 0, 1);
        assertThat(r.steps()).containsExactly("put(1)", "put(1)");
        assertThat(inits.get()).as("replays").isEqualTo(1 + 3 + 12 + 3 + 2 + 2 + 1);
    }
}
