package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The choice sequence every random decision goes through, and the {@link Step} a rule body sees:
 * ranges at their ends, reduction of replayed draws, recording, the ATOMIC-1 check of a
 * rejected operation, and how a step is described in a failure report.
 */
class ChoicesAndStepTest {
    enum Colour { RED, GREEN, BLUE }

    // --- Choices ---------------------------------------------------------------------------------

    @Test
    void boundsMustBePositiveAndRangesNonEmpty() {
        Choices c = Choices.replay(new long[] {5, 5, 5, 5});
        assertThatThrownBy(() -> c.below(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bound must be positive: 0");
        assertThatThrownBy(() -> c.below(-3)).hasMessage("bound must be positive: -3");
        assertThatThrownBy(() -> c.between(5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty range [5, 4]");
        assertThatThrownBy(() -> c.between(5L, 4L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty range [5, 4]");
        assertThatThrownBy(() -> c.pick(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nothing to pick from");
        // Nothing was drawn by the rejected calls.
        assertThat(c.position()).isZero();
        assertThat(c.below(1)).isZero();
        assertThat(c.between(7, 7)).isEqualTo(7);
        assertThat(c.between(-2L, -2L)).isEqualTo(-2L);
        assertThat(c.recorded()).containsExactly(0, 0, 0);
    }

    @Test
    void replayedDrawsAreReducedModuloTheRangeAndOffsetByItsStart() {
        Choices c = Choices.replay(new long[] {7, 7, 13, 3, 2, 7, 6});
        assertThat(c.between(5, 9)).isEqualTo(7); // 7 mod 5 = 2
        assertThat(c.between(10L, 20L)).isEqualTo(17L);
        assertThat(c.between(100L, 104L)).isEqualTo(103L); // 13 mod 5 = 3
        assertThat(c.oneIn(4)).isTrue(); // 3 == 4 - 1
        assertThat(c.oneIn(4)).isFalse(); // 2
        assertThat(c.bool()).isTrue(); // 7 mod 2 = 1
        assertThat(c.bool()).isFalse(); // 6 mod 2 = 0
        assertThat(c.recorded()).containsExactly(2, 7, 3, 3, 2, 1, 0);
        assertThat(c.hasMore()).isFalse();
    }

    @Test
    void picksShrinkTowardsTheFirstOption() {
        Choices c = Choices.replay(new long[] {2, 1, 5});
        assertThat(c.pick(List.of("a", "b", "c"))).isEqualTo("c");
        assertThat(c.pick(Colour.class)).isEqualTo(Colour.GREEN);
        assertThat(c.pick(Colour.class)).isEqualTo(Colour.BLUE); // 5 mod 3
        assertThat(c.pick(Colour.class)).isEqualTo(Colour.RED); // past the end
        assertThat(c.pick(List.of("x", "y"))).isEqualTo("x");
    }

    @Test
    void aReplayCopiesItsSequenceAndRecordsEveryDraw() {
        long[] seq = {4, 4};
        Choices c = Choices.replay(seq);
        seq[0] = 1;
        assertThat(c.hasMore()).isTrue();
        assertThat(c.below(10)).isEqualTo(4);
        assertThat(c.position()).isEqualTo(1);
        assertThat(c.hasMore()).isTrue();
        c.below(10);
        assertThat(c.hasMore()).isFalse();
        for (int i = 0; i < 200; i++) {
            c.below(3);
        }
        assertThat(c.position()).isEqualTo(202);
        long[] rec = c.recorded();
        assertThat(rec).hasSize(202);
        assertThat(rec[0]).isEqualTo(4);
        assertThat(rec[201]).isZero();
        rec[0] = 9;
        assertThat(c.recorded()[0]).isEqualTo(4);
    }

    @Test
    void aSeededSourceIsReproducibleInRangeAndNeverRunsOut() {
        Choices a = Choices.random(99);
        Choices b = Choices.random(99);
        List<Long> drawn = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long x = a.between(3L, 6L);
            assertThat(x).isBetween(3L, 6L);
            assertThat(b.between(3L, 6L)).isEqualTo(x);
            drawn.add(x);
        }
        assertThat(drawn).contains(3L, 4L, 5L, 6L);
        assertThat(a.hasMore()).isTrue();
        // Replaying what a fresh run recorded gives the same values.
        Choices replay = Choices.replay(a.recorded());
        for (long x : drawn) {
            assertThat(replay.between(3L, 6L)).isEqualTo(x);
        }
    }

    // --- Step ------------------------------------------------------------------------------------

    /** A state whose snapshot is a copy of its list. */
    static final class Box {
        final List<Integer> items = new ArrayList<>();
    }

    private static Step<Box> step(Box box, long... draws) {
        return new Step<>(box, Choices.replay(draws), b -> List.copyOf(b.items));
    }

    @Test
    void stepDrawsGoThroughItsChoices() {
        Step<Box> s = step(new Box(), 7, 13, 1, 3, 2, 1);
        assertThat(s.between(5, 9)).isEqualTo(7);
        assertThat(s.between(100L, 104L)).isEqualTo(103L);
        assertThat(s.bool()).isTrue();
        assertThat(s.oneIn(4)).isTrue();
        assertThat(s.pick(List.of("a", "b", "c"))).isEqualTo("c");
        assertThat(s.pick(Colour.class)).isEqualTo(Colour.GREEN);
        assertThat(s.choices().position()).isEqualTo(6);
        assertThat(step(new Box(), 0).oneIn(4)).isFalse();
        assertThat(step(new Box(), 0).bool()).isFalse();
    }

    @Test
    void aSuccessfulOperationIsDescribedWithItsResult() {
        Box box = new Box();
        Step<Box> s = step(box);
        Outcome<Integer> o = s.call("size(%d)", 3).perform(() -> 42);
        assertThat(o.isOk()).isTrue();
        assertThat(o.value()).isEqualTo(42);
        assertThat(s.describe("rule")).isEqualTo("size(3) -> 42");
        Step<Box> v = step(box);
        assertThat(v.performVoid(() -> box.items.add(1)).isOk()).isTrue();
        assertThat(v.describe("add")).isEqualTo("add -> ok");
        assertThat(step(box).describe("idle")).isEqualTo("idle");
        assertThat(step(box).call("peek()").describe("idle")).isEqualTo("peek()");
    }

    @Test
    void ATOMIC_1_aCleanRejectionIsAnOutcome() {
        Box box = new Box();
        box.items.add(5);
        Step<Box> s = step(box).call("remove(9)");
        Outcome<Void> o = s.performVoid(() -> {
            throw new ToySet.ToyError("absent 9");
        });
        assertThat(o.isRejected()).isTrue();
        assertThat(o.kind()).isEqualTo("TOY");
        assertThat(s.describe("remove")).isEqualTo("remove(9) -> rejected TOY");
        assertThat(box.items).containsExactly(5);
    }

    @Test
    void ATOMIC_1_aRejectionThatChangedTheStateFails() {
        Box box = new Box();
        Step<Box> named = step(box).call("add(%d)", -1);
        assertThatThrownBy(() -> named.performVoid(() -> {
            box.items.add(99);
            throw new ToySet.ToyError("negative");
        })).isInstanceOf(FailureNotAtomic.class).hasMessage(
                "ATOMIC-1 violated (a rejected operation leaves the state exactly as it was): add(-1) was rejected with "
                        + "ToyError[TOY]: negative but changed the state\n  before: []\n  after:  [99]");
        Step<Box> unnamed = step(box);
        assertThatThrownBy(() -> unnamed.perform(() -> {
            box.items.clear();
            throw new ToySet.ToyError("x");
        })).isInstanceOf(FailureNotAtomic.class).hasMessageContaining(": operation was rejected with");
    }

    @Test
    void otherExceptionsEscapeThePerformedOperation() {
        Step<Box> s = step(new Box());
        assertThatThrownBy(() -> s.perform(() -> {
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class).hasMessage("bug");
    }

    @Test
    void agreeAndCheckFailOnlyWhenTheyShould() {
        Step<Box> s = step(new Box());
        s.agree("size", 3, 3);
        s.agree("nothing", null, null);
        assertThatThrownBy(() -> s.agree("size", 3, 4)).isInstanceOf(ModelMismatch.class)
                .hasMessage("model mismatch on size: implementation gave 3, model gave 4");
        s.check(true, "never %s", "shown");
        assertThatThrownBy(() -> s.check(false, "free count %d, expected %d", 2, 3)).isInstanceOf(AssertionError.class)
                .hasMessage("free count 2, expected 3");
    }

    // --- Outcome and Rule ---------------------------------------------------------------------

    @Test
    void outcomeAnswersForWhatHappened() {
        Outcome<String> ok = Outcome.ok("v");
        assertThat(ok.isOk()).isTrue();
        assertThat(ok.isRejected()).isFalse();
        assertThat(ok.value()).isEqualTo("v");
        assertThat(ok.kind()).isEqualTo("ok");
        assertThat(ok.toString()).isEqualTo("v");
        assertThatThrownBy(ok::error).isInstanceOf(AssertionError.class)
                .hasMessage("expected a rejection but the operation returned v");
        ToySet.ToyError e = new ToySet.ToyError("nope");
        Outcome<String> no = Outcome.rejected(e);
        assertThat(no.isOk()).isFalse();
        assertThat(no.isRejected()).isTrue();
        assertThat(no.error()).isSameAs(e);
        assertThat(no.kind()).isEqualTo("TOY");
        assertThat(no.toString()).isEqualTo("rejected ToyError[TOY]: nope");
        assertThatThrownBy(no::value).isInstanceOf(AssertionError.class)
                .hasMessage("expected success but was rejected: ToyError[TOY]: nope").hasCause(e);
        assertThatThrownBy(() -> Outcome.rejected(null)).isInstanceOf(NullPointerException.class);
        assertThat(Outcome.ok(null).toString()).isEqualTo("null");
    }

    @Test
    void rulesHaveANameAPreconditionAndABody() {
        List<String> log = new ArrayList<>();
        Rule<List<Integer>> always = Rule.of("push", (s, st) -> log.add("push"));
        Rule<List<Integer>> guarded = Rule.when("pop", s -> !s.isEmpty(), (s, st) -> log.add("pop"));
        assertThat(always.name()).isEqualTo("push");
        assertThat(guarded.name()).isEqualTo("pop");
        assertThat(always.enabled(List.of())).isTrue();
        assertThat(guarded.enabled(List.of())).isFalse();
        assertThat(guarded.enabled(List.of(1))).isTrue();
        guarded.apply(List.of(1), null);
        assertThat(log).containsExactly("pop");
        assertThatThrownBy(() -> Rule.of(null, (s, st) -> { })).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Rule.when("x", null, (s, st) -> { })).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Rule.of("x", null)).isInstanceOf(NullPointerException.class);
    }
}
