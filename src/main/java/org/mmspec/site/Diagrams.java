package org.mmspec.site;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mmspec.check.CounterexampleFile;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.Manifest;
import org.mmspec.frames.BuddyAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReservedRegion;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PageSize;
import org.mmspec.paging.PagingFormats;
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.PteFormat;
import org.mmspec.paging.TlbFlushSink;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.Walk;
import org.mmspec.tlb.TlbModels;

/**
 * The site's diagrams, drawn as SVG from real states of the model, never by hand: a
 * {@link BuddyAllocator}'s free-block map after a few operations, a {@link PageMapper} walk of one
 * address (each level's raw entry and what the format decodes it to), and a counterexample as a
 * per-CPU timeline (a file saved by {@code check --save-counterexample}, or the shootdown model's
 * seeded bug {@code bug-ack-first} explored afresh).
 */
public final class Diagrams {
    /** The shootdown configuration drawn when no counterexample file is given. */
    public static final String DEFAULT_CONFIG = "bug-ack-first";

    private final StringBuilder html = new StringBuilder("<h1>Diagrams</h1>\n<p>Drawn by <code>mmspec spec</code> from"
            + " real states of the models (<code>org.mmspec.site.Diagrams</code>); rebuild the site to redraw them.</p>\n");

    private Diagrams() {
    }

    /** The HTML of the diagrams page. */
    public String html() {
        return html.toString();
    }

    /** Draws every diagram into {@code dir} and collects the page that shows them. */
    public static Diagrams build(Path root, Path dir, Optional<Path> counterexample) throws IOException {
        Files.createDirectories(dir);
        Diagrams d = new Diagrams();
        List<String> ops = new ArrayList<>();
        BuddyAllocator buddy = sampleBuddy(ops);
        d.figure(dir, "buddy-free-blocks.svg", buddyMap(buddy),
                "A BuddyAllocator over frames 0..31, orders 0..3, frames 0-1 reserved, after: " + String.join("; ", ops)
                        + ". Free blocks by order above; each frame's state below (spec/frames.md, BUDDY-1..4).");
        for (String format : List.of("x86_64", "sv39")) {
            Walk walk = sampleWalk(PagingFormats.byName(format));
            d.figure(dir, "page-walk-" + format + ".svg", pageWalk(PagingFormats.byName(format), walk),
                    "The " + format + " walk of " + walk.va() + " through a PageMapper holding one user read-write,"
                            + " no-execute page: each level's table, index, raw entry and its decoding (spec/paging.md).");
        }
        CounterexampleFile cex;
        String source;
        if (counterexample.isPresent()) {
            cex = CounterexampleFile.read(counterexample.get());
            source = "the counterexample saved in " + counterexample.get().getFileName();
        } else {
            cex = shootdownCounterexample(root);
            source = "models/tlb-shootdown [" + DEFAULT_CONFIG + "], the seeded bug that acknowledges the IPI before"
                    + " invalidating, explored afresh";
        }
        Files.writeString(dir.resolve("counterexample.txt"), cex.render(), StandardCharsets.UTF_8);
        d.figure(dir, "shootdown-timeline.svg", timeline(cex),
                "A per-CPU timeline of " + source + ": " + cex.counterexample().length() + " steps to a " + cex.counterexample()
                        .invariantId() + " violation. Saved form: <a href=\"diagrams/counterexample.txt\">counterexample.txt</a>"
                        + " (format in spec/checking-core.md).");
        return d;
    }

    private void figure(Path dir, String file, String svg, String caption) throws IOException {
        Files.writeString(dir.resolve(file), svg, StandardCharsets.UTF_8);
        html.append("<figure id=\"").append(file.replace(".svg", "")).append("\"><a href=\"diagrams/").append(file)
                .append("\"><img src=\"diagrams/").append(file).append("\" alt=\"").append(file).append("\"></a>\n<figcaption>")
                .append(caption.contains("<a ") ? caption : Html.escape(caption)).append("</figcaption></figure>\n");
    }

