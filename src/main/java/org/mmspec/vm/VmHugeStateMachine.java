package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;

/**
 * Model-based stateful check of transparent huge pages and MAP_HUGETLB areas: on a space of four
 * 2 MiB ranges, random population of a whole range, collapse, MAP_HUGETLB mmap (2 MiB pages, one
 * in eight at an unaligned address), mprotect, munmap and mremap (MREMAP_MAYMOVE|MREMAP_FIXED)
 * with ends on and off 2 MiB boundaries, user reads and writes (copy-on-write of huge pages and of
 * hugetlb pages included), fork and exit. After every step every page of every process is compared
 * with a trivially correct model (page to protection, word and whether a hugetlb area holds it),
 * and every invariant of {@link VmInvariants#ALL} (HUGE-1 and HUGETLB-1 included) is checked;
 * rejections must change nothing. The model predicts Linux's EINVAL for a range end strictly
 * inside a hugetlb area off a 2 MiB boundary.
 *
 * <p>Ranges are drawn in units of 64 pages (an eighth of a huge page), so that whole huge pages,
 * parts of them and both of their edges come up often.
 */
public final class VmHugeStateMachine implements StateMachine<VmHugeStateMachine.State> {
    /** Pages in one huge page. */
    static final long H = AddressSpace.PMD_PAGES;
    /** The space: four huge ranges; the first holds page 0 and the heap, the last the stack. */
    static final long PAGES = 4 * H;
    /** Frames: two processes each populating and collapsing a range, with room for splits and copies. */
    static final long FRAMES = 2700;
    /** The unit of drawn ranges. */
    static final long UNIT = H / 8;
    /** Most processes alive at once. */
    static final int MAX_PROCESSES = 2;

    /** The implementation and the model: per process, page to protection and word. */
    public static final class State {
        final VmSystem sys;
        final List<TreeMap<Long, long[]>> model = new ArrayList<>();
        long nextWord = 1;

        State(VmSystem sys) {
            this.sys = sys;
        }

        @Override
        public String toString() {
            return sys.toString();
        }
    }

    private final VmSystem.Bug bug;

    public VmHugeStateMachine() {
        this(VmSystem.Bug.NONE);
    }

    public VmHugeStateMachine(VmSystem.Bug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return "vm/huge" + (bug == VmSystem.Bug.NONE ? "" : "[" + bug + "]");
    }

    @Override
    public State init(Choices choices) {
        State s = new State(new VmSystem(Layout.small(PAGES), AddressSpace.WxPolicy.ENFORCE, FRAMES, bug));
        TreeMap<Long, long[]> m = new TreeMap<>();
        Layout l = s.sys.space(0).layout();
        for (long p = l.stackTop() - l.stackInitialPages(); p < l.stackTop(); p++) {
            m.put(p, new long[] {Prot.RW.bits(), 0, 0});
        }
        s.model.add(m);
        return s;
    }

