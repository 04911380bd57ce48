package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.FaultInvariants;
import org.mmspec.fault.FaultType;
import org.mmspec.fault.PageFaultHandler;

/**
 * Model-based stateful check of address spaces and page faults: random mmap, mprotect, munmap,
 * brk, user loads/stores/fetches (faulting as needed), fork and exit on a small {@link Layout},
 * compared after every step with a trivially correct model, a per-process map from page to
 * (protection, word stored). The model knows nothing of areas, merging, frames or copy-on-write;
 * it says only what each page must allow and show, which is what a program can observe.
 *
 * <p>Arguments deliberately include bad input: zero lengths, unaligned addresses, ranges past
 * user space, W+X protections, holes, accesses to unmapped and protected pages, so every
 * rejection path runs and {@link Step#perform} checks that it changed nothing (ATOMIC-1).
 */
public final class VmStateMachine implements StateMachine<VmStateMachine.State> {
    /** Pages in the machine's address space. */
    static final int PAGES = 16;
    /**
     * Physical frames: each process needs four x86_64 page-table frames (PML4, PDPT, PD, PT), and
     * few data frames are left over, so faults and forks run out of memory now and then.
     */
    static final int FRAMES = 18;
    /** Most processes alive at once. */
    static final int MAX_PROCESSES = 3;
    /** Longest range an operation draws, in pages. */
    static final int MAX_LEN = 4;

    /**
     * The word a page holds. Private pages each have their own cell (fork copies it); the pages of
     * a MAP_SHARED mapping keep one cell per page across fork, so a store through one process
     * shows in the other.
     */
    static final class Cell {
        long word;

        Cell(long word) {
            this.word = word;
        }

        @Override
        public String toString() {
            return Long.toString(word);
        }
    }

    /**
     * One page as a program sees it. A private page has its own cell ({@code obj} 0); a page of a
     * MAP_SHARED mapping names its object and page offset there, and its cell is the object's
     * cell for that offset, so that a mapping grown by mremap over offsets it once shrank away from
     * shows what the object still holds.
     */
    record ModelPage(Prot prot, boolean shared, Cell cell, long obj, long off) {
        static ModelPage fresh(Prot prot, boolean shared) {
            return new ModelPage(prot, shared, new Cell(0), 0, 0);
        }

        long word() {
            return cell.word;
        }

        ModelPage withProt(Prot p) {
            return new ModelPage(p, shared, cell, obj, off);
        }

        /** This page as the child of a fork sees it. */
        ModelPage forked() {
            return shared ? this : new ModelPage(prot, false, new Cell(cell.word), 0, 0);
        }
    }

    /** The implementation and the model, side by side. */
    public static final class State {
        final VmSystem sys;
        final List<TreeMap<Long, ModelPage>> model = new ArrayList<>();
        /** Shared objects: object, then page offset, to the word the object holds there. */
        final Map<Long, Map<Long, Cell>> objects = new java.util.HashMap<>();
        long nextWord = 1;
        long nextObject = 1;

        State(VmSystem sys) {
            this.sys = sys;
        }

        Layout layout() {
            return sys.space(0).layout();
        }

        /** Page {@code off} of shared object {@code obj} with protection {@code prot}. */
        ModelPage sharedPage(Prot prot, long obj, long off) {
            return new ModelPage(prot, true, objects.computeIfAbsent(obj, o -> new java.util.HashMap<>())
                    .computeIfAbsent(off, o -> new Cell(0)), obj, off);
        }

        @Override
        public String toString() {
            return sys + "\n  model=" + model;
        }
    }

    private final VmSystem.Bug bug;
    private final org.mmspec.paging.PteFormat format;
    private final AddressSpace.WxPolicy wx;

    public VmStateMachine() {
        this(VmSystem.Bug.NONE);
    }

    /** A machine whose implementation carries {@code bug}, to show the check catches it. */
    public VmStateMachine(VmSystem.Bug bug) {
        this(bug, org.mmspec.paging.x86_64.X86_64Pte.FORMAT);
    }

