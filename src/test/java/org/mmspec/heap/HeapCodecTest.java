package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmspec.Catalog;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;

/**
 * {@link HeapCodec}: every reachable state of {@code heap-percpu} (slabs, per-CPU caches, remote
 * frees, the frame ledger and memory pages; with and without the debug features) and of
 * {@code heap-large} (the large-object heap's runs) reads back as itself.
 */
class HeapCodecTest {

    @ParameterizedTest
    @CsvSource({"heap-percpu, base", "heap-percpu, debug", "heap-percpu, live", "heap-large, base", "heap-large, nocoalesce"})
    void everyReachableStateReadsBackAsItself(String modelName, String config) throws IOException {
        ExhaustiveModel model = Catalog.model(modelName);
        Manifest m = Manifest.load(model.name());
        assertThat(CodecRoundTrip.roundTrips(model.build(m.bounds(config)), 100)).isGreaterThan(5);
    }
}
