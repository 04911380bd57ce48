package org.mmspec.vm.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address spaces of a {@code strace -f} trace: which thread's calls act on which address
 * space, so that one process is replayed and never two as one.
 *
 * <p>Encoding: every event gets the id of the address space it acted on ({@link #spaceOf}).
 * A space has a leader (the thread id that created it, which is the pid {@code /proc} shows), and,
 * when fork created it, a parent space and the fork's event index: the child starts as a copy of
 * the parent's space, so its history is the parent's calls before the fork followed by its own.
 * How spaces arise, in trace order:
 * <ul>
 * <li>A successful {@code execve}/{@code execveat} gives its thread a fresh space (exec replaces
 *     the address space; calls before it belong to the old one).
 * <li>A {@code clone}/{@code clone3} with {@code CLONE_VM}, or a {@code vfork}, puts the child in
 *     the parent's space (a thread, or a vfork child until it execs); any other clone, or
 *     {@code fork}, gives the child a new space forked from the parent's.
 * <li>A thread whose creation the trace does not show (clone not traced) is taken as a thread of
 *     the first thread's current space when the trace shows that program's execve, and the report
 *     says so ({@link #assumedThreads}); with neither clone nor execve lines (a bare
 *     {@code -e trace=memory} capture) nothing says what a second thread id is, so each is its
 *     own space and the caller must choose one.
 * </ul>
 */
final class Processes {
    private static final Pattern MAPS_PATH = Pattern.compile("\"/proc/(self|thread-self|\\d+)(?:/task/\\d+)?/maps\"");

    /** One address space: its leader's thread id, the space it was forked from (-1) and the fork's event index. */
    record Space(int id, int leader, int parent, int forkIndex) {
    }

    /** Where the program opened a maps file: the event index and the space whose maps it is. */
    record MapsOpen(int index, int space) {
    }

    final List<TraceEvent> events;
    final int[] spaceOf;
    final List<Space> spaces = new ArrayList<>();
    /** The space each thread id is in at the end of the trace. */
    final Map<Integer, Integer> lastSpace = new LinkedHashMap<>();
    /** Thread ids taken as threads of the first process because the trace shows no clone. */
    final List<Integer> assumedThreads = new ArrayList<>();
    /** The last successful open of a maps file, if any. */
    Optional<MapsOpen> mapsOpen = Optional.empty();

    private Processes(List<TraceEvent> events) {
        this.events = events;
        this.spaceOf = new int[events.size()];
    }

    static Processes of(List<TraceEvent> events) {
        Processes p = new Processes(events);
        p.build();
        return p;
    }

    private void build() {
        Map<Integer, int[]> cloned = new HashMap<>(); // child tid -> {parent tid, shares VM (0/1), event index}
        boolean sawExec = false;
        for (int i = 0; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            if (isClone(e) && e.succeeded() && e.result() > 0 && e.result() <= Integer.MAX_VALUE) {
                boolean vm = e.call().equals("vfork") || e.args().stream().anyMatch(a -> a.contains("CLONE_VM"));
                cloned.put((int) e.result(), new int[] {e.pid(), vm ? 1 : 0, i});
            }
            sawExec |= isExec(e);
        }
        boolean cloneTraced = !cloned.isEmpty();
        Map<Integer, Integer> current = new HashMap<>();
        Integer root = null;
        for (int i = 0; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            int tid = e.pid();
            if (!current.containsKey(tid)) {
                int[] c = cloned.get(tid);
                if (root == null) {
                    root = tid;
                    current.put(tid, newSpace(tid, -1, -1));
                } else if (c != null && current.containsKey(c[0])) {
                    current.put(tid, c[1] == 1 ? current.get(c[0]) : newSpace(tid, current.get(c[0]), c[2]));
                } else if (!cloneTraced && sawExec) {
                    current.put(tid, current.get(root));
                    assumedThreads.add(tid);
                } else {
                    current.put(tid, newSpace(tid, -1, -1));
                }
            }
            spaceOf[i] = current.get(tid);
            if (isExec(e)) {
                current.put(tid, newSpace(tid, -1, -1));
            }
            if (isMapsOpen(e)) {
                int target = spaceOf[i];
                Matcher m = MAPS_PATH.matcher(mapsPathArg(e));
                if (m.find() && Character.isDigit(m.group(1).charAt(0))) {
                    Integer s = current.get(Integer.parseInt(m.group(1)));
                    target = s != null ? s : target;
                }
                mapsOpen = Optional.of(new MapsOpen(i, target));
            }
        }
        lastSpace.putAll(current);
    }

    private int newSpace(int leader, int parent, int forkIndex) {
        spaces.add(new Space(spaces.size(), leader, parent, forkIndex));
        return spaces.size() - 1;
    }

    private static boolean isClone(TraceEvent e) {
        return switch (e.call()) {
            case "clone", "clone3", "fork", "vfork" -> true;
            default -> false;
        };
    }

    private static boolean isExec(TraceEvent e) {
        return (e.call().equals("execve") || e.call().equals("execveat")) && e.succeeded();
    }

    static boolean isMapsOpen(TraceEvent e) {
        return (e.call().equals("openat") || e.call().equals("open")) && e.succeeded()
                && e.args().size() >= (e.call().equals("openat") ? 2 : 1) && MAPS_PATH.matcher(mapsPathArg(e)).matches();
    }

    /** The path argument of an open or openat, quoted as strace prints it. */
    static String mapsPathArg(TraceEvent e) {
        return e.args().get(e.call().equals("openat") ? 1 : 0);
    }

    /** The space's history: its parent's events before the fork, then its own, as event indices in trace order. */
    List<Integer> history(int space) {
        Space s = spaces.get(space);
        List<Integer> out = new ArrayList<>();
        if (s.parent() >= 0) {
            for (int i : history(s.parent())) {
                if (i < s.forkIndex()) {
                    out.add(i);
                }
            }
        }
        for (int i = 0; i < events.size(); i++) {
            if (spaceOf[i] == space) {
                out.add(i);
            }
        }
        return out;
    }

    /** Memory calls each space made itself (not inherited), for the listing that asks for {@code --pid}. */
    int ownMemoryCalls(int space) {
        int n = 0;
        for (int i = 0; i < events.size(); i++) {
            if (spaceOf[i] == space && ReplayHarness.isMemoryCall(events.get(i))) {
                n++;
            }
        }
        return n;
    }
}
