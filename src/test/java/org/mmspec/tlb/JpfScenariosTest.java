package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mmspec.tlb.jpf.CowBreakScenario;
import org.mmspec.tlb.jpf.CrossShootdownScenario;
import org.mmspec.tlb.jpf.GlobalFlushScenario;
import org.mmspec.tlb.jpf.JpfShootdown;
import org.mmspec.tlb.jpf.JpfShootdown.Point;
import org.mmspec.tlb.jpf.LazyFlushScenario;
import org.mmspec.tlb.jpf.MprotectScenario;
import org.mmspec.tlb.jpf.MunmapScenario;
import org.mmspec.tlb.jpf.TableReclaimScenario;

/**
 * The Java PathFinder entry points as plain programs (one schedule each), and every seeded bug
 * each scenario accepts shown to take effect on plain threads: schedule-independent bugs on any
 * schedule, schedule-dependent ones on the schedule a {@link JpfShootdown.Hook} forces (a CPU held at
 * one point until another CPU passed another). JPF itself explores every schedule: {@code tools/jpf}.
 */
class JpfScenariosTest {
    private static final String[] NONE = {};

    @Test
    void everyScenarioRunsCleanOnPlainThreads() {
        MunmapScenario.main(NONE);
        MprotectScenario.main(NONE);
        CowBreakScenario.main(NONE);
        TableReclaimScenario.main(NONE);
        LazyFlushScenario.main(NONE);
        CrossShootdownScenario.main(NONE);
        GlobalFlushScenario.main(NONE);
    }

