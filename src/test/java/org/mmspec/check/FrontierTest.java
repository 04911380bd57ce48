package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

    /** A level of {@code n} states 0, 1, ... in a frontier that spills at {@code spillAt} with the given heap verdict. */
    private static Frontier<Integer> level(int n, long spillAt, boolean heapShort) {
        Frontier<Integer> f = new Frontier<>(new Ints(), spillAt, () -> heapShort);
        for (int i = 0; i < n; i++) {
            f.add(i);
        }
        return f;
    }

    @Test
    void theHeapIsShortWhenMoreThanHalfOfItsMaximumIsInUse() {
        // used = total - free, compared with HEAP_SHARE_PERCENT of the maximum, exclusive
        assertThat(Frontier.heapShort(100, 50, 100)).as("exactly half").isFalse();
        assertThat(Frontier.heapShort(100, 49, 100)).as("one byte over half").isTrue();
        assertThat(Frontier.heapShort(60, 0, 100)).as("all taken memory in use").isTrue();
        assertThat(Frontier.heapShort(100, 60, 100)).as("the taken heap mostly free").isFalse();
        long g = 1L << 30;
        assertThat(Frontier.heapShort(4 * g, g, 6 * g)).as("3 of 6 GiB").isFalse();
        assertThat(Frontier.heapShort(4 * g, g - 1, 6 * g)).isTrue();
        assertThat(Frontier.heapShort(2 * g, g / 2, 6 * g)).isFalse();
    }

    @Test
    void belowSpillAtALevelSpillsOnlyWithAShortHeapAndAtLeastMinSpillStates() {
        long never = Long.MAX_VALUE;
        try (Frontier<Integer> f = level(Frontier.MIN_SPILL, never, true)) {
            f.spillIfNeeded();
            assertThat(f.spilled()).as("MIN_SPILL states, heap short").isEqualTo(Frontier.MIN_SPILL);
            assertThat(f.take(Frontier.MIN_SPILL + 1)).hasSize(Frontier.MIN_SPILL).startsWith(0, 1, 2)
                    .endsWith(Frontier.MIN_SPILL - 1);
        }
        try (Frontier<Integer> f = level(Frontier.MIN_SPILL - 1, never, true)) {
            f.spillIfNeeded();
            assertThat(f.spilled()).as("one state short of MIN_SPILL, heap short").isZero();
            assertThat(f.file()).isNull();
        }
        try (Frontier<Integer> f = level(Frontier.MIN_SPILL, never, false)) {
            f.spillIfNeeded();
            assertThat(f.spilled()).as("MIN_SPILL states, heap free").isZero();
            assertThat(f.file()).isNull();
        }
        try (Frontier<Integer> f = level(3, 3, false)) {
            f.spillIfNeeded();
            assertThat(f.spilled()).as("at spillAt, heap free").isEqualTo(3);
        }
        try (Frontier<Integer> f = level(0, 0, true)) {
            f.spillIfNeeded();
            assertThat(f.file()).as("an empty level writes no file").isNull();
            assertThat(f.isEmpty()).isTrue();
        }
    }

    @Test
    void withTheRealHeapHalfFreeALevelBelowSpillAtStaysInMemory() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        assumeTrue((rt.totalMemory() - rt.freeMemory()) * 100 < rt.maxMemory() * (Frontier.HEAP_SHARE_PERCENT - 10),
                "the test JVM's heap is well under half full");
        try (Frontier<Integer> f = new Frontier<>(new Ints(), Long.MAX_VALUE)) {
            for (int i = 0; i < 2 * Frontier.MIN_SPILL; i++) {
                f.add(i);
            }
            f.spillIfNeeded();
            assertThat(f.spilled()).isZero();
        }
    }

    /** Descriptors this process holds open on {@code file} (Linux: /proc/self/fd). */
    private static long openHandles(Path file) {
        Path fds = Path.of("/proc/self/fd");
        try (Stream<Path> s = Files.list(fds)) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(file.toString());
                } catch (IOException | UncheckedIOException e) {
                    return false; // the descriptor of the listing itself, closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void closingReleasesTheLevelsFileWhetherItWasReadOrOnlyWritten() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        Frontier<Integer> written = level(4, 2, false);
        written.spillIfNeeded();
        Path w = written.file();
        assertThat(openHandles(w)).as("the writer holds the file").isEqualTo(1);
        written.close();
        assertThat(openHandles(w)).as("writer closed").isZero();
        assertThat(w).doesNotExist();

        Frontier<Integer> read = level(4, 2, false);
        read.spillIfNeeded();
        Path r = read.file();
        assertThat(read.take(2)).containsExactly(0, 1);
        assertThat(openHandles(r)).as("the reader holds the file, the writer closed").isEqualTo(1);
        read.close();
        assertThat(openHandles(r)).as("reader closed").isZero();
        assertThat(r).doesNotExist();
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
