package org.mmspec.site;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.mmspec.Catalog;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;

/**
 * For every invariant ID that {@code spec/} defines ({@link SpecIds}): where the spec states it,
 * which main code names it (the {@code *Invariants} member first), which tests name it (those named
 * after it, {@code BUDDY_3_...}, are its negative tests), which model configurations check it with
 * their recorded results, and its row of {@code proofs/README.md}. The site renders this as its
 * traceability page; it is the data {@code SpecTraceabilityTest} enforces, made readable.
 */
public final class Traceability {
    /** A class member declaration at one indent: the field or method an ID appears in. */
    private static final Pattern MEMBER = Pattern.compile(
            "^    (?:(?:public|private|protected|static|final|abstract|default|synchronized)\\s+)*"
                    + "(?:<[^>]+>\\s+)?\\w[\\w.<>\\[\\],? ]*?\\s+(\\w+)\\s*(?:=|\\(|;)");
    /** A member of a nested class: it needs a modifier, or to be a method (its line opens a body). */
    private static final Pattern NESTED_MEMBER = Pattern.compile(
            "^        (?:(?:(?:public|private|protected|static)\\s+)(?:(?:static|final|abstract|synchronized)\\s+)*"
                    + "(?:<[^>]+>\\s+)?\\w[\\w.<>\\[\\],? ]*?\\s+(\\w+)\\s*(?:=|\\(|;)"
                    + "|\\w[\\w.<>\\[\\],? ]*?\\s+(\\w+)\\s*\\([^;]*\\)\\s*(?:throws [\\w., ]+)?\\{\\s*$)");
    private static final java.util.Set<String> NOT_TYPES = java.util.Set.of("return", "throw", "new", "else", "case");
    private static final Pattern TEST_METHOD = Pattern.compile("^\\s+(?:public\\s+)?void\\s+(\\w+)\\s*\\(");
    /** An enum constant with arguments, of a top-level enum or of one nested in a class. */
    private static final Pattern ENUM_CONSTANT = Pattern.compile("^(?:    |        )([A-Z][A-Z0-9_]*)\\s*\\(");

    /** A place in a source file that names the ID. */
    public record SourceRef(Path file, int line, String name) {
    }

    /**
     * One model configuration whose invariant set contains the ID, or whose seeded bug is expected
     * to break it.
     */
    public record ModelRef(String model, String config, String profile, String expect, String states, String verdict) {
        /** A seeded-bug configuration expected to break this ID: a negative check. */
        public boolean negativeFor(String id) {
            return expect.equals("fail:" + id);
        }
    }

    /**
     * Everything known about one ID.
     *
     * @param proof the cells of its proofs/README.md index row by column name (empty if none)
     */
    public record Row(SpecIds.Definition definition, List<SourceRef> code, List<SourceRef> negativeTests,
            List<SourceRef> otherTests, List<ModelRef> models, Map<String, String> proof) {
        public String id() {
            return definition.id();
        }
    }

    private Traceability() {
    }

    /** The rows for the project rooted at {@code root}, in ID order. */
    public static List<Row> build(Path root) throws IOException {
        Map<String, List<SpecIds.Definition>> defs = SpecIds.definitions(root.resolve("spec"));
        Map<Path, List<String>> main = sources(root, "src/main/java");
        Map<Path, List<String>> test = sources(root, "src/test/java");
        List<ModelConfig> configs = modelConfigs(root);
        Map<String, Map<String, String>> proofs = proofRows(root.resolve("proofs/README.md"));
        List<Row> rows = new ArrayList<>();
        for (var e : defs.entrySet()) {
            String id = e.getKey();
            List<SourceRef> code = codeRefs(main, id);
            List<SourceRef> negative = new ArrayList<>();
            List<SourceRef> other = new ArrayList<>();
            testRefs(test, id, negative, other);
            List<ModelRef> models = new ArrayList<>();
            for (ModelConfig c : configs) {
                if (c.ids.contains(id) || c.ref.negativeFor(id)) {
                    models.add(c.ref);
                }
            }
            rows.add(new Row(e.getValue().get(0), code, negative, other, models, proofs.getOrDefault(id, Map.of())));
        }
        return rows;
    }

