package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every committed fixture, each a directory of {@code src/test/resources/replay/} holding
 * {@code trace.strace}, {@code maps.txt} and a README with its capture command (real Python,
 * Node.js, Java and C programs on Linux), and requires agreement with Linux on every
 * touched page, apart from the divergences the spec intends (W^X, atomic mprotect), and the same
 * placement as Linux for every mmap without MAP_FIXED.
 */
class ReplayFixturesTest {

    static List<String> resource(String path) throws IOException {
        try (InputStream in = ReplayFixturesTest.class.getResourceAsStream("/replay/" + path)) {
            assertThat(in).as("fixture " + path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    static ReplayHarness.Report replay(String fixture) throws IOException {
        return ReplayHarness.run(fixture, resource(fixture + "/trace.strace"), resource(fixture + "/maps.txt"));
    }

    /** Every fixture directory: adding one needs no change here. */
    static Stream<String> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(ReplayFixturesTest.class.getResource("/replay").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> found = dirs.filter(Files::isDirectory).sorted().toList();
            for (Path d : found) {
                assertThat(d.resolve("trace.strace")).as("fixture " + d.getFileName() + " has a trace").isRegularFile();
                assertThat(d.resolve("maps.txt")).as("fixture " + d.getFileName() + " has its maps").isRegularFile();
                assertThat(Files.readString(d.resolve("README.md"))).as("fixture " + d.getFileName() + " has a README with its capture command")
                        .contains("strace -f");
            }
            List<String> names = found.stream().map(d -> d.getFileName().toString()).toList();
            assertThat(names).as("fixtures under " + root).hasSizeGreaterThanOrEqualTo(6);
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void fixtureAgreesWithLinuxOnEveryTouchedPage(String fixture) throws IOException {
        ReplayHarness.Report r = replay(fixture);
        System.out.print(r.render());
        assertThat(r.firstUnintended()).as(r.render()).isEmpty();
        assertThat(r.touchedPages()).isGreaterThan(r.seededPages());
        assertThat(r.placementAgreed()).as("the model's own top-down search picks Linux's address for every non-fixed mmap")
                .isEqualTo(r.placementTotal());
    }

    /**
     * The whole report, figure by figure, is the one recorded beside the fixture in
     * {@code report.txt}: calls replayed and skipped, pages compared and seeded, placement,
     * VMA boundary mismatches, every intended divergence and note. Agreement alone would let a
     * replay that compares fewer pages, or seeds pages it should replay, pass. After a deliberate
     * change, rewrite the records with {@code ./mvnw test -Dtest=ReplayFixturesTest -Dmmspec.replay.record=true}
     * and read the diff.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void fixtureReportIsTheRecordedOne(String fixture) throws IOException {
        String actual = replay(fixture).render();
        Path source = Path.of("src/test/resources/replay", fixture, "report.txt");
        if (Boolean.getBoolean("mmspec.replay.record")) {
            Files.writeString(source, actual);
        }
        try (InputStream in = ReplayFixturesTest.class.getResourceAsStream("/replay/" + fixture + "/report.txt")) {
            assertThat(in).as("fixture " + fixture + " has a recorded report.txt (record it with -Dmmspec.replay.record=true)")
                    .isNotNull();
            String recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!Boolean.getBoolean("mmspec.replay.record")) {
                assertThat(actual).as("replay report of " + fixture + " against its report.txt").isEqualTo(recorded);
            }
        }
    }
}
