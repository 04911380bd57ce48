package org.mmspec.site;

import java.util.Locale;

/**
 * A small SVG writer: shapes and text appended in drawing order, every text escaped, the document
 * closed by {@link #render}. The diagrams use only rect, line, path, text and marker, so any
 * browser and any XML parser reads them.
 */
final class Svg {
    static final String FONT = "font-family=\"DejaVu Sans, Verdana, sans-serif\"";
    static final String MONO = "font-family=\"DejaVu Sans Mono, monospace\"";

    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;
    private final String title;

    Svg(int width, int height, String title) {
        this.width = width;
        this.height = height;
        this.title = title;
    }

    Svg rect(double x, double y, double w, double h, String fill, String stroke, String extra) {
        body.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"%s\"%s/>%n",
                x, y, w, h, fill, stroke, extra.isEmpty() ? "" : " " + extra));
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, String extra) {
        body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1, y1, x2, y2, stroke, extra.isEmpty() ? "" : " " + extra));
        return this;
    }

    /** Text at (x, y); {@code anchor} is start, middle or end; {@code mono} picks the monospace font. */
    Svg text(double x, double y, String s, double size, String fill, String anchor, boolean mono, String extra) {
        body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"%s\" text-anchor=\"%s\" %s%s>%s</text>%n",
                x, y, size, fill, anchor, mono ? MONO : FONT, extra.isEmpty() ? "" : " " + extra, Html.escape(s)));
        return this;
    }

    Svg raw(String element) {
        body.append(element).append('\n');
        return this;
    }

    String render() {
        return String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n"
                + "<title>%s</title>%n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\""
                + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#44506a\"/></marker></defs>%n"
                + "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n%s</svg>%n",
                width, height, width, height, Html.escape(title), width, height, body);
    }

    /** Splits {@code s} into lines of at most {@code max} characters, at spaces where it can. */
    static java.util.List<String> wrap(String s, int max) {
        java.util.List<String> out = new java.util.ArrayList<>();
        String rest = s.trim();
        while (rest.length() > max) {
            int cut = rest.lastIndexOf(' ', max);
            if (cut <= max / 3) {
                cut = max;
            }
            out.add(rest.substring(0, cut).trim());
            rest = rest.substring(cut).trim();
        }
        if (!rest.isEmpty()) {
            out.add(rest);
        }
        return out;
    }
}