    /** A machine whose page tables have {@code format} (one with 4 KiB pages). */
    public VmStateMachine(VmSystem.Bug bug, org.mmspec.paging.PteFormat format) {
        this(bug, format, AddressSpace.WxPolicy.ENFORCE);
    }

    /**
     * A machine under W^X policy {@code wx}. Under {@link AddressSpace.WxPolicy#PERMIT} (the
     * replay's, Linux's) W+X protections are granted, so W+X areas, their write/exec flips and
     * mprotect over their present pages all run, with ATOMIC-1 checked on every rejection.
     */
    public VmStateMachine(VmSystem.Bug bug, org.mmspec.paging.PteFormat format, AddressSpace.WxPolicy wx) {
        this.bug = bug;
        this.format = format;
        this.wx = wx;
    }

    /** The model-based check under {@link AddressSpace.WxPolicy#PERMIT}. */
    public static VmStateMachine permit() {
        return new VmStateMachine(VmSystem.Bug.NONE, org.mmspec.paging.x86_64.X86_64Pte.FORMAT,
                AddressSpace.WxPolicy.PERMIT);
    }

    @Override
    public String name() {
        return "vm" + (format == org.mmspec.paging.x86_64.X86_64Pte.FORMAT ? "" : "/" + format.name())
                + (wx == AddressSpace.WxPolicy.ENFORCE ? "" : "/" + wx.name().toLowerCase(java.util.Locale.ROOT))
                + (bug == VmSystem.Bug.NONE ? "" : "[" + bug + "]");
    }