    // ---- buddy allocator -------------------------------------------------------------------------

    /** The buddy-32 shape with two frames reserved, after a few allocations and a free. */
    static BuddyAllocator sampleBuddy(List<String> ops) {
        BuddyAllocator b = new BuddyAllocator(FrameRange.of(0, 32), List.of(ReservedRegion.of(0, 2, "firmware")), 3);
        FrameRange three = b.allocate(3);
        ops.add("allocate(3) = " + three);
        FrameRange two = b.allocateOrder(1);
        ops.add("allocateOrder(1) = " + two);
        FrameRange eight = b.allocateOrder(3);
        ops.add("allocateOrder(3) = " + eight);
        FrameRange one = b.allocateOrder(0);
        ops.add("allocateOrder(0) = " + one);
        b.free(two);
        ops.add("free(" + two + ")");
        return b;
    }

    private static final String[] ORDER_COLOURS = {"#9be3b0", "#6fcf97", "#3fb27f", "#1f8a5c", "#146b45"};
    private static final String LIVE = "#7aa7e8";
    private static final String RESERVED = "#c4c8d0";

    /** Free blocks by order (one row each, largest on top), then the frames: free, live or reserved. */
    static String buddyMap(BuddyAllocator b) {
        long first = b.managed().start().number();
        int frames = (int) b.managed().count();
        int cell = 26;
        int left = 130;
        int top = 50;
        int rowH = 34;
        int orders = b.maxOrder() + 1;
        int width = left + frames * cell + 30;
        int framesY = top + orders * rowH + 16;
        int height = framesY + 120;
        Svg svg = new Svg(width, height, "BuddyAllocator free-block map");
        svg.text(12, 24, "BuddyAllocator: free lists by order, and every frame", 16, "#1d2330", "start", false, "font-weight=\"bold\"");
        for (int k = b.maxOrder(); k >= 0; k--) {
            int y = top + (b.maxOrder() - k) * rowH;
            svg.text(12, y + 21, "order " + k + " (" + (1 << k) + (k == 0 ? " frame)" : " frames)"), 13, "#44506a", "start", false, "");
            svg.rect(left, y + 2, frames * cell, rowH - 4, "#f6f8fa", "#e1e5ec", "");
            for (long s : b.freeBlocks(k)) {
                double x = left + (s - first) * cell;
                svg.rect(x + 1, y + 4, (1L << k) * cell - 2, rowH - 8, ORDER_COLOURS[Math.min(k, ORDER_COLOURS.length - 1)],
                        "#0e4d31", "rx=\"4\"");
                String label = fits("free @" + s, (1L << k) * cell, 11.5) ? "free @" + s : "@" + s;
                svg.text(x + 5, y + 22, label, 11.5, k >= 2 ? "#ffffff" : "#0e3321", "start", false, "");
            }
        }
        svg.text(12, framesY + 19, "frames", 13, "#44506a", "start", false, "");
        for (int i = 0; i < frames; i++) {
            PhysFrame f = PhysFrame.of(first + i);
            boolean reserved = b.reserved().stream().anyMatch(r -> r.start().number() <= f.number() && f.number() < r.end().number());
            String fill = reserved ? RESERVED : b.isFree(f) ? ORDER_COLOURS[0] : LIVE;
            svg.rect(left + i * cell, framesY, cell, 28, fill, "#ffffff", "");
            if (i % 4 == 0) {
                svg.text(left + i * cell + 2, framesY + 44, String.valueOf(first + i), 11, "#44506a", "start", false, "");
                svg.line(left + i * cell, framesY - 4, left + i * cell, framesY + 32, "#44506a", "stroke-width=\"1\"");
            }
        }
        for (var e : b.live().entrySet()) {
            double x = left + (e.getKey() - first) * cell;
            svg.rect(x + 1, framesY + 1, e.getValue() * cell - 2, 26, "none", "#1b3f7a", "stroke-width=\"2\" rx=\"3\"");
            String label = e.getValue() + (e.getValue() == 1 ? " frame" : " frames");
            if (!fits(label, e.getValue() * cell, 11)) {
                label = String.valueOf(e.getValue());
            }
            svg.text(x + 5, framesY + 18, label, 11, "#0d2247", "start", false, "");
        }
        int ly = framesY + 70;
        svg.rect(left, ly, 16, 14, ORDER_COLOURS[0], "#0e4d31", "").text(left + 22, ly + 12, "free", 12, "#1d2330", "start", false, "");
        svg.rect(left + 80, ly, 16, 14, LIVE, "#1b3f7a", "").text(left + 102, ly + 12, "live allocation", 12, "#1d2330", "start", false, "");
        svg.rect(left + 230, ly, 16, 14, RESERVED, "#888", "").text(left + 252, ly + 12, "reserved", 12, "#1d2330", "start", false, "");
        svg.text(left + 340, ly + 12, String.format(Locale.ROOT, "%d free, %d managed, %d live allocations", b.freeFrames(),
                b.managedFrames(), b.live().size()), 12, "#1d2330", "start", false, "");
        return svg.render();
    }

