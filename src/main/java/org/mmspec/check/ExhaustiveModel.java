package org.mmspec.check;

/**
 * A model under {@code models/<name>/}: a transition system built from bounds that the model's
 * manifest records, configuration by configuration, together with the results last recorded.
 */
public interface ExhaustiveModel {
    /** The folder name under {@code models/}. */
    String name();

    /** The component the model belongs to, as the check table names it. */
    String component();

    /** Builds the system for one configuration's bounds. */
    TransitionSystem<?> build(Bounds bounds);
}
