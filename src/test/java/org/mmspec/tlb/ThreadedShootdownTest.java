package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;

/**
 * The threaded shootdown under Lincheck's interleaving exploration
 * ({@code Lincheck.runConcurrentTest}): the correct protocol keeps every checked invariant in
 * every explored interleaving, and each seeded bug is found. Lincheck's runnable uses plain
 * assertions only (AssertJ inside it breaks Lincheck's instrumentation).
 */
class ThreadedShootdownTest {
    /** Interleavings per passing Lincheck run: small, since the defaults take minutes on 2 cores. */
    private static final int INVOCATIONS = 50;
    /** Interleavings allowed to find a seeded bug; the search stops at the first failure. */
    private static final int BUG_INVOCATIONS = 300;

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    /** One run of the machine with untimed waits (Lincheck detects hangs itself); fails with the recorded violations. */
    static void runOnce(TlbConfig cfg) {
        ThreadedShootdown machine = new ThreadedShootdown(cfg, 0);
        machine.runAll();
        if (!machine.violations().isEmpty()) {
            throw new AssertionError(String.join("\n", machine.violations()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "cpus=3,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)",
            "cpus=2,pages=2,mode=range,threshold=1,global=1,ops=cpu0:munmap(0-1);cpu1:cow(0)",
            "cpus=3,pages=2,mode=lazy,ops=cpu0:munmap(0);cpu1:cow(1)",
            "cpus=2,pages=2,mode=single,ops=cpu0:reclaim;cpu1:mprotect(0)"})
    void correctProtocolHoldsInEveryExploredInterleaving(String bounds) {
        TlbConfig cfg = config(bounds);
        Lincheck.runConcurrentTest(INVOCATIONS, () -> runOnce(cfg));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "TLB-1|cpus=2,pages=1,mode=single,ops=cpu0:munmap(0),bug=ack-before-invalidate",
            "TLB-2|cpus=2,pages=1,mode=single,ops=cpu0:munmap(0),bug=free-before-acks",
            "TLB-1|cpus=3,pages=1,mode=single,ops=cpu0:munmap(0),bug=missing-cpu",
            "TLB-2|cpus=3,pages=1,mode=lazy,ops=cpu0:munmap(0),bug=lazy-reuse-early",
            "TLB-1|cpus=2,pages=2,mode=range,ops=cpu0:munmap(0-1),bug=range-off-by-one",
            "TLB-1|cpus=2,pages=2,mode=global,global=1,ops=cpu0:munmap(1),bug=global-skips-global",
            "TLB-5|cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off"})
    void seededBugIsFoundByLincheck(String idAndBounds) {
        String id = idAndBounds.substring(0, idAndBounds.indexOf('|'));
        TlbConfig cfg = config(idAndBounds.substring(idAndBounds.indexOf('|') + 1));
        Throwable t = assertThrows(Throwable.class, () -> Lincheck.runConcurrentTest(BUG_INVOCATIONS, () -> runOnce(cfg)));
        if (id.equals("TLB-5")) {
            // Untimed waits: the deadlock is real, and Lincheck reports the hang with its interleaving.
            assertThat(t.getMessage()).containsAnyOf("TLB-5", "has hung");
        } else {
            assertThat(t.getMessage()).contains(id);
        }
    }

    @Test
    void serviceRejectsBadRequestsWithoutSendingAnything() {
        ThreadedShootdown machine = new ThreadedShootdown(config("cpus=2,pages=2,ops=cpu0:munmap(0)"));
        TlbError e = assertThrows(TlbError.class,
                () -> machine.shootdown(0, new TlbShootdown(CpuMask.of(0, 1), 1, ShootdownMode.SINGLE)));
        assertThat(e.kind()).isEqualTo("BAD_CPU");
        assertThat(assertThrows(TlbError.class, () -> machine.shootdown(0, new TlbShootdown(CpuMask.of(1), 0b101,
                ShootdownMode.RANGE))).kind()).isEqualTo("BAD_PAGE");
        assertThat(machine.tlb(1).holds(0)).isTrue();
    }

    @Test
    void plainThreadsReportTheDeadlockOfWaitingWithInterruptsOff() {
        ThreadedShootdown machine = new ThreadedShootdown(
                config("cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off"), 2);
        for (int i = 0; i < 20 && machine.violations().isEmpty(); i++) {
            machine = new ThreadedShootdown(
                    config("cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off"), 2);
            machine.runAll();
        }
        assertThat(machine.violations()).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("TLB-5"));
    }

    @Test
    void plainThreadsRunTheCorrectProtocolAndReportCosts() {
        ThreadedShootdown machine = new ThreadedShootdown(config("cpus=3,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)"));
        machine.runAll();
        assertThat(machine.violations()).isEmpty();
        assertThat(machine.costs()).containsExactly(8_400L, 8_400L);
        assertThat(machine.frameTable().free(0)).isTrue();
    }
}
