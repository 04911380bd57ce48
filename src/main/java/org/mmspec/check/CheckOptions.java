package org.mmspec.check;

/**
 * Which checks an exploration runs beside the invariants. Unlike {@link ExplorerSettings}, these
 * change verdicts: a manifest or the command line chooses them per configuration.
 *
 * <p>{@link #DEFAULT}, for callers of the explorer's API, has POR off; manifests and the command line
 * turn it on unless told {@code por=off}, and it then applies to the models that declare a partial order.
 *
 * @param deadlock report a reachable state with no successor that the model does not mark final
 *        ({@link TransitionSystem#isFinal}) as {@link #DEADLOCK}
 * @param liveness check the model's {@link TransitionSystem#liveness() liveness properties} under
 *        weak fairness once the search is complete; the search then keeps every edge of the graph
 * @param por partial-order reduction where the model declares a {@link TransitionSystem#partialOrder()};
 *        sound for the invariants and for deadlock (C0-C3), and turned off by the explorer when
 *        liveness is checked (a deferred step could hide a fair cycle)
 */
public record CheckOptions(boolean deadlock, boolean liveness, boolean por) {
    /** The failure kind of a deadlock counterexample. */
    public static final String DEADLOCK = "DEADLOCK";

    /** Deadlock on, liveness off: what every run does unless told otherwise. */
    public static final CheckOptions DEFAULT = new CheckOptions(true, false, false);

    /** Without partial-order reduction. */
    public CheckOptions(boolean deadlock, boolean liveness) {
        this(deadlock, liveness, false);
    }

    public CheckOptions withDeadlock(boolean on) {
        return new CheckOptions(on, liveness, por);
    }

    public CheckOptions withLiveness(boolean on) {
        return new CheckOptions(deadlock, on, por);
    }

    public CheckOptions withPor(boolean on) {
        return new CheckOptions(deadlock, liveness, on);
    }
}
