package org.mmspec.vm.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the output of {@code strace -f}, with or without {@code -y}, {@code -t}/{@code -tt}/{@code -ttt},
 * {@code -T}, and with any {@code -e trace=} set.
 *
 * <p>Accepted lines, each optionally prefixed by a thread id ({@code 1234 } as {@code -o} writes it,
 * or {@code [pid 1234] } as the terminal shows it), then optionally by a timestamp
 * ({@code 05:12:33}, {@code 05:12:33.123456} or {@code 1700000000.123456}), and optionally ending in
 * {@code -T}'s {@code <0.000012>}:
 * <ul>
 * <li>{@code name(args) = result}, where result is a number (with {@code -y}'s {@code <path>}),
 *     {@code -1 ERRNO (text)}, or {@code ?} (possibly followed by a restart errno);
 * <li>{@code name(args <unfinished ...>} and later {@code <... name resumed>rest) = result}, joined
 *     per thread (another thread's lines may come between);
 * <li>{@code --- SIGNAL {...} ---} and {@code +++ exited with N +++} / {@code +++ killed by ... +++},
 *     which are skipped.
 * </ul>
 * The arguments of the calls the replay reads ({@link #READ_ARGS}) must split cleanly; any other
 * call only has to have the shape {@code name(...) = ...}, and is kept to be counted as skipped.
 * Anything else is rejected with a {@link ReplayError} that names the line. The parser never
 * throws anything else, whatever the input (a fuzz test feeds it garbage).
 */
public final class StraceParser {
    /** Thread id ({@code 1234 } or {@code [pid 1234] }), then a timestamp of -t, -tt, -ttt or -r. */
    private static final Pattern PREFIX = Pattern.compile(
            "^(?:\\[pid\\s+(\\d+)\\]\\s*|(\\d+)\\s+)?(?:(?:\\d+:\\d+:\\d+(?:\\.\\d+)?|\\d+\\.\\d+)\\s+)?(.*)$");
    /** {@code -T}'s time spent in the call, at the end of a completed call's line. */
    private static final Pattern DURATION = Pattern.compile("\\s+<\\d+\\.\\d+>$");
    private static final Pattern CALL = Pattern.compile("^([a-z_0-9]+)\\((.*)\\)\\s+=\\s+(.+)$");
    private static final Pattern UNFINISHED = Pattern.compile("^([a-z_0-9]+)\\((.*?)\\s*<unfinished \\.\\.\\.>$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. ([a-z_0-9]+) resumed>(.*)\\)\\s+=\\s+(.+)$");
    private static final Pattern SKIPPED = Pattern.compile("^(---\\s.*\\s---|\\+\\+\\+\\s.*\\s\\+\\+\\+)$");
    /** {@code = ?} or {@code = ? ERESTARTSYS (To be restarted...)}: no result. */
    private static final Pattern UNKNOWN = Pattern.compile("^\\?(?:\\s.*)?$");

    /**
     * The calls whose arguments the replay reads: the memory calls it replays, and the calls that
     * tell it about processes (clone, fork, execve) and the snapshot (openat of a maps file).
     */
    static final java.util.Set<String> READ_ARGS = java.util.Set.of("mmap", "mprotect", "munmap", "brk", "mremap",
            "madvise", "pkey_mprotect", "openat", "open", "execve", "execveat", "clone", "clone3", "fork", "vfork");
    private static final Pattern RESULT = Pattern.compile("^(-?(?:0x[0-9a-f]+|\\d+))(?:<.*>)?(?:\\s.*)?$");
    private static final Pattern ERROR = Pattern.compile("^-1\\s+([A-Z][A-Z0-9_]*)(?:\\s+\\(.*\\))?$");

    private StraceParser() {
    }

    /** Parses a whole trace; the first bad line stops it with a {@link ReplayError}. */
    public static List<TraceEvent> parse(List<String> lines) {
        List<TraceEvent> out = new ArrayList<>();
        Map<Integer, String[]> pending = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            try {
                parseLine(line.strip(), lineNo, pending, out);
            } catch (ReplayError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo, "cannot read '" + abbreviate(line) + "': " + e);
            }
        }
        return out;
    }

    private static void parseLine(String raw, int lineNo, Map<Integer, String[]> pending, List<TraceEvent> out) {
        Matcher p = PREFIX.matcher(raw);
        if (!p.matches()) {
            throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo, "cannot read '" + abbreviate(raw) + "'");
        }
        int pid = pid(p.group(1) != null ? p.group(1) : p.group(2));
        String line = DURATION.matcher(p.group(3)).replaceFirst("");
        if (line.isEmpty() || SKIPPED.matcher(line).matches()) {
            return;
        }
        Matcher m = UNFINISHED.matcher(line);
        if (m.matches()) {
            pending.put(pid, new String[] {m.group(1), m.group(2)});
            return;
        }
        m = RESUMED.matcher(line);
        if (m.matches()) {
            String[] start = pending.remove(pid);
            if (start == null || !start[0].equals(m.group(1))) {
                throw new ReplayError(ReplayError.Kind.UNMATCHED_RESUME, lineNo,
                        "'" + m.group(1) + " resumed' for thread " + pid + " without an unfinished " + m.group(1));
            }
            out.add(event(lineNo, pid, start[0], start[1] + m.group(2), m.group(3)));
            return;
        }
        m = CALL.matcher(line);
        if (m.matches()) {
            out.add(event(lineNo, pid, m.group(1), m.group(2), m.group(3)));
            return;
        }
        throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo,
                "expected 'name(args) = result', an unfinished/resumed call, a signal or an exit, but got '"
                        + abbreviate(raw) + "'");
    }

    private static TraceEvent event(int lineNo, int pid, String call, String args, String result) {
        boolean read = READ_ARGS.contains(call);
        // A call the replay does not read is only counted: its arguments (buffers, structures) need not split.
        List<String> split = read ? splitArgs(args, lineNo) : List.of();
        String r = result.strip();
        if (UNKNOWN.matcher(r).matches()) {
            return new TraceEvent(lineNo, pid, call, split, 0, "?");
        }
        Matcher e = ERROR.matcher(r);
        if (e.matches()) {
            return new TraceEvent(lineNo, pid, call, split, -1, e.group(1));
        }
        Matcher ok = RESULT.matcher(r);
        if (!ok.matches()) {
            if (!read) {
                return new TraceEvent(lineNo, pid, call, split, 0, "?");
            }
            throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo, "unreadable result '" + abbreviate(r) + "'");
        }
        return new TraceEvent(lineNo, pid, call, split, number(ok.group(1), lineNo, "result"), null);
    }

    /** Splits at commas outside quotes, angle brackets, braces and parentheses. */
    static List<String> splitArgs(String args, int lineNo) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quoted) {
                cur.append(c);
                if (c == '\\' && i + 1 < args.length()) {
                    cur.append(args.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            if (c == '>' && i > 0 && args.charAt(i - 1) == '=') {
                // strace's "in => out" for an argument the call changed (clone3's parent_tid): not a bracket.
                cur.append(c);
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case '<', '{', '[', '(' -> depth++;
                case '>', '}', ']', ')' -> depth--;
                default -> {
                }
            }
            if (depth < 0) {
                throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo, "unbalanced '" + c + "' in arguments");
            }
            if (c == ',' && depth == 0) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted || depth != 0) {
            throw new ReplayError(ReplayError.Kind.MALFORMED_LINE, lineNo, "unterminated quote or bracket in arguments");
        }
        if (!cur.isEmpty() || !out.isEmpty()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    /** A decimal or {@code 0x} hexadecimal number, or NULL as 0. */
    static long number(String text, int lineNo, String what) {
        String t = text.strip();
        try {
            if (t.equals("NULL")) {
                return 0;
            }
            boolean neg = t.startsWith("-");
            String body = neg ? t.substring(1) : t;
            long v = body.startsWith("0x") ? Long.parseUnsignedLong(body.substring(2), 16) : Long.parseLong(body);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, lineNo, what + " is not a number: '" + abbreviate(t) + "'");
        }
    }

    private static int pid(String g) {
        if (g == null) {
            return 0;
        }
        try {
            return Integer.parseInt(g);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
