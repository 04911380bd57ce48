package org.mmspec.site;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The invariant IDs that {@code spec/} defines. The rule (spec/README.md): an ID is DEFINED by a
 * heading, or the first cell of a table row, that starts with it (optionally in bold or code);
 * mentions elsewhere in the prose are references. {@code SpecTraceabilityTest} and the
 * traceability page of the site both read the IDs through this class, so they cannot disagree.
 */
public final class SpecIds {
    /**
     * An ID definition: a heading or a table row's first cell starting with the ID. An ID ends in
     * a number, or for a liveness property in {@code L} and a number ({@code TLB-L1}).
     */
    public static final Pattern DEFINITION = Pattern.compile(
            "^(?:\\|\\s*|#+\\s*)(?:\\*\\*|`)?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-L?[0-9]+)(?:\\*\\*|`)?(?![A-Za-z0-9-])",
            Pattern.MULTILINE);

    private SpecIds() {
    }

    /**
     * Where an ID is defined.
     *
     * @param id the invariant ID, e.g. {@code BUDDY-3}
     * @param file the chapter, relative to the project root (e.g. {@code spec/frames.md})
     * @param line the 1-based line of the definition
     * @param statement the statement: the row's second cell, or the heading's text after the ID
     *        (Markdown, as written)
     */
    public record Definition(String id, Path file, int line, String statement) {
    }

    /**
     * Every definition under {@code specDir}, by ID (sorted); an ID with more than one entry is
     * defined twice. Chapters are read in file-name order.
     */
    public static Map<String, List<Definition>> definitions(Path specDir) throws IOException {
        Map<String, List<Definition>> defs = new TreeMap<>();
        List<Path> chapters;
        try (Stream<Path> files = Files.walk(specDir)) {
            chapters = files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
        Path base = specDir.toAbsolutePath().normalize().getParent();
        for (Path f : chapters) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            Path rel = base.relativize(f.toAbsolutePath().normalize());
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = DEFINITION.matcher(lines.get(i));
                if (m.find()) {
                    defs.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                            .add(new Definition(m.group(1), rel, i + 1, statement(lines, i, m.end())));
                }
            }
        }
        return defs;
    }

    /** The cells of a Markdown table row, trimmed, without the outer pipes ({@code \|} stays in its cell). */
    public static List<String> cells(String row) {
        String t = row.trim();
        if (t.startsWith("|")) {
            t = t.substring(1);
        }
        if (t.endsWith("|") && !t.endsWith("\\|")) {
            t = t.substring(0, t.length() - 1);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean inCode = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '`') {
                inCode = !inCode;
            }
            if (c == '\\' && i + 1 < t.length() && t.charAt(i + 1) == '|') {
                cell.append("\\|");
                i++;
            } else if (c == '|' && !inCode) {
                out.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString().trim());
        return out;
    }

    private static String statement(List<String> lines, int at, int idEnd) {
        String line = lines.get(at);
        if (line.startsWith("|")) {
            List<String> c = cells(line);
            return c.size() > 1 ? c.get(1) : "";
        }
        String rest = line.substring(idEnd).replaceFirst("^\\s*(?:\\*\\*|`)?\\s*[:.\\u2014\\u2013-]?\\s*", "").trim();
        if (!rest.isEmpty()) {
            return rest;
        }
        for (int i = at + 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).trim();
            }
        }
        return "";
    }
}
