package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;
import org.mmspec.check.StatefulChecker;

/**
 * Random walks through randomly drawn shootdown configurations (up to 6 CPUs, 4 pages, every
 * mode and operation), invariants after every step, and random malformed requests whose
 * rejection must change nothing.
 */
class ShootdownWalkTest {
    @Test
    void randomWalksKeepEveryInvariantAndRejectBadRequestsAtomically() {
        StatefulChecker.Report r = StatefulChecker.check(new ShootdownWalkMachine());
        assertThat(r.runs()).isPositive();
        assertThat(r.steps()).isPositive();
    }

    @Test
    void suitesAreRegisteredAndPass() {
        for (CheckSuite s : TlbSuites.all()) {
            CheckSuite.Result r = s.run();
            assertThat(r.passed()).as(r.detail()).isTrue();
            assertThat(s.invariantIds()).containsExactly("TLB-1", "TLB-2", "TLB-3", "TLB-4", "TLB-5", "TLB-6", "TLB-7", "TLB-8",
                    "TLB-9");
        }
    }
}
