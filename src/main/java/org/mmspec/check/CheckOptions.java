package org.mmspec.check;

/**
 * Which checks an exploration runs beside the invariants. Unlike {@link ExplorerSettings}, these
 * change verdicts: a manifest or the command line chooses them per configuration.
 *
 * @param deadlock report a reachable state with no successor that the model does not mark final
 *        ({@link TransitionSystem#isFinal}) as {@link #DEADLOCK}
 * @param liveness check the model's {@link TransitionSystem#liveness() liveness properties} under
 *        weak fairness once the search is complete; the search then keeps every edge of the graph
 */
public record CheckOptions(boolean deadlock, boolean liveness) {
    /** The failure kind of a deadlock counterexample. */
    public static final String DEADLOCK = "DEADLOCK";

    /** Deadlock on, liveness off: what every run does unless told otherwise. */
    public static final CheckOptions DEFAULT = new CheckOptions(true, false);

    public CheckOptions withDeadlock(boolean on) {
        return new CheckOptions(on, liveness);
    }

    public CheckOptions withLiveness(boolean on) {
        return new CheckOptions(deadlock, on);
    }
}
