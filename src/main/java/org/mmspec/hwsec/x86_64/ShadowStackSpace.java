package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.mmspec.frames.PhysAddr;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.Permissions;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * CET shadow stacks in up to two x86_64 address spaces (a parent and the child of one fork): the
 * areas of each page, the real 64-bit last-level entry of each page, and the frames they share.
 *
 * <p>Encoding: page {@code p} of process {@code q} is one area of kind {@link Area}
 * ({@code area[q][p]}) and one leaf {@code pte[q][p]}: the raw x86_64 PT entry as
 * {@link X86_64Pte} writes it (0 = not present), so the hardware checks read the same bits the
 * MMU would. {@code refs[f]} counts the leaves mapping frame {@code f} (0 = free);
 * {@code content[f]} is the one word the frame holds. Verification-only ghosts:
 * {@code ghost[q][p]} is the word the page must show; {@code viaMapShadowStack[q][p]} records that
 * the area was created by {@link #mapShadowStack} (and inherited by fork), and {@code written[f]}
 * that frame {@code f} was stored to since it was allocated.
 *
 * <p>Hardware (Intel SDM Vol. 3A §4.6.1 with CR4.CET=1, Vol. 1 ch. 17): a leaf with RW=0, D=1 is
 * a shadow-stack page. Normal stores need RW=1 and set D; shadow-stack stores (CALL, WRSS) need
 * the shadow-stack encoding. Anything else faults to {@link #store} / {@link #shadowStackPush}'s
 * handler, which resolves copy-on-write and demand-zero faults and refuses the rest (SEGV).
 *
 * <p>Kernel rules (Linux 6.6+, arch/x86/mm and mm/): a shadow-stack area is made only by
 * {@link #mapShadowStack} and is always populated RW=0, D=1, NX=1; mprotect refuses to change
 * it or to make one. Write-protecting a leaf (fork's copy-on-write, mprotect to read-only) clears
 * RW and moves D to {@link X86_64Pte#SAVED_DIRTY}, because RW=0 with D=1 would turn the page into
 * a shadow stack. A shadow-stack page write-protected for copy-on-write is therefore RW=0, D=0,
 * SavedDirty=1: read-only for both kinds of store, so the first shadow-stack push faults and the
 * break installs a fresh shadow-stack leaf.
 *
 * <p>Invariants ({@link ShadowStackInvariants}): SHSTK-1 no leaf of a shadow-stack area admits a
 * normal store or an instruction fetch; SHSTK-2 only leaves of shadow-stack areas have the
 * shadow-stack encoding; SHSTK-3 SavedDirty is only on read-only leaves without D, and a leaf of
 * a written frame keeps D or SavedDirty; SHSTK-4 an area is a shadow stack exactly when
 * map_shadow_stack made it.
 */
public final class ShadowStackSpace {

    /** What an area is: one page each, so that no split or merge is needed to state the rules. */
    public enum Area {
        NONE, READ_ONLY, READ_WRITE, SHADOW_STACK
    }

    /** Protections mprotect is asked for; SHADOW_STACK is Linux's PROT_SHADOW_STACK, refused there. */
    public enum Prot {
        READ_ONLY, READ_WRITE, SHADOW_STACK
    }

    /** Seeded bugs, each caught by one invariant. NONE in every real use. */
    public enum Bug {
        NONE,
        /** Write-protect clears RW but leaves D: a dirty page becomes a shadow stack (SHSTK-2). */
        WRPROTECT_KEEPS_DIRTY,
        /** Write-protect clears RW and D without saving D: dirtiness is lost (SHSTK-3). */
        WRPROTECT_DROPS_DIRTY,
        /** map_shadow_stack leaves NX clear (SHSTK-1). */
        SHADOW_STACK_EXECUTABLE,
        /** The copy-on-write break of a shadow-stack page installs a normal writable leaf (SHSTK-1). */
        SHADOW_STACK_COW_WRITABLE,
        /** mprotect(PROT_SHADOW_STACK) converts a data page (SHSTK-4). */
        MPROTECT_CONVERTS
    }

    /** The single word a store writes; one value keeps the state space small but copies visible. */
    public static final long STORED = 1;

    private final int pages;
    private final int frames;
    private final Bug bug;
    private final List<Area[]> area = new ArrayList<>();
    private final List<long[]> pte = new ArrayList<>();
    private final List<long[]> ghost = new ArrayList<>();
    private final List<boolean[]> viaMapShadowStack = new ArrayList<>();
    private final int[] refs;
    private final long[] content;
    private final boolean[] written;

    /** One process with no areas over {@code pages} pages and {@code frames} frames. */
    public ShadowStackSpace(int pages, int frames, Bug bug) {
        if (pages < 1 || frames < 1) {
            throw new IllegalArgumentException("pages and frames must be positive");
        }
        this.pages = pages;
        this.frames = frames;
        this.bug = bug;
        this.refs = new int[frames];
        this.content = new long[frames];
        this.written = new boolean[frames];
        addProcess();
    }

    private ShadowStackSpace(ShadowStackSpace o) {
        this.pages = o.pages;
        this.frames = o.frames;
        this.bug = o.bug;
        for (int q = 0; q < o.processes(); q++) {
            area.add(o.area.get(q).clone());
            pte.add(o.pte.get(q).clone());
            ghost.add(o.ghost.get(q).clone());
            viaMapShadowStack.add(o.viaMapShadowStack.get(q).clone());
        }
        this.refs = o.refs.clone();
        this.content = o.content.clone();
        this.written = o.written.clone();
    }

    public ShadowStackSpace copy() {
        return new ShadowStackSpace(this);
    }

    /**
     * Writes what steps change, for a state codec ({@link org.mmspec.check.Encoding#overwriting}):
     * the process count, per process its areas, leaf entries, ghosts and MAP_SHADOW_STACK marks,
     * then per frame its references, content and written mark. Sizes and bug are the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeInt(processes());
        for (int q = 0; q < processes(); q++) {
            for (Area a : area.get(q)) {
                org.mmspec.check.Encoding.writeEnum(a, out);
            }
            org.mmspec.check.Encoding.writeLongs(pte.get(q), out);
            org.mmspec.check.Encoding.writeLongs(ghost.get(q), out);
            org.mmspec.check.Encoding.writeBooleans(viaMapShadowStack.get(q), out);
        }
        org.mmspec.check.Encoding.writeInts(refs, out);
        org.mmspec.check.Encoding.writeLongs(content, out);
        org.mmspec.check.Encoding.writeBooleans(written, out);
    }

    /** Reads what {@link #writeState} wrote over this space's (a fresh one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        int n = in.readInt();
        while (processes() < n) {
            addProcess();
        }
        for (int q = 0; q < n; q++) {
            Area[] a = area.get(q);
            for (int p = 0; p < a.length; p++) {
                a[p] = org.mmspec.check.Encoding.readEnum(Area.class, in);
            }
            org.mmspec.check.Encoding.fillLongs(pte.get(q), in);
            org.mmspec.check.Encoding.fillLongs(ghost.get(q), in);
            boolean[] via = org.mmspec.check.Encoding.readBooleans(in);
            System.arraycopy(via, 0, viaMapShadowStack.get(q), 0, via.length);
        }
        int[] r = org.mmspec.check.Encoding.readInts(in);
        System.arraycopy(r, 0, refs, 0, r.length);
        org.mmspec.check.Encoding.fillLongs(content, in);
        boolean[] w = org.mmspec.check.Encoding.readBooleans(in);
        System.arraycopy(w, 0, written, 0, w.length);
    }

    private void addProcess() {
        Area[] a = new Area[pages];
        Arrays.fill(a, Area.NONE);
        area.add(a);
        pte.add(new long[pages]);
        ghost.add(new long[pages]);
        viaMapShadowStack.add(new boolean[pages]);
    }

    // ------------------------------------------------------------------ encodings

    /** The leaf of a normal data page: P US A NX, plus RW and D when writable (the fault path's pte_mkdirty). */
    static long dataLeaf(int frame, boolean writable) {
        PageFlags f = PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.ACCESSED, PageFlags.NO_EXECUTE);
        if (writable) {
            f = f.with(PageFlags.WRITABLE).with(PageFlags.DIRTY);
        }
        return X86_64Pte.FORMAT.encodeLeaf(frameAddr(frame), f, X86_64Pte.PT_DEPTH);
    }

    /** The shadow-stack leaf (SDM Vol. 3A §4.6.1): P US A D NX, RW=0. */
    static long shadowStackLeaf(int frame, Bug bug) {
        PageFlags f = PageFlags.of(PageFlags.PRESENT, PageFlags.USER, PageFlags.ACCESSED, PageFlags.DIRTY);
        if (bug != Bug.SHADOW_STACK_EXECUTABLE) {
            f = f.with(PageFlags.NO_EXECUTE);
        }
        return X86_64Pte.FORMAT.encodeLeaf(frameAddr(frame), f, X86_64Pte.PT_DEPTH);
    }

    private static PhysAddr frameAddr(int frame) {
        return PhysAddr.of((long) frame << 12);
    }

    static int frameOf(long raw) {
        return (int) ((raw & X86_64Pte.ADDR_MASK) >>> 12);
    }

    /** Linux's pte_wrprotect with CET: RW=0, and D moves to SavedDirty so the leaf cannot read as shadow stack. */
    long wrprotect(long raw) {
        long out = raw & ~X86_64Pte.RW;
        if ((raw & X86_64Pte.D) != 0) {
            switch (bug) {
                case WRPROTECT_KEEPS_DIRTY -> {
                    return out;
                }
                case WRPROTECT_DROPS_DIRTY -> {
                    return out & ~X86_64Pte.D;
                }
                default -> {
                    return (out & ~X86_64Pte.D) | X86_64Pte.SAVED_DIRTY;
                }
            }
        }
        return out;
    }

    /** pte_mkwrite for a data page: RW=1, and SavedDirty moves back to D. */
    static long mkwrite(long raw) {
        long out = raw | X86_64Pte.RW;
        if ((raw & X86_64Pte.SAVED_DIRTY) != 0) {
            out = (out & ~X86_64Pte.SAVED_DIRTY) | X86_64Pte.D;
        }
        return out;
    }

    /** The effective rights of a leaf, as the walk computes them. */
    static Permissions rights(long raw) {
        return X86_64Pte.FORMAT.atLeaf(Permissions.UNRESTRICTED, raw, X86_64Pte.PT_DEPTH);
    }

    /** Whether the MMU lets a user-mode normal store through {@code raw}. */
    public static boolean hardwareAllowsStore(long raw) {
        return (raw & X86_64Pte.P) != 0 && rights(raw).writable() && rights(raw).user();
    }

    /** Whether the MMU lets a user-mode instruction fetch through {@code raw}. */
    public static boolean hardwareAllowsFetch(long raw) {
        return (raw & X86_64Pte.P) != 0 && !rights(raw).userExecuteNever();
    }

    /** Whether the MMU lets a user-mode shadow-stack store (CALL, WRSS) through {@code raw}. */
    public static boolean hardwareAllowsShadowStackStore(long raw) {
        return X86_64Pte.isShadowStack(raw) && rights(raw).user();
    }

    // ------------------------------------------------------------------ operations

    private void checkPage(int q, int page) {
        if (q < 0 || q >= processes() || page < 0 || page >= pages) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "process %d page %d outside the model", q, page);
        }
    }

    private int allocate() {
        for (int f = 0; f < frames; f++) {
            if (refs[f] == 0) {
                return f;
            }
        }
        throw HwSecError.of(HwSecError.Kind.OUT_OF_MEMORY, "no free frame");
    }

    private int take(int f) {
        refs[f] = 1;
        content[f] = 0;
        written[f] = false;
        return f;
    }

    private void release(int f) {
        refs[f]--;
    }

    /** mmap of one anonymous private page, read-only or read-write; demand paged. */
    public void mmap(int q, int page, boolean writable) {
        checkPage(q, page);
        if (area.get(q)[page] != Area.NONE) {
            throw HwSecError.of(HwSecError.Kind.EXISTS, "mmap: page %d already mapped", page);
        }
        area.get(q)[page] = writable ? Area.READ_WRITE : Area.READ_ONLY;
    }

    /**
     * Linux's map_shadow_stack: the only way to make a shadow-stack area. The page is populated at
     * once (Linux writes the restore token into it) with the shadow-stack leaf.
     */
    public void mapShadowStack(int q, int page) {
        checkPage(q, page);
        if (area.get(q)[page] != Area.NONE) {
            throw HwSecError.of(HwSecError.Kind.EXISTS, "map_shadow_stack: page %d already mapped", page);
        }
        int f = take(allocate());
        area.get(q)[page] = Area.SHADOW_STACK;
        viaMapShadowStack.get(q)[page] = true;
        pte.get(q)[page] = shadowStackLeaf(f, bug);
        ghost.get(q)[page] = 0;
    }

    /** mprotect of one page: refuses shadow-stack areas and PROT_SHADOW_STACK. */
    public void mprotect(int q, int page, Prot prot) {
        checkPage(q, page);
        Area a = area.get(q)[page];
        if (a == Area.NONE) {
            throw HwSecError.of(HwSecError.Kind.NOT_MAPPED, "mprotect: page %d not mapped", page);
        }
        if (prot == Prot.SHADOW_STACK && bug == Bug.MPROTECT_CONVERTS && a != Area.SHADOW_STACK) {
            area.get(q)[page] = Area.SHADOW_STACK;
            long raw = pte.get(q)[page];
            if (raw != 0) {
                pte.get(q)[page] = shadowStackLeaf(frameOf(raw), bug);
            }
            return;
        }
        if (a == Area.SHADOW_STACK || prot == Prot.SHADOW_STACK) {
            throw HwSecError.of(HwSecError.Kind.SHADOW_STACK_PROT, "mprotect: page %d %s shadow stack", page,
                    a == Area.SHADOW_STACK ? "is a" : "cannot become a");
        }
        long raw = pte.get(q)[page];
        if (prot == Prot.READ_ONLY) {
            area.get(q)[page] = Area.READ_ONLY;
            if (raw != 0) {
                pte.get(q)[page] = wrprotect(raw);
            }
        } else {
            area.get(q)[page] = Area.READ_WRITE;
            // A shared (copy-on-write) frame stays read-only until the write fault breaks it.
            if (raw != 0 && refs[frameOf(raw)] == 1) {
                pte.get(q)[page] = mkwrite(raw);
            }
        }
    }

    /** munmap of one page. */
    public void munmap(int q, int page) {
        checkPage(q, page);
        if (area.get(q)[page] == Area.NONE) {
            throw HwSecError.of(HwSecError.Kind.NOT_MAPPED, "munmap: page %d not mapped", page);
        }
        long raw = pte.get(q)[page];
        if (raw != 0) {
            release(frameOf(raw));
        }
        area.get(q)[page] = Area.NONE;
        pte.get(q)[page] = 0;
        ghost.get(q)[page] = 0;
        viaMapShadowStack.get(q)[page] = false;
    }

    /**
     * A normal user store of {@link #STORED}: through the MMU when the leaf admits it (which sets
     * D), else through the fault handler: demand-zero or copy-on-write in a writable data area,
     * SEGV otherwise (shadow-stack areas included).
     */
    public void store(int q, int page) {
        checkPage(q, page);
        long raw = pte.get(q)[page];
        if (!hardwareAllowsStore(raw)) {
            if (area.get(q)[page] != Area.READ_WRITE) {
                throw HwSecError.of(HwSecError.Kind.SEGV, "store to page %d (%s): SIGSEGV", page, area.get(q)[page]);
            }
            breakOrFill(q, page, false);
            raw = pte.get(q)[page];
        }
        int f = frameOf(raw);
        content[f] = STORED;
        written[f] = true;
        pte.get(q)[page] = raw | X86_64Pte.D | X86_64Pte.A;
        ghost.get(q)[page] = STORED;
    }

    /**
     * A shadow-stack store (CALL's push, WRSS): through the MMU when the leaf is a shadow-stack
     * leaf, else through the handler: the copy-on-write break of a shadow-stack area, SEGV
     * otherwise.
     */
    public void shadowStackPush(int q, int page) {
        checkPage(q, page);
        long raw = pte.get(q)[page];
        if (!hardwareAllowsShadowStackStore(raw)) {
            if (area.get(q)[page] != Area.SHADOW_STACK || raw == 0) {
                throw HwSecError.of(HwSecError.Kind.SEGV, "shadow-stack store to page %d (%s): SIGSEGV", page,
                        area.get(q)[page]);
            }
            breakOrFill(q, page, true);
            raw = pte.get(q)[page];
        }
        int f = frameOf(raw);
        content[f] = STORED;
        written[f] = true;
        ghost.get(q)[page] = STORED;
    }

    /** A load: the word the page shows (0 for a page not yet faulted in); SEGV without an area. */
    public long load(int q, int page) {
        checkPage(q, page);
        if (area.get(q)[page] == Area.NONE) {
            throw HwSecError.of(HwSecError.Kind.SEGV, "load from page %d: SIGSEGV", page);
        }
        long raw = pte.get(q)[page];
        return raw == 0 ? 0 : content[frameOf(raw)];
    }

    /** Demand-zero fill, or the copy-on-write break (copy if the frame is shared, else reuse). */
    private void breakOrFill(int q, int page, boolean shadowStack) {
        long raw = pte.get(q)[page];
        if (raw == 0) {
            int f = take(allocate());
            pte.get(q)[page] = shadowStack ? shadowStackLeaf(f, bug) : dataLeaf(f, true);
            return;
        }
        int old = frameOf(raw);
        int f = old;
        if (refs[old] > 1) {
            f = allocate();
            take(f);
            content[f] = content[old];
            written[f] = written[old];
            release(old);
        }
        if (shadowStack && bug != Bug.SHADOW_STACK_COW_WRITABLE) {
            pte.get(q)[page] = shadowStackLeaf(f, bug);
        } else {
            pte.get(q)[page] = f == old ? mkwrite(raw) : dataLeaf(f, true);
        }
    }

    /** fork of process {@code q} (only one child): every present leaf is write-protected in both. */
    public void fork(int q) {
        checkPage(q, 0);
        if (processes() >= 2) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "fork: the model holds two processes");
        }
        long[] parent = pte.get(q);
        for (int p = 0; p < pages; p++) {
            if (parent[p] != 0) {
                parent[p] = wrprotect(parent[p]);
                refs[frameOf(parent[p])]++;
            }
        }
        area.add(area.get(q).clone());
        pte.add(parent.clone());
        ghost.add(ghost.get(q).clone());
        viaMapShadowStack.add(viaMapShadowStack.get(q).clone());
    }

    /** exit of the child. */
    public void exit(int q) {
        if (q != 1 || processes() < 2) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "exit: only the child %d exits", q);
        }
        for (long raw : pte.get(q)) {
            if (raw != 0) {
                release(frameOf(raw));
            }
        }
        area.remove(1);
        pte.remove(1);
        ghost.remove(1);
        viaMapShadowStack.remove(1);
    }

    // ------------------------------------------------------------------ views

    public int processes() {
        return area.size();
    }

    public int pages() {
        return pages;
    }

    public int frames() {
        return frames;
    }

    public Bug bug() {
        return bug;
    }

    public Area area(int q, int page) {
        return area.get(q)[page];
    }

    public long pte(int q, int page) {
        return pte.get(q)[page];
    }

    public long ghost(int q, int page) {
        return ghost.get(q)[page];
    }

    public boolean madeByMapShadowStack(int q, int page) {
        return viaMapShadowStack.get(q)[page];
    }

    public boolean written(int frame) {
        return written[frame];
    }

    public int refs(int frame) {
        return refs[frame];
    }

    /**
     * An arbitrary one-process state for the bounded inductiveness check: {@code page} 0 of
     * process 0 has {@code a}, the ghost {@code made}, and the leaf {@code raw} over frame 0
     * (referenced once when present); {@code written} says whether frame 0 was stored to (the
     * page then shows {@link #STORED}). Reachable or not: the check skips states breaking an
     * invariant.
     */
    static ShadowStackSpace arbitrary(int pages, int frames, Bug bug, Area a, boolean made, long raw, boolean written) {
        ShadowStackSpace s = new ShadowStackSpace(pages, frames, bug);
        s.area.get(0)[0] = a;
        s.viaMapShadowStack.get(0)[0] = made;
        s.pte.get(0)[0] = raw;
        if (raw != 0) {
            int f = frameOf(raw);
            s.refs[f] = 1;
            s.written[f] = written;
            s.content[f] = written ? STORED : 0;
            s.ghost.get(0)[0] = s.content[f];
        }
        return s;
    }

    /** Test hook: overwrites a leaf without any check. */
    void corruptPte(int q, int page, long raw) {
        pte.get(q)[page] = raw;
    }

    /** Test hook: overwrites an area kind without any check. */
    void corruptArea(int q, int page, Area a) {
        area.get(q)[page] = a;
    }

    /** Canonical value of the state. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        for (int q = 0; q < processes(); q++) {
            k.add(Arrays.toString(area.get(q)));
            k.add(Arrays.toString(pte.get(q)));
            k.add(Arrays.toString(ghost.get(q)));
            k.add(Arrays.toString(viaMapShadowStack.get(q)));
        }
        k.add(Arrays.toString(refs));
        k.add(Arrays.toString(content));
        k.add(Arrays.toString(written));
        return k.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int q = 0; q < processes(); q++) {
            sb.append("P").append(q).append("[");
            for (int p = 0; p < pages; p++) {
                long raw = pte.get(q)[p];
                sb.append(p == 0 ? "" : ", ").append(p).append('=').append(area.get(q)[p]);
                if (raw != 0) {
                    sb.append(" f").append(frameOf(raw)).append(" {")
                            .append(X86_64Pte.FORMAT.describe(raw, X86_64Pte.PT_DEPTH)).append('}');
                }
            }
            sb.append("] ");
        }
        return sb.append("refs=").append(Arrays.toString(refs)).toString();
    }
}
