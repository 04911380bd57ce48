package org.mmspec.site;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.HeadingAnchorExtension;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The spec as a static HTML site ({@code mmspec spec --out DIR}): one page per chapter of
 * {@code spec/} and per note of {@code proofs/}, a navigation bar on every page, links between
 * chapters turned from {@code .md} into {@code .html} (and links to files outside the site, such as
 * {@code models/}, into paths back to the project), the traceability page ({@link Traceability})
 * and the diagrams page ({@link Diagrams}).
 *
 * <p>Layout of DIR: {@code index.html}, {@code spec/*.html}, {@code proofs/*.html} (each folder's
 * README becomes its {@code index.html}), {@code traceability.html}, {@code diagrams.html},
 * {@code diagrams/*.svg}, {@code style.css}. Each heading or table row that defines an ID carries
 * the ID as its HTML id, so {@code spec/frames.html#BUDDY-3} points at the definition.
 */
public final class SpecSite {
    /** The Markdown folders rendered, in navigation order. */
    static final List<String> FOLDERS = List.of("spec", "proofs");

    private final Path root;
    private final Path out;
    private final List<Extension> extensions = List.of(TablesExtension.create(), HeadingAnchorExtension.create());
    private final Parser parser = Parser.builder().extensions(extensions).build();
    private final Map<String, List<Page>> pages = new java.util.LinkedHashMap<>();

    /** A page from a Markdown file: its path under the root and under the site, and its title. */
    record Page(Path source, Path target, String title) {
    }

    /** What was built: the pages written and the traceability rows. */
    public record Summary(int pages, int ids, Path index) {
    }

    /** The project root it reads is missing {@code spec/}. */
    public static final class NotAProjectRoot extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotAProjectRoot(Path root) {
            super("no spec/ folder in " + root.toAbsolutePath().normalize()
                    + " (run from the project root, or pass --root DIR)");
        }
    }

    public SpecSite(Path root, Path out) {
        this.root = root.toAbsolutePath().normalize();
        this.out = out.toAbsolutePath().normalize();
    }

    /**
     * Builds the site.
     *
     * @param counterexample a saved counterexample to draw as the timeline, or empty to explore the
     *        shootdown model's seeded bug {@code bug-ack-first} and draw that
     */
    public Summary build(Optional<Path> counterexample) throws IOException {
        if (!Files.isDirectory(root.resolve("spec"))) {
            throw new NotAProjectRoot(root);
        }
        for (String folder : FOLDERS) {
            List<Page> list = new ArrayList<>();
            Path dir = root.resolve(folder);
            if (Files.isDirectory(dir)) {
                List<String> order = linkOrder(dir.resolve("README.md"));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted(SpecSite::readmeFirst)
                            .sorted(java.util.Comparator.comparingInt(p -> rank(order, p))).toList()) {
                        Path rel = root.relativize(f);
                        list.add(new Page(rel, targetOf(rel), title(f)));
                    }
                }
            }
            pages.put(folder, list);
        }
        Files.createDirectories(out);
        int written = 0;
        for (List<Page> list : pages.values()) {
            for (Page p : list) {
                String md = Files.readString(root.resolve(p.source()), StandardCharsets.UTF_8);
                write(p.target(), p.title(), renderMarkdown(md, p.source(), p.target()));
                written++;
            }
        }
        List<Traceability.Row> rows = Traceability.build(root);
        write(Path.of("traceability.html"), "Traceability", TraceabilityPage.render(rows, this));
        Diagrams diagrams = Diagrams.build(root, out.resolve("diagrams"), counterexample);
        write(Path.of("diagrams.html"), "Diagrams", diagrams.html());
        write(Path.of("index.html"), "mmspec", indexHtml(rows.size()));
        Files.writeString(out.resolve("style.css"), css(), StandardCharsets.UTF_8);
        return new Summary(written + 3, rows.size(), out.resolve("index.html"));
    }

    /** The Markdown files a folder's README links to, in the order it links them: the reading order. */
    private static List<String> linkOrder(Path readme) throws IOException {
        List<String> order = new ArrayList<>();
        if (Files.isRegularFile(readme)) {
            Matcher m = java.util.regex.Pattern.compile("\\]\\(([^)#/]+\\.md)[)#]").matcher(Files.readString(readme));
            while (m.find()) {
                if (!order.contains(m.group(1))) {
                    order.add(m.group(1));
                }
            }
        }
        return order;
    }

    private static int rank(List<String> order, Path p) {
        String name = p.getFileName().toString();
        if (name.equals("README.md")) {
            return -1;
        }
        int i = order.indexOf(name);
        return i < 0 ? order.size() : i;
    }

    /** The chapters of spec/ in reading order (README first), as paths under the project root. */
    List<Path> chapters() {
        return pages.getOrDefault("spec", List.of()).stream().map(Page::source).toList();
    }

    /** A page's title, by its source path. */
    String titleOf(Path source) {
        return pages.values().stream().flatMap(List::stream).filter(p -> p.source().equals(source)).map(Page::title)
                .findFirst().orElse(source.toString());
    }

    private static int readmeFirst(Path a, Path b) {
        boolean ra = a.getFileName().toString().equals("README.md");
        boolean rb = b.getFileName().toString().equals("README.md");
        return ra != rb ? (ra ? -1 : 1) : a.compareTo(b);
    }

    /** {@code spec/frames.md} to {@code spec/frames.html}; a README to its folder's {@code index.html}. */
    static Path targetOf(Path source) {
        String name = source.getFileName().toString();
        String html = name.equals("README.md") ? "index.html" : name.substring(0, name.length() - 3) + ".html";
        return source.resolveSibling(html);
    }

    private static String title(Path md) throws IOException {
        for (String line : Files.readAllLines(md, StandardCharsets.UTF_8)) {
            if (line.startsWith("# ")) {
                return line.substring(2).trim();
            }
        }
        return md.getFileName().toString();
    }

    /** Markdown to HTML with links rewritten for a page at {@code target}. */
    String renderMarkdown(String markdown, Path source, Path target) {
        Node doc = parser.parse(markdown);
        HtmlRenderer renderer = HtmlRenderer.builder().extensions(extensions)
                .attributeProviderFactory(ctx -> (node, tag, attrs) -> {
                    if (node instanceof Link && attrs.containsKey("href")) {
                        attrs.put("href", rewrite(attrs.get("href"), source, target));
                    } else if (node instanceof Heading || node instanceof TableRow) {
                        definedId(node).ifPresent(id -> attrs.put("id", id));
                    }
                }).build();
        return renderer.render(doc);
    }

    /** One line of Markdown (a table cell) as inline HTML, links rewritten as for a page at {@code target}. */
    String renderMarkdownInline(String markdown, Path source, Path target) {
        String html = renderMarkdown(markdown.replace("\\|", "|"), source, target).trim();
        if (html.startsWith("<p>") && html.endsWith("</p>")) {
            html = html.substring(3, html.length() - 4);
        }
        return html;
    }

    /** The ID a heading or a table row defines (its text, or its first cell's, starts with the ID). */
    private static Optional<String> definedId(Node node) {
        Node first = node instanceof TableRow ? node.getFirstChild() : node;
        if (first == null || (node instanceof TableRow && !(first instanceof TableCell))) {
            return Optional.empty();
        }
        String text = (node instanceof Heading ? "# " : "| ") + plainText(first);
        Matcher m = SpecIds.DEFINITION.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String plainText(Node n) {
        StringBuilder sb = new StringBuilder();
        for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
            if (c instanceof Text t) {
                sb.append(t.getLiteral());
            } else if (c instanceof Code code) {
                sb.append(code.getLiteral());
            } else {
                sb.append(plainText(c));
            }
        }
        return sb.toString();
    }

    /**
     * A link of the Markdown file {@code source} as the page {@code target} needs it: chapters and
     * notes become their pages, a folder of the site its index, any other file of the project a
     * relative path back to it; external links and anchors stay.
     */
    String rewrite(String href, Path source, Path target) {
        if (href.isEmpty() || href.startsWith("#") || href.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return href;
        }
        int hash = href.indexOf('#');
        String path = hash < 0 ? href : href.substring(0, hash);
        String fragment = hash < 0 ? "" : href.substring(hash);
        Path parent = source.getParent() == null ? Path.of("") : source.getParent();
        Path resolved = parent.resolve(path).normalize();
        String first = resolved.getNameCount() > 0 ? resolved.getName(0).toString() : "";
        Path siteTarget = null;
        if (FOLDERS.contains(first) && resolved.getNameCount() == 1) {
            siteTarget = resolved.resolve("index.html");
        } else if (FOLDERS.contains(first) && path.endsWith(".md")) {
            siteTarget = targetOf(resolved);
        }
        Path from = out.resolve(target).getParent();
        Path to = siteTarget != null ? out.resolve(siteTarget) : root.resolve(resolved);
        String rel = from.relativize(to).toString().replace('\\', '/');
        if (siteTarget == null && path.endsWith("/") && !rel.endsWith("/")) {
            rel += "/";
        }
        return (rel.isEmpty() ? "." : rel) + fragment;
    }

    /** The relative link from the site page {@code page} to the site path {@code to}. */
    String siteLink(Path page, Path to) {
        Path from = out.resolve(page).getParent();
        return from.relativize(out.resolve(to)).toString().replace('\\', '/');
    }

    /** The relative link from the site page {@code page} to a file of the project. */
    String projectLink(Path page, Path file) {
        Path from = out.resolve(page).getParent();
        return from.relativize(root.resolve(file)).toString().replace('\\', '/');
    }

    private void write(Path target, String title, String body) throws IOException {
        Path file = out.resolve(target);
        Files.createDirectories(file.getParent());
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(title)).append(" \u2014 mmspec</title>\n")
                .append("<link rel=\"stylesheet\" href=\"").append(siteLink(target, Path.of("style.css"))).append("\">\n")
                .append("</head>\n<body>\n<nav>\n<a class=\"home\" href=\"").append(siteLink(target, Path.of("index.html")))
                .append("\">mmspec</a>\n");
        for (var folder : pages.entrySet()) {
            sb.append("<h2>").append(folder.getKey().equals("spec") ? "Specification" : "Proofs").append("</h2>\n<ul>\n");
            for (Page p : folder.getValue()) {
                sb.append("<li").append(p.target().equals(target) ? " class=\"current\"" : "").append("><a href=\"")
                        .append(siteLink(target, p.target())).append("\">").append(Html.escape(p.title())).append("</a></li>\n");
            }
            sb.append("</ul>\n");
        }
        sb.append("<h2>Generated</h2>\n<ul>\n");
        for (String[] g : new String[][] {{"traceability.html", "Traceability"}, {"diagrams.html", "Diagrams"}}) {
            sb.append("<li").append(target.toString().equals(g[0]) ? " class=\"current\"" : "").append("><a href=\"")
                    .append(siteLink(target, Path.of(g[0]))).append("\">").append(g[1]).append("</a></li>\n");
        }
        sb.append("</ul>\n</nav>\n<main>\n").append(body).append("\n</main>\n</body>\n</html>\n");
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private String indexHtml(int ids) {
        Path index = Path.of("index.html");
        StringBuilder sb = new StringBuilder("<h1>mmspec: an executable, model-checked specification of VeridianOS memory"
                + " management</h1>\n<p>Generated by <code>mmspec spec</code> from <code>spec/</code> and <code>proofs/</code>."
                + " Every invariant ID is defined once in the specification, checked by a named predicate in the code,"
                + " tested by a negative test, explored by the models and argued in a proof note.</p>\n<ul>\n");
        for (var folder : pages.entrySet()) {
            if (!folder.getValue().isEmpty()) {
                Page first = folder.getValue().get(0);
                sb.append("<li><a href=\"").append(siteLink(index, first.target())).append("\">")
                        .append(Html.escape(first.title())).append("</a> (").append(folder.getValue().size())
                        .append(" pages)</li>\n");
            }
        }
        sb.append(String.format(Locale.ROOT, "<li><a href=\"traceability.html\">Traceability</a>: %d invariant IDs, each with"
                + " its statement, code, tests, models and proof</li>\n", ids));
        sb.append("<li><a href=\"diagrams.html\">Diagrams</a>: a buddy allocator's free blocks, a page-table walk, a"
                + " shootdown counterexample</li>\n</ul>\n");
        return sb.toString();
    }

    private static String css() {
        return """
                body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330;
                       display: flex; min-height: 100vh; }
                nav { flex: 0 0 230px; background: #f3f5f8; border-right: 1px solid #d9dee7; padding: 12px 14px;
                      font-size: 13.5px; }
                nav .home { font-weight: 700; font-size: 18px; color: #1d2330; text-decoration: none; }
                nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: #6a7386; margin: 16px 0 4px; }
                nav ul { list-style: none; margin: 0; padding: 0; }
                nav li { margin: 2px 0; }
                nav li.current a { font-weight: 700; color: #0b3d91; }
                main { flex: 1; padding: 20px 36px 60px; max-width: 1200px; overflow-x: auto; }
                a { color: #1d5fbf; }
                code { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; background: #f0f2f5; padding: 0 3px;
                       border-radius: 3px; }
                pre { background: #f6f8fa; border: 1px solid #e1e5ec; padding: 10px; overflow-x: auto; }
                pre code { background: none; padding: 0; }
                table { border-collapse: collapse; margin: 12px 0; font-size: 13.5px; }
                th, td { border: 1px solid #d9dee7; padding: 4px 7px; vertical-align: top; text-align: left; }
                th { background: #eef1f6; }
                tr:target, h2:target, h3:target, h4:target { background: #fff6cf; }
                table.trace td { max-width: 360px; }
                table.trace code { overflow-wrap: anywhere; background: none; padding: 0; }
                table.trace tr.chapter td { background: #e4e9f2; font-weight: 700; }
                nav a { text-decoration: none; }
                nav a:hover { text-decoration: underline; }
                .neg { color: #a01818; }
                .other { color: #7a5a00; }
                .pass { color: #1b6e2a; }
                .id { white-space: nowrap; font-weight: 700; }
                details summary { cursor: pointer; color: #44506a; }
                figure { margin: 18px 0 34px; }
                figure img { max-width: 100%; border: 1px solid #d9dee7; background: #fff; }
                figcaption { color: #44506a; font-size: 13.5px; margin-top: 6px; }
                """;
    }
}
