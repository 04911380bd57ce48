package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.HybridAllocator;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The model-based stateful check of one format's PageMapper: random map, unmap, updateFlags,
 * translate and access steps over {@link PagingScope}, each compared with a
 * {@link PageTableModel}, with every {@link PagingInvariants} checked after every step and every
 * rejection checked to change nothing (memory, allocator, owned tables).
 *
 * <p>The table allocator is drawn small (a few tables) so OUT_OF_MEMORY happens, and the rules
 * draw bad input on purpose: W+X, missing PRESENT, unencodable flags, misaligned frames,
 * non-canonical (Sv39) pages, double unmaps, partial unmaps of huge pages (splits).
 *
 * <p>The table frames had owners before ({@link PagingStructureCaches#scribble}), and the mapper
 * flushes through {@link PagingStructureCaches}, filled after every changing step, so PTL-1 and
 * PTL-2 ({@link PagingInvariants#LIFECYCLE}) are checked first, at every state.
 */
public final class PagingMachine implements StateMachine<PagingMachine.State> {

    /** The implementation and the model side by side. */
    public static final class State {
        final PageMapper mapper;
        final PageTableModel model;
        final FrameAllocator allocator;
        final TlbFlushSink.Recording tlb;
        final PagingStructureCaches caches;

        State(PageMapper mapper, PageTableModel model, FrameAllocator allocator, TlbFlushSink.Recording tlb,
                PagingStructureCaches caches) {
            this.mapper = mapper;
            this.model = model;
            this.allocator = allocator;
            this.tlb = tlb;
            this.caches = caches;
        }

        public PageMapper mapper() {
            return mapper;
        }

        long freeTables() {
            return allocator.freeFrames() / mapper.format().tableFrames();
        }

        @Override
        public String toString() {
            return mapper.dumpTree() + "model: " + model + "\n" + caches;
        }
    }

    /** Where the mapper's table frames come from. */
    public enum TableAllocator {
        /** The trivially correct first-fit allocator. */
        REFERENCE,
        /**
         * A {@link HybridAllocator} with threshold {@code 2 * tableFrames} and its default split,
         * so table requests go to the bitmap half and fall back to the buddy half when it is full.
         */
        HYBRID;

        FrameAllocator create(PteFormat format, FrameRange frames) {
            if (this == REFERENCE) {
                return new ReferenceFrameAllocator(frames);
            }
            long threshold = 2L * format.tableFrames();
            return new HybridAllocator(frames, List.of(), threshold, HybridAllocator.defaultSplit(frames, threshold),
                    org.mmspec.frames.BuddyAllocator.GIB_ORDER);
        }
    }

    private final PteFormat format;
    private final List<Page> pages;
    private final PageMapper.Bug bug;
    private final TableAllocator tables;

    public PagingMachine(PteFormat format) {
        this(format, PageMapper.Bug.NONE, TableAllocator.REFERENCE);
    }

    /** A machine whose mapper takes its table frames from {@code tables}. */
    public PagingMachine(PteFormat format, TableAllocator tables) {
        this(format, PageMapper.Bug.NONE, tables);
    }

    PagingMachine(PteFormat format, PageMapper.Bug bug) {
        this(format, bug, TableAllocator.REFERENCE);
    }

    PagingMachine(PteFormat format, PageMapper.Bug bug, TableAllocator tables) {
        this.format = format;
        this.pages = PagingScope.pages(format, 3);
        this.bug = bug;
        this.tables = tables;
    }

    @Override
    public String name() {
        return "paging-" + format.name() + (tables == TableAllocator.REFERENCE ? "" : "/" + tables.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public State init(Choices choices) {
        int tables = format.roots() + choices.between(2, 10);
        FrameRange managed = PagingScope.tableFrames(format, tables);
        FrameAllocator a = this.tables.create(format, managed);
        PhysicalMemory memory = new PhysicalMemory();
        // The table frames had owners before: each holds what its last owner left (PTL-1).
        PagingStructureCaches.scribble(memory, managed, a);
        TlbFlushSink.Recording tlb = new TlbFlushSink.Recording();
        PagingStructureCaches caches = new PagingStructureCaches(tlb, memory);
        PageMapper m = new PageMapper(format, memory, a, caches);
        m.bug = bug;
        caches.fill(m);
        return new State(m, new PageTableModel(format), a, tlb, caches);
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.of("map", this::map),
                Rule.of("unmap", (s, step) -> change(s, step, false)),
                Rule.of("updateFlags", (s, step) -> change(s, step, true)),
                Rule.of("translate", this::translate),
                Rule.of("access", this::access));
    }

    private Page page(Step<State> step) {
        return step.pick(pages);
    }

    /** Page sizes this format has no leaf for: input UNSUPPORTED_SIZE must refuse. */
    private List<PageSize> unsupportedSizes() {
        return java.util.Arrays.stream(PageSize.values()).filter(z -> !format.pageSizes().contains(z)).toList();
    }

    private void map(State s, Step<State> step) {
        if (step.oneIn(10)) {
            // Bad input at a useful rate: a page just past the lower canonical half of the format's
            // VA width. For 57-bit formats no VirtAddr can hold it; the 39- and 48-bit PageMappers must refuse it.
            long raw = (1L << (format.vaBits() - 1)) + (step.between(0L, 511L) << 12);
            PageSize smallest = format.pageSizes().get(0);
            long aligned = raw & -smallest.bytes();
            step.call("map(0x%x, %s, PRESENT)", aligned, smallest);
            Outcome<Void> out = step.performVoid(() -> s.mapper.map(Page.of(aligned, smallest),
                    PagingScope.frame(smallest, 0), PageFlags.PRESENT));
            step.agree("map of a non-canonical page", out.kind(), "NON_CANONICAL");
            return;
        }
        // Bad input at a useful rate: a page of a size the format has no leaf for, at address 0
        // (aligned to every size), so the only rule broken is the size.
        Page p = step.oneIn(10) ? Page.of(0, step.pick(unsupportedSizes())) : page(step);
        PhysFrame frame = step.oneIn(6) ? PagingScope.misalignedFrame() : PagingScope.frame(p.size(), step.between(0, 2));
        PageFlags flags = step.pick(PagingScope.flagChoices(format));
        step.call("map(%s, %s, %s)", p, frame, flags);
        Optional<PagingError.Kind> expected = s.model.mapOutcome(p, frame, flags, s.freeTables());
        Outcome<Void> out = step.performVoid(() -> s.mapper.map(p, frame, flags));
        step.agree("map outcome", out.kind(), expected.map(Enum::name).orElse("ok"));
        if (out.isOk()) {
            s.model.map(p, frame, flags);
        }
        agreeLeaves(s, step);
    }

    private void change(State s, Step<State> step, boolean protect) {
        Page p = page(step);
        PageFlags flags = protect ? step.pick(PagingScope.flagChoices(format)) : null;
        int flushesBefore = s.tlb.flushes().size();
        step.call(protect ? "updateFlags(%s, %s)" : "unmap(%s)", p, flags);
        Optional<PagingError.Kind> expected = s.model.changeOutcome(p, flags, s.freeTables());
        Optional<Mapping> before = s.model.covering(p.start());
        Outcome<Object> out = step.perform(() -> protect ? s.mapper.updateFlags(p, flags) : s.mapper.unmap(p));
        step.agree((protect ? "updateFlags" : "unmap") + " outcome", out.kind(), expected.map(Enum::name).orElse("ok"));
        if (out.isOk()) {
            if (protect) {
                step.agree("old flags", out.value(), before.get().flags());
            } else {
                Mapping gone = (Mapping) out.value();
                step.agree("unmapped frame", gone.frame(), s.model.translate(p.start()).map(PhysAddr::frame).orElseThrow());
            }
            s.model.change(p, flags);
            // The changed page must have been flushed before the call returned.
            boolean flushed = s.tlb.flushes().subList(flushesBefore, s.tlb.flushes().size()).stream()
                    .anyMatch(f -> f.start().equals(p.start()) && f.bytes() == p.size().bytes());
            step.check(flushed, "no TLB flush for %s after %s", p, protect ? "updateFlags" : "unmap");
        } else {
            step.agree("no TLB flush on rejection", s.tlb.flushes().size(), flushesBefore);
        }
        agreeLeaves(s, step);
    }

    private VirtAddr address(Step<State> step) {
        Page p = page(step);
        long offset = step.between(0L, p.size().bytes() - 1) & -8L;
        return p.start().plus(offset);
    }

    private void translate(State s, Step<State> step) {
        VirtAddr va = address(step);
        step.call("translate(%s)", va);
        Optional<Translation> t = s.mapper.translate(va);
        step.agree("translate " + va, t.map(Translation::pa), s.model.translate(va));
        Optional<Mapping> m = s.model.covering(va);
        if (m.isPresent()) {
            step.agree("leaf flags", t.get().leafFlags(), m.get().flags());
            step.agree("leaf page", t.get().page(), m.get().page());
            PageFlags perms = PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER, PageFlags.NO_EXECUTE);
            step.agree("effective permissions", t.get().effective().asFlags(),
                    new PageFlags(m.get().flags().bits() & perms.bits()));
        }
    }

    private void access(State s, Step<State> step) {
        VirtAddr va = address(step);
        Access a = new Access(step.pick(Access.Type.class), step.bool());
        step.call("access(%s, %s)", va, a);
        Optional<Walk.Fault> fault = s.mapper.access(va, a);
        Optional<Mapping> m = s.model.covering(va);
        boolean expectOk = m.isPresent() && allowed(m.get().flags(), a);
        step.agree("access " + a + " at " + va + " performed", fault.isEmpty(), expectOk);
    }

    /**
     * What the neutral flags allow, as each format encodes them: user mode reaches only user
     * pages; the kernel reads and writes user pages on x86_64 (no SMAP) and AArch64 (no PAN) but
     * not on RISC-V (SUM=0), and executes them only on x86_64 (no SMEP; AArch64 user pages are PXN).
     */
    private boolean allowed(PageFlags f, Access a) {
        boolean x86 = format.name().startsWith("x86");
        boolean riscv = format.name().startsWith("sv");
        if (a.user() && !f.user()) {
            return false;
        }
        if (!a.user() && f.user() && (riscv || (a.type() == Access.Type.EXECUTE && !x86))) {
            return false;
        }
        if (a.type() == Access.Type.WRITE && !f.writable() || a.type() == Access.Type.EXECUTE && !f.executable()) {
            return false;
        }
        return accessState(f, a);
    }

    private boolean accessState(PageFlags f, Access a) {
        boolean needA = !format.name().startsWith("x86");
        boolean needD = format.name().startsWith("sv");
        if (needA && !f.contains(PageFlags.ACCESSED)) {
            return false;
        }
        return !(needD && a.type() == Access.Type.WRITE && !f.contains(PageFlags.DIRTY));
    }

    /**
     * Invariants first, so a broken tree is reported by its ID rather than as a model mismatch.
     * The CPUs have walked the new tree by now: the caches are filled before the check.
     */
    private void agreeLeaves(State s, Step<State> step) {
        s.caches.fill(s.mapper);
        invariants().assertHolds(s);
        step.agree("leaves (read from the page-table bits)", new ArrayList<>(s.mapper.mappings().values()),
                new ArrayList<>(s.model.leaves().values()));
    }

    @Override
    public InvariantSet<State> invariants() {
        return invariants;
    }

    private final InvariantSet<State> invariants = lift();

    private static InvariantSet<State> lift() {
        List<org.mmspec.check.Invariant<State>> lifted = new ArrayList<>();
        for (org.mmspec.check.Invariant<PageMapper> inv : PagingInvariants.WITH_LIFECYCLE.invariants()) {
            lifted.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    st -> inv.evaluate(st.mapper).map(org.mmspec.check.Violation::detail)));
        }
        return InvariantSet.of("paging", lifted, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return List.of(s.mapper.stateKey(), s.tlb.flushes().size(), s.caches.stateKey());
    }
}