    /** Whether {@code text} at {@code size} fits {@code width} pixels (an average glyph is 0.6 em wide, plus padding). */
    private static boolean fits(String text, double width, double size) {
        return text.length() * size * 0.6 + 10 <= width;
    }

    // ---- page-table walk -------------------------------------------------------------------------

    /** A PageMapper of {@code format} with one user page mapped read-write, no-execute, walked at an offset into it. */
    static Walk sampleWalk(PteFormat format) {
        PageSize size = format.pageSizes().get(0);
        long pageBytes = 1L << size.shift();
        long va = 0x0000_0012_3456_7000L & -pageBytes;
        BuddyAllocator tables = new BuddyAllocator(FrameRange.of(0x100, 256), List.of(), 6);
        PageMapper mapper = new PageMapper(format, new PhysicalMemory(), tables, TlbFlushSink.NONE);
        PhysFrame frame = PhysFrame.of(0x5000);
        PageFlags wanted = PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER, PageFlags.NO_EXECUTE);
        mapper.map(Page.of(va, size), frame, new PageFlags(wanted.bits() & format.supportedFlags().bits()));
        return mapper.walk(VirtAddr.of(va + 0x5a8));
    }

    /** The address split into indexes, then one row per entry read: table, index, raw bits, decoding. */
    static String pageWalk(PteFormat format, Walk walk) {
        int width = 1080;
        int top = 120;
        int rowH = 78;
        int height = top + walk.steps().size() * rowH + 110;
        Svg svg = new Svg(width, height, format.name() + " page-table walk");
        long va = walk.va().value();
        svg.text(12, 26, format.name() + " walk of " + String.format(Locale.ROOT, "0x%016x", va), 16, "#1d2330", "start", false,
                "font-weight=\"bold\"");
        // the virtual address split into the index of each level and the page offset
        int levels = format.levels();
        double x = 12;
        double segW = (width - 24.0) / (levels + 1);
        for (int d = 0; d < levels; d++) {
            int shift = format.indexShift(d);
            int bits = format.indexBits(d);
            long index = (va >>> shift) & ((1L << bits) - 1);
            svg.rect(x, 42, segW - 6, 50, d % 2 == 0 ? "#e8eefb" : "#dfe7f7", "#9fb3d9", "rx=\"4\"");
            svg.text(x + (segW - 6) / 2, 60, format.levelName(d) + " index, bits " + (shift + bits - 1) + ".." + shift, 12,
                    "#1d2330", "middle", false, "");
            svg.text(x + (segW - 6) / 2, 82, String.valueOf(index), 15, "#0b3d91", "middle", true, "font-weight=\"bold\"");
            x += segW;
        }
        int offsetBits = format.indexShift(levels - 1);
        svg.rect(x, 42, segW - 6, 50, "#f3f5f8", "#c4c8d0", "rx=\"4\"");
        svg.text(x + (segW - 6) / 2, 60, "offset, bits " + (offsetBits - 1) + "..0", 12, "#1d2330", "middle", false, "");
        svg.text(x + (segW - 6) / 2, 82, String.format(Locale.ROOT, "0x%x", va & ((1L << offsetBits) - 1)), 15, "#0b3d91",
                "middle", true, "font-weight=\"bold\"");
        svg.text(12, top - 6, "level / table", 12, "#6a7386", "start", false, "");
        svg.text(270, top - 6, "raw entry", 12, "#6a7386", "start", false, "");
        svg.text(470, top - 6, "decoded by " + format.name(), 12, "#6a7386", "start", false, "");
        int y = top;
        for (Walk.StepRead s : walk.steps()) {
            boolean leaf = s.entry().isLeaf();
            svg.rect(12, y, width - 24, rowH - 14, leaf ? "#eaf7ee" : "#f6f8fa", leaf ? "#3fb27f" : "#c4c8d0", "rx=\"5\"");
            svg.text(22, y + 22, format.levelName(s.depth()) + " [" + s.index() + "]", 14, "#1d2330", "start", false,
                    "font-weight=\"bold\"");
            svg.text(22, y + 44, "table @ " + s.table(), 12, "#44506a", "start", true, "");
            svg.text(270, y + 33, String.format(Locale.ROOT, "0x%016x", s.raw()), 14, "#1d2330", "start", true, "");
            String kind = s.entry().kind() + (s.entry().address() != null ? (leaf ? " -> page @ " : " -> next table @ ")
                    + s.entry().address() : "");
            svg.text(470, y + 22, kind, 13, leaf ? "#146b45" : "#1d2330", "start", false, "font-weight=\"bold\"");
            String flags = leaf ? "flags " + s.entry().flags() : "allows below: " + s.entry().flags();
            int ly = y + 42;
            for (String part : Svg.wrap(flags, 80)) {
                svg.text(470, ly, part, 12, "#44506a", "start", true, "");
                ly += 15;
            }
            if (s != walk.steps().get(walk.steps().size() - 1)) {
                svg.line(60, y + rowH - 14, 60, y + rowH, "#44506a", "stroke-width=\"1.5\" marker-end=\"url(#arrow)\"");
            }
            y += rowH;
        }
        String result = walk.translation().map(t -> "translates to " + t.pa() + "  (effective " + t.effective() + ")")
                .orElseGet(() -> "faults: " + walk.fault().map(f -> f.kind() + " at depth " + f.depth() + ": " + f.reason()).orElse("?"));
        svg.rect(12, y + 6, width - 24, 40, walk.translated() ? "#1f8a5c" : "#a01818", "none", "rx=\"5\"");
        svg.text(24, y + 32, result, 14, "#ffffff", "start", true, "");
        return svg.render();
    }

    // ---- counterexample timeline -------------------------------------------------------------------

    /** Explores models/tlb-shootdown [bug-ack-first] and returns its counterexample. */
    static CounterexampleFile shootdownCounterexample(Path root) throws IOException {
        Path file = root.resolve("models").resolve(TlbModels.SHOOTDOWN).resolve("manifest.properties");
        Manifest manifest = Files.isRegularFile(file)
                ? Manifest.parse(TlbModels.SHOOTDOWN, Files.readString(file, StandardCharsets.UTF_8))
                : Manifest.load(TlbModels.SHOOTDOWN);
        var system = org.mmspec.Catalog.model(TlbModels.SHOOTDOWN).build(manifest.bounds(DEFAULT_CONFIG));
        ExplorationResult r = Explorer.explore(system, ExploreBounds.unbounded());
        return new CounterexampleFile(r.system(), r.counterexample()
                .orElseThrow(() -> new IllegalStateException("models/tlb-shootdown [" + DEFAULT_CONFIG + "] found no counterexample")));
    }

    private static final Pattern CPU = Pattern.compile("\\bcpu(\\d+)\\b");
    private static final Pattern CPU_STATE = Pattern.compile("^\\s*cpu(\\d+)\\s+(.*)$");
    private static final Pattern SEND = Pattern.compile("(?:send IPIs? to|IPIs? to) \\{([^}]*)}");
    private static final Pattern FROM = Pattern.compile("IPI from cpu(\\d+)");

    /**
     * One column per CPU, one row per step, time downwards: the step's label in the column of the
     * CPU that took it (the first {@code cpuN} it names; "shared" otherwise), each CPU's state after
     * the step in small type, arrows for IPIs sent and taken, and the violation at the bottom.
     */
    static String timeline(CounterexampleFile file) {
        var cex = file.counterexample();
        TreeSet<Integer> cpus = new TreeSet<>();
        for (var step : cex.steps()) {
            Matcher m = CPU.matcher(step.label() + "\n" + step.state());
            while (m.find()) {
                cpus.add(Integer.parseInt(m.group(1)));
            }
        }
        List<Integer> cols = new ArrayList<>(cpus);
        int stepCol = 46;
        int sharedW = 250;
        int colW = cols.isEmpty() ? 300 : Math.max(230, Math.min(300, 900 / cols.size()));
        int width = stepCol + sharedW + cols.size() * colW + 20;
        int labelChars = colW / 7;
        List<Integer> rowHeights = new ArrayList<>();
        for (var step : cex.steps()) {
            int lines = Svg.wrap(step.label(), labelChars).size();
            Map<Integer, String> st = cpuStates(step.state());
            int stateLines = st.values().stream().mapToInt(v -> Svg.wrap(v, labelChars + 4).size()).max().orElse(1);
            int shared = Svg.wrap(shared(step.state()), sharedW / 7).size();
            rowHeights.add(Math.max(34 + 15 * lines + 13 * stateLines, 20 + 13 * shared));
        }
        int top = 74;
        List<String> failure = Svg.wrap("=> " + cex.failure(), (width - 40) / 8);
        int height = top + rowHeights.stream().mapToInt(Integer::intValue).sum() + 30 + failure.size() * 16 + 20;
        Svg svg = new Svg(width, height, "counterexample timeline");
        svg.text(12, 24, "Counterexample: " + cex.length() + " steps, breaks " + cex.invariantId(), 16, "#1d2330", "start", false,
                "font-weight=\"bold\"");
        svg.text(12, 44, file.system(), 12, "#6a7386", "start", false, "");
        svg.text(stepCol + 6, top - 10, "page table, frames", 13, "#44506a", "start", false, "font-weight=\"bold\"");
        for (int i = 0; i < cols.size(); i++) {
            double cx = stepCol + sharedW + i * colW;
            svg.rect(cx, top - 26, colW - 8, 22, "#1d2330", "none", "rx=\"3\"");
            svg.text(cx + (colW - 8) / 2.0, top - 10, "cpu" + cols.get(i), 13, "#ffffff", "middle", false, "font-weight=\"bold\"");
            svg.line(cx - 4, top, cx - 4, height - failure.size() * 16 - 40, "#d9dee7", "stroke-width=\"1\"");
        }
        int y = top;
        String prevShared = null;
        for (int s = 0; s < cex.steps().size(); s++) {
            var step = cex.steps().get(s);
            int h = rowHeights.get(s);
            if (s % 2 == 1) {
                svg.rect(0, y, width, h, "#f8f9fb", "none", "fill-opacity=\"0.8\"");
            }
            svg.text(10, y + 20, String.valueOf(s), 13, "#6a7386", "start", true, "");
            String shared = shared(step.state());
            boolean changed = !shared.equals(prevShared);
            int sy = y + 18;
            for (String part : Svg.wrap(shared, sharedW / 7)) {
                svg.text(stepCol + 6, sy, part, 11, changed ? "#1d2330" : "#9aa3b5", "start", true, "");
                sy += 13;
            }
            prevShared = shared;
            Matcher actor = CPU.matcher(step.label());
            int col = actor.find() ? cols.indexOf(Integer.parseInt(actor.group(1))) : -1;
            List<String> label = Svg.wrap(step.label(), labelChars);
            Map<Integer, String> states = cpuStates(step.state());
            for (int i = 0; i < cols.size(); i++) {
                double cx = stepCol + sharedW + i * colW;
                int ty = y + 18;
                if (i == col) {
                    boolean hw = step.label().startsWith("hw ");
                    svg.rect(cx, y + 4, colW - 8, 10 + 15 * label.size(), hw ? "#fff3d6" : "#e8eefb", hw ? "#d9a53f" : "#6d8fd1",
                            "rx=\"4\"");
                    for (String part : label) {
                        svg.text(cx + 6, ty, part, 12, "#1d2330", "start", false, "");
                        ty += 15;
                    }
                    ty += 4;
                }
                String st = states.getOrDefault(cols.get(i), "");
                for (String part : Svg.wrap(st, labelChars + 4)) {
                    svg.text(cx + 6, Math.max(ty, y + (i == col ? 0 : 18)), part, 10.5, "#44506a", "start", true, "");
                    ty += 13;
                }
            }
            if (col >= 0) {
                double from = stepCol + sharedW + col * colW + (colW - 8) / 2.0;
                Matcher send = SEND.matcher(step.label());
                if (send.find()) {
                    Matcher t = CPU.matcher(send.group(1));
                    int lane = 0;
                    while (t.find()) {
                        int to = cols.indexOf(Integer.parseInt(t.group(1)));
                        if (to >= 0) {
                            // one arrow per target, stacked so the shorter ones stay visible
                            arrow(svg, from, stepCol + sharedW + to * colW + (colW - 8) / 2.0, y + h - 6 - 7 * lane++, "#b5532a");
                        }
                    }
                }
                Matcher taken = FROM.matcher(step.label());
                if (taken.find()) {
                    int src = cols.indexOf(Integer.parseInt(taken.group(1)));
                    if (src >= 0) {
                        arrow(svg, from, stepCol + sharedW + src * colW + (colW - 8) / 2.0, y + h - 6, "#3f7ad9");
                    }
                }
            }
            y += h;
        }
        svg.rect(8, y + 8, width - 16, failure.size() * 16 + 14, "#fbe9e9", "#a01818", "rx=\"5\"");
        int fy = y + 26;
        for (String part : failure) {
            svg.text(18, fy, part, 12.5, "#7a0f0f", "start", false, "font-weight=\"bold\"");
            fy += 16;
        }
        return svg.render();
    }

    private static void arrow(Svg svg, double x1, double x2, double y, String colour) {
        if (Math.abs(x1 - x2) < 1) {
            return;
        }
        svg.line(x1, y, x2 + (x2 > x1 ? -4 : 4), y, colour, "stroke-width=\"1.6\" stroke-dasharray=\"5 3\" marker-end=\"url(#arrow)\"");
    }

    /** The state lines that name one CPU, by CPU. */
    private static Map<Integer, String> cpuStates(String state) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : state.split("\n")) {
            Matcher m = CPU_STATE.matcher(line);
            if (m.find()) {
                out.merge(Integer.parseInt(m.group(1)), m.group(2).trim(), (a, b) -> a + " " + b);
            }
        }
        return out;
    }

    /** The state lines that belong to no single CPU (the page table, the frames). */
    private static String shared(String state) {
        StringBuilder sb = new StringBuilder();
        for (String line : state.split("\n")) {
            if (!CPU_STATE.matcher(line).find() && !line.isBlank()) {
                sb.append(sb.length() == 0 ? "" : " ").append(line.trim());
            }
        }
        return sb.toString();
    }
}
