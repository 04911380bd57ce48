package org.mmspec.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Runs a {@link StateMachine} through random operation sequences, checks every invariant after
 * every step, and shrinks a failing sequence to a minimal one.
 *
 * <p>How a run draws: {@code init} draws the configuration; then each step draws the index of a
 * rule among those enabled, and the rule draws its arguments. Every draw goes through one
 * {@link Choices}, so a run is its recorded choice sequence. Shrinking replays edited copies of
 * that sequence and keeps an edit when the run still fails the same way (same invariant ID, or
 * same error class): first delta debugging over whole steps (deleting spans of steps, halving the
 * span size), then over arguments (setting each draw to 0, then binary searching it down, alone
 * and together with every draw of the same value). It
 * repeats until no edit helps or its budget runs out. A replay ends when its sequence is used up,
 * so deleting steps really shortens the run.
 *
 * <p>A failure is reported as a {@link StatefulFailure}: the master seed that reproduces it, the
 * minimal steps as readable calls with their results, and the original failure message.
 */
public final class StatefulChecker {
    private StatefulChecker() {
    }

    /** Outcome of one replay of a choice sequence. */
    record Run(long[] choices, List<String> steps, int[] stepStarts, Throwable failure) {
        boolean failed() {
            return failure != null;
        }
    }

    /** What a successful check did. */
    public record Report(String machine, long seed, int runs, long steps) {
    }

    /** Runs {@code machine} with settings from system properties; throws {@link StatefulFailure} on failure. */
    public static <S> Report check(StateMachine<S> machine) {
        return check(machine, CheckSettings.defaults());
    }

    /** Runs {@code machine} with {@code settings}; throws {@link StatefulFailure} on failure. */
    public static <S> Report check(StateMachine<S> machine, CheckSettings settings) {
        SplittableRandom seeds = new SplittableRandom(settings.seed());
        long totalSteps = 0;
        for (int i = 0; i < settings.runs(); i++) {
            long runSeed = seeds.nextLong();
            Run run = execute(machine, Choices.random(runSeed), settings.steps());
            totalSteps += run.steps().size();
            if (run.failed()) {
                Run minimal = shrink(machine, run, settings);
                throw new StatefulFailure(machine.name(), settings.seed(), i, run.steps().size(), minimal.steps(),
                        minimal.choices(), minimal.failure());
            }
        }
        return new Report(machine.name(), settings.seed(), settings.runs(), totalSteps);
    }

    /** Replays one recorded choice sequence, as a {@link StatefulFailure} prints it. */
    public static <S> void replay(StateMachine<S> machine, long[] choices) {
        Run run = execute(machine, Choices.replay(choices), Integer.MAX_VALUE);
        if (run.failed()) {
            throw new StatefulFailure(machine.name(), 0, 0, run.steps().size(), run.steps(), run.choices(), run.failure());
        }
    }

    static <S> Run execute(StateMachine<S> machine, Choices choices, int maxSteps) {
        List<String> steps = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Throwable failure = null;
        try {
            S state = machine.init(choices);
            machine.invariants().assertHolds(state);
            List<Rule<S>> rules = machine.rules();
            while (steps.size() < maxSteps && choices.hasMore()) {
                starts.add(choices.position());
                List<Rule<S>> enabled = new ArrayList<>();
                for (Rule<S> r : rules) {
                    if (r.enabled(state)) {
                        enabled.add(r);
                    }
                }
                if (enabled.isEmpty()) {
                    starts.remove(starts.size() - 1);
                    break;
                }
                Rule<S> rule = choices.pick(enabled);
                Step<S> step = new Step<>(state, choices, machine::snapshot);
                try {
                    rule.apply(state, step);
                } finally {
                    steps.add(step.describe(rule.name()));
                }
                machine.invariants().assertHolds(state);
            }
        } catch (RuntimeException | AssertionError e) {
            failure = e;
        }
        return new Run(choices.recorded(), steps, starts.stream().mapToInt(Integer::intValue).toArray(), failure);
    }

    static <S> Run shrink(StateMachine<S> machine, Run failing, CheckSettings settings) {
        Shrinker<S> s = new Shrinker<>(machine, failing, settings);
        return s.run();
    }

    /** A failure's identity for shrinking: a shrunk run must fail the same way. */
    static String signature(Throwable t) {
        if (t instanceof InvariantViolation iv) {
            return "invariant " + iv.invariantId();
        }
        return t.getClass().getName();
    }

    private static final class Shrinker<S> {
        private final StateMachine<S> machine;
        private final String target;
        private final int budget;
        private final long deadline;
        private Run best;
        private int attempts;

