package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.Catalog;

/**
 * Every catalogue model's {@link StateCodec} reads back each reachable state of the model's
 * smallest passing {@code ci} configuration (breadth-first, the first {@value #STATES}, or fewer
 * where the recorded exploration is slow per state: see {@link #budget}) as the same
 * state for the search: the same key, the same bytes when written again, the same successors in
 * the same order (labels and keys), the same invariant verdict, the same rendering and the same
 * finality. The Spark engine and the explorer's on-disk frontier rely on exactly this.
 */
class StateCodecRoundTripTest {
    static final int STATES = 500;
    /** The fewest states read back for any model. */
    static final int AT_LEAST = 20;
    /** About this much of the recorded exploration's time is spent reading states back. */
    static final long BUDGET_MILLIS = 3_000;

    /**
     * How many states of {@code config} to read back: {@value #STATES}, or as many as the recorded
     * exploration covered in {@value #BUDGET_MILLIS} ms when that is fewer (the huge-page scope of
     * {@code vm-address-space} takes about 50 ms a state: each holds whole 2 MiB pages), but at
     * least {@value #AT_LEAST}.
     */
    static int budget(Manifest m, String config) {
        long states = Long.parseLong(m.get(config + ".states", "1"));
        long millis = Long.parseLong(m.get(config + ".millis", "0"));
        if (millis <= 0) {
            return STATES;
        }
        long covered = BUDGET_MILLIS * states / millis;
        return (int) Math.max(AT_LEAST, Math.min(STATES, covered));
    }
    /** Models whose states have no codec yet: they cannot run on Spark (README, "Exploring on Spark"). */
    static final Set<String> WITHOUT_CODEC = Set.of();

    /** The model's passing ci configuration with the fewest recorded states. */
    static String smallestPassingCi(Manifest m) {
        String best = null;
        long fewest = Long.MAX_VALUE;
        for (String c : m.configs()) {
            if (m.profile(c).equals("ci") && m.expect(c).equals("pass")) {
                long states = Long.parseLong(m.get(c + ".states", String.valueOf(Long.MAX_VALUE)));
                if (states < fewest) {
                    fewest = states;
                    best = c;
                }
            }
        }
        return best;
    }

    static List<ExhaustiveModel> manifestModels() {
        List<ExhaustiveModel> out = new ArrayList<>();
        for (ExhaustiveModel model : Catalog.models()) {
            try {
                Manifest.load(model.name());
                out.add(model);
            } catch (IllegalArgumentException e) {
                // a JPF folder: no exhaustive manifest
            }
        }
        return out;
    }

    @Test
    void theModelsWithoutACodecAreTheOnesListed() {
        Set<String> without = new TreeSet<>();
        for (ExhaustiveModel model : manifestModels()) {
            Manifest m = Manifest.load(model.name());
            if (model.build(m.bounds(smallestPassingCi(m))).codec() == null) {
                without.add(model.name());
            }
        }
        assertThat(without).isEqualTo(new TreeSet<>(WITHOUT_CODEC));
    }

    @TestFactory
    Stream<DynamicTest> everyReachableStateReadsBackAsItself() {
        return manifestModels().stream().filter(m -> !WITHOUT_CODEC.contains(m.name())).map(model -> {
            Manifest m = Manifest.load(model.name());
            String config = smallestPassingCi(m);
            return DynamicTest.dynamicTest(model.name() + ":" + config,
                    () -> CodecRoundTrip.roundTrips(model.build(m.bounds(config)), budget(m, config)));
        });
    }

}
