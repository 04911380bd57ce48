package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mmspec.tlb.TlbCostInvariantsTest.ABOVE_THRESHOLD;
import static org.mmspec.tlb.TlbCostInvariantsTest.AT_THRESHOLD;
import static org.mmspec.tlb.TlbCostInvariantsTest.RANGE_ONE;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;

/**
 * The cost invariants TLB-7, TLB-8 and TLB-9 on real threads ({@link ThreadedShootdown}, under
 * Lincheck and on plain threads): the correct protocol keeps them, and each cost bug is reported
 * under its ID.
 *
 * <p>The passing Lincheck runs go first: Lincheck's first run in a JVM instruments the classes and
 * is slow enough that, when it was also a failing run, Lincheck reported a hang instead of the
 * violation.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlbCostThreadedTest {
    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    /** Each cost bug on real threads under Lincheck: the recorded violation names its invariant. */
    @Order(2)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "TLB-8|" + AT_THRESHOLD + ",bug=threshold-off-by-one",
            "TLB-7|" + ABOVE_THRESHOLD + ",bug=full-above-threshold",
            "TLB-9|" + RANGE_ONE + ",bug=range-overshoot"})
    void costBugIsFoundOnRealThreads(String idAndBounds) {
        String id = idAndBounds.substring(0, idAndBounds.indexOf('|'));
        TlbConfig cfg = config(idAndBounds.substring(idAndBounds.indexOf('|') + 1));
        // Plain threads: the rule is checked at the invalidation itself, so every schedule reports it.
        ThreadedShootdown machine = new ThreadedShootdown(cfg);
        machine.runAll();
        assertThat(machine.violations()).anySatisfy(v -> assertThat(v).startsWith(id + ": "));
        Throwable t = assertThrows(Throwable.class, () -> Lincheck.runConcurrentTest(50, () -> ThreadedShootdownTest.runOnce(cfg)));
        assertThat(t.getMessage()).contains(id + ": ");
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {ABOVE_THRESHOLD, AT_THRESHOLD, RANGE_ONE})
    void correctProtocolKeepsTheCostRulesOnRealThreads(String bounds) {
        TlbConfig cfg = config(bounds);
        Lincheck.runConcurrentTest(30, () -> ThreadedShootdownTest.runOnce(cfg));
    }
}
