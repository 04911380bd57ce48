package org.mmspec.check;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes a state of a {@link TransitionSystem} as bytes and reads it back, so that the explorer
 * can keep a frontier larger than the heap on disk ({@link Frontier}).
 *
 * <p>Contract: a state read back is the same state for the search: the same key, the same
 * successors in the same order, the same invariant verdicts. Only states of the frontier are
 * written, and a state is read by the process that wrote it or, on Spark, by another JVM of the
 * same build that built the same configuration, so the encoding may depend on the system's
 * configuration (page counts, capacities) and need not be stable across versions.
 * {@link Encoding} has the pieces; {@code StateCodecRoundTripTest} checks every model's codec.
 *
 * @param <S> the state type
 */
public interface StateCodec<S> {
    void write(S state, DataOutput out) throws IOException;

    S read(DataInput in) throws IOException;
}
