package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Java PathFinder application file under {@code models/} names a class that exists and has
 * a plain {@code main(String[])}, puts the compiled classes on its class path, and enables
 * assertions, so a user with a JPF installation can run it as README describes. (JPF itself is
 * not published on any registry this project can use, so it is not run here.)
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
        }));
    }
}
