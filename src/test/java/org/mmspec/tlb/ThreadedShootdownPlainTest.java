package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.hw.Pte;

/**
 * The threaded executor on plain threads only (no Lincheck, so these also run under PIT, which
 * cannot run the Lincheck tests): what every schedule agrees on. A correct run in each mode ends
 * with no violation, the modelled cost of each synchronous shootdown, the PTEs changed and the
 * freed frames back on the allocator (lazily: after every CPU caught up); a seeded bug that breaks
 * an invariant on every schedule is reported under its ID with the CPU and page it concerns.
 */
class ThreadedShootdownPlainTest {
    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    private static ThreadedShootdown run(String bounds) {
        ThreadedShootdown m = new ThreadedShootdown(config(bounds));
        m.runAll();
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "cpus=3,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)",
            "cpus=2,pages=2,mode=range,threshold=1,global=1,ops=cpu0:munmap(0-1);cpu1:cow(0)",
            "cpus=3,pages=2,mode=lazy,ops=cpu0:munmap(0);cpu1:cow(1)",
            "cpus=2,pages=2,mode=single,ops=cpu0:reclaim;cpu1:mprotect(0)",
            "cpus=2,pages=3,mode=global,global=2,ops=cpu0:munmap(0);cpu1:mprotect(1)",
            "cpus=2,pages=2,mode=full,ops=cpu0:cow(0);cpu0:munmap(1);cpu1:mprotect(0)"})
    void correctProtocolReportsNothing(String bounds) {
        ThreadedShootdown m = run(bounds);
        assertThat(m.violations()).isEmpty();
        assertThat(m.firstViolation()).isNull();
        assertThat(m.protocol().config().toString()).isEqualTo(config(bounds).toString());
    }

    @Test
    void aSynchronousMunmapFreesItsFrameAfterOneAcknowledgedShootdownPerOperation() {
        ThreadedShootdown m = run("cpus=3,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)");
        assertThat(m.costs()).containsExactly(8_400L, 8_400L);
        assertThat(m.frameTable().free(0)).isTrue();
        assertThat(m.frameTable().free(1)).isFalse();
        assertThat(m.pageTable().pte(0)).isEqualTo(Pte.NONE);
        assertThat(m.pageTable().pte(1)).isEqualTo(Pte.of(1, false, false));
        for (int c = 0; c < 3; c++) {
            assertThat(m.tlb(c).holds(0)).as("cpu%d", c).isFalse();
            assertThat(Pte.writable(m.tlb(c).entry(1))).as("cpu%d", c).isFalse();
        }
    }

    @Test
    void aLazyMunmapDefersItsFrameUntilEveryCpuCaughtUpThenFreesIt() {
        ThreadedShootdown m = run("cpus=3,pages=2,mode=lazy,ops=cpu0:munmap(0)");
        assertThat(m.violations()).isEmpty();
        assertThat(m.costs()).as("a lazy munmap sends no IPI").isEmpty();
        assertThat(m.frameTable().free(0)).isTrue();
        assertThat(m.frameTable().deferred(0)).isFalse();
        for (int c = 0; c < 3; c++) {
            assertThat(m.tlb(c).holds(0)).as("cpu%d", c).isFalse();
        }
    }

    @Test
    void aReclaimFreesTheLeafTableAndEveryDataFrame() {
        TlbConfig cfg = config("cpus=2,pages=2,mode=single,ops=cpu0:reclaim");
        ThreadedShootdown m = run("cpus=2,pages=2,mode=single,ops=cpu0:reclaim");
        assertThat(m.violations()).isEmpty();
        assertThat(m.pageTable().tablePresent()).isFalse();
        assertThat(m.frameTable().free(cfg.tableFrame())).isTrue();
        assertThat(m.frameTable().free(0)).isTrue();
        assertThat(m.frameTable().free(1)).isTrue();
        assertThat(m.tlb(1).pwc()).isFalse();
    }

    @Test
    void aCowBreakTakesTheSpareFrameAndFreesTheShared() {
        ThreadedShootdown m = run("cpus=2,pages=2,mode=single,ops=cpu0:cow(0);cpu1:cow(0)");
        assertThat(m.violations()).isEmpty();
        assertThat(Pte.writable(m.pageTable().pte(0))).isTrue();
        assertThat(m.costs()).hasSize(2);
        // two breaks of the same page: the first takes a spare and frees f0, the second takes a frame and frees the first's
        assertThat(m.frameTable().free(0) || m.frameTable().free(2) || m.frameTable().free(3)).isTrue();
    }

    @Test
    void aCpuLeftOutOfTheMaskKeepsItsStaleEntryAndTlb1NamesIt() {
        ThreadedShootdown m = run("cpus=3,pages=1,mode=single,ops=cpu0:munmap(0),bug=missing-cpu");
        assertThat(m.violations()).contains("TLB-1: cpu0's munmap(p0) completed, but cpu1 still caches p0 -> f0 rw (PTE -)",
                "TLB-2: f0 is free but cpu1's TLB still reaches it");
        assertThat(m.firstViolation()).startsWith("TLB-1: ");
    }

    @Test
    void aRangeOneShortLeavesTheLastPageOnEveryCpu() {
        ThreadedShootdown m = run("cpus=2,pages=2,mode=range,ops=cpu0:munmap(0-1),bug=range-off-by-one");
        assertThat(m.violations()).contains("TLB-1: cpu0's munmap(p0-1) completed, but cpu0 still caches p1 -> f1 rw (PTE -)",
                "TLB-1: cpu0's munmap(p0-1) completed, but cpu1 still caches p1 -> f1 rw (PTE -)");
    }

    @Test
    void anMprotectWhoseTargetsKeepTheirWritableEntryIsTlb3() {
        ThreadedShootdown m = run("cpus=3,pages=1,mode=single,ops=cpu0:mprotect(0),bug=missing-cpu");
        assertThat(m.violations()).containsExactly("TLB-3: cpu0's mprotect(p0) completed, but cpu1 still caches p0 writable");
    }

    @Test
    void aGlobalFlushThatKeepsGlobalEntriesIsTlb1() {
        ThreadedShootdown m = run("cpus=2,pages=2,mode=global,global=1,ops=cpu0:munmap(1),bug=global-skips-global");
        assertThat(m.violations()).anySatisfy(v -> assertThat(v).startsWith("TLB-1: cpu0's munmap(p1) completed, but cpu"));
    }

    @Test
    void costBugsAreReportedAtTheInvalidationOrTheRequest() {
        List<String> eight = run("cpus=2,pages=2,tlb=2,mode=range,threshold=1,ops=cpu0:munmap(0),bug=threshold-off-by-one")
                .violations();
        assertThat(eight).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("TLB-8: "));
        List<String> seven = run("cpus=2,pages=3,tlb=3,mode=range,threshold=1,global=2,ops=cpu0:munmap(0-1),"
                + "bug=full-above-threshold").violations();
        assertThat(seven).isNotEmpty().anySatisfy(v -> assertThat(v).startsWith("TLB-7: cpu0 invalidates p0-1 (FULL)"))
                .anySatisfy(v -> assertThat(v).startsWith("TLB-7: cpu1 invalidates p0-1 (FULL)"));
        List<String> nine = run("cpus=2,pages=2,tlb=2,mode=range,ops=cpu0:mprotect(0),bug=range-overshoot").violations();
        assertThat(nine).anySatisfy(v -> assertThat(v).startsWith("TLB-9: cpu0 "))
                .anySatisfy(v -> assertThat(v).startsWith("TLB-9: cpu1 "));
    }

    @Test
    void waitingWithInterruptsOffIsReportedAsTlb5OnSomeSchedule() {
        ThreadedShootdown m = null;
        for (int i = 0; i < 20 && (m == null || m.violations().isEmpty()); i++) {
            m = new ThreadedShootdown(config("cpus=2,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off"), 2);
            m.runAll();
        }
        assertThat(m.violations()).isNotEmpty().allSatisfy(v -> assertThat(v).matches(
                "TLB-5: cpu[01] made no progress in 100 waits: (waiting for acknowledgements from \\{cpu[01]\\}"
                        + "|idle CPU still has work)"));
    }

    /**
     * Untimed waits (as Lincheck and Java PathFinder run it): no wake-up may be lost, or a CPU
     * sleeps for ever. Whoever gives a CPU work (an IPI, an acknowledgement, a released page lock,
     * a new generation, the last CPU finishing its script) rings its doorbell.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "cpus=3,pages=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)",
            "cpus=3,pages=2,mode=lazy,ops=cpu0:munmap(0);cpu1:cow(1)",
            "cpus=2,pages=2,mode=single,ops=cpu0:munmap(0-1);cpu1:mprotect(0-1)",
            "cpus=3,pages=2,mode=lazy,ops=cpu0:munmap(0);cpu0:munmap(1);cpu2:mprotect(1)"})
    void untimedWaitsNeverLoseAWakeUp(String bounds) {
        TlbConfig cfg = config(bounds);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 10; i++) {
                ThreadedShootdown m = new ThreadedShootdown(cfg, 0);
                m.runAll();
                assertThat(m.violations()).isEmpty();
                for (int f = 0; f < cfg.pages(); f++) {
                    assertThat(m.frameTable().deferred(f)).as("f%d still deferred", f).isFalse();
                }
            }
        });
    }

    @Test
    void theServiceSendsValidatedRequestsAndReturnsOnceTheTargetAcknowledged() throws Exception {
        ThreadedShootdown m = new ThreadedShootdown(config("cpus=2,pages=2,mode=single,ops=cpu0:mprotect(1)"));
        assertThatThrownBy(() -> m.shootdown(0, new TlbShootdown(CpuMask.of(0, 1), 1, ShootdownMode.SINGLE)))
                .isInstanceOf(TlbError.class).hasMessageContaining("initiator cpu0 is in its own mask");
        assertThat(m.tlb(0).holds(0)).isTrue();
        Thread target = new Thread(() -> m.cpuMain(1), "cpu1");
        target.start();
        TlbShootdown request = new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.SINGLE);
        ShootdownService.Receipt r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> m.shootdown(0, request));
        assertThat(r.request()).isEqualTo(request);
        assertThat(r.modelledNanos()).isEqualTo(m.protocol().costNanos(request)).isPositive();
        // the initiator served IPIs while it waited, and the hardware re-filled p0 from the unchanged PTE
        m.cpuMain(0);
        target.join(30_000);
        assertThat(target.isAlive()).isFalse();
        assertThat(m.violations()).isEmpty();
        assertThat(m.costs()).hasSize(1);
    }
}
