package org.mmspec.check;

import java.util.List;

/**
 * A component as a rule-based state machine (Hypothesis's {@code RuleBasedStateMachine}): a way
 * to build a fresh system, the rules that act on it, and the invariants checked after every step.
 *
 * <p>For model-based comparison the state {@code S} holds both the implementation and a
 * trivially correct model, and the rules compare them with {@link Step#agree}.
 *
 * @param <S> the state type: the system under test and, usually, its model
 */
public interface StateMachine<S> {
    /** A short name used in reports, such as {@code buddy}. */
    String name();

    /** Builds a fresh system; may draw its configuration (memory size, say) from {@code choices}. */
    S init(Choices choices);

    /** The operations a step may choose from. */
    List<Rule<S>> rules();

    /** Checked after {@link #init} and after every step. */
    InvariantSet<S> invariants();

    /**
     * A value that equals another snapshot exactly when the two states are the same; used to
     * check that a rejected operation changed nothing (ATOMIC-1).
     */
    Object snapshot(S state);
}
