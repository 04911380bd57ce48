package org.mmspec.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * Builds the site from this project into a temporary folder once and checks it: every spec ID has
 * a traceability row with its definition, code and test links; chapter links point at pages that
 * exist; every definition is an anchor of its chapter; every SVG is well-formed XML.
 */
class SpecSiteTest {
    @TempDir
    static Path out;
    static SpecSite.Summary summary;

    @BeforeAll
    static void build() throws IOException {
        summary = new SpecSite(Path.of("."), out).build(Optional.empty());
    }

    private static String read(String page) throws IOException {
        return Files.readString(out.resolve(page), StandardCharsets.UTF_8);
    }

    /** The traceability table's rows, by ID: the cells' HTML. */
    private static Map<String, List<String>> traceRows() throws IOException {
        Map<String, List<String>> rows = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("<tr id=\"([^\"]+)\">(.*?)</tr>", Pattern.DOTALL).matcher(read("traceability.html"));
        while (m.find()) {
            List<String> cells = new ArrayList<>();
            Matcher c = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(m.group(2));
            while (c.find()) {
                cells.add(c.group(1));
            }
            rows.put(m.group(1), cells);
        }
        return rows;
    }

    @Test
    void traceabilityListsEverySpecIdWithItsDefinitionCodeAndTests() throws IOException {
        Map<String, List<SpecIds.Definition>> defs = SpecIds.definitions(Path.of("spec"));
        Map<String, List<String>> rows = traceRows();
        assertThat(rows.keySet()).isEqualTo(defs.keySet());
        assertThat(summary.ids()).isEqualTo(defs.size());
        for (var e : defs.entrySet()) {
            List<String> cells = rows.get(e.getKey());
            SpecIds.Definition d = e.getValue().get(0);
            String chapter = d.file().getFileName().toString().replace(".md", ".html");
            assertThat(cells.get(0)).as(e.getKey()).contains("href=\"spec/" + chapter + "#" + e.getKey() + "\"");
            assertThat(cells.get(1)).as(e.getKey()).contains("spec/" + d.file().getFileName() + ":" + d.line());
            assertThat(cells.get(2)).as(e.getKey() + " code").contains("src/main/java/").contains("<code>");
            assertThat(cells.get(3)).as(e.getKey() + " tests").contains("src/test/java/").contains("<code>");
            assertThat(cells.get(5)).as(e.getKey() + " proof").doesNotContain("no row in proofs/README.md");
        }
    }

    @Test
    void traceabilityNamesTheInvariantsMemberTheNegativeTestAndTheSeededBugModel() throws IOException {
        List<String> buddy3 = traceRows().get("BUDDY-3");
        assertThat(buddy3.get(2)).contains("FrameInvariants.BUDDY_3");
        assertThat(buddy3.get(3)).contains("class=\"neg\"", "FrameInvariantsTest.BUDDY_3_catchesUncoalescedBuddies");
        assertThat(buddy3.get(4)).containsPattern("<span class=\"neg\">buddy-32 \\[bug-no-coalesce\\]</span> <small>\\d+ states,"
                + " fail:BUDDY-3, seeded bug");
        assertThat(buddy3.get(4)).containsPattern("buddy-32 \\[ci\\]</span> <small>\\d+ states, pass");
        assertThat(buddy3.get(5)).contains("href=\"proofs/buddy-coalescing.html\"");
    }

