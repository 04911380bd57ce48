package org.mmspec.check;

import java.util.List;
import java.util.function.Consumer;

/**
 * Test support: a state machine that applies a corruption to each fresh initial state of
 * {@code delegate} and remembers the last state it built, so that a test can show a check fires
 * on a state broken in one known way (and then look at that state).
 *
 * @param <S> the delegate's state type
 */
public final class CorruptingMachine<S> implements StateMachine<S> {
    private final StateMachine<S> delegate;
    private final Consumer<S> corrupt;
    private S last;

    public CorruptingMachine(StateMachine<S> delegate, Consumer<S> corrupt) {
        this.delegate = delegate;
        this.corrupt = corrupt;
    }

    /** The machine as it is: no corruption, only the memory of the last initial state. */
    public static <S> CorruptingMachine<S> recording(StateMachine<S> delegate) {
        return new CorruptingMachine<>(delegate, s -> { });
    }

    /** The last initial state built (after its corruption); the stateful steps mutate it in place. */
    public S last() {
        return last;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public S init(Choices c) {
        last = delegate.init(c);
        corrupt.accept(last);
        return last;
    }

    @Override
    public List<Rule<S>> rules() {
        return delegate.rules();
    }

    @Override
    public InvariantSet<S> invariants() {
        return delegate.invariants();
    }

    @Override
    public Object snapshot(S s) {
        return delegate.snapshot(s);
    }
}
