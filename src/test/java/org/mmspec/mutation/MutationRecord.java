package org.mmspec.mutation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The mutation scores of record: what PIT last measured for every main source file of the
 * packages issue 14 sets targets for, kept in {@code tools/pit-scores.tsv} and checked by
 * {@link MutationRecordTest} in every build, so a score in README cannot silently go stale.
 *
 * <p>Encoding, one line each, tab-separated, {@code #} starts a comment:
 * <pre>
 *   row     package  source                              mutants  killed  blob-sha1  measured
 *   row     tlb      org/mmspec/tlb/smp/SmpMachine.java  372      327     3f1c...    2026-12-04 8ceadb5
 *   row     frames   org/mmspec/frames/SparseBitmap.java -        -       -          unmeasured
 *   below   tlb      why the package is below its target, or not measured whole
 * </pre>
 * {@code source} is relative to {@code src/main/java}; {@code package} is the component, the
 * first package under {@code org.mmspec} (so {@code tlb} holds {@code tlb.smp}). {@code killed}
 * counts PIT's KILLED and TIMED_OUT, as README says. {@code blob-sha1} is the file's git blob
 * hash ({@code git hash-object}) when PIT ran: a row is <em>fresh</em> while the file still has
 * that hash, and a changed file must be measured again (or its row turned back to unmeasured).
 *
 * <p>Invariants the test holds the record to (each an entry of {@link #problems}): every main
 * source file of the {@link #TARGETS} packages has exactly one row and no row names a missing
 * file; every measured row is fresh and has {@code 0 <= killed <= mutants}; a package whose rows
 * are all measured and whose score reaches its target has no {@code below} line, and every other
 * package has one saying why.
 *
 * <p>{@link #main} is the writer: {@code tools/pit --record} calls it after each PIT run with the
 * run's class glob, and it replaces the rows of every file that glob covers.
 */
public final class MutationRecord {

    /** The record, relative to the project root. */
    public static final Path FILE = Path.of("tools", "pit-scores.tsv");
    static final Path MAIN_SOURCES = Path.of("src", "main", "java");
    static final String ROOT_PACKAGE = "org.mmspec";
    static final String UNMEASURED = "unmeasured";

    /** Issue 14's targets: killed / mutants, in percent, per component package. */
    public static final Map<String, Integer> TARGETS = targets();

    private static Map<String, Integer> targets() {
        Map<String, Integer> t = new LinkedHashMap<>();
        for (String p : List.of("frames", "zones", "numa", "paging", "vm", "fault", "tlb", "heap")) {
            t.put(p, 90);
        }
        t.put("check", 85);
        return Map.copyOf(t);
    }

    /** One main source file and what PIT measured for it, or {@code measured == "unmeasured"}. */
    public record Row(String pkg, String source, int mutants, int killed, String sha, String measured) {
        public boolean isMeasured() {
            return !UNMEASURED.equals(measured);
        }

        static Row unmeasured(String pkg, String source) {
            return new Row(pkg, source, 0, 0, "-", UNMEASURED);
        }

        String line() {
            return isMeasured()
                    ? String.join("\t", "row", pkg, source, Integer.toString(mutants), Integer.toString(killed), sha, measured)
                    : String.join("\t", "row", pkg, source, "-", "-", "-", UNMEASURED);
        }
    }

    /** A package's totals over its measured rows. */
    public record Totals(String pkg, int mutants, int killed, int files, int unmeasured) {
        public double score() {
            return mutants == 0 ? 100.0 : 100.0 * killed / mutants;
        }

        /** Every file measured and the score at or above the target. */
        public boolean meets(int target) {
            return unmeasured == 0 && score() >= target;
        }
    }

    private final TreeMap<String, Row> rows;
    private final TreeMap<String, String> below;

    public MutationRecord(Map<String, Row> rows, Map<String, String> below) {
        this.rows = new TreeMap<>(rows);
        this.below = new TreeMap<>(below);
    }

    public Map<String, Row> rows() {
        return rows;
    }

    public Map<String, String> below() {
        return below;
    }

    /** Reads the record; a malformed line is an {@link IllegalArgumentException} naming it. */
    public static MutationRecord read(Path file) throws IOException {
        Map<String, Row> rows = new TreeMap<>();
        Map<String, String> below = new TreeMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String where = file + ":" + n + ": ";
            if (f[0].equals("below") && f.length == 3 && !f[2].isBlank()) {
                below.put(f[1], f[2]);
            } else if (f[0].equals("row") && f.length == 7) {
                Row r = f[6].equals(UNMEASURED)
                        ? Row.unmeasured(f[1], f[2])
                        : new Row(f[1], f[2], number(f[3], where), number(f[4], where), f[5], f[6]);
                if (rows.put(r.source(), r) != null) {
                    throw new IllegalArgumentException(where + "a second row for " + r.source());
                }
            } else {
                throw new IllegalArgumentException(where + "expected 'row' with 6 fields or 'below' with 2: " + line);
            }
        }
        return new MutationRecord(rows, below);
    }

    private static int number(String s, String where) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "not a count: " + s, e);
        }
    }

    public void write(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        out.add("# Mutation scores of record (issue 14). Written by tools/pit --record; checked by MutationRecordTest.");
        out.add("# row <package> <source under src/main/java> <mutants> <killed (KILLED+TIMED_OUT)> <git blob sha1 when measured> <date commit>");
        out.add("# below <package> <why it is below its target or not measured whole>");
        for (Map.Entry<String, String> b : below.entrySet()) {
            out.add(String.join("\t", "below", b.getKey(), b.getValue()));
        }
        rows.values().stream().sorted((a, b) -> a.pkg().equals(b.pkg())
                ? a.source().compareTo(b.source()) : a.pkg().compareTo(b.pkg())).forEach(r -> out.add(r.line()));
        Files.write(file, out, StandardCharsets.UTF_8);
    }

    /** Totals for every package the record has rows for, by package name. */
    public Map<String, Totals> totals() {
        Map<String, Totals> t = new TreeMap<>();
        for (Row r : rows.values()) {
            Totals o = t.getOrDefault(r.pkg(), new Totals(r.pkg(), 0, 0, 0, 0));
            t.put(r.pkg(), r.isMeasured()
                    ? new Totals(r.pkg(), o.mutants() + r.mutants(), o.killed() + r.killed(), o.files() + 1, o.unmeasured())
                    : new Totals(r.pkg(), o.mutants(), o.killed(), o.files() + 1, o.unmeasured() + 1));
        }
        return t;
    }

    /**
     * Everything wrong with this record against the sources under {@code root}: one line each,
     * naming the file or package, the rule it breaks and what to run. Empty when the record holds.
     */
    public List<String> problems(Path root) throws IOException {
        List<String> p = new ArrayList<>();
        Map<String, String> sources = mainSources(root);
        for (Map.Entry<String, String> s : sources.entrySet()) {
            if (!rows.containsKey(s.getKey())) {
                p.add("MUTATION-RECORD missing: " + s.getKey() + " (package " + s.getValue()
                        + ") has no row; measure it (tools/pit --record " + s.getValue() + ") or add it as unmeasured");
            }
        }
        for (Row r : rows.values()) {
            Path file = root.resolve(MAIN_SOURCES).resolve(r.source());
            if (!sources.containsKey(r.source())) {
                p.add("MUTATION-RECORD gone: the row for " + r.source() + " names no main source file of a targeted package");
                continue;
            }
            if (!r.pkg().equals(sources.get(r.source()))) {
                p.add("MUTATION-RECORD package: " + r.source() + " is in package " + sources.get(r.source()) + ", not " + r.pkg());
            }
            if (!r.isMeasured()) {
                continue;
            }
            if (r.killed() < 0 || r.killed() > r.mutants()) {
                p.add("MUTATION-RECORD counts: " + r.source() + " has killed=" + r.killed() + " of " + r.mutants() + " mutants");
            }
            String now = blobSha(Files.readAllBytes(file));
            if (!now.equals(r.sha())) {
                p.add("MUTATION-RECORD stale: " + r.source() + " changed since PIT measured it (" + r.measured()
                        + "); measure it again: tools/pit --record --classes '" + classOf(r.source()) + "*' " + r.pkg()
                        + " (or turn its row to unmeasured and say why in the package's 'below' line)");
            }
        }
        Map<String, Totals> totals = totals();
        for (Map.Entry<String, Integer> t : new TreeMap<>(TARGETS).entrySet()) {
            Totals tot = totals.getOrDefault(t.getKey(), new Totals(t.getKey(), 0, 0, 0, 0));
            boolean meets = tot.files() > 0 && tot.meets(t.getValue());
            if (!meets && !below.containsKey(t.getKey())) {
                p.add(String.format("MUTATION-RECORD target: %s is at %.1f %% over %d measured files with %d unmeasured,"
                        + " below its %d %% target, and no 'below' line says why", t.getKey(), tot.score(),
                        tot.files() - tot.unmeasured(), tot.unmeasured(), t.getValue()));
            }
            if (meets && below.containsKey(t.getKey())) {
                p.add(String.format("MUTATION-RECORD target: %s meets its %d %% target (%.1f %%, every file measured);"
                        + " remove its 'below' line", t.getKey(), t.getValue(), tot.score()));
            }
        }
        for (String b : below.keySet()) {
            if (!TARGETS.containsKey(b)) {
                p.add("MUTATION-RECORD target: 'below' names " + b + ", which has no target");
            }
        }
        return p;
    }

    /** Every main source file of the targeted packages, relative to {@code src/main/java}, to its package. */
    static Map<String, String> mainSources(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        Path base = root.resolve(MAIN_SOURCES);
        for (String pkg : TARGETS.keySet()) {
            Path dir = base.resolve(ROOT_PACKAGE.replace('.', '/')).resolve(pkg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"))
                        .forEach(f -> m.put(base.relativize(f).toString().replace('\\', '/'), pkg));
            }
        }
        return m;
    }

    static String classOf(String source) {
        return source.substring(0, source.length() - ".java".length()).replace('/', '.');
    }

    /** The git blob hash of a file's bytes: SHA-1 over "blob LENGTH\0" and the bytes. */
    static String blobSha(byte[] content) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-1");
            sha.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    /**
     * A PIT class glob as a regular expression: {@code *} any run of characters, {@code ?} one, and
     * {@code |} between alternatives (PIT passes it through to the pattern it builds, so one
     * {@code -Dpit.classes} can name several class groups); a glob that starts with {@code ~} is
     * a regular expression already, as PIT reads it.
     */
    static Pattern glob(String glob) {
        if (glob.startsWith("~")) {
            return Pattern.compile(glob.substring(1));
        }
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : c == '|' ? "|" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile("(?:" + re + ")");
    }

    /** Mutant counts of one complete PIT run, by source file relative to {@code src/main/java}. */
    record Counts(int mutants, int killed) {
    }

    /**
     * Reads PIT's {@code mutations.xml}. PIT writes it as it goes and closes the root element at
     * the end, so a report of a run still going (or stopped) is not well formed; it is refused,
     * since its counts cover only some of the mutants. (PIT 1.30.2 marks every report
     * {@code partial="true"}, finished or not, so that attribute tells nothing.)
     */
    static Map<String, Counts> readReport(InputStream xml) {
        Map<String, Counts> c = new TreeMap<>();
        Element root;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            root = f.newDocumentBuilder().parse(xml).getDocumentElement();
        } catch (Exception e) {
            throw new IllegalArgumentException("not a complete PIT report (mutations.xml): " + e.getMessage(), e);
        }
        NodeList ms = root.getElementsByTagName("mutation");
        for (int i = 0; i < ms.getLength(); i++) {
            Element m = (Element) ms.item(i);
            String cls = text(m, "mutatedClass");
            int nested = cls.indexOf('$');
            String top = nested < 0 ? cls : cls.substring(0, nested);
            String source = top.substring(0, top.lastIndexOf('.') + 1).replace('.', '/') + text(m, "sourceFile");
            String status = m.getAttribute("status");
            boolean killed = status.equals("KILLED") || status.equals("TIMED_OUT");
            Counts o = c.getOrDefault(source, new Counts(0, 0));
            c.put(source, new Counts(o.mutants() + 1, o.killed() + (killed ? 1 : 0)));
        }
        return c;
    }

    private static String text(Element m, String tag) {
        NodeList n = m.getElementsByTagName(tag);
        if (n.getLength() != 1) {
            throw new IllegalArgumentException("a PIT mutation without exactly one <" + tag + ">");
        }
        return n.item(0).getTextContent().trim();
    }

    /**
     * Replaces the rows of every main source file of {@code pkg} that {@code classGlob} covers with
     * the report's counts (zero for a file PIT made no mutants of), measured at {@code measured}.
     * Returns the files recorded. A mutant in a file outside that set is an error: the glob given
     * is not the run's.
     */
    public Set<String> record(Path root, String pkg, String classGlob, Map<String, Counts> report, String measured)
            throws IOException {
        if (!TARGETS.containsKey(pkg)) {
            throw new IllegalArgumentException("no mutation target for package " + pkg + "; targets: " + TARGETS.keySet());
        }
        Pattern g = glob(classGlob);
        Set<String> covered = new TreeSet<>();
        for (Map.Entry<String, String> s : mainSources(root).entrySet()) {
            if (s.getValue().equals(pkg) && g.matcher(classOf(s.getKey())).matches()) {
                covered.add(s.getKey());
            }
        }
        for (String s : report.keySet()) {
            if (!covered.contains(s)) {
                throw new IllegalArgumentException("the report has mutants of " + s + ", which the glob " + classGlob
                        + " does not cover in package " + pkg + ": give the run's own -Dpit.classes");
            }
        }
        if (covered.isEmpty()) {
            throw new IllegalArgumentException("the glob " + classGlob + " covers no main source file of package " + pkg);
        }
        for (String s : covered) {
            Counts c = report.getOrDefault(s, new Counts(0, 0));
            String sha = blobSha(Files.readAllBytes(root.resolve(MAIN_SOURCES).resolve(s)));
            rows.put(s, new Row(pkg, s, c.mutants(), c.killed(), sha, measured));
        }
        return covered;
    }

    /** Adds an unmeasured row for every targeted main source file that has none. */
    public Set<String> addMissing(Path root) throws IOException {
        Set<String> added = new TreeSet<>();
        for (Map.Entry<String, String> s : mainSources(root).entrySet()) {
            if (!rows.containsKey(s.getKey())) {
                rows.put(s.getKey(), Row.unmeasured(s.getValue(), s.getKey()));
                added.add(s.getKey());
            }
        }
        return added;
    }

    /** README's table row for a package: its name, mutants, killed, score and unmeasured files. */
    public static String readmeCells(Totals t) {
        String score = t.files() == t.unmeasured() ? "-" : String.format("%.1f %%", t.score());
        return String.format("| `%s` | %,d | %,d | %s | %d of %d |", t.pkg(), t.mutants(), t.killed(), score,
                t.unmeasured(), t.files());
    }

    /**
     * {@code record PKG CLASS_GLOB MUTATIONS_XML COMMIT} writes a run into {@link #FILE};
     * {@code summary} prints README's table; {@code missing} adds unmeasured rows for new files.
     * Run from the project root with {@code target/test-classes} on the class path.
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of("");
        MutationRecord r = Files.exists(FILE) ? read(FILE) : new MutationRecord(Map.of(), Map.of());
        switch (args.length == 0 ? "" : args[0]) {
            case "record" -> {
                if (args.length != 5) {
                    usage();
                }
                Map<String, Counts> report;
                try (InputStream in = Files.newInputStream(Path.of(args[3]))) {
                    report = readReport(in);
                }
                String measured = LocalDate.now(ZoneOffset.UTC) + " " + args[4];
                Set<String> done = r.record(root, args[1], args[2], report, measured);
                r.write(FILE);
                Totals t = r.totals().get(args[1]);
                System.out.printf("recorded %d files of %s; package now %s%n", done.size(), args[1], readmeCells(t));
            }
            case "missing" -> {
                Set<String> added = r.addMissing(root);
                r.write(FILE);
                System.out.println("added " + added.size() + " unmeasured rows");
            }
            case "summary" -> {
                System.out.println("| package | mutants | killed | score | files not measured |");
                System.out.println("|---|---:|---:|---:|---:|");
                for (String pkg : TARGETS.keySet().stream().sorted().toList()) {
                    Totals t = r.totals().getOrDefault(pkg, new Totals(pkg, 0, 0, 0, 0));
                    System.out.println(readmeCells(t));
                }
                r.problems(root).forEach(System.out::println);
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: MutationRecord record PKG CLASS_GLOB MUTATIONS_XML COMMIT | missing | summary");
        System.exit(2);
    }
}