    @Override
    public State init(Choices choices) {
        State s = new State(new VmSystem(Layout.small(PAGES), wx, FRAMES, bug, format));
        TreeMap<Long, ModelPage> m = new TreeMap<>();
        Layout l = s.layout();
        for (long p = l.stackTop() - l.stackInitialPages(); p < l.stackTop(); p++) {
            m.put(p, ModelPage.fresh(Prot.RW, false));
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
        return InvariantSet.of("vm", lifted, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return List.of(s.sys.key(), s.model.toString());
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("mmap", VmStateMachine::mmap),
                Rule.of("mprotect", VmStateMachine::mprotect),
                Rule.of("munmap", VmStateMachine::munmap),
                Rule.of("mremap", VmStateMachine::mremap),
                Rule.of("brk", VmStateMachine::brk),
                Rule.of("access", VmStateMachine::access),
                Rule.of("access", VmStateMachine::access),
                Rule.when("fork", s -> s.sys.spaces().size() < MAX_PROCESSES, VmStateMachine::fork),
                Rule.when("exit", s -> s.sys.spaces().size() > 1, VmStateMachine::exit));
    }

    private static int process(State s, Step<State> step) {
        return step.between(0, s.sys.spaces().size() - 1);
    }

    private static Prot prot(Step<State> step) {
        return step.pick(Prot.ALL);
    }

    private static void mmap(State s, Step<State> step) {
        int p = process(s, step);
        boolean fixed = step.bool();
        // MAP_FIXED_NOREPLACE alone (without MAP_FIXED): exact placement that refuses to replace (EXISTS).
        boolean noReplace = !fixed && step.oneIn(3);
        boolean shared = step.oneIn(4);
        TreeMap<Long, ModelPage> mapped = s.model.get(p);
        // MAP_FIXED_NOREPLACE aims at a mapped page (the lowest, or any) most of the time, so EXISTS comes up often.
        int aim = noReplace && !mapped.isEmpty() ? step.between(0, 3) : 3;
        // Page 0 (below mmap_min_addr) a little more often than a uniform draw gives it.
        long page = aim == 0 || aim == 1 ? mapped.firstKey() : aim == 2 ? step.pick(new ArrayList<>(mapped.keySet()))
                : step.oneIn(5) ? 0 : step.between(0, PAGES);
        long len = step.between(0, MAX_LEN);
        Prot prot = prot(step);
        // Bad input at a useful rate: flags that contradict the file argument (BAD_FLAGS), an
        // unaligned file offset or MAP_FIXED address (MISALIGNED).
        int bad = step.between(0, 11);
        boolean badFlags = bad == 0;
        boolean badOffset = bad == 1;
        boolean unalignedAddr = bad == 2 && (fixed || noReplace);
        AddressSpace as = s.sys.space(p);
        Layout l = as.layout();
        UserAddr addr = UserAddr.of((page << Vma.PAGE_SHIFT) + (unalignedAddr ? 8 : 0));
        // A contradiction: MAP_ANONYMOUS with a file, or no MAP_ANONYMOUS and no file.
        boolean anonymous = !badFlags || step.bool();
        String file = badFlags && anonymous ? "/lib/libc.so.6" : null;
        long offset = badOffset ? Vma.PAGE_SIZE / 2 : 0;
        MapFlags flags = new MapFlags(shared, anonymous, fixed, noReplace, false);
        boolean exact = fixed || noReplace;
        step.call("P%d.mmap(%s, %d pages, %s, %s%s%s)", p, exact ? addr : page == 0 ? "NULL" : "hint " + addr, len, prot, flags,
                file == null ? "" : ", file " + file, offset == 0 ? "" : ", offset 0x" + Long.toHexString(offset));
        Outcome<UserAddr> out = step.perform(() -> as.mmap(exact || page != 0 ? addr : null, len * Vma.PAGE_SIZE, prot,
                flags, file, offset));
        TreeMap<Long, ModelPage> m = s.model.get(p);
        String expected;
        if (len == 0) {
            expected = "ZERO_LENGTH";
        } else if (badFlags) {
            expected = "BAD_FLAGS";
        } else if (badOffset) {
            expected = "MISALIGNED";
        } else if (prot.isWriteExec() && as.wxPolicy() == AddressSpace.WxPolicy.ENFORCE) {
            expected = "WX_VIOLATION";
        } else if (unalignedAddr) {
            expected = "MISALIGNED";
        } else if (exact && page + len > l.topPage()) {
            expected = "OUT_OF_RANGE";
        } else if (exact && page < l.minPage()) {
            expected = "BELOW_MIN_ADDR";
        } else if (noReplace && !allUnmapped(m, page, page + len)) {
            expected = "EXISTS";
        } else if (!exact && out.isRejected() && !hasFreeRun(m, l, len)) {
            expected = "NO_SPACE";
        } else {
            expected = "ok";
        }
        // The invariants before the outcome, so that a validation rule switched off whose result
        // breaks one (an area below mmap_min_addr: VMA-2) is reported by its name, not only as the
        // model mismatch it also is.
        VmInvariants.ALL.assertHolds(s.sys);
        step.agree("mmap outcome", out.kind(), expected);
        if (out.isOk()) {
            long start = out.value().page();
            if (exact) {
                step.agree("MAP_FIXED / MAP_FIXED_NOREPLACE address", start, page);
            }
            if (!fixed) {
                for (long q = start; q < start + len; q++) {
                    step.check(!m.containsKey(q) && q >= l.minPage() && q < l.topPage(),
                            "mmap without MAP_FIXED placed page %d over a mapping or outside user space", q);
                }
            }
            long obj = shared ? s.nextObject++ : 0;
            for (long q = start; q < start + len; q++) {
                m.put(q, shared ? s.sharedPage(prot, obj, q - start) : ModelPage.fresh(prot, false));
            }
        }
        compare(s, step);
    }

    /** A run of {@code len} unmapped user pages clear of the stack's guard gap. */
    private static boolean hasFreeRun(TreeMap<Long, ModelPage> m, Layout l, long len) {
        long run = 0;
        for (long q = l.minPage(); q < l.topPage(); q++) {
            boolean gap = !m.containsKey(q) && inStackGap(m, l, q);
            run = m.containsKey(q) || gap ? 0 : run + 1;
            if (run >= len) {
                return true;
            }
        }
        return false;
    }

    private static boolean inStackGap(TreeMap<Long, ModelPage> m, Layout l, long q) {
        for (long g = q + 1; g <= q + l.guardGapPages() && g < l.topPage(); g++) {
            if (m.containsKey(g) && g >= l.stackFloor()) {
                return true;
            }
        }
        return false;
    }

    private static void mprotect(State s, Step<State> step) {
        int p = process(s, step);
        long page = step.between(0, PAGES);
        boolean unaligned = step.oneIn(8);
        long len = step.between(0, MAX_LEN);
        Prot prot = prot(step);
        AddressSpace as = s.sys.space(p);
        UserAddr addr = UserAddr.of((page << Vma.PAGE_SHIFT) + (unaligned ? 1 : 0));
        step.call("P%d.mprotect(%s, %d pages, %s)", p, addr, len, prot);
        Outcome<Void> out = step.performVoid(() -> as.mprotect(addr, len * Vma.PAGE_SIZE, prot));
        TreeMap<Long, ModelPage> m = s.model.get(p);
        String expected;
        if (unaligned) {
            expected = "MISALIGNED";
        } else if (len == 0) {
            expected = "ok";
        } else if (page + len > as.layout().topPage()) {
            expected = "OUT_OF_RANGE";
        } else if (prot.isWriteExec() && as.wxPolicy() == AddressSpace.WxPolicy.ENFORCE) {
            expected = "WX_VIOLATION";
        } else if (!allMapped(m, page, page + len)) {
            expected = "NOT_MAPPED";
        } else {
            expected = "ok";
        }
        step.agree("mprotect outcome", out.kind(), expected);
        if (out.isOk()) {
            for (long q = page; q < page + len; q++) {
                m.put(q, m.get(q).withProt(prot));
            }
        }
        compare(s, step);
    }

    /**
     * mremap with every flag combination (the refused ones included), aimed at a mapped page most
     * of the time. The expected outcome follows Linux's order of checks from the model's pages;
     * only where Linux asks about the area itself (does the old range end inside it, at its end?)
     * does the expectation read the area containing the old address, taken before the call.
     */
    private static void mremap(State s, Step<State> step) {
        int p = process(s, step);
        TreeMap<Long, ModelPage> m = s.model.get(p);
        // Mostly a mapped page, and mostly one off the stack, so that the checks after the area lookup run too.
        List<Long> offStack = new ArrayList<>();
        for (long q : m.keySet()) {
            if (s.sys.space(p).areaAt(q).filter(v -> !v.flags().growsDown()).isPresent()) {
                offStack.add(q);
            }
        }
        int from = step.between(0, 4);
        long page = from == 0 || m.isEmpty() ? step.between(0, PAGES)
                : from == 1 || offStack.isEmpty() ? step.pick(new ArrayList<>(m.keySet())) : step.pick(offStack);
        boolean unaligned = step.oneIn(10);
        // Lengths of 0 and refused flag combinations at a useful rate, not so often that they hide the later checks.
        long drawnLen = step.oneIn(8) ? 0 : step.between(1, MAX_LEN);
        boolean mayMove = !step.oneIn(6);
        boolean fixed = step.oneIn(3);
        boolean dontUnmap = step.oneIn(6);
        boolean unknown = step.oneIn(20);
        // The target lands next to the old range (OVERLAP) or on page 0 (below mmap_min_addr) at a useful rate.
        int aim = step.between(0, 3);
        long target = aim == 0 ? Math.min(page + 1, PAGES) : aim == 1 ? 0 : step.between(0, PAGES);
        // Aimed at page 0, the old range stays inside its area, so that MREMAP_FIXED reaches the mmap_min_addr check.
        long areaLeft = s.sys.space(p).areaAt(page).map(v -> v.end() - page).orElse(drawnLen);
        long oldLen = aim == 1 ? Math.min(drawnLen, areaLeft) : drawnLen;
        long newLen = dontUnmap && !step.oneIn(4) ? oldLen : step.oneIn(8) ? 0 : step.between(1, MAX_LEN);
        boolean unalignedTarget = (fixed || dontUnmap) && step.oneIn(10);
        boolean hint = fixed || !step.oneIn(2);
        RemapFlags flags = new RemapFlags(mayMove, fixed, dontUnmap, unknown);
        AddressSpace as = s.sys.space(p);
        Layout l = as.layout();
        UserAddr addr = UserAddr.of((page << Vma.PAGE_SHIFT) + (unaligned ? 8 : 0));
        UserAddr newAddr = hint ? UserAddr.of((target << Vma.PAGE_SHIFT) + (unalignedTarget ? 8 : 0)) : null;
        Optional<Vma> area = as.areaAt(page);
        step.call("P%d.mremap(%s, %d pages, %d pages, %s%s)", p, addr, oldLen, newLen, flags,
                newAddr == null ? "" : ", " + newAddr);
        Outcome<UserAddr> out = step.perform(() -> as.mremap(addr, oldLen * Vma.PAGE_SIZE, newLen * Vma.PAGE_SIZE, flags,
                newAddr));
        boolean movesTo = fixed || dontUnmap;
        long to = newAddr == null ? 0 : target;
        long kept = movesTo ? Math.min(oldLen, newLen) : oldLen;
        ModelPage first = m.get(page);
        String expected;
        if (unknown || fixed && !mayMove || dontUnmap && (!mayMove || oldLen != newLen)) {
            expected = "BAD_FLAGS";
        } else if (unaligned) {
            expected = "MISALIGNED";
        } else if (newLen == 0) {
            expected = "ZERO_LENGTH";
        } else if (first == null) {
            expected = "BAD_ADDRESS";
        } else if (movesTo && unalignedTarget && newAddr != null) {
            expected = "MISALIGNED";
        } else if (movesTo && to + newLen > l.topPage()) {
            expected = "OUT_OF_RANGE";
        } else if (movesTo && page + oldLen > to && to + newLen > page) {
            expected = "OVERLAP";
        } else if (oldLen > newLen && page + oldLen > l.topPage()) {
            expected = "OUT_OF_RANGE";
        } else if (!movesTo && oldLen >= newLen) {
            expected = "ok";
        } else if (kept == 0 && !first.shared()) {
            expected = "ZERO_LENGTH";
        } else if (page + kept > area.orElseThrow().end()) {
            expected = "BAD_ADDRESS";
        } else if (!movesTo && page + oldLen == area.get().end() && allUnmapped(m, page + oldLen, page + newLen)
                && page + newLen <= l.topPage()) {
            expected = "ok";
        } else if (!movesTo && !mayMove) {
            expected = "NO_SPACE";
        } else if (area.get().flags().growsDown()) {
            expected = "STACK_MOVE";
        } else if (fixed && to < l.minPage()) {
            expected = "BELOW_MIN_ADDR";
        } else if (out.isRejected() && out.kind().equals("NO_SPACE") && !fixed && !hasFreeRun(m, l, newLen)) {
            expected = "NO_SPACE";
        } else if (out.isRejected() && out.kind().equals("OUT_OF_MEMORY") && !allUnmapped(as.translations(), page, page + kept)) {
            // A present page moves to a place whose page table may need frames that are not there.
            expected = "OUT_OF_MEMORY";
        } else {
            expected = "ok";
        }
        VmInvariants.ALL.assertHolds(s.sys);
        step.agree("mremap outcome", out.kind(), expected);
        if (out.isOk()) {
            long got = out.value().page();
            boolean inPlace = !movesTo && (oldLen >= newLen || got == page);
            if (fixed) {
                step.agree("MREMAP_FIXED address", got, to);
            }
            if (inPlace) {
                step.agree("mremap in place", got, page);
                m.subMap(page + newLen, page + Math.max(oldLen, newLen)).clear();
                for (long k = oldLen; k < newLen; k++) {
                    m.put(page + k, grownPage(s, first, k));
                }
            } else {
                TreeMap<Long, ModelPage> moved = new TreeMap<>();
                for (long k = 0; k < newLen; k++) {
                    ModelPage old = k < kept ? m.get(page + k) : null;
                    moved.put(got + k, old != null ? old : grownPage(s, first, k));
                }
                if (!fixed) {
                    for (long q = got; q < got + newLen; q++) {
                        step.check(!m.containsKey(q) && q >= l.minPage() && q < l.topPage(),
                                "mremap without MREMAP_FIXED moved page %d over a mapping or outside user space", q);
                    }
                }
                m.subMap(got, got + newLen).clear();
                for (long q = page; q < page + kept; q++) {
                    ModelPage old = m.get(q);
                    if (!dontUnmap) {
                        m.remove(q);
                    } else if (!old.shared()) {
                        // The pages moved; the range stays mapped and faults in zero pages.
                        m.put(q, ModelPage.fresh(old.prot(), false));
                    }
                }
                if (oldLen > newLen) {
                    m.subMap(page + newLen, page + oldLen).clear();
                }
                m.putAll(moved);
            }
        }
        compare(s, step);
    }

    /** Page {@code k} of the mapping that starts as {@code first} does, where growth added it. */
    private static ModelPage grownPage(State s, ModelPage first, long k) {
        return first.shared() ? s.sharedPage(first.prot(), first.obj(), first.off() + k) : ModelPage.fresh(first.prot(), false);
    }

    private static boolean allUnmapped(java.util.NavigableMap<Long, ?> m, long from, long to) {
        return m.subMap(from, to).isEmpty();
    }

    private static boolean allMapped(TreeMap<Long, ModelPage> m, long from, long to) {
        for (long q = from; q < to; q++) {
            if (!m.containsKey(q)) {
                return false;
            }
        }
        return true;
    }

    private static void munmap(State s, Step<State> step) {
        int p = process(s, step);
        long page = step.between(0, PAGES);
        boolean unaligned = step.oneIn(8);
        long len = step.between(0, MAX_LEN);
        AddressSpace as = s.sys.space(p);
        UserAddr addr = UserAddr.of((page << Vma.PAGE_SHIFT) + (unaligned ? 1 : 0));
        step.call("P%d.munmap(%s, %d pages)", p, addr, len);
        Outcome<Void> out = step.performVoid(() -> as.munmap(addr, len * Vma.PAGE_SIZE));
        String expected = unaligned ? "MISALIGNED" : len == 0 ? "ZERO_LENGTH"
                : page + len > as.layout().topPage() ? "OUT_OF_RANGE" : "ok";
        step.agree("munmap outcome", out.kind(), expected);
        if (out.isOk()) {
            s.model.get(p).subMap(page, page + len).clear();
        }
        compare(s, step);
    }

    private static void brk(State s, Step<State> step) {
        int p = process(s, step);
        AddressSpace as = s.sys.space(p);
        Layout l = as.layout();
        boolean query = step.oneIn(6);
        long target = (step.between(l.startBrkPage() - 1, l.startBrkPage() + l.brkLimitPages() + 1) << Vma.PAGE_SHIFT)
                + (step.oneIn(3) ? 8 : 0);
        UserAddr req = query ? null : UserAddr.of(target);
        long oldEnd = (as.brk().value() + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT;
        long oldBrk = as.brk().value();
        step.call("P%d.brk(%s)", p, req);
        UserAddr got = step.perform(() -> as.brk(req)).value();
        step.check(got.value() == oldBrk || got.value() == target, "brk returned %s, neither old 0x%x nor requested 0x%x",
                got, oldBrk, target);
        if (!query) {
            step.check(target >= (l.startBrkPage() << Vma.PAGE_SHIFT) || got.value() == oldBrk, "brk below start_brk granted");
        }
        long newEnd = (got.value() + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT;
        TreeMap<Long, ModelPage> m = s.model.get(p);
        if (newEnd > oldEnd) {
            for (long q = oldEnd; q < newEnd; q++) {
                step.check(!m.containsKey(q), "brk grew over mapped page %d", q);
                m.put(q, ModelPage.fresh(Prot.RW, false));
            }
        } else {
            m.subMap(newEnd, oldEnd).clear();
        }
        compare(s, step);
    }

    private static void access(State s, Step<State> step) {
        int p = process(s, step);
        long page = step.between(0, PAGES - 1);
        Access a = step.pick(Access.class);
        AddressSpace as = s.sys.space(p);
        TreeMap<Long, ModelPage> m = s.model.get(p);
        long word = s.nextWord;
        step.call("P%d.%s(page %d%s)", p, a, page, a == Access.WRITE ? ", 0x" + Long.toHexString(word) : "");
        Optional<Vma> stackBefore = as.areaAbove(page).filter(v -> v.flags().growsDown());
        Map<Long, Pte> before = FaultInvariants.FaultStep.snapshot(as);
        Outcome<Long> out = step.perform(() -> {
            Optional<FaultType> f = PageFaultHandler.access(as, FaultAddr.ofPage(page), a);
            FaultInvariants.ALL.assertHolds(new FaultInvariants.FaultStep(before, as, page, a));
            if (a == Access.WRITE) {
                as.store(page, word);
                return word;
            }
            return a == Access.READ ? as.load(page) : -1L;
        });
        ModelPage mp = m.get(page);
        if (mp != null) {
            boolean allowed = switch (a) {
                case READ -> mp.prot().readable();
                case WRITE -> mp.prot().write();
                case EXECUTE -> mp.prot().exec();
            };
            if (out.isRejected()) {
                step.agree("access outcome", out.kind(), allowed ? "OUT_OF_MEMORY" : "ACCERR");
            } else {
                step.check(allowed, "%s of page %d allowed, but the model's protection is %s", a, page, mp.prot());
                if (a == Access.READ) {
                    step.agree("word read from page " + page, out.value(), mp.word());
                } else if (a == Access.WRITE) {
                    mp.cell().word = word;
                    s.nextWord++;
                }
            }
        } else if (out.isOk()) {
            // Only stack growth may make an unmapped page accessible: everything from the page up to the old stack.
            step.check(stackBefore.isPresent(), "access to unmapped page %d succeeded without stack growth", page);
            Prot grown = stackBefore.get().prot();
            for (long q = page; q < stackBefore.get().start(); q++) {
                m.put(q, ModelPage.fresh(grown, false));
            }
            if (a == Access.WRITE) {
                m.get(page).cell().word = word;
                s.nextWord++;
            }
        } else {
            step.check(List.of("MAPERR", "STACK_LIMIT", "GUARD_GAP", "ACCERR", "OUT_OF_MEMORY").contains(out.kind()),
                    "unexpected rejection %s", out.kind());
        }
        compare(s, step);
    }

    private static void fork(State s, Step<State> step) {
        int p = process(s, step);
        step.call("P%d.fork()", p);
        Outcome<Integer> out = step.perform(() -> s.sys.fork(p));
        if (out.isRejected()) {
            // Each child needs its own page-table frames; with none left, fork fails and changes nothing.
            step.agree("fork outcome", out.kind(), "OUT_OF_MEMORY");
        } else {
            TreeMap<Long, ModelPage> child = new TreeMap<>();
            s.model.get(p).forEach((q, mp) -> child.put(q, mp.forked()));
            s.model.add(child);
            step.agree("child index", out.value(), s.model.size() - 1);
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

    /** Every page of every process allows and shows what the model says. */
    private static void compare(State s, Step<State> step) {
        step.agree("process count", s.sys.spaces().size(), s.model.size());
        for (int i = 0; i < s.model.size(); i++) {
            AddressSpace as = s.sys.space(i);
            TreeMap<Long, ModelPage> m = s.model.get(i);
            for (long q = 0; q < PAGES; q++) {
                ModelPage mp = m.get(q);
                step.agree("P" + i + " page " + q + " protection", as.areaAt(q).map(Vma::prot).orElse(null),
                        mp == null ? null : mp.prot());
                Optional<Pte> t = as.translation(q);
                if (t.isPresent() && mp != null) {
                    step.agree("P" + i + " page " + q + " contents", as.frames().read(t.get().frame()), mp.word());
                }
            }
        }
    }
}
