package org.mmspec.check;

import java.util.function.Predicate;

/**
 * A liveness property {@code P ~> Q} ("P leads to Q": whenever P holds, Q holds then or later)
 * over the states of a {@link TransitionSystem}, checked under weak fairness per process: a run
 * in which a process stays able to take a step and never takes one is not a run the property
 * speaks about. {@code []<> Q} ("always eventually Q") is {@code true ~> Q}.
 *
 * <p>A family of properties (one per CPU, one per pair of CPUs) is one {@code Liveness} per
 * member, all with the same spec {@code id} and distinct {@code instance}s.
 *
 * @param id the spec ID, such as {@code TLB-L1}
 * @param statement the property's one-line statement, as in the spec
 * @param instance which member of the family this is (e.g. {@code cpu0}), or empty
 * @param p the trigger
 * @param q the response
 */
public record Liveness<S>(String id, String statement, String instance, Predicate<S> p, Predicate<S> q) {

    /** {@code P ~> Q}. */
    public static <S> Liveness<S> leadsTo(String id, String statement, String instance, Predicate<S> p, Predicate<S> q) {
        return new Liveness<>(id, statement, instance, p, q);
    }

    /** {@code []<> Q}. */
    public static <S> Liveness<S> alwaysEventually(String id, String statement, String instance, Predicate<S> q) {
        return new Liveness<>(id, statement, instance, s -> true, q);
    }

    /** {@code ID violated (statement) for instance: detail}, the shape of every violation message. */
    public String message(String detail) {
        return id + " violated (" + statement + ")" + (instance.isEmpty() ? "" : " for " + instance) + ": " + detail;
    }
}
