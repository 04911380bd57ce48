package org.mmspec.hwsec.aarch64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/**
 * Stateful random runs with shrinking (every invariant after every step, every rejection checked
 * to change nothing), and the seeded bugs each invariant catches, found by the random runs and by
 * the explorer.
 */
class ArmSecCheckTest {
    @Test
    void TBI_1_MTE_1_PAC_1_statefulRunsKeepEveryInvariant() {
        StatefulChecker.Report r = StatefulChecker.check(new ArmSecMachine(), CheckSettings.fromSystemProperties(ArmSecSuites.STEPS));
        assertThat(r.steps()).isPositive();
    }

    @Test
    void MTE_4_statefulRunsDetectEveryUseAfterFree() {
        StatefulChecker.Report r = StatefulChecker.check(new MteSlabMachine(), CheckSettings.fromSystemProperties(ArmSecSuites.STEPS));
        assertThat(r.steps()).isPositive();
    }

    /** Each seeded bug fails a stateful run, shrunk to a few steps, naming its invariant. */
    @ParameterizedTest(name = "{0} breaks {1}")
    @CsvSource({
        "IGNORE_BITS_63_52, TBI-1", "IGNORE_WHEN_OFF, TBI-1", "KERNEL_TBI, TBI-2", "SWITCH_KEEPS_TBI, TBI-3",
        "SYNC_UNCHECKED, MTE-1", "ASYNC_NOT_RECORDED, MTE-2", "TAGGED_AS_NORMAL, MTE-3",
        "FORK_FRESH_KEYS, PAC-2", "EXEC_KEEPS_KEYS, PAC-1", "SWITCH_KEEPS_KEYS, PAC-3"
    })
    void statefulRunsCatchEachSeededBug(ArmMm.Bug bug, String id) {
        CheckSettings s = CheckSettings.fromSystemProperties(ArmSecSuites.STEPS).withSeed(7).withRuns(400);
        assertThatThrownBy(() -> StatefulChecker.check(new ArmSecMachine(bug), s)).isInstanceOf(StatefulFailure.class)
                .hasMessageContaining(id + " violated");
    }

    @ParameterizedTest(name = "{0} breaks MTE-4")
    @CsvSource({"FREE_KEEPS_TAG", "REUSE_OLD_TAG"})
    void MTE_4_statefulRunsCatchEachSeededSlabBug(MteSlab.SlabBug bug) {
        CheckSettings s = CheckSettings.fromSystemProperties(ArmSecSuites.STEPS).withSeed(7);
        assertThatThrownBy(() -> StatefulChecker.check(new MteSlabMachine(bug), s)).isInstanceOf(StatefulFailure.class);
    }

    /** The explorer finds each seeded bug at the ci scope and names its invariant. */
    @ParameterizedTest(name = "{0} is caught by {1}")
    @CsvSource({
        "IGNORE_BITS_63_52, TBI-1", "KERNEL_TBI, TBI-2", "SWITCH_KEEPS_TBI, TBI-3", "SYNC_UNCHECKED, MTE-1",
        "ASYNC_NOT_RECORDED, MTE-2", "TAGGED_AS_NORMAL, MTE-3", "FORK_FRESH_KEYS, PAC-2", "EXEC_KEEPS_KEYS, PAC-1",
        "SWITCH_KEEPS_KEYS, PAC-3"
    })
    void explorerCatchesSeededBug(String bug, String id) {
        ExplorationResult r = Explorer.explore(new ArmSecModels.Mm().build(Bounds.parse("cpus=1,frames=1,procs=2,execs=2,pages=1,bug=" + bug)),
                ExploreBounds.unbounded());
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo(id);
    }
}
