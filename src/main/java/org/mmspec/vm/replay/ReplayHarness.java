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
 * <li><b>Exec.</b> Replay starts after the last successful {@code execve} before the snapshot;
 *     calls before it belong to an address space that exec replaced.
 * <li><b>The snapshot.</b> Calls after the program opened {@code /proc/self/maps} (the last such
 *     {@code openat} in the trace) are not replayed.
 * </ul>
 */
public final class ReplayHarness {
    /** Frames for the replay's frame table: page-table roots only, since no page is ever faulted in. */
    private static final long REPLAY_FRAMES = 4;
    /** The heap limit for replay: RLIMIT_DATA is unlimited on the capture machine. */
    private static final long REPLAY_BRK_LIMIT_PAGES = 1L << 32;

    /**
     * One difference from Linux.
     *
     * @param line trace line (0 for the final page comparison)
     * @param what what differs
     * @param intended whether the spec chooses to differ here (and why, in {@code what})
     */
    public record Divergence(int line, String what, boolean intended) {
        @Override
        public String toString() {
            return (intended ? "intended" : "DIVERGES") + (line > 0 ? " at line " + line : "") + ": " + what;
        }
    }

    /**
     * What a replay found.
     *
     * @param name the fixture's name
     * @param callsReplayed memory calls replayed (up to the snapshot)
     * @param callsAfterSnapshot memory calls after the snapshot, not replayed
     * @param touchedPages pages some successful call touched, all compared
     * @param seededPages of those, pages whose state came from the exec seed only
     * @param placementAgreed non-fixed mmaps where the model's own search picked Linux's address
     * @param placementTotal non-fixed successful mmaps
     * @param boundaryMismatches places inside touched memory where exactly one of Linux and the
     *     model has an area boundary (information: Linux's anon_vma rules depend on faults the
     *     trace does not show)
     * @param divergences every divergence, intended ones included, in trace order
     * @param placementMisses the non-fixed mmaps where the model's search chose another address
     */
    public record Report(String name, int callsReplayed, int callsAfterSnapshot, long touchedPages, long seededPages,
            int placementAgreed, int placementTotal, int boundaryMismatches, List<Divergence> divergences,
            List<String> placementMisses) {

        /** The first divergence that is not intended, if any. */
        public Optional<Divergence> firstUnintended() {
            return divergences.stream().filter(d -> !d.intended()).findFirst();
        }

        public boolean agrees() {
            return firstUnintended().isEmpty();
        }

        public String render() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%s: %d calls replayed (%d after the snapshot skipped), %d pages compared"
                    + " (%d seeded from exec), placement %d/%d, %d VMA boundary mismatches: %s%n", name, callsReplayed,
                    callsAfterSnapshot, touchedPages, seededPages, placementAgreed, placementTotal, boundaryMismatches,
                    agrees() ? "agrees with Linux" : "first divergence " + firstUnintended().get()));
            for (Divergence d : divergences) {
                sb.append("  ").append(d).append('\n');
            }
            for (String miss : placementMisses) {
                sb.append("  placement (information): ").append(miss).append('\n');
            }
            return sb.toString();
        }
    }

    private final String name;
    private final List<TraceEvent> events;
    private final List<MapsEntry> maps;
    private final List<Divergence> divergences = new ArrayList<>();
    private final TreeMap<Long, Long> touched = new TreeMap<>();
    private final TreeMap<Long, Long> seeded = new TreeMap<>();
    private AddressSpace as;
    private int placementAgreed;
    private final List<String> placementMisses = new ArrayList<>();
    private int placementTotal;

    private ReplayHarness(String name, List<TraceEvent> events, List<MapsEntry> maps) {
        this.name = name;
        this.events = events;
        this.maps = maps;
    }

    /**
     * Parses and replays one fixture.
     *
     * @throws ReplayError if the trace or the maps cannot be read
     */
    public static Report run(String name, List<String> traceLines, List<String> mapsLines) {
        return new ReplayHarness(name, StraceParser.parse(traceLines), MapsEntry.parse(mapsLines)).replay();
    }

    private Report replay() {
        int snapshot = events.size();
        for (int i = 0; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            if (e.call().equals("openat") && e.args().size() >= 2 && e.args().get(1).matches("\"/proc/(self|\\d+)/maps\"")) {
                snapshot = i;
            }
        }
        // The traced program's own address space begins at its last successful execve.
        int begin = 0;
        for (int i = 0; i < snapshot; i++) {
            if (events.get(i).call().equals("execve") && events.get(i).succeeded()) {
                begin = i + 1;
            }
        }
        List<TraceEvent> calls = new ArrayList<>();
        int after = 0;
        for (int i = begin; i < events.size(); i++) {
            TraceEvent e = events.get(i);
            if (e.call().equals("openat") || e.call().equals("execve")) {
                continue;
            }
            if (i < snapshot) {
                calls.add(e);
            } else {
                after++;
            }
        }
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
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, firstBrk.map(TraceEvent::line).orElse(1),
                    String.format("the first brk returned 0x%x, which cannot be the start of a Linux x86_64 heap", startBrk));
        }
        as = AddressSpace.empty(layout, AddressSpace.WxPolicy.PERMIT,
                new VmSystem(layout, AddressSpace.WxPolicy.PERMIT, REPLAY_FRAMES, VmSystem.Bug.NONE).frames());
        seedExecMappings(calls, startBrk);
        int replayed = 0;
        for (TraceEvent e : calls) {
            replayed++;
            boolean go;
            try {
                go = replayOne(e);
            } catch (IllegalArgumentException outside) {
                // An address or length the model's types cannot hold (past user space): Linux would have failed it.
                go = diverge(e, "arguments outside the model's user space: " + outside.getMessage());
            }
            if (!go) {
                break;
            }
        }
        if (divergences.stream().allMatch(Divergence::intended)) {
            comparePages();
        }
        return new Report(name, replayed, after, size(touched), size(intersect(touched, seeded)), placementAgreed,
                placementTotal, boundaryMismatches(), List.copyOf(divergences), List.copyOf(placementMisses));
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

    /** Replays one call; false stops the replay at an unintended divergence. */
    private boolean replayOne(TraceEvent e) {
        if ("?".equals(e.errno())) {
            divergences.add(new Divergence(e.line(), e.call() + " has no result (the thread died in it); skipped", true));
            return true;
        }
        if (e.call().equals("mremap")) {
            return diverge(e, "mremap is not modelled");
        }
        MmapArgs a = decode(e);
        switch (e.call()) {
            case "mmap" -> {
                return replayMmap(e, a);
            }
            case "mprotect" -> {
                return replayMprotect(e, a);
            }
            case "munmap" -> {
                return replayChecked(e, () -> as.munmap(UserAddr.of(a.addr()), a.length()), a.addr(), a.length());
            }
            case "brk" -> {
                long oldEnd = pagesEnd(as.brk().value(), 0);
                UserAddr got = as.brk(a.addr() == 0 ? null : UserAddr.of(a.addr()));
                long newEnd = pagesEnd(got.value(), 0);
                add(touched, Math.min(oldEnd, newEnd), Math.max(oldEnd, newEnd));
                return got.value() == e.result() || diverge(e, String.format("brk returned %s, Linux 0x%x", got, e.result()));
            }
            default -> {
                return diverge(e, "unexpected call " + e.call());
            }
        }
    }

    private boolean replayMmap(TraceEvent e, MmapArgs a) {
        if (a.prot().isWriteExec() && e.succeeded()) {
            divergences.add(new Divergence(e.line(), "W^X: Linux mapped " + a.prot() + "; the seed's ENFORCE policy rejects it"
                    + " (WX_VIOLATION) — replayed with PERMIT", true));
        }
        if (!e.succeeded()) {
            return replayFailure(e, () -> as.mmap(a.addr() == 0 ? null : UserAddr.of(a.addr()), a.length(), a.prot(),
                    a.flags(), a.file(), a.offset()));
        }
        MapFlags f = a.flags();
        if (!f.fixed()) {
            placementTotal++;
            Optional<UserAddr> ours = as.probePlacement(a.addr() == 0 ? null : UserAddr.of(a.addr()), a.length(), a.file(),
                    a.offset(), f);
            if (ours.isPresent() && ours.get().value() == e.result()) {
                placementAgreed++;
            } else {
                placementMisses.add(String.format("line %d: Linux placed %d pages at 0x%x, the model's search 0x%x", e.line(),
                        (a.length() + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT, e.result(), ours.map(UserAddr::value).orElse(-1L)));
            }
            f = new MapFlags(f.shared(), f.anonymous(), false, true, f.noReserve());
        }
        MapFlags flags = f;
        return replayChecked(e, () -> as.mmap(UserAddr.of(e.result()), a.length(), a.prot(), flags, a.file(), a.offset()),
                e.result(), a.length());
    }

    private boolean replayMprotect(TraceEvent e, MmapArgs a) {
        if (a.prot().isWriteExec() && e.succeeded()) {
            divergences.add(new Divergence(e.line(), "W^X: Linux made a range " + a.prot()
                    + "; the seed's ENFORCE policy rejects it (WX_VIOLATION) — replayed with PERMIT", true));
        }
        if (!e.succeeded() && e.errno().equals("ENOMEM") && (a.addr() & (Vma.PAGE_SIZE - 1)) == 0) {
            boolean ok = replayFailure(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()));
            long start = a.addr() >>> Vma.PAGE_SHIFT;
            long covered = start;
            for (Optional<Vma> v = as.areaAt(covered); v.isPresent() && covered < pagesEnd(a.addr(), a.length());
                    v = as.areaAt(covered)) {
                covered = Math.min(v.get().end(), pagesEnd(a.addr(), a.length()));
            }
            if (covered > start) {
                as.mprotect(UserAddr.ofPage(start), (covered - start) << Vma.PAGE_SHIFT, a.prot());
                add(touched, start, covered);
                divergences.add(new Divergence(e.line(), String.format("ATOMIC-1: Linux changed pages [0x%x, 0x%x) to %s"
                        + " before failing with ENOMEM at the hole; the model rejects without change — prefix applied to follow Linux",
                        start, covered, a.prot()), true));
            }
            return ok;
        }
        if (!e.succeeded()) {
            return replayFailure(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()));
        }
        return replayChecked(e, () -> as.mprotect(UserAddr.of(a.addr()), a.length(), a.prot()), a.addr(), a.length());
    }

    /** A call Linux accepted: the model must accept it too. */
    private boolean replayChecked(TraceEvent e, Runnable op, long addr, long length) {
        try {
            op.run();
        } catch (MmException ex) {
            return diverge(e, "Linux succeeded, the model rejected: " + ex);
        } catch (IllegalArgumentException ex) {
            return diverge(e, "Linux succeeded, the model cannot express the arguments: " + ex.getMessage());
        }
        if (length > 0) {
            add(touched, addr >>> Vma.PAGE_SHIFT, pagesEnd(addr, length));
        }
        return true;
    }

    /** A call Linux rejected: the model must reject it with the same errno and change nothing. */
    private boolean replayFailure(TraceEvent e, Runnable op) {
        Object before = as.key();
        try {
            op.run();
        } catch (VmError ex) {
            if (!ex.errno().equals(e.errno())) {
                return diverge(e, "Linux failed with " + e.errno() + ", the model with " + ex.errno() + " (" + ex.getMessage() + ")");
            }
            return before.equals(as.key()) || diverge(e, "the model's rejection changed its state");
        } catch (IllegalArgumentException ex) {
            // An argument the model's types cannot even hold (not page-sized, past user space): Linux's EINVAL/ENOMEM.
            return e.errno().equals("EINVAL") || e.errno().equals("ENOMEM")
                    || diverge(e, "Linux failed with " + e.errno() + ", the model cannot express the arguments");
        }
        return diverge(e, "Linux failed with " + e.errno() + ", the model succeeded");
    }

    private boolean diverge(TraceEvent e, String what) {
        divergences.add(new Divergence(e.line(), e.call() + ": " + what, false));
        return false;
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
                        divergences.add(new Divergence(0, String.format("pages [0x%x, 0x%x): Linux %s, model %s",
                                prev, c, l, m), false));
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

    private static boolean inside(TreeMap<Long, Long> set, long page) {
        Map.Entry<Long, Long> e = set.floorEntry(page);
        return e != null && e.getValue() > page;
    }

    private static List<long[]> subtract(long start, long end, TreeMap<Long, Long> set) {
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

    private static TreeMap<Long, Long> intersect(TreeMap<Long, Long> a, TreeMap<Long, Long> b) {
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
