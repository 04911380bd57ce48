package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.Manifest;

/**
 * The integrated SMP model's state codec ({@code SmpMachine.writeState}/{@code readState}, which
 * the explorer's on-disk frontier and the Spark module use): the first states of each mode read
 * back as the same state for the search, with the same successors, verdicts and bytes written
 * again. {@code StateCodecRoundTripTest} checks the same from the {@code check} package; this runs
 * with the smp package's own tests, so a mutation run of this package sees it.
 */
class SmpCodecTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync-2cpu", "lazy-2cpu", "range-3cpu", "full-3cpu"})
    void reachableStatesReadBackAsThemselves(String config) throws IOException {
        Manifest manifest = Manifest.load("tlb-smp");
        assertThat(CodecRoundTrip.roundTrips(new SmpModel().build(manifest.bounds(config)), 150)).isGreaterThan(20);
    }
}