    @Test
    void everyChapterAndNoteHasAPageAndEveryInternalLinkResolves() throws IOException {
        for (String folder : SpecSite.FOLDERS) {
            try (Stream<Path> md = Files.list(Path.of(folder))) {
                for (Path f : md.filter(p -> p.toString().endsWith(".md")).toList()) {
                    assertThat(out.resolve(SpecSite.targetOf(Path.of(folder).resolve(f.getFileName())))).exists();
                }
            }
        }
        List<String> broken = new ArrayList<>();
        try (Stream<Path> pages = Files.walk(out)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".html")).toList()) {
                Matcher m = Pattern.compile("href=\"([^\"#:]+\\.html)(#[^\"]*)?\"").matcher(Files.readString(page));
                while (m.find()) {
                    if (!Files.exists(page.getParent().resolve(m.group(1)).normalize())) {
                        broken.add(out.relativize(page) + " -> " + m.group(1));
                    }
                }
                assertThat(Files.readString(page)).as(page.toString()).doesNotContainPattern("href=\"[^\":]*\\.md[\"#]");
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void everyDefinitionIsAnAnchorOfItsChapter() throws IOException {
        for (var e : SpecIds.definitions(Path.of("spec")).entrySet()) {
            String page = read(SpecSite.targetOf(e.getValue().get(0).file()).toString());
            assertThat(page).as(e.getKey()).contains("id=\"" + e.getKey() + "\"");
        }
    }

    @Test
    void everySvgIsWellFormedAndEveryPageNavigates() throws Exception {
        List<Path> svgs;
        try (Stream<Path> files = Files.list(out.resolve("diagrams"))) {
            svgs = files.filter(p -> p.toString().endsWith(".svg")).sorted().toList();
        }
        assertThat(svgs).extracting(p -> p.getFileName().toString())
                .contains("buddy-free-blocks.svg", "page-walk-x86_64.svg", "shootdown-timeline.svg");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        for (Path svg : svgs) {
            Document doc = f.newDocumentBuilder().parse(svg.toFile());
            assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
            assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
            assertThat(read("diagrams.html")).contains("src=\"diagrams/" + svg.getFileName() + "\"");
        }
        for (String page : List.of("index.html", "traceability.html", "diagrams.html", "spec/frames.html", "proofs/index.html")) {
            assertThat(read(page)).as(page).contains("<nav>", "style.css", "traceability.html", "diagrams.html");
        }
        assertThat(out.resolve("style.css")).exists();
    }

    @Test
    void linksToFilesOutsideTheSiteGoBackToTheProject() throws IOException {
        SpecSite site = new SpecSite(Path.of("/proj"), Path.of("/proj/target/site"));
        assertThat(site.rewrite("frames.md#6-buddyallocator", Path.of("spec/README.md"), Path.of("spec/index.html")))
                .isEqualTo("frames.html#6-buddyallocator");
        assertThat(site.rewrite("../proofs/", Path.of("spec/README.md"), Path.of("spec/index.html"))).isEqualTo("../proofs/index.html");
        assertThat(site.rewrite("README.md", Path.of("proofs/wx.md"), Path.of("proofs/wx.html"))).isEqualTo("index.html");
        assertThat(site.rewrite("../models/", Path.of("spec/README.md"), Path.of("spec/index.html"))).isEqualTo("../../../models/");
        assertThat(site.rewrite("https://example.org/a.md", Path.of("spec/README.md"), Path.of("spec/index.html")))
                .isEqualTo("https://example.org/a.md");
        assertThat(site.rewrite("#x", Path.of("spec/README.md"), Path.of("spec/index.html"))).isEqualTo("#x");
    }

    @Test
    void aRootWithoutSpecIsRefusedInOneLine(@TempDir Path empty) {
        assertThatThrownBy(() -> new SpecSite(empty, empty.resolve("site")).build(Optional.empty()))
                .isInstanceOf(SpecSite.NotAProjectRoot.class)
                .hasMessage("no spec/ folder in " + empty.toAbsolutePath().normalize() + " (run from the project root, or pass --root DIR)");
    }

    @Test
    void idsAreDefinitionsOnlyInHeadingsAndFirstCells(@TempDir Path root) throws IOException {
        Path spec = Files.createDirectories(root.resolve("spec"));
        Files.writeString(spec.resolve("a.md"), String.join("\n",
                "# Chapter", "", "Prose mentions DEMO-9 but does not define it.", "", "| ID | statement |", "|---|---|",
                "| DEMO-1 | the first `x | y` rule |", "| **DEMO-2** | bold |", "", "### DEMO-3: a heading definition", "",
                "| cell | DEMO-4 in a later cell |", ""));
        Files.writeString(spec.resolve("b.md"), "| `DEMO-1` | again |\n");
        Map<String, List<SpecIds.Definition>> defs = SpecIds.definitions(spec);
        assertThat(new TreeSet<>(defs.keySet())).containsExactly("DEMO-1", "DEMO-2", "DEMO-3");
        assertThat(defs.get("DEMO-1")).hasSize(2);
        assertThat(defs.get("DEMO-1").get(0).statement()).isEqualTo("the first `x | y` rule");
        assertThat(defs.get("DEMO-1").get(0).line()).isEqualTo(7);
        assertThat(defs.get("DEMO-3").get(0).statement()).isEqualTo("a heading definition");
        assertThat(defs.get("DEMO-2").get(0).file()).isEqualTo(Path.of("spec/a.md"));
    }

    @Test
    void anIdQuotedByANestedEnumConstantIsCreditedToThatConstant() throws IOException {
        // JpfShootdown.Broken.TLB_1("TLB-1"): the member is the constant, not the field above the enum
        Traceability.Row tlb1 = Traceability.build(Path.of(".")).stream().filter(r -> r.id().equals("TLB-1")).findFirst()
                .orElseThrow();
        assertThat(tlb1.code()).extracting(Traceability.SourceRef::name).contains("JpfShootdown.TLB_1")
                .doesNotContain("JpfShootdown.WAIT_ROUNDS");
    }
}
