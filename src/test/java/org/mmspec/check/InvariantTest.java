package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class InvariantTest {
    private static final Invariant<List<Integer>> SORTED = Invariant.of("DEMO-1", "the list is sorted", l -> {
        for (int i = 1; i < l.size(); i++) {
            if (l.get(i - 1) > l.get(i)) {
                return Invariant.broken("%d before %d at index %d", l.get(i - 1), l.get(i), i);
            }
        }
        return Invariant.holds();
    });

    @Test
    void violationNamesTheIdTheStatementAndTheState() {
        InvariantSet<List<Integer>> set = InvariantSet.of("demo", SORTED);
        assertThatThrownBy(() -> set.assertHolds(List.of(1, 3, 2)))
                .isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("DEMO-1 violated (the list is sorted): 3 before 2 at index 2")
                .hasMessageContaining("state: [1, 3, 2]");
        set.assertHolds(List.of(1, 2, 3));
    }

    @Test
    void aCheckThatThrowsCountsAsBroken() {
        Invariant<List<Integer>> npe = Invariant.of("DEMO-2", "first element is positive", l -> Invariant.require(l.get(0) > 0, "not positive"));
        assertThat(npe.evaluate(List.of())).isPresent().get().extracting(Violation::detail).asString().contains("check threw");
    }

    @Test
    void idsMustLookLikeSpecIds() {
        assertThatThrownBy(() -> Invariant.of("buddy2", "x", s -> Invariant.holds())).isInstanceOf(IllegalArgumentException.class);
        assertThat(Invariant.of("TLB-LAZY-1", "x", s -> Invariant.holds()).id()).isEqualTo("TLB-LAZY-1");
    }

    @Test
    void setReportsEveryViolationInOrder() {
        Invariant<List<Integer>> nonEmpty = Invariant.of("DEMO-3", "the list is not empty", l -> Invariant.require(!l.isEmpty(), "empty"));
        Invariant<List<Integer>> small = Invariant.of("DEMO-4", "elements are below 10", l -> Invariant.require(l.stream().allMatch(x -> x < 10), "too big"));
        InvariantSet<List<Integer>> set = InvariantSet.of("demo", SORTED, nonEmpty, small);
        assertThat(set.violations(List.of(20, 1))).extracting(Violation::invariantId).containsExactly("DEMO-1", "DEMO-4");
        assertThat(set.ids()).containsExactly("DEMO-1", "DEMO-3", "DEMO-4");
    }
}
