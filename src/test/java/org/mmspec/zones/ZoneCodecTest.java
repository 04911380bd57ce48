package org.mmspec.zones;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.Catalog;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;

/**
 * {@link ZoneCodec}: every reachable state of {@code zones-small} (pools with their allocators'
 * state, live allocations, the last decision, the page cache's runs) reads back as itself, for
 * the buddy/hybrid pools and the reference-allocator pools alike.
 */
class ZoneCodecTest {

    @ParameterizedTest
    @ValueSource(strings = {"z32", "z64-align", "z64-ref"})
    void everyReachableStateReadsBackAsItself(String config) throws IOException {
        ExhaustiveModel model = Catalog.model("zones-small");
        Manifest m = Manifest.load(model.name());
        assertThat(CodecRoundTrip.roundTrips(model.build(m.bounds(config)), 300)).isGreaterThan(20);
    }
}
