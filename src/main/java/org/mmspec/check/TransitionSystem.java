package org.mmspec.check;

import java.util.List;
import java.util.function.Supplier;

/**
 * A component as a graph of states for exhaustive exploration: initial states, the labelled
 * successors of each state, a canonical key, and the invariants every reachable state must keep.
 *
 * <p>States must be treated as immutable once handed to the explorer: {@link #successors} builds
 * new states rather than changing {@code state}. For interleavings of per-CPU steps, each
 * enabled step of each CPU is one successor, labelled with the CPU and the step.
 *
 * @param <S> the state type
 */
public interface TransitionSystem<S> {
    /**
     * Receives one successor state and the label of the transition that reached it. The label is
     * a {@link Supplier}: the explorer reads it only to print a counterexample, so a model may
     * describe each transition as fully as a reader needs at no cost to the search.
     */
    @FunctionalInterface
    interface Successors<S> {
        void add(Supplier<String> label, S next);

        /** A label that is already a string (a constant, or cheap to build). */
        default void add(String label, S next) {
            add(() -> label, next);
        }

        /**
         * A step taken by {@code process} (a CPU), for weak fairness in liveness checks: a process
         * that stays able to step eventually steps. Steps reported without a process (hardware,
         * the environment) carry no fairness. Only the liveness check reads the process.
         */
        default void add(int process, Supplier<String> label, S next) {
            add(label, next);
        }
    }

    /** One labelled successor, as {@link #successor} returns it. */
    record Transition<S>(String label, S next) {
    }

    /** A short name used in reports. */
    String name();

    List<S> initialStates();

    /** Reports every successor of {@code state}; may throw to report a failed transition. */
    void successors(S state, Successors<S> out);

    /**
     * The successor with index {@code index} in the order {@link #successors} reports them: how a
     * path recorded as transition indices (a counterexample) is replayed.
     *
     * @throws IllegalStateException if {@code state} has fewer successors: the successors are not
     *         deterministic, since the index was recorded from the same state
     */
    default Transition<S> successor(S state, int index) {
        List<Transition<S>> match = new java.util.ArrayList<>(1);
        int[] seen = {0};
        successors(state, (label, next) -> {
            if (seen[0]++ == index) {
                match.add(new Transition<>(label.get(), next));
            }
        });
        if (match.isEmpty()) {
            throw new IllegalStateException(name() + ": successors are not deterministic (transition " + index + " of "
                    + seen[0] + ")");
        }
        return match.get(0);
    }

    /** Whether {@code state} has a successor at all. */
    default boolean hasSuccessor(S state) {
        boolean[] any = {false};
        successors(state, (label, next) -> any[0] = true);
        return any[0];
    }

    /**
     * A canonical encoding: two states with equal keys are the same state for the search. A key
     * that maps symmetric states (interchangeable CPUs, say) to one value is a symmetry
     * reduction, and must preserve every invariant's verdict.
     */
    Object key(S state);

    InvariantSet<S> invariants();

    /**
     * Whether {@code state} is an intended end of a run. The explorer asks only of states without a
     * successor: one that is not final is a {@code DEADLOCK} (TLC's check, on unless the manifest
     * turns it off). The default, no state is final, is the sound one: a model that legitimately
     * stops (its scripts are done, its bounded inputs are used up) says so here.
     */
    default boolean isFinal(S state) {
        return false;
    }

    /**
     * The liveness properties checked, under weak fairness per process, when a run asks for them
     * ({@link CheckOptions#liveness()}); none by default.
     */
    default List<Liveness<S>> liveness() {
        return List.of();
    }

    /**
     * Whether {@link #key} merges states that differ by a renaming of processes. A liveness
     * property about one named CPU is not preserved by that merge (a cycle of merged states may
     * hand the CPU's role to another), so the explorer refuses to check liveness on such a key.
     */
    default boolean reducesSymmetry() {
        return false;
    }

    /**
     * What each process's steps read and write, for partial-order reduction ({@link
     * CheckOptions#por()}); null (the default) declares nothing, and the model is always fully
     * expanded.
     */
    default PartialOrder<S> partialOrder() {
        return null;
    }

    /**
     * How to write a frontier state to disk and read it back, or null (the default) to keep the
     * whole frontier in memory. With a codec the explorer moves a level's states to a file when the
     * heap fills up, so a configuration larger than the heap still finishes.
     */
    default StateCodec<S> codec() {
        return null;
    }
}
