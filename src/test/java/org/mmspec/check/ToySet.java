package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A tiny component for testing the checking core: a set of small ints kept in a list, with an
 * optional seeded bug. SET-1: the list holds no duplicates.
 */
final class ToySet {
    /** Seeded bugs the core must catch. */
    enum Bug { NONE, DUPLICATES_FROM_3, REMOVE_IGNORED_FOR_4, MUTATE_ON_REJECT }

    static final class ToyError extends MmException {
        private static final long serialVersionUID = 1L;

        ToyError(String m) {
            super(m);
        }

        @Override
        public String kind() {
            return "TOY";
        }
    }

    final List<Integer> items = new ArrayList<>();
    final Bug bug;

    ToySet(Bug bug) {
        this.bug = bug;
    }

    void add(int x) {
        if (x < 0) {
            if (bug == Bug.MUTATE_ON_REJECT) {
                items.add(99);
            }
            throw new ToyError("negative " + x);
        }
        if (!items.contains(x) || (bug == Bug.DUPLICATES_FROM_3 && x >= 3)) {
            items.add(x);
        }
    }

    boolean remove(int x) {
        if (bug == Bug.REMOVE_IGNORED_FOR_4 && x == 4) {
            return items.contains(x);
        }
        return items.remove(Integer.valueOf(x));
    }

    static final Invariant<State> SET_1 = Invariant.of("SET-1", "the set holds no duplicates",
            s -> s.impl.items.size() == new TreeSet<>(s.impl.items).size() ? Invariant.holds()
                    : Invariant.broken("duplicates in %s", s.impl.items));

    /** Implementation plus the trivially correct model. */
    static final class State {
        final ToySet impl;
        final TreeSet<Integer> model = new TreeSet<>();

        State(Bug bug) {
            impl = new ToySet(bug);
        }

        @Override
        public String toString() {
            return "impl=" + impl.items + " model=" + model;
        }
    }

    static StateMachine<State> machine(Bug bug) {
        return new StateMachine<>() {
            @Override
            public String name() {
                return "toyset-" + bug;
            }

            @Override
            public State init(Choices choices) {
                return new State(bug);
            }

            @Override
            public List<Rule<State>> rules() {
                return List.of(
                        Rule.of("add", (s, step) -> {
                            int x = step.between(-1, 9);
                            step.call("add(%d)", x);
                            Outcome<Void> o = step.performVoid(() -> s.impl.add(x));
                            step.agree("add(" + x + ") rejected", o.isRejected(), x < 0);
                            if (o.isOk()) {
                                s.model.add(x);
                            }
                        }),
                        Rule.when("remove", st -> !st.model.isEmpty(), (s, step) -> {
                            int x = step.between(0, 9);
                            step.call("remove(%d)", x);
                            Outcome<Boolean> o = step.perform(() -> s.impl.remove(x));
                            step.agree("remove(" + x + ")", o.value(), s.model.remove(x));
                        }));
            }

            @Override
            public InvariantSet<State> invariants() {
                return InvariantSet.of("toyset", SET_1);
            }

            @Override
            public Object snapshot(State state) {
                return List.copyOf(state.impl.items);
            }
        };
    }

    static Optional<String> none() {
        return Optional.empty();
    }
}