    @Test
    void scheduleIndependentSeededBugsFailEvenOnOneSchedule() {
        assertThatThrownBy(() -> MunmapScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("munmap: TLB-1: cpu0's operation completed, but cpu1 still caches p0");
        assertThatThrownBy(() -> MprotectScenario.main(new String[] {"range-off-by-one"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-3: cpu0's mprotect completed, but cpu").hasMessageEndingWith("still caches p1 writable");
        assertThatThrownBy(() -> MprotectScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-3: cpu0's mprotect completed, but cpu1 still caches p0 writable");
        assertThatThrownBy(() -> GlobalFlushScenario.main(new String[] {"global-skips-global"}))
                .isInstanceOf(AssertionError.class).hasMessageContaining("TLB-1: cpu0's operation completed, but cpu0 still");
        assertThatThrownBy(() -> CowBreakScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-1");
        assertThatThrownBy(() -> TableReclaimScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-1");
        assertThatThrownBy(() -> CrossShootdownScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-1");
        assertThatThrownBy(() -> GlobalFlushScenario.main(new String[] {"missing-cpu"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-1");
    }

    @Test
    @DisplayName("TLB-1 ack-before-invalidate: a target held between its acknowledgement and its invalidation is caught")
    void ackBeforeInvalidateIsCaughtOnTheForcedSchedule() {
        assertThat(forced(MunmapScenario.config(SeededBug.ACK_BEFORE_INVALIDATE), 1, Point.BETWEEN_TARGET_STEPS, 0,
                Point.OP_DONE, 2000)).isEqualTo("TLB-1: cpu0's operation completed, but cpu1 still caches p0 -> its old frame");
        for (Function<SeededBug, TlbConfig> scenario : List.<Function<SeededBug, TlbConfig>>of(CowBreakScenario::config,
                TableReclaimScenario::config, CrossShootdownScenario::config, GlobalFlushScenario::config)) {
            // cross: both CPUs initiate, so either may be the one that completes first and finds the other stale
            assertThat(forced(scenario.apply(SeededBug.ACK_BEFORE_INVALIDATE), 1, Point.BETWEEN_TARGET_STEPS, 0,
                    Point.OP_DONE, 2000)).matches("TLB-1: cpu[01]'s operation completed, but cpu[01] still caches p[01] -> .*");
        }
        assertThat(forced(MprotectScenario.config(SeededBug.ACK_BEFORE_INVALIDATE), 1, Point.BETWEEN_TARGET_STEPS, 0,
                Point.OP_DONE, 2000)).isEqualTo("TLB-3: cpu0's mprotect completed, but cpu1 still caches p0 writable");
        // the correct protocol acknowledges only after invalidating: the same hold merely delays the initiator
        assertThat(forced(MunmapScenario.config(SeededBug.NONE), 1, Point.BETWEEN_TARGET_STEPS, 0, Point.OP_DONE, 200))
                .isNull();
    }

    @Test
    @DisplayName("TLB-2 free-before-acks: a target held before it serves the IPI still reaches the freed frame")
    void freeBeforeAcksIsCaughtOnTheForcedSchedule() {
        assertThat(forced(MunmapScenario.config(SeededBug.FREE_BEFORE_ACKS), 1, Point.BEFORE_SERVE, 0, Point.FREED, 2000))
                .isEqualTo("TLB-2: cpu0 freed f0 but cpu1's TLB still reaches it");
        for (Function<SeededBug, TlbConfig> scenario : List.<Function<SeededBug, TlbConfig>>of(CowBreakScenario::config,
                TableReclaimScenario::config, CrossShootdownScenario::config, GlobalFlushScenario::config)) {
            assertThat(forced(scenario.apply(SeededBug.FREE_BEFORE_ACKS), 1, Point.BEFORE_SERVE, 0, Point.FREED, 2000))
                    .matches("TLB-2: cpu[01] freed f\\d but cpu[01]'s TLB still reaches it");
        }
        assertThat(forced(MunmapScenario.config(SeededBug.NONE), 1, Point.BEFORE_SERVE, 0, Point.FREED, 200)).isNull();
    }

    @Test
    @DisplayName("TLB-2 lazy-reuse-early: a CPU held before its catch-up flush still reaches the released frame")
    void lazyReuseEarlyIsCaughtOnTheForcedSchedule() {
        assertThat(forced(LazyFlushScenario.config(SeededBug.LAZY_REUSE_EARLY), 1, Point.BEFORE_CATCH_UP, 0, Point.FREED, 2000))
                .isEqualTo("TLB-2: cpu0 freed f0 but cpu1's TLB still reaches it");
        // correct rule: the frame waits for every CPU, so holding cpu1 delays the release instead
        assertThat(forced(LazyFlushScenario.config(SeededBug.NONE), 1, Point.BEFORE_CATCH_UP, 0, Point.FREED, 200)).isNull();
    }

    @Test
    @DisplayName("TLB-5 wait-irqs-off: two CPUs shooting down each other with interrupts off never finish")
    void waitWithIrqsOffDeadlocksOnEverySchedule() {
        JpfShootdown machine = new JpfShootdown(CrossShootdownScenario.config(SeededBug.WAIT_WITH_IRQS_OFF), 2, null);
        machine.runAll();
        assertThat(machine.firstViolation()).matches("TLB-5: cpu[01] made no progress in 100 waits");
        JpfShootdown fine = new JpfShootdown(CrossShootdownScenario.config(SeededBug.NONE), 2, null);
        fine.runAll();
        assertThat(fine.firstViolation()).isNull();
    }

    @Test
    void aBugThatCannotTakeEffectIsRefusedNotPassed() {
        assertThatThrownBy(() -> MunmapScenario.main(new String[] {"range-off-by-one"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bug range-off-by-one cannot take effect in this scenario; it accepts ack-before-invalidate, "
                        + "free-before-acks, missing-cpu");
        assertThatThrownBy(() -> LazyFlushScenario.main(new String[] {"ack-before-invalidate"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("it accepts lazy-reuse-early");
        assertThatThrownBy(() -> MunmapScenario.main(new String[] {"no-such-bug"})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyScenarioHasItsApplicationFileAndItsManifestListsExactlyTheBugsItAccepts() throws IOException {
        Object[][] scenarios = {{"munmap", MunmapScenario.bugs()}, {"mprotect", MprotectScenario.bugs()},
            {"cow", CowBreakScenario.bugs()}, {"reclaim", TableReclaimScenario.bugs()}, {"lazy", LazyFlushScenario.bugs()},
            {"cross", CrossShootdownScenario.bugs()}, {"global", GlobalFlushScenario.bugs()}};
        for (Object[] s : scenarios) {
            String name = "tlb-jpf-" + s[0];
            Path jpf = Path.of("models", name, name + ".jpf");
            assertThat(jpf).exists();
            assertThat(Files.readString(jpf)).contains("target = org.mmspec.tlb.jpf.", "classpath = ",
                    "+vm.enable_assertions = *", "vm.shared.break_on_exposure = false");
            Properties manifest = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of("models", name, "jpf-manifest.properties"))) {
                manifest.load(in);
            }
            List<String> expected = new ArrayList<>(List.of("clean"));
            for (SeededBug b : (SeededBug[]) s[1]) {
                expected.add(b.word());
            }
            assertThat(Arrays.asList(manifest.getProperty("variants").split(","))).as(name).containsExactlyElementsOf(expected);
            for (SeededBug b : (SeededBug[]) s[1]) {
                assertThat(manifest.getProperty(b.word() + ".args")).isEqualTo(b.word());
                // an invariant ID, or JPF's own deadlock property for TLB-5 (JPF sees the deadlock itself)
                assertThat(manifest.getProperty(b.word() + ".expect")).as(name + " " + b.word())
                        .matches(b == SeededBug.WAIT_WITH_IRQS_OFF ? "fail:NotDeadlockedProperty" : "fail:TLB-[1-4](\\|TLB-[1-4])*");
            }
        }
    }

    /**
     * Runs {@code config} on plain threads with CPU {@code held} stopped at {@code at} (its first
     * time there) until CPU {@code until} reached {@code point}, or {@code millis} passed; returns the
     * first violation or null.
     */
    private static String forced(TlbConfig config, int held, Point at, int until, Point point, long millis) {
        CountDownLatch reached = new CountDownLatch(1);
        boolean[] holding = {true};
        JpfShootdown.Hook hook = (cpu, p) -> {
            if (cpu == until && p == point) {
                reached.countDown();
            }
            if (cpu == held && p == at && holding[0]) {
                holding[0] = false;
                try {
                    reached.await(millis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        JpfShootdown machine = new JpfShootdown(config, 20, hook);
        machine.runAll();
        return machine.firstViolation();
    }
}
