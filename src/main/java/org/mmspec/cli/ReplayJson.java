package org.mmspec.cli;

import java.util.List;
import java.util.stream.Collectors;

import org.mmspec.vm.replay.ReplayHarness;

/** The replay report as one JSON object ({@code mmspec replay --json}); written by hand, the project has no JSON library. */
final class ReplayJson {
    private ReplayJson() {
    }

    static String render(ReplayHarness.Report r, String trace, String maps) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "trace", str(trace));
        field(sb, "maps", str(maps));
        field(sb, "pid", Integer.toString(r.pid()));
        field(sb, "snapshot", str(r.snapshot()));
        field(sb, "agrees", Boolean.toString(r.agrees()));
        field(sb, "callsReplayed", Integer.toString(r.callsReplayed()));
        field(sb, "callsSkipped", Integer.toString(r.callsSkipped()));
        field(sb, "callsAfterSnapshot", Integer.toString(r.callsAfterSnapshot()));
        field(sb, "callsNotReached", Integer.toString(r.callsNotReached()));
        field(sb, "pagesCompared", Long.toString(r.touchedPages()));
        field(sb, "pagesSeeded", Long.toString(r.seededPages()));
        field(sb, "placementAgreed", Integer.toString(r.placementAgreed()));
        field(sb, "placementTotal", Integer.toString(r.placementTotal()));
        field(sb, "boundaryMismatches", Integer.toString(r.boundaryMismatches()));
        field(sb, "suggestedUntilLine", r.suggestedUntilLine() > 0 ? Integer.toString(r.suggestedUntilLine()) : "null");
        field(sb, "divergences", r.divergences().stream()
                .map(d -> "{\"line\":" + d.line() + ",\"call\":" + str(d.call()) + ",\"what\":" + str(d.what())
                        + ",\"intended\":" + d.intended() + "}")
                .collect(Collectors.joining(",", "[", "]")));
        field(sb, "notes", array(r.notes()));
        field(sb, "placementMisses", array(r.placementMisses()));
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String json) {
        sb.append(str(name)).append(':').append(json).append(',');
    }

    private static String array(List<String> items) {
        return items.stream().map(ReplayJson::str).collect(Collectors.joining(",", "[", "]"));
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
