package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;

/** Runs the ci configurations of models/vm-address-space and compares them with the manifest. */
class VmModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"MUNMAP_LEAKS_FRAMES:XLAYER-2:1", "MPROTECT_NO_MERGE:VMA-3:1", "WX_UNCHECKED:AS-3:1",
            "MPROTECT_KEEPS_PTE_WRITABLE:AS-2:1", "COW_NO_RELEASE:COW-1:2"})
    void seededBugYieldsCounterexampleNamingItsInvariant(String bugIdProcesses) {
        String[] parts = bugIdProcesses.split(":");
        Bounds b = Bounds.parse("pages=7,frames=12,maxLen=2,processes=" + parts[2] + ",bug=" + parts[0]);
        ExplorationResult r = Explorer.explore(new VmModel().build(b), ExploreBounds.depth(4));
        assertThat(r.counterexample()).as(parts[0]).isPresent();
        System.out.println(parts[0] + ": " + r.counterexample().get().render());
        assertThat(r.counterexample().get().invariantId()).isEqualTo(parts[1]);
    }
}
