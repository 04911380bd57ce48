package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link TransitionSystem} built from a mutable component: each state's successors are found by
 * copying the state and applying one action to the copy. An action rejected with an
 * {@link MmException} makes no transition, and the explorer checks that it left its copy exactly
 * as it was (ATOMIC-1), so exhaustive runs check failure atomicity for every rejected input in
 * every reachable state.
 *
 * @param <S> the mutable state type
 */
public final class ActionSystem<S> implements TransitionSystem<S> {

    /**
     * One labelled operation.
     *
     * @param label how the trace names it, e.g. {@code free(0x4, order 2)}
     * @param effect applies it to a copy of the state
     * @param process the process that takes it, for weak fairness in liveness checks
     *        ({@link TransitionSystem.Successors#add(int, Supplier, Object)}), or {@link #NO_PROCESS}
     *        for a step of the environment (a workload's request, which need never come)
     */
    public record Action<S>(String label, Consumer<S> effect, int process) {
        /** An action of the environment: no fairness. */
        public Action(String label, Consumer<S> effect) {
            this(label, effect, NO_PROCESS);
        }
    }

    /** The process of an environment action. */
    public static final int NO_PROCESS = StateGraph.NO_PROCESS;

    /** Thrown when an action fails in a way other than a typed rejection. */
    public static final class ActionFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        ActionFailure(String label, Throwable cause) {
            super(label + " failed: " + cause.getMessage(), cause);
        }
    }

    private final String name;
    private final Supplier<List<S>> initial;
    private final UnaryOperator<S> copy;
    private final Function<S, Object> key;
    private final Function<S, List<Action<S>>> actions;
    private final InvariantSet<S> invariants;
    private final Predicate<S> isFinal;
    private final List<Liveness<S>> liveness;
    private final StateCodec<S> codec;

    private ActionSystem(String name, Supplier<List<S>> initial, UnaryOperator<S> copy, Function<S, Object> key,
            Function<S, List<Action<S>>> actions, InvariantSet<S> invariants, Predicate<S> isFinal,
            List<Liveness<S>> liveness, StateCodec<S> codec) {
        this.isFinal = Objects.requireNonNull(isFinal);
        this.liveness = List.copyOf(liveness);
        this.codec = codec;
        this.name = Objects.requireNonNull(name);
        this.initial = Objects.requireNonNull(initial);
        this.copy = Objects.requireNonNull(copy);
        this.key = Objects.requireNonNull(key);
        this.actions = Objects.requireNonNull(actions);
        this.invariants = Objects.requireNonNull(invariants);
    }

    /**
     * Builds an action system.
     *
     * @param name report name
     * @param initial builds the initial states (fresh objects each call)
     * @param copy deep copy of a state
     * @param key canonical value of a state (equal exactly when the states are equal)
     * @param actions the actions enabled in a state, rejected ones included
     * @param invariants checked on every reachable state
     */
    public static <S> ActionSystem<S> of(String name, Supplier<List<S>> initial, UnaryOperator<S> copy,
            Function<S, Object> key, Function<S, List<Action<S>>> actions, InvariantSet<S> invariants) {
        return new ActionSystem<>(name, initial, copy, key, actions, invariants, s -> false, List.of(), null);
    }

    /**
     * The same system, whose states satisfying {@code end} are intended ends of a run (its bounded
     * inputs are used up): a state without an accepted action is a deadlock unless it is one.
     */
    public ActionSystem<S> finalWhen(Predicate<S> end) {
        return new ActionSystem<>(name, initial, copy, key, actions, invariants, end, liveness, codec);
    }

    /**
     * The same system with these liveness properties, checked under weak fairness per process
     * (the {@link Action#process()} of each action) when a run asks for liveness.
     */
    public ActionSystem<S> withLiveness(List<Liveness<S>> properties) {
        return new ActionSystem<>(name, initial, copy, key, actions, invariants, isFinal, properties, codec);
    }

    /**
     * The same system, whose states {@code codec} writes and reads: for the explorer's on-disk
     * frontier and the Spark engine ({@link StateCodec}'s contract: a state read back has the same
     * key, successors and verdicts).
     */
    public ActionSystem<S> withCodec(StateCodec<S> codec) {
        return new ActionSystem<>(name, initial, copy, key, actions, invariants, isFinal, liveness,
                Objects.requireNonNull(codec));
    }

    @Override
    public StateCodec<S> codec() {
        return codec;
    }

    @Override
    public boolean isFinal(S state) {
        return isFinal.test(state);
    }

    @Override
    public List<Liveness<S>> liveness() {
        return liveness;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<S> initialStates() {
        return new ArrayList<>(initial.get());
    }

    @Override
    public void successors(S state, Successors<S> out) {
        Object before = key.apply(state);
        for (Action<S> action : actions.apply(state)) {
            S next = copy.apply(state);
            try {
                action.effect().accept(next);
            } catch (MmException rejected) {
                Object after = key.apply(next);
                if (!before.equals(after)) {
                    throw new FailureNotAtomic(action.label(), rejected, invariants.describe(state),
                            invariants.describe(next));
                }
                continue;
            } catch (RuntimeException e) {
                throw new ActionFailure(action.label(), e);
            }
            if (action.process() == NO_PROCESS) {
                out.add(action.label(), next);
            } else {
                String label = action.label();
                out.add(action.process(), () -> label, next);
            }
        }
    }

    @Override
    public Object key(S state) {
        return key.apply(state);
    }

    @Override
    public InvariantSet<S> invariants() {
        return invariants;
    }
}
