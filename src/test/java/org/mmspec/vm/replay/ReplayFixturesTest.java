package org.mmspec.vm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays the committed fixtures (real Python, Node.js and Java programs on Linux, captured with
 * {@code src/test/resources/replay/capture.sh}) and requires agreement with Linux on every
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

    @ParameterizedTest
    @ValueSource(strings = {"python", "node", "java"})
    void fixtureAgreesWithLinuxOnEveryTouchedPage(String fixture) throws IOException {
        ReplayHarness.Report r = replay(fixture);
        System.out.print(r.render());
        assertThat(r.firstUnintended()).as(r.render()).isEmpty();
        assertThat(r.touchedPages()).isGreaterThan(r.seededPages());
        assertThat(r.placementAgreed()).as("the model's own top-down search picks Linux's address for every non-fixed mmap")
                .isEqualTo(r.placementTotal());
    }
}
