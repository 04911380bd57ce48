package org.mmspec.site;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The traceability page: one table row per invariant ID with its statement (linked to its
 * definition in the spec), the code that names it, its negative tests and other tests, the model
 * configurations that check it with their recorded results, and its proof.
 */
final class TraceabilityPage {
    /** Lists longer than this fold into a {@code <details>} element. */
    private static final int FOLD_AFTER = 4;
    private static final Path PAGE = Path.of("traceability.html");

    private TraceabilityPage() {
    }

    static String render(List<Traceability.Row> rows, SpecSite site) {
        long untested = rows.stream().filter(r -> r.negativeTests().isEmpty() && r.otherTests().isEmpty()).count();
        long uncoded = rows.stream().filter(r -> r.code().isEmpty()).count();
        long unproved = rows.stream().filter(r -> r.proof().isEmpty()).count();
        StringBuilder sb = new StringBuilder("<h1>Traceability</h1>\n");
        sb.append("<p>").append(rows.size()).append(" invariant IDs defined in <code>spec/</code>; ")
                .append(uncoded).append(" not named by main code, ").append(untested).append(" not named by a test, ")
                .append(unproved).append(" without a row in <code>proofs/README.md</code>. ")
                .append("The build fails on any of these (<code>SpecTraceabilityTest</code>); this page shows the same data."
                        + " <span class=\"neg\">Red</span> entries are negative checks: tests named after the ID, and"
                        + " seeded-bug model configurations expected to break it.</p>\n");
        sb.append("<table class=\"trace\">\n<thead><tr><th>ID</th><th>Statement</th><th>Checked by</th><th>Tests</th>"
                + "<th>Models (recorded)</th><th>Proof</th></tr></thead>\n<tbody>\n");
        List<Path> chapters = site.chapters();
        List<Traceability.Row> ordered = new java.util.ArrayList<>(rows);
        ordered.sort(java.util.Comparator.<Traceability.Row>comparingInt(r -> {
            int i = chapters.indexOf(r.definition().file());
            return i < 0 ? chapters.size() : i;
        }).thenComparing(r -> r.definition().file()).thenComparingInt(r -> r.definition().line()));
        Path chapterShown = null;
        for (Traceability.Row r : ordered) {
            SpecIds.Definition d = r.definition();
            if (!d.file().equals(chapterShown)) {
                chapterShown = d.file();
                sb.append("<tr class=\"chapter\"><td colspan=\"6\"><a href=\"").append(site.siteLink(PAGE, SpecSite.targetOf(d.file())))
                        .append("\">").append(Html.escape(site.titleOf(d.file()))).append("</a></td></tr>\n");
            }
            Path chapter = SpecSite.targetOf(d.file());
            sb.append("<tr id=\"").append(Html.escape(r.id())).append("\">");
            sb.append("<td class=\"id\"><a href=\"").append(site.siteLink(PAGE, chapter)).append('#').append(Html.escape(r.id()))
                    .append("\">").append(Html.escape(r.id())).append("</a></td>");
            sb.append("<td>").append(inline(d.statement())).append("<br><small><a href=\"")
                    .append(site.siteLink(PAGE, chapter)).append('#').append(Html.escape(r.id())).append("\">")
                    .append(Html.escape(d.file().toString().replace('\\', '/'))).append(':').append(d.line())
                    .append("</a></small></td>");
            sb.append("<td>").append(refs(r.code(), site, "")).append("</td>");
            StringBuilder tests = new StringBuilder();
            tests.append(refs(r.negativeTests(), site, "neg"));
            if (!r.otherTests().isEmpty()) {
                tests.append(r.negativeTests().isEmpty() ? "" : "<br>").append("<small>also:</small> ")
                        .append(refs(r.otherTests(), site, ""));
            }
            sb.append("<td>").append(tests).append("</td>");
            sb.append("<td>").append(models(r, site)).append("</td>");
            sb.append("<td>").append(proof(r.proof(), site)).append("</td>");
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        return sb.toString();
    }

    private static String refs(List<Traceability.SourceRef> refs, SpecSite site, String cls) {
        if (refs.isEmpty()) {
            return "<em>none</em>";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < refs.size(); i++) {
            if (i == FOLD_AFTER) {
                sb.append("<details><summary>").append(refs.size() - FOLD_AFTER).append(" more</summary>");
            }
            Traceability.SourceRef ref = refs.get(i);
            sb.append("<a").append(cls.isEmpty() ? "" : " class=\"" + cls + "\"").append(" href=\"")
                    .append(site.projectLink(PAGE, ref.file())).append("\" title=\"")
                    .append(Html.escape(ref.file().toString().replace('\\', '/') + ":" + ref.line())).append("\"><code>")
                    .append(Html.escape(ref.name())).append("</code></a><br>");
        }
        if (refs.size() > FOLD_AFTER) {
            sb.append("</details>");
        }
        return sb.toString();
    }

    private static String models(Traceability.Row r, SpecSite site) {
        List<Traceability.ModelRef> ms = r.models();
        if (ms.isEmpty()) {
            // no model's invariant set names it (ATOMIC-1 is checked by the explorer itself): say what the proofs index claims
            String claimed = r.proof().getOrDefault("Exhaustive model(s)", "");
            return claimed.isEmpty() || claimed.equals("\u2014") ? "<em>none</em>"
                    : "<small>per proofs/README.md:</small> " + site.renderMarkdownInline(claimed, Path.of("proofs/README.md"), PAGE);
        }
        // negative checks first: they show the invariant can fail
        List<Traceability.ModelRef> sorted = new java.util.ArrayList<>(ms);
        sorted.sort((a, b) -> Boolean.compare(b.negativeFor(r.id()), a.negativeFor(r.id())));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            if (i == FOLD_AFTER) {
                sb.append("<details><summary>").append(sorted.size() - FOLD_AFTER).append(" more</summary>");
            }
            Traceability.ModelRef m = sorted.get(i);
            boolean neg = m.negativeFor(r.id());
            sb.append("<span class=\"").append(neg ? "neg" : m.expect().equals("pass") ? "pass" : "other").append("\">").append(Html.escape(m.model()))
                    .append(" [").append(Html.escape(m.config())).append("]</span> <small>")
                    .append(Html.escape(m.states())).append(" states, ").append(Html.escape(m.verdict()))
                    .append(m.profile().equals("ci") ? "" : ", " + Html.escape(m.profile()))
                    .append(neg ? ", seeded bug" : "").append("</small><br>");
        }
        if (sorted.size() > FOLD_AFTER) {
            sb.append("</details>");
        }
        return sb.toString();
    }

    private static String proof(Map<String, String> row, SpecSite site) {
        if (row.isEmpty()) {
            return "<em>no row in proofs/README.md</em>";
        }
        StringBuilder sb = new StringBuilder();
        String note = row.getOrDefault("Proof", "");
        sb.append(site.renderMarkdownInline(note, Path.of("proofs/README.md"), PAGE));
        for (String col : List.of("Stateful", "Inductive")) {
            String v = row.getOrDefault(col, "");
            if (!v.isEmpty() && !v.equals("\u2014") && !v.equals("-")) {
                sb.append("<br><small>").append(col.toLowerCase(java.util.Locale.ROOT)).append(": ")
                        .append(site.renderMarkdownInline(v, Path.of("proofs/README.md"), PAGE)).append("</small>");
            }
        }
        return sb.toString();
    }

    /** A statement cell (Markdown, inline) as HTML without links. */
    private static String inline(String md) {
        return Html.escape(md).replaceAll("`([^`]+)`", "<code>$1</code>").replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>");
    }
}
