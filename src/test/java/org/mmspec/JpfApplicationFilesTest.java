package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.mmspec.heap.CrossCpuFreeScenario;
import org.mmspec.heap.RefillRaceScenario;

/**
 * Every Java PathFinder application file under {@code models/} names a class that exists and has
 * a plain {@code main(String[])}, puts the compiled classes on its class path, and enables
 * assertions, so a user with a JPF installation can run it as README describes; and every one is
 * run by some variant of its folder's {@code jpf-manifest.properties}, whose expected outcomes
 * {@code tools/jpf} checks and whose recorded results agree with them. (JPF is not published on any
 * registry this project can use, so the build does not run it: {@code tools/jpf} does, given a
 * locally built JPF.)
 */
class JpfApplicationFilesTest {

    @TestFactory
    Stream<DynamicTest> everyApplicationFileIsRunnable() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of("models"))) {
            files = walk.filter(p -> p.toString().endsWith(".jpf")).sorted().toList();
        }
        assertThat(files).as("JPF application files under models/").isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(f)) {
                p.load(in);
            }
            String target = p.getProperty("target");
            assertThat(target).as("target in %s", f).isNotBlank();
            Method main = Class.forName(target.trim()).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).as("%s.main is static", target).isTrue();
            assertThat(p.getProperty("classpath", "")).as("classpath in %s", f).contains("target/classes");
            assertThat(p.getProperty("+vm.enable_assertions", "")).as("+vm.enable_assertions in %s", f).isEqualTo("*");
            Properties m = manifest(f.getParent());
            boolean named = false;
            for (String v : m.getProperty("variants", "").split(",")) {
                named |= f.getFileName().toString().equals(m.getProperty(v + ".file"));
            }
            assertThat(named).as("%s is run by a variant of its jpf-manifest.properties", f).isTrue();
        }));
    }

    /**
     * Each variant of each JPF manifest names an application file next to it, expects {@code pass}
     * or {@code fail:<text>}, and has a recorded JPF result that matches: a clean run that reached
     * the program's end at least once, or an error naming one of the expected texts.
     */
    @TestFactory
    Stream<DynamicTest> everyJpfManifestVariantIsRecordedWithItsExpectedVerdict() throws IOException {
        List<Path> manifests;
        try (Stream<Path> walk = Files.walk(Path.of("models"))) {
            manifests = walk.filter(p -> p.getFileName().toString().equals("jpf-manifest.properties")).sorted().toList();
        }
        assertThat(manifests).as("jpf-manifest.properties files").isNotEmpty();
        return manifests.stream().flatMap(mf -> {
            Properties m = manifest(mf.getParent());
            assertThat(m.getProperty("jpf.revision")).as("jpf.revision in %s", mf).isNotBlank();
            return Stream.of(m.getProperty("variants").split(",")).map(v -> DynamicTest.dynamicTest(mf.getParent() + " " + v,
                    () -> {
                        assertThat(mf.getParent().resolve(m.getProperty(v + ".file", "-"))).as("%s.file", v).exists();
                        assertThat(m.getProperty(v + ".args")).as("%s.args", v).isNotNull();
                        String expect = m.getProperty(v + ".expect", "");
                        String verdict = m.getProperty(v + ".verdict", "");
                        assertThat(expect).as("%s.expect", v).matches("pass|fail:[^|]+(\\|[^|]+)*");
                        assertThat(m.getProperty(v + ".states", "")).as("%s.states", v).matches("[1-9][0-9]*");
                        assertThat(m.getProperty(v + ".seconds", "")).as("%s.seconds", v).matches("[0-9]+\\.[0-9]");
                        if (expect.equals("pass")) {
                            assertThat(verdict).as("%s.verdict", v).isIn("pass", "pass-bounded");
                            assertThat(Integer.parseInt(m.getProperty(v + ".ends", "0"))).as("%s.ends: paths that reached the end", v)
                                    .isPositive();
                            assertThat(m.getProperty(v + ".error")).as("%s.error", v).isEqualTo("-");
                        } else {
                            List<String> texts = List.of(expect.substring("fail:".length()).split("\\|"));
                            assertThat(verdict).as("%s.verdict", v).startsWith("fail:");
                            assertThat(texts).as("%s.verdict %s among the expected", v, verdict)
                                    .contains(verdict.substring("fail:".length()));
                        }
                    }));
        });
    }

    @Test
    void heapScenariosRefuseABugThatCannotTakeEffect() {
        assertThatThrownBy(() -> CrossCpuFreeScenario.main(new String[] {"REFILL_TAKES_TWICE"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bug REFILL_TAKES_TWICE cannot take effect in this "
                        + "scenario; it accepts FLUSH_DROPS_OBJECT, STALE_SLAB_LIST, LEAK_EMPTY_SLAB");
        assertThatThrownBy(() -> RefillRaceScenario.main(new String[] {"NO_COALESCE"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("it accepts REFILL_WITHOUT_LOCK, REFILL_TAKES_TWICE, FLUSH_DROPS_OBJECT, STALE_SLAB_LIST, "
                        + "LEAK_EMPTY_SLAB");
    }

    /**
     * The heap scenarios' seeded bugs passed as arguments fail on plain threads too, with a failure
     * naming one of the texts the manifest expects from JPF: they take effect on every schedule.
     */
    @TestFactory
    Stream<DynamicTest> heapSeededBugsFailOnPlainThreadsAsTheirManifestExpects() {
        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (String folder : new String[] {"heap-jpf-cross-cpu-free", "heap-jpf-refill-race"}) {
            Properties m = manifest(Path.of("models", folder));
            for (String v : m.getProperty("variants").split(",")) {
                String args = m.getProperty(v + ".args", "");
                if (args.isEmpty()) {
                    continue; // the clean run, or the race that needs JPF's schedules (refill-race-bug.jpf)
                }
                List<String> texts = List.of(m.getProperty(v + ".expect").substring("fail:".length()).split("\\|"));
                tests.add(DynamicTest.dynamicTest(folder + " " + v, () -> {
                    Throwable t = catchThrowable(() -> (folder.contains("cross") ? CROSS : REFILL).run(new String[] {args}));
                    assertThat(t).as("%s %s", folder, v).isInstanceOf(AssertionError.class);
                    assertThat(texts).as("%s %s: %s", folder, v, t.getMessage()).anyMatch(x -> t.getMessage().contains(x));
                }));
            }
        }
        return tests.stream();
    }

    private interface Main {
        void run(String[] args) throws Exception;
    }

    private static final Main CROSS = CrossCpuFreeScenario::main;
    private static final Main REFILL = RefillRaceScenario::main;

    private static Properties manifest(Path folder) {
        Properties m = new Properties();
        try (var in = Files.newBufferedReader(folder.resolve("jpf-manifest.properties"))) {
            m.load(in);
        } catch (IOException e) {
            throw new AssertionError("no readable jpf-manifest.properties in " + folder, e);
        }
        return m;
    }
}
