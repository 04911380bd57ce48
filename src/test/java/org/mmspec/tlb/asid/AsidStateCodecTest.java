package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.Manifest;

/**
 * The ASID model's state codec ({@link AsidStateCodec}, which the explorer's on-disk frontier and
 * the Spark module use): every state reachable in the first few hundred of each architecture's
 * configuration reads back as the same state for the search, with the same successors, verdicts
 * and bytes written again. {@code StateCodecRoundTripTest} checks the same from the {@code check}
 * package; this runs with the asid package's own tests, so a mutation run of this package sees it.
 */
class AsidStateCodecTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aarch64-rollover", "riscv-rollover", "aarch64-rollover-2cpu", "aarch64-huge", "x86-pcid",
            "x86-slots", "bug-lazy-no-catchup"})
    void everyReachableStateReadsBackAsItself(String config) throws IOException {
        Manifest manifest = Manifest.load(AsidModel.NAME);
        AsidModel model = new AsidModel(AsidConfig.fromBounds(manifest.bounds(config)));
        assertThat(CodecRoundTrip.roundTrips(model, 300)).isGreaterThan(20);
    }
}
