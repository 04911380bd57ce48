package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;
import org.mmspec.site.SpecIds;

/**
 * Keeps the spec, the code and the tests on the same IDs: every invariant ID that {@code spec/}
 * defines appears in the main code (where it is checked) and in the tests (where a negative test
 * shows the check can fail), it is defined exactly once in {@code spec/}, and every ID a suite
 * checks is defined in {@code spec/}.
 */
class SpecTraceabilityTest {
    /** Chapter file names by ID, read with the same rule as the site's traceability page ({@link SpecIds}). */
    static Map<String, List<String>> definitions() throws IOException {
        Map<String, List<String>> defs = new TreeMap<>();
        SpecIds.definitions(Path.of("spec")).forEach((id, where) -> defs.put(id,
                where.stream().map(d -> d.file().getFileName().toString()).toList()));
        return defs;
    }

    static String tree(String root) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of(root))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sb.append(Files.readString(f)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void everySpecIdIsDefinedOnceAndAppearsInCodeAndTests() throws IOException {
        Map<String, List<String>> defs = definitions();
        assertThat(defs).as("spec/ defines invariant IDs").isNotEmpty();
        String main = tree("src/main/java");
        String test = tree("src/test/java");
        Set<String> twice = new TreeSet<>();
        Set<String> notInCode = new TreeSet<>();
        Set<String> notInTests = new TreeSet<>();
        for (var e : defs.entrySet()) {
            String id = e.getKey();
            if (e.getValue().size() > 1) {
                twice.add(id + " " + e.getValue());
            }
            if (!main.contains("\"" + id + "\"")) {
                notInCode.add(id);
            }
            // Tests name the ID with underscores (BUDDY_2_...) or quote it.
            if (!test.contains(id) && !test.contains(id.replace('-', '_'))) {
                notInTests.add(id);
            }
        }
        assertThat(twice).as("IDs defined more than once in spec/").isEmpty();
        assertThat(notInCode).as("spec IDs no check in src/main names").isEmpty();
        assertThat(notInTests).as("spec IDs no test in src/test names").isEmpty();
    }

    @Test
    void everyCheckedIdIsDefinedInTheSpec() throws IOException {
        Set<String> defined = definitions().keySet();
        Set<String> undefined = new TreeSet<>();
        for (CheckSuite s : Catalog.suites()) {
            for (String id : s.invariantIds()) {
                if (!defined.contains(id)) {
                    undefined.add(id + " (" + s.component() + " / " + s.name() + ")");
                }
            }
        }
        assertThat(undefined).as("IDs checked by suites but not defined in spec/").isEmpty();
    }

    @Test
    void everySpecIdHasARowInTheProofsIndex() throws IOException {
        String index = Files.readString(Path.of("proofs", "README.md"));
        Set<String> missing = new TreeSet<>();
        for (String id : definitions().keySet()) {
            if (!Pattern.compile("^\\| *`?" + Pattern.quote(id) + "`? *\\|", Pattern.MULTILINE).matcher(index).find()) {
                missing.add(id);
            }
        }
        assertThat(missing).as("spec IDs without a row in proofs/README.md").isEmpty();
    }
}
