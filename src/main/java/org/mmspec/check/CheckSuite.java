package org.mmspec.check;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One line of the {@code mmspec check} table: a named check of one component that covers some
 * invariant IDs and can be run at the default bounds.
 */
public interface CheckSuite {

    /** How the suite checks: random stateful cases, exhaustive states, or an inductive step. */
    enum Kind {
        RANDOM("cases"), EXHAUSTIVE("states"), INDUCTIVE("states");

        private final String unit;

        Kind(String unit) {
            this.unit = unit;
        }

        public String unit() {
            return unit;
        }
    }

    /**
     * One run of a suite.
     *
     * @param count cases run (random) or distinct states explored (exhaustive, inductive)
     * @param elapsed wall time
     * @param passed whether every check held
     * @param detail a one-line summary, or the failure report
     * @param counterexample the trace the run found, if it explored and found one (a seeded bug's
     *        expected failure included), for {@code check --save-counterexample}
     */
    record Result(long count, Duration elapsed, boolean passed, String detail,
            java.util.Optional<CounterexampleFile> counterexample) {
        public Result(long count, Duration elapsed, boolean passed, String detail) {
            this(count, elapsed, passed, detail, java.util.Optional.empty());
        }
    }

    String component();

    String name();

    Kind kind();

    List<String> invariantIds();

    Result run();

    /**
     * A suite from its parts; {@code ids} and {@code run} are called when the table needs them,
     * so building the catalogue costs nothing.
     */
    static CheckSuite of(String component, String name, Kind kind, Supplier<List<String>> ids, Supplier<Result> run) {
        return new CheckSuite() {
            @Override
            public String component() {
                return component;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Kind kind() {
                return kind;
            }

            @Override
            public List<String> invariantIds() {
                return ids.get();
            }

            @Override
            public Result run() {
                return run.get();
            }
        };
    }

    /** A suite that runs a {@link StateMachine} with settings from system properties. */
    static <S> CheckSuite stateful(String component, StateMachine<S> machine, int steps) {
        return stateful(component, machine, () -> CheckSettings.fromSystemProperties(steps));
    }

    /** A suite that runs a {@link StateMachine} with the given settings. */
    static <S> CheckSuite stateful(String component, StateMachine<S> machine, Supplier<CheckSettings> settings) {
        return of(component, machine.name() + " (stateful, model-based)", Kind.RANDOM, () -> machine.invariants().ids(), () -> {
            long t0 = System.nanoTime();
            CheckSettings s = settings.get();
            try {
                StatefulChecker.Report r = StatefulChecker.check(machine, s);
                return new Result(r.runs(), Duration.ofNanos(System.nanoTime() - t0), true,
                        String.format("%d runs, %d steps, seed %d", r.runs(), r.steps(), r.seed()));
            } catch (StatefulFailure f) {
                return new Result(s.runs(), Duration.ofNanos(System.nanoTime() - t0), false, f.getMessage());
            }
        });
    }

    /** A suite that explores a transition system exhaustively. */
    static <S> CheckSuite exhaustive(String component, String name, Supplier<TransitionSystem<S>> system,
            ExploreBounds bounds) {
        return of(component, name, Kind.EXHAUSTIVE, () -> system.get().invariants().ids(), () -> {
            ExplorationResult r = Explorer.explore(system.get(), bounds, Progress.every(Duration.ofSeconds(5), System.err));
            return new Result(r.distinctStates(), r.elapsed(), r.passed(),
                    r.passed() ? r.summary() : r.counterexample().get().render(),
                    r.counterexample().map(c -> new CounterexampleFile(r.system(), c)));
        });
    }

    /** A suite that runs a bounded inductiveness check. */
    static <S> CheckSuite inductive(String component, String name, Supplier<Iterable<S>> scope,
            Supplier<TransitionSystem<S>> system) {
        return of(component, name, Kind.INDUCTIVE, () -> system.get().invariants().ids(), () -> {
            InductivenessCheck.Result r = InductivenessCheck.check(name, scope.get(), system.get());
            return new Result(r.statesInScope(), r.elapsed(), r.passed(), r.passed()
                    ? String.format("%d states in scope, %d satisfying, %d transitions", r.statesInScope(),
                            r.statesSatisfying(), r.transitionsChecked())
                    : r.counterexample().get().render(), r.counterexample().map(c -> new CounterexampleFile(name, c)));
        });
    }
}
