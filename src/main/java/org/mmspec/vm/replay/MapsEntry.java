package org.mmspec.vm.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;

/**
 * One line of {@code /proc/PID/maps}: {@code start-end perms offset dev inode [path]}.
 *
 * @param line 1-based line number
 * @param startPage first page
 * @param endPage one past the last page
 * @param prot the {@code rwx} part of perms
 * @param shared {@code s} rather than {@code p}
 * @param offset file offset in bytes
 * @param path the path or pseudo-name ({@code [heap]}, {@code [stack]}, ...), empty if none
 */
public record MapsEntry(int line, long startPage, long endPage, Prot prot, boolean shared, long offset, String path) {
    private static final Pattern LINE = Pattern.compile(
            "^([0-9a-f]+)-([0-9a-f]+)\\s+([r-][w-][x-][ps])\\s+([0-9a-f]+)\\s+([0-9a-f]+:[0-9a-f]+)\\s+(\\d+)\\s*(.*)$");

    /** A marker line such as {@code === /proc/self/maps ===}, which a program may print before its maps. */
    private static final Pattern MARKER = Pattern.compile("^\\s*=+[^=].*=+\\s*$|^\\s*=+\\s*$");

    /**
     * Reads the maps a program printed: a plain maps file, or text whose maps follow its last
     * marker line ({@code === /proc/self/maps ===}). Line numbers stay those of the input.
     *
     * @throws ReplayError {@link ReplayError.Kind#EMPTY_MAPS} if no maps line is there (an empty
     *     file, or a marker with nothing after it), {@link ReplayError.Kind#MALFORMED_MAPS} for a
     *     line after the marker that is not a maps line
     */
    public static List<MapsEntry> parseSnapshot(List<String> lines) {
        int from = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (MARKER.matcher(lines.get(i)).matches()) {
                from = i + 1;
            }
        }
        List<MapsEntry> out = parse(lines, from);
        if (out.isEmpty()) {
            throw new ReplayError(ReplayError.Kind.EMPTY_MAPS, Math.max(1, lines.size()), lines.isEmpty()
                    ? "the maps input is empty"
                    : "no maps line (expected 'start-end perms offset dev inode [path]')" + (from > 0 ? " after the marker on line " + from : ""));
        }
        return out;
    }

    /** Parses a maps file; lines above user space ({@code [vsyscall]}) are left out. */
    public static List<MapsEntry> parse(List<String> lines) {
        return parse(lines, 0);
    }

    private static List<MapsEntry> parse(List<String> lines, int from) {
        List<MapsEntry> out = new ArrayList<>();
        for (int i = from; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new ReplayError(ReplayError.Kind.MALFORMED_MAPS, i + 1,
                        "expected 'start-end perms offset dev inode [path]', got '" + StraceParser.abbreviate(l) + "'");
            }
            long start;
            long end;
            long off;
            try {
                start = Long.parseUnsignedLong(m.group(1), 16);
                end = Long.parseUnsignedLong(m.group(2), 16);
                off = Long.parseUnsignedLong(m.group(4), 16);
            } catch (NumberFormatException e) {
                throw new ReplayError(ReplayError.Kind.MALFORMED_MAPS, i + 1, "address out of range in '" + StraceParser.abbreviate(l) + "'");
            }
            if (Long.compareUnsigned(start, UserAddr.LIMIT) >= 0) {
                continue;
            }
            if (end <= start || (start & (Vma.PAGE_SIZE - 1)) != 0 || (end & (Vma.PAGE_SIZE - 1)) != 0) {
                throw new ReplayError(ReplayError.Kind.MALFORMED_MAPS, i + 1, "range is empty or not page-aligned: '" + StraceParser.abbreviate(l) + "'");
            }
            String perms = m.group(3);
            out.add(new MapsEntry(i + 1, start >>> Vma.PAGE_SHIFT, end >>> Vma.PAGE_SHIFT, Prot.parse(perms),
                    perms.charAt(3) == 's', off, m.group(7).strip()));
        }
        return out;
    }
}