    @Override
    public InvariantSet<State> invariants() {
        List<org.mmspec.check.Invariant<State>> lifted = new ArrayList<>();
        for (org.mmspec.check.Invariant<VmSystem> inv : VmInvariants.ALL.invariants()) {
            lifted.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    st -> inv.evaluate(st.sys).map(org.mmspec.check.Violation::detail)));
        }
        return InvariantSet.of("vm/huge", lifted, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        List<Object> m = new ArrayList<>();
        for (TreeMap<Long, long[]> pm : s.model) {
            StringBuilder b = new StringBuilder();
            pm.forEach((q, v) -> b.append(q).append(':').append(v[0]).append('/').append(v[1]).append(','));
            m.add(b.toString());
        }
        return List.of(s.sys.key(), m);
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                // Populating is several calls; it runs only with frames for all of them, so it cannot fail half-way.
                Rule.when("populate", s -> s.sys.frames().allocator().freeFrames() > H + UNIT, VmHugeStateMachine::populate),
                Rule.of("collapse", VmHugeStateMachine::collapse),
                Rule.of("collapse", VmHugeStateMachine::collapse),
                Rule.of("hugetlb", VmHugeStateMachine::mmapHugetlb),
                Rule.when("hugetlb resize", s -> !hugetlbRanges(s).isEmpty(), VmHugeStateMachine::resizeHugetlb),
                Rule.of("mprotect", VmHugeStateMachine::mprotect),
                Rule.of("munmap", VmHugeStateMachine::munmap),
                Rule.of("mremap", VmHugeStateMachine::mremap),
                Rule.of("access", VmHugeStateMachine::access),
                Rule.of("access", VmHugeStateMachine::access),
                Rule.when("fork", s -> s.sys.spaces().size() < MAX_PROCESSES, VmHugeStateMachine::fork),
                Rule.when("exit", s -> s.sys.spaces().size() > 1, VmHugeStateMachine::exit));
    }

    private static int process(State s, Step<State> step) {
        return step.between(0, s.sys.spaces().size() - 1);
    }

    /** One of the two middle huge ranges (the first and last hold page 0, the heap and the stack). */
    private static long range(Step<State> step) {
        return step.between(1, 2) * H;
    }

    /** Maps a huge range rw- (MAP_FIXED) and writes every page of it, so that it can collapse. */
    private static void populate(State s, Step<State> step) {
        int p = process(s, step);
        long pmd = range(step);
        AddressSpace as = s.sys.space(p);
        step.call("P%d.populate(%d)", p, pmd);
        long word = s.nextWord;
        Outcome<Void> out = step.performVoid(() -> {
            as.mmap(UserAddr.ofPage(pmd), H * Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
            for (long q = pmd; q < pmd + H; q++) {
                PageFaultHandler.access(as, FaultAddr.ofPage(q), Access.WRITE);
                as.store(q, word + q);
            }
        });
        step.agree("populate outcome", out.kind(), "ok");
        TreeMap<Long, long[]> m = s.model.get(p);
        for (long q = pmd; q < pmd + H; q++) {
            m.put(q, new long[] {Prot.RW.bits(), word + q, 0});
        }
        s.nextWord += PAGES;
        compare(s, step);
    }

    /** MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_FIXED of 2 MiB pages; the length rounds up to whole pages. */
    private static void mmapHugetlb(State s, Step<State> step) {
        int p = process(s, step);
        boolean misaligned = step.oneIn(8);
        long at = range(step) + (misaligned ? UNIT : 0);
        // Up to two huge pages from the first middle range, one from the second: the stack's range stays out.
        long len = step.between(1, at < 2 * H ? 16 : 8) * UNIT;
        Prot prot = step.pick(List.of(Prot.R, Prot.RW));
        AddressSpace as = s.sys.space(p);
        step.call("P%d.mmap(%d, %d pages, %s, HUGETLB|FIXED)", p, at, len, prot);
        Outcome<UserAddr> out = step.perform(() -> as.mmap(UserAddr.ofPage(at), len * Vma.PAGE_SIZE, prot,
                MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2), null, 0));
        long pages = (len + H - 1) / H * H;
        if (misaligned) {
            step.agree("hugetlb mmap outcome", out.kind(), "MISALIGNED");
        } else {
            step.agree("hugetlb mmap outcome", out.kind(), "ok");
            setRange(s.model.get(p), at, at + pages, prot, 1);
        }
        compare(s, step);
    }

    /** (process, first page) of every middle range whose first page a hugetlb area holds. */
    private static List<long[]> hugetlbRanges(State s) {
        List<long[]> out = new ArrayList<>();
        for (int p = 0; p < s.model.size(); p++) {
            for (long r = H; r < 3 * H; r += H) {
                long[] mp = s.model.get(p).get(r);
                if (mp != null && mp[2] == 1) {
                    out.add(new long[] {p, r});
                }
            }
        }
        return out;
    }

    /** mremap that would grow a hugetlb area, or move it with MREMAP_DONTUNMAP: Linux's EINVAL, nothing changes. */
    private static void resizeHugetlb(State s, Step<State> step) {
        long[] pick = step.pick(hugetlbRanges(s));
        int p = (int) pick[0];
        long at = pick[1];
        boolean dontUnmap = step.bool();
        AddressSpace as = s.sys.space(p);
        long len = H * Vma.PAGE_SIZE;
        step.call("P%d.mremap(%d, %s)", p, at, dontUnmap ? "MAYMOVE|DONTUNMAP" : "grow to 2 huge pages, MAYMOVE");
        Outcome<UserAddr> out = step.perform(() -> dontUnmap
                ? as.mremap(UserAddr.ofPage(at), len, len, new RemapFlags(true, false, true, false), null)
                : as.mremap(UserAddr.ofPage(at), len, 2 * len, RemapFlags.MAYMOVE, null));
        step.agree("hugetlb mremap outcome", out.kind(), "HUGETLB_RESIZE");
        compare(s, step);
    }

    private static void setRange(TreeMap<Long, long[]> m, long from, long to, Prot prot, long hugetlb) {
        m.subMap(from, to).clear();
        for (long q = from; q < to; q++) {
            m.put(q, new long[] {prot.bits(), 0, hugetlb});
        }
    }

    /** Whether a range end at {@code page} would split a hugetlb area off its 2 MiB pages (Linux's EINVAL). */
    private static boolean badCut(TreeMap<Long, long[]> m, long page) {
        long[] mp = m.get(page);
        return mp != null && mp[2] == 1 && page % H != 0;
    }

    private static void collapse(State s, Step<State> step) {
        int p = process(s, step);
        long pmd = step.oneIn(8) ? range(step) + UNIT : range(step);
        AddressSpace as = s.sys.space(p);
        boolean wasHuge = as.hugePages().contains(pmd);
        step.call("P%d.collapse(%d)", p, pmd);
        Outcome<Void> out = step.performVoid(() -> as.collapseHuge(pmd));
        if (pmd % H != 0) {
            step.agree("collapse outcome", out.kind(), "MISALIGNED");
        } else if (out.isOk()) {
            step.check(as.hugePages().contains(pmd), "collapse(%d) succeeded without a huge page", pmd);
        } else {
            step.check(!wasHuge, "collapse of the huge page %d was rejected", pmd);
            step.check(List.of("NOT_HUGE_ELIGIBLE", "OUT_OF_MEMORY").contains(out.kind()), "unexpected %s", out.kind());
        }
        compare(s, step);
    }

    private static void mprotect(State s, Step<State> step) {
        int p = process(s, step);
        long from = range(step) + step.between(-1, 8) * UNIT;
        // Inside user space: the range checks are the small machine's business.
        long len = Math.min(step.between(1, 10) * UNIT, PAGES - from);
        Prot prot = step.pick(List.of(Prot.NONE, Prot.R, Prot.RW));
        AddressSpace as = s.sys.space(p);
        step.call("P%d.mprotect(%d, %d pages, %s)", p, from, len, prot);
        Outcome<Void> out = step.performVoid(() -> as.mprotect(UserAddr.ofPage(from), len * Vma.PAGE_SIZE, prot));
        TreeMap<Long, long[]> m = s.model.get(p);
        boolean mapped = m.subMap(from, from + len).size() == len;
        boolean cut = badCut(m, from) || badCut(m, from + len);
        if (out.isOk()) {
            step.check(mapped && !cut, "mprotect over a hole or splitting a hugetlb page succeeded");
            m.subMap(from, from + len).values().forEach(v -> v[0] = prot.bits());
        } else {
            step.agree("mprotect outcome", out.kind(), !mapped ? "NOT_MAPPED" : cut ? "MISALIGNED" : "OUT_OF_MEMORY");
        }
        compare(s, step);
    }

    private static void munmap(State s, Step<State> step) {
        int p = process(s, step);
        long from = range(step) + step.between(-1, 8) * UNIT;
        // Inside user space: the range checks are the small machine's business.
        long len = Math.min(step.between(1, 10) * UNIT, PAGES - from);
        AddressSpace as = s.sys.space(p);
        step.call("P%d.munmap(%d, %d pages)", p, from, len);
        Outcome<Void> out = step.performVoid(() -> as.munmap(UserAddr.ofPage(from), len * Vma.PAGE_SIZE));
        boolean cut = badCut(s.model.get(p), from) || badCut(s.model.get(p), from + len);
        if (out.isOk()) {
            step.check(!cut, "munmap splitting a hugetlb page succeeded");
            s.model.get(p).subMap(from, from + len).clear();
        } else {
            step.agree("munmap outcome", out.kind(), cut ? "MISALIGNED" : "OUT_OF_MEMORY");
        }
        compare(s, step);
    }

    /** MREMAP_MAYMOVE|MREMAP_FIXED of a range inside one area to the other middle range. */
    private static void mremap(State s, Step<State> step) {
        int p = process(s, step);
        long pmd = range(step);
        long from = pmd + step.between(0, 7) * UNIT;
        long drawn = step.between(1, 8) * UNIT;
        long to = (3 * H - pmd) + step.between(0, 1) * UNIT;
        AddressSpace as = s.sys.space(p);
        step.call("P%d.mremap(%d, %d pages, FIXED %d)", p, from, drawn, to);
        Outcome<UserAddr> out = step.perform(() -> as.mremap(UserAddr.ofPage(from), drawn * Vma.PAGE_SIZE,
                drawn * Vma.PAGE_SIZE, new RemapFlags(true, true, false, false), UserAddr.ofPage(to)));
        TreeMap<Long, long[]> m = s.model.get(p);
        boolean hugetlb = m.containsKey(from) && m.get(from)[2] == 1;
        // A hugetlb area's lengths round up to its page size; its addresses must be aligned to it.
        long len = hugetlb ? (drawn + H - 1) / H * H : drawn;
        if (hugetlb && (from % H != 0 || to % H != 0)) {
            step.agree("hugetlb mremap outcome", out.kind(), "MISALIGNED");
        } else if (out.isOk()) {
            TreeMap<Long, long[]> moved = new TreeMap<>();
            for (long k = 0; k < len; k++) {
                step.check(m.containsKey(from + k), "mremap moved the unmapped page %d", from + k);
                moved.put(to + k, m.get(from + k));
            }
            m.subMap(from, from + len).clear();
            m.subMap(to, to + len).clear();
            m.putAll(moved);
        } else {
            // Linux's order: the area lookup (EFAULT) before the overlap check (EINVAL).
            boolean overlap = from + len > to && to + len > from && as.areaAt(from).isPresent();
            boolean cut = badCut(m, to) || badCut(m, to + len);
            step.check(List.of("BAD_ADDRESS", "OUT_OF_MEMORY", "OVERLAP", "MISALIGNED").contains(out.kind()), "unexpected %s",
                    out.kind());
            step.check(!out.kind().equals("MISALIGNED") || cut, "mremap to %d rejected MISALIGNED without a hugetlb cut", to);
            step.check(out.kind().equals("OVERLAP") == overlap, "mremap of [%d, +%d) to %d: %s", from, len, to, out.kind());
            step.check(!out.kind().equals("BAD_ADDRESS") || !as.areaAt(from).map(v -> v.end() >= from + len).orElse(false),
                    "mremap of a range inside one area rejected with %s", out.kind());
        }
        compare(s, step);
    }

    private static void access(State s, Step<State> step) {
        int p = process(s, step);
        long page = range(step) + step.between(0, H - 1);
        boolean write = step.bool();
        AddressSpace as = s.sys.space(p);
        long word = s.nextWord;
        step.call("P%d.%s(%d)", p, write ? "WRITE" : "READ", page);
        Outcome<Long> out = step.perform(() -> {
            PageFaultHandler.access(as, FaultAddr.ofPage(page), write ? Access.WRITE : Access.READ);
            if (write) {
                as.store(page, word);
                return word;
            }
            return as.load(page);
        });
        long[] mp = s.model.get(p).get(page);
        if (mp == null) {
            step.check(out.isRejected(), "access to unmapped page %d succeeded", page);
        } else {
            Prot prot = Prot.ofBits((int) mp[0]);
            boolean allowed = write ? prot.write() : prot.readable();
            if (out.isRejected()) {
                step.agree("access outcome", out.kind(), allowed ? "OUT_OF_MEMORY" : "ACCERR");
            } else {
                step.check(allowed, "access to page %d allowed under %s", page, prot);
                if (write) {
                    mp[1] = word;
                    s.nextWord++;
                } else {
                    step.agree("word of page " + page, out.value(), mp[1]);
                }
            }
        }
        compare(s, step);
    }

    private static void fork(State s, Step<State> step) {
        int p = process(s, step);
        step.call("P%d.fork()", p);
        Outcome<Integer> out = step.perform(() -> s.sys.fork(p));
        if (out.isOk()) {
            TreeMap<Long, long[]> child = new TreeMap<>();
            s.model.get(p).forEach((q, v) -> child.put(q, v.clone()));
            s.model.add(child);
        } else {
            step.agree("fork outcome", out.kind(), "OUT_OF_MEMORY");
        }
        compare(s, step);
    }

    private static void exit(State s, Step<State> step) {
        int p = process(s, step);
        step.call("P%d.exit()", p);
        step.performVoid(() -> s.sys.exit(p));
        s.model.remove(p);
        compare(s, step);
    }

    /** Every page of the middle ranges of every process allows and shows what the model says. */
    private static void compare(State s, Step<State> step) {
        step.agree("process count", s.sys.spaces().size(), s.model.size());
        for (int i = 0; i < s.model.size(); i++) {
            AddressSpace as = s.sys.space(i);
            TreeMap<Long, long[]> m = s.model.get(i);
            for (long q = H; q < 3 * H; q++) {
                long[] mp = m.get(q);
                step.agree("P" + i + " page " + q + " protection", as.areaAt(q).map(Vma::prot).orElse(null),
                        mp == null ? null : Prot.ofBits((int) mp[0]));
                step.agree("P" + i + " page " + q + " hugetlb", as.areaAt(q).map(v -> v.flags().hugetlb() != null).orElse(null),
                        mp == null ? null : mp[2] == 1);
                java.util.Optional<Pte> t = as.translation(q);
                if (t.isPresent() && mp != null) {
                    step.agree("P" + i + " page " + q + " contents", as.frames().read(t.get().frame()), mp[1]);
                }
            }
        }
    }
}
