package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The successor by index that counterexample replay uses, the has-a-successor test the walks use,
 * and the default that no state is final.
 */
class TransitionSystemDefaultsTest {
    /** From n: n+1 and n+2 below 4; no successor from 4 on. */
    static final TransitionSystem<Integer> COUNTER = new TransitionSystem<>() {
        @Override
        public String name() {
            return "counter";
        }

        @Override
        public List<Integer> initialStates() {
            return List.of(0);
        }

        @Override
        public void successors(Integer state, Successors<Integer> out) {
            if (state < 4) {
                out.add("+1", state + 1);
                out.add("+2", state + 2);
            }
        }

        @Override
        public Object key(Integer state) {
            return state;
        }

        @Override
        public InvariantSet<Integer> invariants() {
            return InvariantSet.of("counter", List.of(), String::valueOf);
        }
    };

    @Test
    void theSuccessorByIndexIsTheOneReportedAtThatPosition() {
        assertThat(COUNTER.successor(1, 0)).isEqualTo(new TransitionSystem.Transition<>("+1", 2));
        assertThat(COUNTER.successor(1, 1)).isEqualTo(new TransitionSystem.Transition<>("+2", 3));
        assertThatThrownBy(() -> COUNTER.successor(1, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("counter: successors are not deterministic (transition 2 of 2)");
        assertThatThrownBy(() -> COUNTER.successor(4, 0)).hasMessage("counter: successors are not deterministic (transition 0 of 0)");
    }

    @Test
    void aStateHasASuccessorExactlyWhenOneIsReported() {
        assertThat(COUNTER.hasSuccessor(3)).isTrue();
        assertThat(COUNTER.hasSuccessor(4)).isFalse();
    }

    @Test
    void aSystemHasNoFinalStateUnlessItSaysSo() {
        assertThat(COUNTER.isFinal(0)).isFalse();
        assertThat(COUNTER.isFinal(4)).as("a state without successors is a deadlock, not an end").isFalse();
    }
}
