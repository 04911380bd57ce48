package org.mmspec.check;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a stateful machine as {@link StatefulChecker} does (same draws, every invariant after every
 * step, ATOMIC-1 on every rejection through {@link Step#perform}) and counts, per operation, how
 * many calls it made and how often each typed error came back. A failing run is rethrown.
 */
final class RejectionCensus {
    private static final Pattern STEP = Pattern.compile("^(?:P\\d+\\.|cpu\\d+ )?([A-Za-z_]+)\\(.*?(?: -> (.*))?$");

    /** Operation name to calls; and "operation KIND" to how many were rejected with KIND. */
    record Counts(Map<String, Integer> calls, Map<String, Integer> rejections) {
        int calls(String op) {
            return calls.getOrDefault(op, 0);
        }

        int rejected(String op, String kind) {
            return rejections.getOrDefault(op + " " + kind, 0);
        }
    }

    private RejectionCensus() {
    }

    static <S> Counts run(StateMachine<S> machine, long seed, int runs, int steps) {
        Map<String, Integer> calls = new TreeMap<>();
        Map<String, Integer> rejections = new TreeMap<>();
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < runs; i++) {
            StatefulChecker.Run run = StatefulChecker.execute(machine, Choices.random(seeds.nextLong()), steps);
            if (run.failed()) {
                throw new AssertionError(machine.name() + " failed while counting rejections: " + run.failure(), run.failure());
            }
            for (String s : run.steps()) {
                Matcher m = STEP.matcher(s);
                if (!m.find()) {
                    continue;
                }
                String op = m.group(1);
                calls.merge(op, 1, Integer::sum);
                String result = m.group(2);
                if (result != null && result.startsWith("rejected ")) {
                    rejections.merge(op + " " + result.substring("rejected ".length()).trim(), 1, Integer::sum);
                }
            }
        }
        return new Counts(calls, rejections);
    }

    static List<String> describe(Counts c) {
        return List.of("calls=" + c.calls(), "rejections=" + c.rejections());
    }
}
