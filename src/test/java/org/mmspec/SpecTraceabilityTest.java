package org.mmspec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;

/**
 * Keeps the spec, the code and the tests on the same IDs: every invariant ID that {@code spec/}
 * defines appears in the main code (where it is checked) and in the tests (where a negative test
 * shows the check can fail), it is defined exactly once in {@code spec/}, and every ID a suite
 * checks is defined in {@code spec/}.
 */
class SpecTraceabilityTest {
    /**
     * An ID definition in spec/: a heading, or the first cell of a table row, that starts with the
     * ID (optionally in bold or code). Mentions elsewhere in the prose are references, not
     * definitions.
     */
    private static final Pattern DEFINITION = Pattern.compile(
            "^(?:\\|\\s*|#+\\s*)(?:\\*\\*|`)?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[0-9]+)(?:\\*\\*|`)?(?![A-Za-z0-9-])",
            Pattern.MULTILINE);

    static Map<String, List<String>> definitions() throws IOException {
        Map<String, List<String>> defs = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("spec"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).toList()) {
                Matcher m = DEFINITION.matcher(Files.readString(f));
                while (m.find()) {
                    defs.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f.getFileName().toString());
                }
            }
        }
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
