package org.mmspec.vm.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import org.mmspec.check.MmException;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Layout;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.RemapFlags;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmError;
import org.mmspec.vm.VmFlags;
import org.mmspec.vm.VmSystem;

/**
 * Replays a real program's mmap/mprotect/munmap/brk calls, as strace recorded them, into an
 * {@link AddressSpace}, and compares the result page by page with the {@code /proc/self/maps}
 * the program printed as its last act. Linux is the reference: each call must succeed or fail as
 * it did on Linux, with the same errno, and at the end every page any call touched must be mapped
 * or unmapped, and protected, as Linux shows it.
 *
 * <p>How the replay follows Linux:
 * <ul>
 * <li><b>Exec mappings.</b> The kernel maps the program, the dynamic loader, {@code [stack]},
 *     {@code [vvar]} and {@code [vdso]} before the first traced call, so strace does not show them.
 *     The harness seeds every page of the final maps that no traced mmap produced and that lies
 *     outside the heap, with its final protection; pages that are only seeded agree by
 *     construction and are counted apart ({@link Report#seededPages}).
 * <li><b>Placement.</b> A non-fixed mmap is replayed at the address Linux chose
 *     (MAP_FIXED_NOREPLACE there), so a placement Linux made over a page the model still holds is
 *     a divergence. Whether the model's own top-down search would have chosen the same address is
 *     reported as {@link Report#placementAgreed} for information: the model does not know Linux's
 *     randomized mmap base.
 * <li><b>W^X.</b> The model runs with {@link AddressSpace.WxPolicy#PERMIT}; every W+X request
 *     Linux granted is listed as an intended divergence from the seed's W^X policy.
 * <li><b>mprotect over a hole.</b> Linux changes the areas before the hole and then returns
 *     ENOMEM; the model rejects atomically (ATOMIC-1). The harness checks that the model rejects
 *     with ENOMEM too, lists the intended divergence, and applies the prefix Linux changed so the
 *     replay keeps following Linux.
 * <li><b>One process.</b> {@link Processes} works out which thread's calls act on which address
 *     space (clone with or without CLONE_VM, fork, vfork, execve); the replay takes one space:
 *     {@code --pid}, else the one whose maps file the trace opened, else the only one that made
 *     memory calls, else it stops with {@link ReplayError.Kind#SEVERAL_PROCESSES} listing them.
 *     A forked child's history is its parent's calls before the fork, then its own.
 * <li><b>Exec.</b> An execve starts a new address space: calls before it are not replayed.
 * <li><b>The snapshot.</b> Calls after the program opened its maps file ({@code /proc/self/maps}
 *     or {@code /proc/PID/maps}, the last such {@code openat}) are not replayed, or after
 *     {@code --until-line}. When the capture shows neither, everything is replayed and, if the
 *     replay diverges, calls are dropped from the end until it agrees, to suggest a line
 *     ({@link Report#suggestedUntilLine}); the divergences of the full replay are still reported.
 * <li><b>madvise</b> changes no area or protection: the replay checks that Linux's result fits the
 *     model's areas (success: no hole; ENOMEM: a hole) and notes the advice. <b>pkey_mprotect</b>
 *     is replayed as mprotect, with an intended divergence when it names a key (x86 protection
 *     keys are not modelled). Every other call is skipped and counted.
 * </ul>
 */
public final class ReplayHarness {
    /** Frames for the replay's frame table: page-table roots only, since no page is ever faulted in. */
    private static final long REPLAY_FRAMES = 4;
    /** The heap limit for replay: RLIMIT_DATA is unlimited on the capture machine. */
    private static final long REPLAY_BRK_LIMIT_PAGES = 1L << 32;

    /** How many calls, cut from the end, the search for a snapshot point tries at most. */
    private static final int SNAPSHOT_SEARCH_LIMIT = 200;

    /** The memory calls the replay reads; any other call is skipped and counted. */
    private static final java.util.Set<String> MEMORY_CALLS = java.util.Set.of("mmap", "mprotect", "pkey_mprotect", "munmap",
            "brk", "mremap", "madvise");

    /**
     * One difference from Linux.
     *
     * @param line trace line of the call that produced it: the failing call, or for a page that
     *     differs at the end, the last replayed call that touched those pages (0 if none did)
     * @param call that call as strace printed it ({@code name(args) = result}), empty if none
     * @param what what differs, addresses in hex as {@code /proc/PID/maps} writes them
     * @param intended whether the spec chooses to differ here, and documents it (W^X, ATOMIC-1, PKEY)
     */
    public record Divergence(int line, String call, String what, boolean intended) {
        @Override
        public String toString() {
            return (intended ? "intended" : "DIVERGES") + (line > 0 ? " at line " + line : "") + ": " + what
                    + (call.isEmpty() ? "" : "  [" + call + "]");
        }
    }

    /**
     * What to replay.
     *
     * @param pid the process to replay (any of its thread ids), or {@code null} to take the one
     *     whose maps the trace opened, or the only one
     * @param untilLine replay the calls on lines 1 to this one only (the snapshot point), or {@code null}
     */
    public record Options(Integer pid, Integer untilLine) {
        public static final Options NONE = new Options(null, null);
    }

