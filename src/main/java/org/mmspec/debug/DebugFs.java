package org.mmspec.debug;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code /sys/kernel/debug/memory}: a command word written to it selects a report. {@code mem}
 * prints the {@link MemoryReport}; other commands (the seed's {@code dump_pt 0x1000}) are
 * registered by the components that own them. An unknown command is a DebugError.
 */
public final class DebugFs {
    private final Map<String, Function<String[], String>> commands = new TreeMap<>();

    public DebugFs(MemoryReport mem) {
        commands.put("mem", args -> mem.render());
    }

    /** Registers {@code word}; the handler gets the words after it. */
    public DebugFs register(String word, Function<String[], String> handler) {
        commands.put(word, handler);
        return this;
    }

    /** {@code echo <line> > /sys/kernel/debug/memory}: the report the command prints. */
    public String write(String line) {
        String[] words = line.trim().replace("\"", "").split("\\s+");
        Function<String[], String> h = commands.get(words[0]);
        if (h == null) {
            throw new DebugError(DebugError.Kind.UNKNOWN_COMMAND, "unknown debug command '" + words[0] + "'; known: " + commands.keySet());
        }
        String[] args = new String[words.length - 1];
        System.arraycopy(words, 1, args, 0, args.length);
        return h.apply(args);
    }
}
