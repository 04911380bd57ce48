package org.mmspec.check;

import java.util.List;

/**
 * A {@link TransitionSystem} that passes every call to another, for tests that change one aspect
 * of a model (its liveness properties, its partial order) and keep the rest: override that method.
 * The defaults {@link TransitionSystem#successor} and {@link TransitionSystem#hasSuccessor} are not
 * forwarded; they follow {@link #successors}.
 *
 * @param <S> the state type
 */
public class ForwardingSystem<S> implements TransitionSystem<S> {
    private final TransitionSystem<S> delegate;

    public ForwardingSystem(TransitionSystem<S> delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public List<S> initialStates() {
        return delegate.initialStates();
    }

    @Override
    public void successors(S state, Successors<S> out) {
        delegate.successors(state, out);
    }

    @Override
    public Object key(S state) {
        return delegate.key(state);
    }

    @Override
    public InvariantSet<S> invariants() {
        return delegate.invariants();
    }

    @Override
    public boolean isFinal(S state) {
        return delegate.isFinal(state);
    }

    @Override
    public List<Liveness<S>> liveness() {
        return delegate.liveness();
    }

    @Override
    public boolean reducesSymmetry() {
        return delegate.reducesSymmetry();
    }

    @Override
    public PartialOrder<S> partialOrder() {
        return delegate.partialOrder();
    }

    @Override
    public StateCodec<S> codec() {
        return delegate.codec();
    }
}
