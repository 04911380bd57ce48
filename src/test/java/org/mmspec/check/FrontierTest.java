package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.Catalog;

/**
 * The on-disk frontier: a level reads back in discovery order whatever part of it went to disk,
 * its file is deleted when it is closed, a system without a codec never spills; and a search that
 * spills every chunk of every level finds exactly what the in-memory search finds, on every ci
 * configuration of every catalogue model that has a codec.
 */
class FrontierTest {
    /** Integers, written as themselves; counts what it wrote. */
    static final class Ints implements StateCodec<Integer> {
        int written;

        @Override
        public void write(Integer state, DataOutput out) throws IOException {
            written++;
            out.writeInt(state);
        }

        @Override
        public Integer read(DataInput in) throws IOException {
            return in.readInt();
        }
    }

    @Test
    void aLevelReadsBackInDiscoveryOrderAcrossDiskAndMemory() {
        Ints codec = new Ints();
        List<Integer> back = new ArrayList<>();
        try (Frontier<Integer> f = new Frontier<>(codec, 3)) {
            for (int i = 0; i < 10; i++) {
                f.add(i);
                if (i % 4 == 3) {
                    f.spillIfNeeded(); // 0-3 go at i = 3, 4-7 at i = 7; 8 and 9 stay in memory
                }
            }
            assertThat(f.size()).isEqualTo(10);
            assertThat(f.spilled()).isEqualTo(8);
            assertThat(codec.written).isEqualTo(8);
            for (List<Integer> part = f.take(3); !part.isEmpty(); part = f.take(3)) {
                assertThat(part.size()).isLessThanOrEqualTo(3);
                back.addAll(part);
            }
        }
        assertThat(back).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void belowSpillAtAndWithAFreeHeapNothingGoesToDisk() {
        Ints codec = new Ints();
        try (Frontier<Integer> f = new Frontier<>(codec, 5)) {
            for (int i = 0; i < 4; i++) {
                f.add(i);
            }
            f.spillIfNeeded();
            assertThat(f.spilled()).isZero();
            f.add(4);
            f.spillIfNeeded();
            assertThat(f.spilled()).as("at spillAt").isEqualTo(5);
        }
    }

    @Test
    void withoutACodecTheLevelStaysInMemory() {
        try (Frontier<Integer> f = new Frontier<>(null, 1)) {
            f.add(7);
            f.add(8);
            f.spillIfNeeded();
            assertThat(f.spilled()).isZero();
            assertThat(f.take(5)).containsExactly(7, 8);
            assertThat(f.take(5)).isEmpty();
        }
    }

    @Test
    void closingDeletesTheLevelsFile() {
        Frontier<Integer> f = new Frontier<>(new Ints(), 1);
        f.add(1);
        assertThat(f.file()).as("nothing written yet").isNull();
        f.spillIfNeeded();
        Path file = f.file();
        assertThat(file).exists();
        assertThat(file.getFileName().toString()).startsWith("mmspec-frontier-");
        f.close();
        assertThat(file).doesNotExist();
    }

    @TestFactory
    Stream<DynamicTest> aSearchThatSpillsEveryChunkFindsWhatTheInMemorySearchFinds() {
        List<DynamicTest> tests = new ArrayList<>();
        ExplorerSettings spillAlways = ExplorerSettings.fromProperties().withThreads(2).withSpillAt(1);
        for (ExhaustiveModel model : Catalog.models()) {
            Manifest manifest = Manifest.load(model.name());
            for (String config : manifest.configs()) {
                if (!manifest.profile(config).equals("ci")
                        || Long.parseLong(manifest.get(config + ".millis", "0")) > ExplorerEquivalenceTest.MAX_MILLIS
                        || model.build(manifest.bounds(config)).codec() == null) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(model.name() + " [" + config + "]", () -> {
                    ExploreBounds bounds = manifest.exploreBounds(config);
                    ExplorationResult r = Explorer.explore(model.build(manifest.bounds(config)), bounds, Progress.NONE,
                            spillAlways, manifest.checks(config));
                    if (r.depth() > 1) {
                        assertThat(r.stats().spilledStates()).as("states went to disk").isPositive();
                    }
                    assertThat(ModelRun.drift(manifest, config, r)).as("%s [%s] spilling", model.name(), config).isEmpty();
                    if (!r.passed()) {
                        ExplorationResult ref = Explorer.explore(model.build(manifest.bounds(config)), bounds,
                                Progress.NONE, ExplorerSettings.fromProperties(), manifest.checks(config));
                        ExplorerEquivalenceTest.assertSame(ref, r, model.name() + " [" + config + "] spilling");
                    }
                }));
            }
        }
        assertThat(tests).as("some model has a codec").isNotEmpty();
        return tests.stream();
    }
}
