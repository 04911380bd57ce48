package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.TlbFlushSink;
import org.mmspec.paging.Translation;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * An x86_64 address space with a LAM mode, and the child of one fork sharing its page table.
 *
 * <p>Encoding: {@code mapper} is a real x86_64 page table (4-level, 48-bit) whose kernel half
 * maps {@link #KERNEL_PAGE} at construction; {@link #map} adds user pages from
 * {@link #USER_PAGES}. {@code modes.get(q)} is process {@code q}'s mode (its CR3 LAM bits).
 * Linux's ARCH_ENABLE_TAGGED_ADDR rules: a mode is enabled once, from OFF, and fork copies it.
 * A user access untags the pointer ({@link LamTranslator}) and walks the result with the real MMU.
 *
 * <p>Invariants ({@link LamInvariants}): LAM-1 translation ignores exactly the active mode's
 * metadata bits of user pointers; LAM-2 supervisor pointers are unaffected by every mode and
 * rejected when they carry metadata; LAM-3 a pointer is accepted exactly when it is canonical
 * after its metadata bits are cleared.
 */
public final class LamSpace {
    /** The user pages {@link #map} may map: low, one with bit 46 set, and the top user page. */
    public static final List<Long> USER_PAGES = List.of(0x1000L, 0x4000_0000_0000L, 0x7FFF_FFFF_F000L);
    /** A kernel page mapped at construction (the start of the direct map). */
    public static final long KERNEL_PAGE = 0xFFFF_8000_0000_0000L;
    /** Frames for tables and pages. */
    private static final int FRAMES = 16;
    /** The frame {@link #map} maps user page {@code i} to: one past the index, frame 0 being the kernel page's. */
    private static final int DATA_FRAME_BASE = 100;

    private final LamTranslator.Bug bug;
    private final PhysicalMemory memory;
    private final ReferenceFrameAllocator allocator;
    private final PageMapper mapper;
    private final List<LamMode> modes = new ArrayList<>();

    public LamSpace(LamTranslator.Bug bug) {
        this.bug = bug;
        this.memory = new PhysicalMemory();
        this.allocator = new ReferenceFrameAllocator(new FrameRange(PhysFrame.of(1), FRAMES));
        this.mapper = new PageMapper(X86_64Pte.FORMAT, memory, allocator, TlbFlushSink.NONE);
        mapper.map(Page.of4k(KERNEL_PAGE), PhysFrame.of(DATA_FRAME_BASE),
                PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.NO_EXECUTE, PageFlags.GLOBAL));
        modes.add(LamMode.OFF);
    }

    private LamSpace(LamSpace o) {
        this.bug = o.bug;
        this.memory = o.memory.copy();
        this.allocator = o.allocator.copy();
        this.mapper = o.mapper.copy(memory, allocator, TlbFlushSink.NONE);
        this.modes.addAll(o.modes);
    }

    private LamSpace(LamSpace template, PhysicalMemory memory, ReferenceFrameAllocator allocator) {
        this.bug = template.bug;
        this.memory = memory;
        this.allocator = allocator;
        this.mapper = template.mapper.copy(memory, allocator, TlbFlushSink.NONE);
    }

    public LamSpace copy() {
        return new LamSpace(this);
    }

    /**
     * Writes the state for a state codec: the memory's frames, the frame allocator's free frames
     * and live runs, the page table's frames, then each process's mode.
     */
    public void write(java.io.DataOutput out) throws java.io.IOException {
        memory.write(out);
        allocator.writeState(out);
        mapper.writeTables(out);
        org.mmspec.check.Encoding.writeList(modes, org.mmspec.check.Encoding::writeEnum, out);
    }

    /** The space {@link #write} wrote, over the roots and bug of {@code template} (the configuration's initial space). */
    public static LamSpace read(LamSpace template, java.io.DataInput in) throws java.io.IOException {
        PhysicalMemory memory = PhysicalMemory.read(in);
        ReferenceFrameAllocator allocator = template.allocator.copy();
        allocator.readState(in);
        LamSpace s = new LamSpace(template, memory, allocator);
        s.mapper.readTables(in);
        s.modes.addAll(org.mmspec.check.Encoding.readList(i -> org.mmspec.check.Encoding.readEnum(LamMode.class, i), in));
        return s;
    }

    private void checkProcess(int q) {
        if (q < 0 || q >= modes.size()) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "no process %d", q);
        }
    }

    /** ARCH_ENABLE_TAGGED_ADDR: sets the mode once; EBUSY if a mode is already on. */
    public void enable(int q, LamMode mode) {
        checkProcess(q);
        if (mode == LamMode.OFF || modes.get(q) != LamMode.OFF) {
            throw HwSecError.of(HwSecError.Kind.MODE_LOCKED, "enable %s: process %d already runs %s", mode, q, modes.get(q));
        }
        modes.set(q, mode);
    }

    /** Maps user page {@code i} of {@link #USER_PAGES} read-write. */
    public void map(int i) {
        if (i < 0 || i >= USER_PAGES.size()) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "no user page %d", i);
        }
        VirtAddr va = VirtAddr.of(USER_PAGES.get(i));
        if (mapper.translate(va).isPresent()) {
            throw HwSecError.of(HwSecError.Kind.EXISTS, "user page %s already mapped", va);
        }
        try {
            mapper.map(Page.of4k(va.value()), PhysFrame.of(DATA_FRAME_BASE + 1 + i),
                    PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.WRITABLE, PageFlags.NO_EXECUTE));
        } catch (org.mmspec.paging.PagingError e) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_MEMORY, "map %s: %s", va, e.getMessage());
        }
    }

    /** fork: the child shares the tables here (they are not under test) and inherits the mode. */
    public void fork(int q) {
        checkProcess(q);
        if (modes.size() >= 2) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "fork: the model holds two processes");
        }
        modes.add(modes.get(q));
    }

    /** The address process {@code q}'s MMU walks for {@code pointer}, or empty for #GP. */
    public Optional<VirtAddr> untag(int q, long pointer) {
        return LamTranslator.untag(modes.get(q), pointer, bug);
    }

    /** The translation of {@code pointer} in process {@code q}: #GP and walk faults are empty. */
    public Optional<Translation> translate(int q, long pointer) {
        return untag(q, pointer).flatMap(mapper::translate);
    }

    /** A user load through {@code pointer}: the physical address it reaches; SEGV on #GP or a fault. */
    public long load(int q, long pointer) {
        checkProcess(q);
        Optional<VirtAddr> va = untag(q, pointer);
        if (va.isEmpty()) {
            throw HwSecError.of(HwSecError.Kind.SEGV, "#GP: pointer 0x%016x is not canonical under %s", pointer, modes.get(q));
        }
        if (mapper.access(va.get(), org.mmspec.paging.Access.userRead()).isPresent()) {
            throw HwSecError.of(HwSecError.Kind.SEGV, "#PF: pointer 0x%016x (%s)", pointer, va.get());
        }
        return mapper.translate(va.get()).orElseThrow().pa().value();
    }

    public int processes() {
        return modes.size();
    }

    public LamMode mode(int q) {
        return modes.get(q);
    }

    public PageMapper mapper() {
        return mapper;
    }

    /** Test hook: sets a mode without the once-only rule. */
    void corruptMode(int q, LamMode m) {
        modes.set(q, m);
    }

    public Object key() {
        return List.of(modes.toString(), mapper.stateKey());
    }

    @Override
    public String toString() {
        return "LAM" + modes + " mapped=" + mapper.mappings().keySet();
    }
}
