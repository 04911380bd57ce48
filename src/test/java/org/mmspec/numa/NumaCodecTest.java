package org.mmspec.numa;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmspec.Catalog;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;

/**
 * {@link NumaCodec}: every reachable state of {@code numa-3node} (nodes with their allocators,
 * live allocations, the last decision) and of {@code numa-zones} (zones inside the nodes) reads
 * back as itself, with the hybrid allocators and with the reference allocators.
 */
class NumaCodecTest {

    @ParameterizedTest
    @CsvSource({"numa-3node, n1", "numa-3node, n1-ref", "numa-zones, z1", "numa-zones, z1-ref"})
    void everyReachableStateReadsBackAsItself(String modelName, String config) throws IOException {
        ExhaustiveModel model = Catalog.model(modelName);
        Manifest m = Manifest.load(model.name());
        assertThat(CodecRoundTrip.roundTrips(model.build(m.bounds(config)), 300)).isGreaterThan(20);
    }
}