    private static Map<Path, List<String>> sources(Path root, String dir) throws IOException {
        Map<Path, List<String>> out = new LinkedHashMap<>();
        Path d = root.resolve(dir);
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(d)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                out.put(root.relativize(f), Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Main code quoting {@code "ID"}: the *Invariants classes first, then the rest, one entry per member. */
    static List<SourceRef> codeRefs(Map<Path, List<String>> main, String id) {
        List<SourceRef> invariants = new ArrayList<>();
        List<SourceRef> rest = new ArrayList<>();
        String quoted = "\"" + id + "\"";
        for (var f : main.entrySet()) {
            String cls = className(f.getKey());
            String lastMember = null;
            List<String> lines = f.getValue();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).contains(quoted)) {
                    continue;
                }
                String member = enclosing(lines, i);
                if (member.equals(lastMember)) {
                    continue;
                }
                lastMember = member;
                SourceRef ref = new SourceRef(f.getKey(), i + 1, cls + (member.isEmpty() ? "" : "." + member));
                (cls.endsWith("Invariants") ? invariants : rest).add(ref);
            }
        }
        invariants.addAll(rest);
        return invariants;
    }

    /**
     * Tests: methods named after the ID ({@code ID_...} with the dashes as underscores, or the ID's
     * underscore form as a whole word of the name) are its negative tests; other tests that quote
     * {@code "ID"} exercise it.
     */
    static void testRefs(Map<Path, List<String>> test, String id, List<SourceRef> negative, List<SourceRef> other) {
        String under = id.replace('-', '_');
        Pattern named = Pattern.compile("(?:^|_)" + Pattern.quote(under) + "(?:_|$)");
        String quoted = "\"" + id + "\"";
        for (var f : test.entrySet()) {
            String cls = className(f.getKey());
            List<String> lines = f.getValue();
            String lastOther = null;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = TEST_METHOD.matcher(lines.get(i));
                if (m.find() && named.matcher(m.group(1)).find()) {
                    negative.add(new SourceRef(f.getKey(), i + 1, cls + "." + m.group(1)));
                } else if (lines.get(i).contains(quoted)) {
                    String method = enclosingTest(lines, i);
                    if (!method.equals(lastOther) && (method.isEmpty() || !named.matcher(method).find())) {
                        other.add(new SourceRef(f.getKey(), i + 1, cls + (method.isEmpty() ? "" : "." + method)));
                        lastOther = method;
                    }
                }
            }
        }
    }

    private static String className(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - ".java".length());
    }

    private static String enclosing(List<String> lines, int at) {
        for (int i = at; i >= 0; i--) {
            Matcher e = ENUM_CONSTANT.matcher(lines.get(i));
            if (e.find()) {
                return e.group(1);
            }
            String line = lines.get(i);
            String firstWord = line.trim().split("[\\s(]", 2)[0];
            if (NOT_TYPES.contains(firstWord)) {
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
            Matcher n = NESTED_MEMBER.matcher(line);
            if (n.find()) {
                return n.group(1) != null ? n.group(1) : n.group(2);
            }
        }
        return "";
    }

    private static String enclosingTest(List<String> lines, int at) {
        for (int i = at; i >= 0; i--) {
            Matcher m = TEST_METHOD.matcher(lines.get(i));
            if (m.find()) {
                return m.group(1);
            }
        }
        return "";
    }

    private record ModelConfig(ModelRef ref, List<String> ids) {
    }

    /** Every configuration of every model under models/, with the IDs its system checks. */
    private static List<ModelConfig> modelConfigs(Path root) throws IOException {
        List<ModelConfig> out = new ArrayList<>();
        Map<String, ExhaustiveModel> byName = new HashMap<>();
        for (ExhaustiveModel m : Catalog.models()) {
            byName.put(m.name(), m);
        }
        Path models = root.resolve("models");
        if (!Files.isDirectory(models)) {
            return out;
        }
        List<Path> manifests;
        try (Stream<Path> dirs = Files.list(models)) {
            manifests = dirs.map(d -> d.resolve("manifest.properties")).filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : manifests) {
            String name = file.getParent().getFileName().toString();
            Manifest manifest = Manifest.parse(name, Files.readString(file, StandardCharsets.UTF_8));
            ExhaustiveModel model = byName.get(name);
            for (String config : manifest.configs()) {
                List<String> ids = List.of();
                if (model != null) {
                    try {
                        ids = model.build(manifest.bounds(config)).invariants().ids();
                    } catch (RuntimeException e) {
                        ids = List.of(); // a JPF model or one this build cannot construct names no IDs here
                    }
                }
                out.add(new ModelConfig(new ModelRef(name, config, manifest.get(config + ".profile", "ci"),
                        manifest.get(config + ".expect", "pass"), manifest.get(config + ".states", "not recorded"),
                        manifest.get(config + ".verdict", "not recorded")), ids));
            }
        }
        return out;
    }

    /** The index table of proofs/README.md: the ID of each row to its cells by column name. */
    static Map<String, Map<String, String>> proofRows(Path index) throws IOException {
        Map<String, Map<String, String>> out = new HashMap<>();
        if (!Files.isRegularFile(index)) {
            return out;
        }
        List<String> header = null;
        for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
            if (!line.startsWith("|")) {
                header = null;
                continue;
            }
            List<String> cells = SpecIds.cells(line);
            if (header == null) {
                header = cells;
                continue;
            }
            if (cells.get(0).startsWith("---") || cells.get(0).startsWith(":-")) {
                continue;
            }
            if (!header.get(0).equals("ID")) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < cells.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            out.put(cells.get(0).replace("`", ""), row);
        }
        return out;
    }
}