    /**
     * What a replay found.
     *
     * @param name the fixture's name
     * @param pid the process replayed (its leader's thread id, as {@code /proc} names it)
     * @param snapshot where the replay stopped, and why
     * @param callsReplayed memory calls replayed (up to the snapshot)
     * @param callsAfterSnapshot memory calls after the snapshot, not replayed
     * @param callsNotReached memory calls before the snapshot that the replay did not reach, since
     *     it stops at the first divergence that is not intended
     * @param callsSkipped calls of this process up to the snapshot that do not change an address
     *     space (openat, read, mlock, ...), skipped
     * @param touchedPages pages some successful call touched, all compared
     * @param seededPages of those, pages whose state came from the exec seed only
     * @param placementAgreed non-fixed mmaps where the model's own search picked Linux's address
     * @param placementTotal non-fixed successful mmaps
     * @param boundaryMismatches places inside touched memory where exactly one of Linux and the
     *     model has an area boundary (information: Linux's anon_vma rules depend on faults the
     *     trace does not show)
     * @param divergences every divergence, intended ones included, in trace order
     * @param placementMisses the non-fixed mmaps where the model's search chose another address
     * @param notes what the replay assumed or did not model (madvise no-ops, threads assumed)
     * @param suggestedUntilLine when the capture does not show the snapshot and every divergence
     *     disappears once the calls after this line are dropped: that line; 0 otherwise
     */
    public record Report(String name, int pid, String snapshot, int callsReplayed, int callsAfterSnapshot, int callsNotReached,
            int callsSkipped,
            long touchedPages, long seededPages, int placementAgreed, int placementTotal, int boundaryMismatches,
            List<Divergence> divergences, List<String> placementMisses, List<String> notes, int suggestedUntilLine) {

        /** The first divergence that is not intended, if any. */
        public Optional<Divergence> firstUnintended() {
            return divergences.stream().filter(d -> !d.intended()).findFirst();
        }

        public boolean agrees() {
            return firstUnintended().isEmpty();
        }

        public String render() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%s: pid %d, %d calls replayed (%d not reached), %d other calls skipped, %d after the"
                    + " snapshot not replayed (%s); %d pages compared (%d seeded from exec), placement %d/%d, %d VMA boundary"
                    + " mismatches: %s%n", name, pid, callsReplayed, callsNotReached, callsSkipped, callsAfterSnapshot, snapshot, touchedPages, seededPages, placementAgreed,
                    placementTotal, boundaryMismatches, agrees() ? "agrees with Linux" : "first divergence " + firstUnintended().get()));
            for (Divergence d : divergences) {
                sb.append("  ").append(d).append('\n');
            }
            if (suggestedUntilLine > 0) {
                sb.append("  the maps look taken after line ").append(suggestedUntilLine).append(": rerun with --until-line ")
                        .append(suggestedUntilLine).append('\n');
            }
            for (String note : notes) {
                sb.append("  note: ").append(note).append('\n');
            }
            for (String miss : placementMisses) {
                sb.append("  placement (information): ").append(miss).append('\n');
            }
            return sb.toString();
        }
    }

    private final String name;
    private final List<TraceEvent> calls;
    private final List<MapsEntry> maps;
    private final List<Divergence> divergences = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final TreeMap<Long, Long> touched = new TreeMap<>();
    private final TreeMap<Long, Long> seeded = new TreeMap<>();
    /** Every successful touching call, in order: {start page, end page, index into calls}. */
    private final List<long[]> touchLog = new ArrayList<>();
    private AddressSpace as;
    private TraceEvent current;
    private int replayedCount;
    private int placementAgreed;
    private final List<String> placementMisses = new ArrayList<>();
    private int placementTotal;

    private ReplayHarness(String name, List<TraceEvent> calls, List<MapsEntry> maps) {
        this.name = name;
        this.calls = calls;
        this.maps = maps;
    }

    /** Whether the replay reads this call (it may change an address space); every other call is skipped. */
    static boolean isMemoryCall(TraceEvent e) {
        return MEMORY_CALLS.contains(e.call());
    }

    /** Parses and replays one fixture: the process whose maps the trace opened, up to that point. */
    public static Report run(String name, List<String> traceLines, List<String> mapsLines) {
        return run(name, traceLines, mapsLines, Options.NONE);
    }

    /**
     * Parses and replays one process of a trace against the maps it printed.
     *
     * @throws ReplayError if the trace or the maps cannot be read, or the options do not fit the trace
     */
    public static Report run(String name, List<String> traceLines, List<String> mapsLines, Options options) {
        List<TraceEvent> events = StraceParser.parse(traceLines);
        List<MapsEntry> maps = MapsEntry.parseSnapshot(mapsLines);
        if (options.untilLine() != null && (options.untilLine() < 1 || options.untilLine() > traceLines.size())) {
            throw new ReplayError(ReplayError.Kind.BAD_UNTIL_LINE, Math.max(1, traceLines.size()),
                    "--until-line " + options.untilLine() + " is not a line of the trace (1.." + traceLines.size() + ")");
        }
        Processes procs = Processes.of(events);
        int space = choose(procs, options);
        int cut = Integer.MAX_VALUE;
        String snapshot;
        if (options.untilLine() != null) {
            snapshot = "--until-line " + options.untilLine();
        } else if (procs.mapsOpen.isPresent() && procs.mapsOpen.get().space() == space) {
            TraceEvent open = events.get(procs.mapsOpen.get().index());
            cut = procs.mapsOpen.get().index();
            snapshot = "snapshot at the " + open.call() + " of " + Processes.mapsPathArg(open).replace("\"", "") + " on line " + open.line();
        } else {
            snapshot = "the capture does not show the snapshot: every call replayed";
        }
        List<TraceEvent> replayed = new ArrayList<>();
        int after = 0;
        int skipped = 0;
        for (int i : procs.history(space)) {
            TraceEvent e = events.get(i);
            boolean before = options.untilLine() != null ? e.line() <= options.untilLine() : i < cut;
            if (!isMemoryCall(e)) {
                skipped += before ? 1 : 0;
            } else if (before) {
                replayed.add(e);
            } else {
                after++;
            }
        }
        ReplayHarness h = new ReplayHarness(name, replayed, maps);
        h.replay();
        int suggested = 0;
        boolean snapshotUnknown = options.untilLine() == null && cut == Integer.MAX_VALUE;
        if (snapshotUnknown && !h.agrees()) {
            suggested = suggestSnapshot(name, replayed, maps);
        }
        List<String> notes = new ArrayList<>();
        int pid = procs.spaces.get(space).leader();
        List<Integer> threads = procs.assumedThreads.stream().filter(t -> t != pid && procs.lastSpace.get(t) == space).toList();
        if (!threads.isEmpty()) {
            notes.add("thread ids " + abbreviateList(threads) + " are taken as threads of pid " + pid
                    + ": the trace shows no clone (add clone,clone3,fork,vfork to -e trace= to make it certain)");
        }
        notes.addAll(h.notes);
        return new Report(name, pid, snapshot, h.replayedCount, after, replayed.size() - h.replayedCount, skipped, size(h.touched), size(intersect(h.touched, h.seeded)),
                h.placementAgreed, h.placementTotal, h.boundaryMismatches(), List.copyOf(h.divergences),
                List.copyOf(h.placementMisses), List.copyOf(notes), suggested);
    }

    /**
     * Drops calls from the end, one more each time, until the replay agrees with Linux: the line
     * before the first dropped call is where the maps look taken. 0 if no cut (within
     * {@value #SNAPSHOT_SEARCH_LIMIT} calls, and keeping at least half of them: a snapshot is
     * taken near a program's end, and a cut that drops most of the trace explains nothing) makes
     * every divergence disappear. This only suggests; the report keeps every divergence of the
     * full replay.
     */
    private static int suggestSnapshot(String name, List<TraceEvent> calls, List<MapsEntry> maps) {
        for (int k = 1; k <= Math.min(calls.size() / 2, SNAPSHOT_SEARCH_LIMIT); k++) {
            ReplayHarness h = new ReplayHarness(name, calls.subList(0, calls.size() - k), maps);
            h.replay();
            if (h.agrees()) {
                return calls.get(calls.size() - k).line() - 1;
            }
        }
        return 0;
    }

    private boolean agrees() {
        return divergences.stream().allMatch(Divergence::intended);
    }

    /** The space to replay: {@code --pid}, else the one whose maps were opened, else the only one that made memory calls. */
    private static int choose(Processes procs, Options options) {
        if (options.pid() != null) {
            Integer s = procs.lastSpace.get(options.pid());
            if (s == null) {
                throw new ReplayError(ReplayError.Kind.NO_SUCH_PID, 1, "pid " + options.pid()
                        + " does not appear in the trace; it shows " + listing(procs));
            }
            return s;
        }
        if (procs.mapsOpen.isPresent()) {
            return procs.mapsOpen.get().space();
        }
        List<Processes.Space> busy = procs.spaces.stream().filter(s -> procs.ownMemoryCalls(s.id()) > 0).toList();
        if (busy.isEmpty()) {
            return procs.spaces.isEmpty() ? -1 : procs.spaces.size() - 1;
        }
        if (busy.stream().map(Processes.Space::leader).distinct().count() == 1) {
            // One process, possibly across an exec: the address space it ended with.
            return procs.lastSpace.get(busy.get(0).leader());
        }
        int firstOther = 1;
        for (int i = 0; i < procs.events.size(); i++) {
            if (procs.spaces.get(procs.spaceOf[i]).leader() != busy.get(0).leader()) {
                firstOther = procs.events.get(i).line();
                break;
            }
        }
        throw new ReplayError(ReplayError.Kind.SEVERAL_PROCESSES, firstOther, "the trace holds " + busy.stream()
                .map(Processes.Space::leader).distinct().count() + " processes and does not show whose maps these are: "
                + listing(procs) + "; choose one with --pid");
    }

    /**
     * The processes of a capture that made memory calls of their own, by pid (thread-group leader),
     * in order of appearance: what {@code replay --each-pid} replays one by one.
     *
     * @throws ReplayError if the trace cannot be read
     */
    public static List<Integer> processes(List<String> traceLines) {
        Processes procs = Processes.of(StraceParser.parse(traceLines));
        return procs.spaces.stream().filter(s -> procs.ownMemoryCalls(s.id()) > 0).map(Processes.Space::leader).distinct()
                .toList();
    }

    /** {@code 101 (12 memory calls), 102 (3 memory calls)}: each leader with the memory calls its spaces made. */
    private static String listing(Processes procs) {
        Map<Integer, Integer> byLeader = new java.util.LinkedHashMap<>();
        for (Processes.Space s : procs.spaces) {
            byLeader.merge(s.leader(), procs.ownMemoryCalls(s.id()), Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        byLeader.forEach((pid, n) -> parts.add(pid + " (" + n + " memory call" + (n == 1 ? "" : "s") + ")"));
        return parts.isEmpty() ? "no process" : abbreviateList(parts);
    }

    private static String abbreviateList(List<?> items) {
        String all = items.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        return items.size() <= 12 ? all
                : items.subList(0, 12).stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                        + " and " + (items.size() - 12) + " more";
    }

    private void replay() {
        Optional<TraceEvent> firstBrk = calls.stream().filter(e -> e.call().equals("brk") && e.succeeded()).findFirst();
        long startBrk = firstBrk.map(TraceEvent::result).orElse(Layout.linuxX86_64().startBrkPage() << Vma.PAGE_SHIFT);
        Layout base = Layout.linuxX86_64();
        long mmapBase = inferMmapBase(coverage(calls, startBrk)).orElse(base.mmapBase());
        Layout layout;
        try {
            layout = new Layout(base.minPage(), base.topPage(), mmapBase, base.legacyBase(), base.stackTop(),
                    base.stackInitialPages(), base.stackLimitPages(), base.guardGapPages(), startBrk >>> Vma.PAGE_SHIFT,
                    REPLAY_BRK_LIMIT_PAGES);
        } catch (IllegalArgumentException e) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, firstBrk.map(TraceEvent::line).orElse(1), firstBrk.isPresent()
                    ? String.format("the first brk returned 0x%x, which cannot be the start of a Linux x86_64 heap below the"
                            + " mmap base 0x%x the maps show", startBrk, mmapBase << Vma.PAGE_SHIFT)
                    : String.format("the process makes no brk call, and the default heap start 0x%x is not below the mmap"
                            + " base 0x%x the maps show", startBrk, mmapBase << Vma.PAGE_SHIFT));
        }
        as = AddressSpace.empty(layout, AddressSpace.WxPolicy.PERMIT,
                new VmSystem(layout, AddressSpace.WxPolicy.PERMIT, REPLAY_FRAMES, VmSystem.Bug.NONE).frames());
        seedExecMappings(calls, startBrk);
        for (TraceEvent e : calls) {
            current = e;
            replayedCount++;
            try {
                replayOne(e);
            } catch (IllegalArgumentException outside) {
                // An address or length the model's types cannot hold (past user space): Linux would have failed it.
                diverge(e, "arguments outside the model's user space: " + outside.getMessage());
            }
            if (!agrees()) {
                break;
            }
        }
        current = null;
        if (agrees()) {
            comparePages();
        }
    }

    /**
     * Linux's {@code mmap_base}, as far as the fixture shows it: the kernel placed the dynamic
     * loader with the same top-down search at exec, so the end of the highest file mapping that no
     * traced mmap made is where the search starts.
     */
    private Optional<Long> inferMmapBase(TreeMap<Long, Long> made) {
        long best = -1;
        for (MapsEntry m : maps) {
            if (m.path().isEmpty() || m.path().startsWith("[")) {
                continue;
            }
            for (long[] piece : subtract(m.startPage(), m.endPage(), made)) {
                best = Math.max(best, piece[1]);
            }
        }
        return best > 0 ? Optional.of(best) : Optional.empty();
    }

    /** Pages some traced mmap produced, and the heap's range. */
    private TreeMap<Long, Long> coverage(List<TraceEvent> calls, long startBrk) {
        TreeMap<Long, Long> made = new TreeMap<>();
        long maxBrk = startBrk;
        for (TraceEvent e : calls) {
            if (!e.succeeded()) {
                continue;
            }
            if (e.call().equals("mmap")) {
                MmapArgs a = decode(e);
                add(made, e.result() >>> Vma.PAGE_SHIFT, pagesEnd(e.result(), a.length()));
            } else if (e.call().equals("brk")) {
                maxBrk = Math.max(maxBrk, e.result());
            } else if (e.call().equals("mremap")) {
                MremapArgs a = MremapArgs.decode(e);
                add(made, e.result() >>> Vma.PAGE_SHIFT, pagesEnd(e.result(), a.newLength()));
            }
        }
        add(made, startBrk >>> Vma.PAGE_SHIFT, pagesEnd(maxBrk, 0));
        return made;
    }

    /** Seeds every final-maps page that no traced mmap made and the heap does not hold. */
    private void seedExecMappings(List<TraceEvent> calls, long startBrk) {
        TreeMap<Long, Long> made = coverage(calls, startBrk);
        for (MapsEntry m : maps) {
            for (long[] piece : subtract(m.startPage(), m.endPage(), made)) {
                boolean stack = m.path().equals("[stack]");
                boolean special = m.path().equals("[vdso]") || m.path().equals("[vvar]");
                VmFlags f = new VmFlags(m.shared(), stack, !m.shared() && m.prot().write(), false, special);
                String file = m.path().isEmpty() || stack ? null : m.path();
                long pgoff = (m.offset() >>> Vma.PAGE_SHIFT) + (piece[0] - m.startPage());
                try {
                    as.execMapping(piece[0], piece[1], m.prot(), f, file, pgoff);
                } catch (VmError | IllegalArgumentException e) {
                    throw new ReplayError(ReplayError.Kind.MALFORMED_MAPS, m.line(), "cannot seed this exec mapping: " + e.getMessage());
                }
                add(seeded, piece[0], piece[1]);
            }
        }
    }

    /**
     * Replays one call. A difference from Linux is recorded as a {@link Divergence}; the replay
     * stops at the first one that is not intended, since every later call would act on a state
     * Linux never had.
     */
    private void replayOne(TraceEvent e) {
        if ("?".equals(e.errno())) {
            notes.add("line " + e.line() + ": " + e.call() + " has no result (the thread died in it); skipped");
            return;
        }
        if (e.call().equals("mremap")) {
            replayMremap(e, MremapArgs.decode(e));
            return;
        }
        MmapArgs a = decode(e);
        switch (e.call()) {
            case "mmap" -> replayMmap(e, a);
            case "mprotect" -> replayMprotect(e, a);
            case "pkey_mprotect" -> {
                if (a.pkey() != -1) {
                    divergences.add(new Divergence(e.line(), e.text(), "PKEY: x86 protection key " + a.pkey()
                            + " is not modelled (the page-table model has no PKRU); replayed as mprotect", true));
                }
                replayMprotect(e, a);
            }
            case "madvise" -> replayMadvise(e, a);
            case "munmap" -> {
                Runnable munmap = () -> as.munmap(UserAddr.of(a.addr()), a.length());
                if (e.succeeded()) {
                    replayChecked(e, munmap, a.addr(), a.length());
                } else {
                    replayFailure(e, munmap);
                }
            }
            case "brk" -> {
                long oldEnd = pagesEnd(as.brk().value(), 0);
                UserAddr got = as.brk(a.addr() == 0 ? null : UserAddr.of(a.addr()));
                long newEnd = pagesEnd(got.value(), 0);
                touch(Math.min(oldEnd, newEnd), Math.max(oldEnd, newEnd));
                if (got.value() != e.result()) {
                    diverge(e, String.format("brk returned %s, Linux 0x%x", got, e.result()));
                }
            }
            default -> throw new IllegalStateException("not a memory call: " + e.call());
        }
    }

    private void replayMmap(TraceEvent e, MmapArgs a) {
        if (a.prot().isWriteExec() && e.succeeded()) {
            divergences.add(new Divergence(e.line(), e.text(), "W^X: Linux mapped " + a.prot()
                    + "; the seed's ENFORCE policy rejects it (WX_VIOLATION) — replayed with PERMIT", true));
        }
        if (!e.succeeded()) {
            replayFailure(e, () -> as.mmap(a.addr() == 0 ? null : UserAddr.of(a.addr()), a.length(), a.prot(),
                    a.flags(), a.file(), a.offset()));
            return;
        }
        MapFlags f = a.flags();
        if (!f.fixed()) {
            placementTotal++;
            Optional<UserAddr> ours = as.probePlacement(a.addr() == 0 ? null : UserAddr.of(a.addr()), a.length(), a.file(),
                    a.offset(), f);
            if (ours.isPresent() && ours.get().value() == e.result()) {
                placementAgreed++;
            } else {
                placementMisses.add(String.format("line %d: Linux placed %d pages at 0x%x, the model's search %s", e.line(),
                        (a.length() + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT, e.result(), searched(ours, "finds no place")));
            }
            f = new MapFlags(f.shared(), f.anonymous(), false, true, f.noReserve());
        }
        MapFlags flags = f;
        replayChecked(e, () -> as.mmap(UserAddr.of(e.result()), a.length(), a.prot(), flags, a.file(), a.offset()),
                e.result(), a.length());
    }

    /** The model's placement in a placement miss, in hexadecimal, or what an empty answer means. */
    private static String searched(Optional<UserAddr> ours, String whenEmpty) {
        return ours.map(u -> String.format("0x%x", u.value())).orElse(whenEmpty);
    }

    /**
     * mremap. A failure must fail alike (errno, nothing changed). A success that moved the mapping
     * without MREMAP_FIXED is first asked of the model's own search (counted with the mmap
     * placements) and then replayed with MREMAP_FIXED at Linux's address, so that the replay keeps
     * following Linux; the target must be free in the model, or Linux placed it over a page the
     * model still holds (a divergence).
     */
    private void replayMremap(TraceEvent e, MremapArgs a) {
        UserAddr old = UserAddr.of(a.addr());
        UserAddr hint = a.newAddr() == 0 ? null : UserAddr.of(a.newAddr());
        if (!e.succeeded()) {
            replayFailure(e, () -> as.mremap(old, a.oldLength(), a.newLength(), a.flags(), hint));
            return;
        }
        long newPages = pagesEnd(0, a.newLength());
        RemapFlags flags = a.flags();
        UserAddr target = hint;
        if (e.result() != a.addr() && !flags.fixed()) {
            placementTotal++;
            Optional<UserAddr> ours = as.probeRemapPlacement(old, a.oldLength(), a.newLength(), flags, hint);
            if (ours.isPresent() && ours.get().value() == e.result()) {
                placementAgreed++;
            } else {
                placementMisses.add(String.format("line %d: Linux moved %d pages to 0x%x, the model's search %s", e.line(),
                        newPages, e.result(), searched(ours, "keeps it where it is or finds no place")));
            }
            long to = e.result() >>> Vma.PAGE_SHIFT;
            if (!as.areas().subMap(to, to + newPages).isEmpty() || as.areaAt(to).isPresent()) {
                diverge(e, String.format("Linux moved the mapping to %s, where the model still has a mapping",
                        range(to, to + newPages)));
                return;
            }
            flags = new RemapFlags(true, true, flags.dontUnmap(), flags.unknown());
            target = UserAddr.of(e.result());
        }
        RemapFlags f = flags;
        UserAddr t = target;
        long[] got = {-1};
        int before = divergences.size();
        replayChecked(e, () -> got[0] = as.mremap(old, a.oldLength(), a.newLength(), f, t).value(), a.addr(),
                a.oldLength());
        if (divergences.size() > before) {
            return;
        }
        touch(e.result() >>> Vma.PAGE_SHIFT, pagesEnd(e.result(), a.newLength()));
        if (got[0] != e.result()) {
            diverge(e, String.format("mremap returned 0x%x, Linux 0x%x", got[0], e.result()));
        }
    }

    private void replayMprotect(TraceEvent e, MmapArgs a) {
        if (a.prot().isWriteExec() && e.succeeded()) {
            divergences.add(new Divergence(e.line(), e.text(), "W^X: Linux made a range " + a.prot()
                    + "; the seed's ENFORCE policy rejects it (WX_VIOLATION) — replayed with PERMIT", true));
        }
        if (!e.succeeded() && e.errno().equals("ENOMEM") && (a.addr() & (Vma.PAGE_SIZE - 1)) == 0) {
            replayFailure(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()));
            long start = a.addr() >>> Vma.PAGE_SHIFT;
            long covered = start;
            for (Optional<Vma> v = as.areaAt(covered); v.isPresent() && covered < pagesEnd(a.addr(), a.length());
                    v = as.areaAt(covered)) {
                covered = Math.min(v.get().end(), pagesEnd(a.addr(), a.length()));
            }
            if (covered > start) {
                as.mprotect(UserAddr.ofPage(start), (covered - start) << Vma.PAGE_SHIFT, a.prot());
                touch(start, covered);
                divergences.add(new Divergence(e.line(), e.text(), String.format("ATOMIC-1: Linux changed %s to %s"
                        + " before failing with ENOMEM at the hole; the model rejects without change — prefix applied to follow Linux",
                        range(start, covered), a.prot()), true));
            }
            return;
        }
        if (!e.succeeded()) {
            replayFailure(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()));
            return;
        }
        replayChecked(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()), a.addr(), a.length());
    }

    /** A call Linux accepted: the model must accept it too. */
    private void replayChecked(TraceEvent e, Runnable op, long addr, long length) {
        try {
            op.run();
        } catch (MmException ex) {
            diverge(e, "Linux succeeded, the model rejected: " + hexPages(ex.toString()));
            return;
        } catch (IllegalArgumentException ex) {
            diverge(e, "Linux succeeded, the model cannot express the arguments: " + ex.getMessage());
            return;
        }
        touch(addr >>> Vma.PAGE_SHIFT, pagesEnd(addr, length));
    }

    /** Pages the current call touched: compared at the end, and blamed on it if they differ. */
    private void touch(long start, long end) {
        add(touched, start, end);
        if (end > start) {
            touchLog.add(new long[] {start, end, current.line()});
        }
    }

    private static final java.util.regex.Pattern PAGE_RANGE = java.util.regex.Pattern.compile("\\[(\\d+), (\\d+)\\)");
    private static final java.util.regex.Pattern PAGE = java.util.regex.Pattern.compile("\\bpage (\\d+)");

    /**
     * The model's messages name pages by number ({@code page 22923059446 of [22923059446, 22923059448)});
     * a reader of a replay compares with {@code /proc/PID/maps}, so they become addresses there.
     */
    static String hexPages(String message) {
        String m = PAGE_RANGE.matcher(message).replaceAll(r -> range(Long.parseLong(r.group(1)), Long.parseLong(r.group(2))));
        return PAGE.matcher(m).replaceAll(r -> String.format("page %08x", Long.parseLong(r.group(1)) << Vma.PAGE_SHIFT));
    }

    /** {@code 5644cc446000-5644cc90b000}: a page range as {@code /proc/PID/maps} writes it. */
    static String range(long startPage, long endPage) {
        return String.format("%08x-%08x", startPage << Vma.PAGE_SHIFT, endPage << Vma.PAGE_SHIFT);
    }

    /**
     * madvise changes no mapping: every advice is a no-op on the areas and protections the model
     * compares, so the replay checks only what Linux's result says about the range (success: every
     * page mapped; ENOMEM: a hole in it) and notes the advice. MADV_DONTNEED on private anonymous
     * pages zeroes their contents and keeps the mapping; the replay faults no page in, so the model
     * has no contents there to drop.
     */
    private void replayMadvise(TraceEvent e, MmapArgs a) {
        long start = a.addr() >>> Vma.PAGE_SHIFT;
        long end = pagesEnd(a.addr(), a.length());
        Optional<Long> hole = firstHole(start, end);
        if (e.succeeded()) {
            if (hole.isPresent()) {
                diverge(e, "Linux succeeded, but the model has no area at " + range(hole.get(), hole.get() + 1));
                return;
            }
            touch(start, end);
            notes.add("line " + e.line() + ": madvise " + a.advice() + " on " + range(start, end) + ": "
                    + (a.advice().equals("MADV_DONTNEED")
                            ? "mapping kept, contents dropped (no page was faulted in by the replay, so none to drop)"
                            : "changes no area or protection the model holds; counted as a no-op"));
            return;
        }
        if (e.errno().equals("ENOMEM")) {
            if (hole.isEmpty()) {
                diverge(e, "Linux failed with ENOMEM (a hole in the range), but the model maps all of " + range(start, end));
                return;
            }
            notes.add("line " + e.line() + ": madvise " + a.advice() + " over the hole at " + range(hole.get(), hole.get() + 1)
                    + ": ENOMEM, as the model's areas say");
            return;
        }
        notes.add("line " + e.line() + ": madvise " + a.advice() + " failed with " + e.errno() + "; not modelled, counted as a no-op");
    }

    private Optional<Long> firstHole(long start, long end) {
        long p = start;
        while (p < end) {
            Optional<Vma> v = as.areaAt(p);
            if (v.isEmpty()) {
                return Optional.of(p);
            }
            p = v.get().end();
        }
        return Optional.empty();
    }

    /** A call Linux rejected: the model must reject it with the same errno and change nothing. */
    private void replayFailure(TraceEvent e, Runnable op) {
        Object before = as.key();
        try {
            op.run();
        } catch (VmError ex) {
            if (!ex.errno().equals(e.errno())) {
                diverge(e, "Linux failed with " + e.errno() + ", the model with " + ex.errno() + " (" + hexPages(ex.getMessage()) + ")");
            } else if (!before.equals(as.key())) {
                diverge(e, "the model's rejection changed its state");
            }
            return;
        } catch (IllegalArgumentException ex) {
            // An argument the model's types cannot even hold (not page-sized, past user space): Linux's EINVAL/ENOMEM.
            if (!e.errno().equals("EINVAL") && !e.errno().equals("ENOMEM")) {
                diverge(e, "Linux failed with " + e.errno() + ", the model cannot express the arguments");
            }
            return;
        }
        diverge(e, "Linux failed with " + e.errno() + ", the model succeeded");
    }

    /** Records an unintended divergence: the replay stops after the current call. */
    private void diverge(TraceEvent e, String what) {
        divergences.add(new Divergence(e.line(), e.text(), what, false));
    }

    /** The last replayed call that touched some page of [start, end), for blaming a final difference on it. */
    private Optional<TraceEvent> lastToucher(long start, long end) {
        for (int i = touchLog.size() - 1; i >= 0; i--) {
            long[] t = touchLog.get(i);
            if (t[0] < end && start < t[1]) {
                int line = (int) t[2];
                return calls.stream().filter(c -> c.line() == line).findFirst();
            }
        }
        return Optional.empty();
    }

    /** Compares every touched page: mapped or not, and protection. */
    private void comparePages() {
        TreeMap<Long, MapsEntry> linux = new TreeMap<>();
        for (MapsEntry m : maps) {
            linux.put(m.startPage(), m);
        }
        for (Map.Entry<Long, Long> t : touched.entrySet()) {
            TreeSet<Long> cuts = new TreeSet<>(List.of(t.getKey(), t.getValue()));
            for (MapsEntry m : linux.subMap(t.getKey(), t.getValue()).values()) {
                cuts.add(m.startPage());
                cuts.add(Math.min(m.endPage(), t.getValue()));
            }
            Map.Entry<Long, MapsEntry> first = linux.floorEntry(t.getKey());
            if (first != null) {
                cuts.add(Math.min(Math.max(first.getValue().endPage(), t.getKey()), t.getValue()));
            }
            for (Vma v : as.areas().subMap(t.getKey(), t.getValue()).values()) {
                cuts.add(v.start());
                cuts.add(Math.min(v.end(), t.getValue()));
            }
            as.areaAt(t.getKey()).ifPresent(v -> cuts.add(Math.min(v.end(), t.getValue())));
            Long prev = null;
            for (Long c : cuts) {
                if (prev != null && c > prev) {
                    String l = describe(linuxAt(linux, prev));
                    String m = describe(as.areaAt(prev).map(Vma::prot));
                    if (!l.equals(m)) {
                        Optional<TraceEvent> by = lastToucher(prev, c);
                        divergences.add(new Divergence(by.map(TraceEvent::line).orElse(0), by.map(TraceEvent::text).orElse(""),
                                String.format("%s (%d pages): Linux %s, model %s", range(prev, c), c - prev, l, m), false));
                    }
                }
                prev = c;
            }
        }
    }

    private static Optional<Prot> linuxAt(TreeMap<Long, MapsEntry> linux, long page) {
        Map.Entry<Long, MapsEntry> e = linux.floorEntry(page);
        return e != null && e.getValue().endPage() > page ? Optional.of(e.getValue().prot()) : Optional.empty();
    }

    private static String describe(Optional<Prot> p) {
        return p.map(x -> "mapped " + x).orElse("unmapped");
    }

    /** Boundaries inside touched, mapped-on-both-sides memory that only one of Linux and the model has. */
    private int boundaryMismatches() {
        TreeSet<Long> linux = new TreeSet<>();
        for (MapsEntry m : maps) {
            linux.add(m.startPage());
            linux.add(m.endPage());
        }
        TreeSet<Long> model = new TreeSet<>();
        for (Vma v : as.areas().values()) {
            model.add(v.start());
            model.add(v.end());
        }
        TreeSet<Long> all = new TreeSet<>(linux);
        all.addAll(model);
        int n = 0;
        for (long b : all) {
            if (linux.contains(b) != model.contains(b) && inside(touched, b - 1) && inside(touched, b)
                    && as.areaAt(b - 1).isPresent() && as.areaAt(b).isPresent()) {
                n++;
            }
        }
        return n;
    }

    private static MmapArgs decode(TraceEvent e) {
        try {
            return MmapArgs.decode(e);
        } catch (ReplayError r) {
            throw r;
        } catch (RuntimeException r) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "cannot decode " + e.call() + ": " + r);
        }
    }

    // ---- interval sets: TreeMap from start page to end page, disjoint and coalesced

    private static long pagesEnd(long addr, long length) {
        return (addr + length + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT;
    }

    static void add(TreeMap<Long, Long> set, long start, long end) {
        if (end <= start) {
            return;
        }
        Map.Entry<Long, Long> lo = set.floorEntry(start);
        if (lo != null && lo.getValue() >= start) {
            start = lo.getKey();
            end = Math.max(end, lo.getValue());
        }
        Map.Entry<Long, Long> hi;
        while ((hi = set.ceilingEntry(start)) != null && hi.getKey() <= end) {
            end = Math.max(end, hi.getValue());
            set.remove(hi.getKey());
        }
        set.put(start, end);
    }

    static boolean inside(TreeMap<Long, Long> set, long page) {
        Map.Entry<Long, Long> e = set.floorEntry(page);
        return e != null && e.getValue() > page;
    }

    static List<long[]> subtract(long start, long end, TreeMap<Long, Long> set) {
        List<long[]> out = new ArrayList<>();
        long cur = start;
        Map.Entry<Long, Long> e = set.floorEntry(start);
        if (e != null && e.getValue() > cur) {
            cur = e.getValue();
        }
        for (Map.Entry<Long, Long> s : set.subMap(start, true, end, false).entrySet()) {
            if (s.getKey() > cur) {
                out.add(new long[] {cur, s.getKey()});
            }
            cur = Math.max(cur, s.getValue());
        }
        if (cur < end) {
            out.add(new long[] {cur, end});
        }
        return out;
    }

    static TreeMap<Long, Long> intersect(TreeMap<Long, Long> a, TreeMap<Long, Long> b) {
        TreeMap<Long, Long> out = new TreeMap<>();
        for (Map.Entry<Long, Long> x : a.entrySet()) {
            for (Map.Entry<Long, Long> y : b.entrySet()) {
                long s = Math.max(x.getKey(), y.getKey());
                long t = Math.min(x.getValue(), y.getValue());
                if (s < t) {
                    add(out, s, t);
                }
            }
        }
        return out;
    }

    private static long size(TreeMap<Long, Long> set) {
        return set.entrySet().stream().mapToLong(e -> e.getValue() - e.getKey()).sum();
    }
}
