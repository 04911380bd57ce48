package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A component's global invariant, as the conjunction of small named invariants, each checkable
 * and reportable alone (in the manner of verified-nrkernel's {@code basic_inv && tlb_inv}).
 *
 * @param <S> the state type
 */
public final class InvariantSet<S> {
    private final String component;
    private final List<Invariant<S>> invariants;
    private final Function<? super S, String> describe;

    private InvariantSet(String component, List<Invariant<S>> invariants, Function<? super S, String> describe) {
        this.component = Objects.requireNonNull(component);
        this.invariants = List.copyOf(invariants);
        this.describe = Objects.requireNonNull(describe);
    }

    /** A set whose violations render the state with {@code toString()}. */
    @SafeVarargs
    public static <S> InvariantSet<S> of(String component, Invariant<S>... invariants) {
        return new InvariantSet<>(component, List.of(invariants), String::valueOf);
    }

    /** A set whose violations render the state with {@code describe}. */
    public static <S> InvariantSet<S> of(String component, List<Invariant<S>> invariants, Function<? super S, String> describe) {
        return new InvariantSet<>(component, invariants, describe);
    }

    /** The same invariants plus {@code more}. */
    @SafeVarargs
    public final InvariantSet<S> and(Invariant<S>... more) {
        List<Invariant<S>> all = new ArrayList<>(invariants);
        all.addAll(List.of(more));
        return new InvariantSet<>(component, all, describe);
    }

    public String component() {
        return component;
    }

    public List<Invariant<S>> invariants() {
        return invariants;
    }

    public List<String> ids() {
        return invariants.stream().map(Invariant::id).toList();
    }

    /** The invariant with this ID; fails if the set has none. */
    public Invariant<S> byId(String id) {
        return invariants.stream().filter(i -> i.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(component + " has no invariant " + id));
    }

    /** Every broken invariant, in declaration order. */
    public List<Violation> violations(S state) {
        List<Violation> out = new ArrayList<>();
        for (Invariant<S> inv : invariants) {
            inv.evaluate(state).ifPresent(out::add);
        }
        return out;
    }

    /** The first broken invariant, if any. */
    public Optional<Violation> firstViolation(S state) {
        for (Invariant<S> inv : invariants) {
            Optional<Violation> v = inv.evaluate(state);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    /** Throws {@link InvariantViolation} naming the first broken invariant and the state. */
    public void assertHolds(S state) {
        Optional<Violation> v = firstViolation(state);
        if (v.isPresent()) {
            throw new InvariantViolation(v.get(), describe(state));
        }
    }

    public String describe(S state) {
        try {
            return describe.apply(state);
        } catch (RuntimeException e) {
            return "<state rendering threw " + e + ">";
        }
    }
}
