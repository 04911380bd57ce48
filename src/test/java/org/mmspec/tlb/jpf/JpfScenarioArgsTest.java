package org.mmspec.tlb.jpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.mmspec.tlb.SeededBug;

/**
 * The JPF scenarios' command line outside JPF: no argument and {@code none} both mean the correct
 * kernel, whatever bugs the scenario accepts; an accepted bug is returned as named; and a run
 * that keeps every invariant says so on standard output with the scenario's name.
 */
class JpfScenarioArgsTest {
    @Test
    void noArgumentAndNoneBothMeanTheCorrectKernel() {
        assertThat(JpfScenario.bug(new String[0], SeededBug.LAZY_REUSE_EARLY)).isSameAs(SeededBug.NONE);
        assertThat(JpfScenario.bug(new String[0])).isSameAs(SeededBug.NONE);
        assertThat(JpfScenario.bug(new String[] {"none"})).as("none needs no acceptance").isSameAs(SeededBug.NONE);
        assertThat(JpfScenario.bug(new String[] {"none"}, SeededBug.LAZY_REUSE_EARLY)).isSameAs(SeededBug.NONE);
        assertThat(JpfScenario.bug(new String[] {"lazy-reuse-early"}, SeededBug.LAZY_REUSE_EARLY))
                .isSameAs(SeededBug.LAZY_REUSE_EARLY);
        assertThatThrownBy(() -> JpfScenario.bug(new String[] {"lazy-reuse-early"})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bug lazy-reuse-early cannot take effect in this scenario; it accepts ");
    }

    @Test
    void aCorrectRunSaysOkUnderTheScenariosName() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            LazyFlushScenario.main(new String[0]);
            MunmapScenario.main(new String[] {"none"});
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("lazy: ok", "munmap: ok");
    }
}
