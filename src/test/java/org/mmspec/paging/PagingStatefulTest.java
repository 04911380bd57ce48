package org.mmspec.paging;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.StatefulChecker;

/**
 * Model-based stateful checks of the PageMapper on every format: WX-1, PT-1..PT-5 and
 * PTE-1..PTE-3 after every step, the model's leaves equal to the leaves read from the bits, and
 * ATOMIC-1 on every rejection.
 */
class PagingStatefulTest {

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void pageMapperAgreesWithTheModel_WX_1_PT_1_to_5_PTE_1_to_3(PteFormat f) {
        StatefulChecker.check(new PagingMachine(f), CheckSettings.fromSystemProperties(40));
    }

    /** The same, with table frames from a HybridAllocator: PT-5 asks the hybrid through isFree. */
    @ParameterizedTest
    @MethodSource("formats")
    void pageMapperOnAHybridAllocatorAgreesWithTheModel(PteFormat f) {
        StatefulChecker.check(new PagingMachine(f, PagingMachine.TableAllocator.HYBRID), CheckSettings.fromSystemProperties(40));
    }
}