        Shrinker(StateMachine<S> machine, Run failing, CheckSettings settings) {
            this.machine = machine;
            this.best = failing;
            this.target = signature(failing.failure());
            this.budget = settings.maxShrinkAttempts();
            this.deadline = System.nanoTime() + settings.shrinkTimeLimit().toNanos();
        }

        Run run() {
            boolean progress = true;
            while (progress && withinBudget()) {
                progress = deleteSteps() | lowerDraws() | lowerEqualDraws();
            }
            return best;
        }

        private boolean withinBudget() {
            return attempts < budget && System.nanoTime() < deadline;
        }

        /** Tries {@code candidate}; keeps it if it still fails the same way and is simpler. */
        private boolean attempt(long[] candidate) {
            if (!withinBudget() || !simpler(candidate, best.choices())) {
                return false;
            }
            attempts++;
            Run r = execute(machine, Choices.replay(candidate), Integer.MAX_VALUE);
            // The replay's own draws (what it consumed, with zeros past the candidate's end) must be
            // simpler too: keeping a longer replay would let the shrinker walk away from the minimum.
            if (r.failed() && signature(r.failure()).equals(target) && simpler(r.choices(), best.choices())) {
                // Keep only the draws the replay consumed; the rest were never read.
                best = r;
                return true;
            }
            return false;
        }

        /** Shortlex order: fewer draws first, then lexicographically smaller. */
        private static boolean simpler(long[] a, long[] b) {
            if (a.length != b.length) {
                return a.length < b.length;
            }
            return Arrays.compare(a, b) < 0;
        }

        /** Delta debugging over steps: delete spans of consecutive steps, largest spans first. */
        private boolean deleteSteps() {
            boolean any = false;
            int n = best.stepStarts().length;
            for (int span = Math.max(1, n / 2); span >= 1; span /= 2) {
                for (int first = 0; first + span <= best.stepStarts().length && withinBudget(); ) {
                    long[] c = best.choices();
                    int[] starts = best.stepStarts();
                    int from = starts[first];
                    int to = first + span < starts.length ? starts[first + span] : c.length;
                    long[] candidate = new long[c.length - (to - from)];
                    System.arraycopy(c, 0, candidate, 0, from);
                    System.arraycopy(c, to, candidate, from, c.length - to);
                    if (attempt(candidate)) {
                        any = true; // same index now names the next span
                    } else {
                        first++;
                    }
                }
            }
            return any;
        }

        /** Delta debugging over arguments: each draw to 0, else binary search it down. */
        private boolean lowerDraws() {
            boolean any = false;
            for (int i = 0; i < best.choices().length && withinBudget(); i++) {
                long original = best.choices()[i];
                if (original == 0) {
                    continue;
                }
                if (attempt(with(best.choices(), i, 0))) {
                    any = true;
                    continue;
                }
                long lo = 0;
                long hi = original;
                while (hi - lo > 1 && withinBudget() && i < best.choices().length) {
                    long mid = lo + (hi - lo) / 2;
                    if (attempt(with(best.choices(), i, mid))) {
                        hi = mid;
                        any = true;
                    } else {
                        lo = mid;
                    }
                }
            }
            return any;
        }

        /**
         * Lowers every draw holding the same value together: a failure that needs two equal
         * arguments (free the same block twice, say) survives only if they shrink in step.
         */
        private boolean lowerEqualDraws() {
            boolean any = false;
            java.util.TreeSet<Long> values = new java.util.TreeSet<>();
            for (long v : best.choices()) {
                if (v > 0) {
                    values.add(v);
                }
            }
            for (long v : values.descendingSet()) {
                if (!withinBudget()) {
                    break;
                }
                long lo = 0;
                long hi = v;
                long current = v;
                while (hi - lo > 0 && withinBudget()) {
                    long mid = lo + (hi - lo) / 2;
                    if (attempt(replaceAll(best.choices(), current, mid))) {
                        current = mid;
                        hi = mid;
                        any = true;
                    } else {
                        lo = mid + 1;
                    }
                }
            }
            return any;
        }

        private static long[] replaceAll(long[] c, long from, long to) {
            long[] copy = c.clone();
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] == from) {
                    copy[i] = to;
                }
            }
            return copy;
        }

        private static long[] with(long[] c, int i, long value) {
            long[] copy = c.clone();
            copy[i] = value;
            return copy;
        }
    }

    /** For tests of the checker itself. */
    static String describe(Run r) {
        return Objects.toString(r.steps());
    }
}
