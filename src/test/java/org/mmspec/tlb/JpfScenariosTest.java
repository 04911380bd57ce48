package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.mmspec.tlb.jpf.CowBreakScenario;
import org.mmspec.tlb.jpf.CrossShootdownScenario;
import org.mmspec.tlb.jpf.GlobalFlushScenario;
import org.mmspec.tlb.jpf.LazyFlushScenario;
import org.mmspec.tlb.jpf.MprotectScenario;
import org.mmspec.tlb.jpf.MunmapScenario;
import org.mmspec.tlb.jpf.TableReclaimScenario;

/**
 * The Java PathFinder entry points run as plain programs (one schedule each; JPF is not
 * installed here), and every one has its application file under {@code models/}.
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
                .hasMessageContaining("TLB-1");
        assertThatThrownBy(() -> MprotectScenario.main(new String[] {"range-off-by-one"})).isInstanceOf(AssertionError.class)
                .hasMessageContaining("TLB-");
        assertThatThrownBy(() -> GlobalFlushScenario.main(new String[] {"global-skips-global"}))
                .isInstanceOf(AssertionError.class).hasMessageContaining("TLB-1");
    }

    @Test
    void everyScenarioHasItsApplicationFile() {
        for (String name : new String[] {"munmap", "mprotect", "cow", "reclaim", "lazy", "cross", "global"}) {
            Path jpf = Path.of("models", "tlb-jpf-" + name, "tlb-jpf-" + name + ".jpf");
            assertThat(jpf).exists();
            assertThat(contentOf(jpf)).contains("target = org.mmspec.tlb.jpf.", "classpath = ", "+vm.enable_assertions = *");
        }
    }

    private static String contentOf(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
