package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.frames.PhysFrame;
import org.mmspec.hwsec.HwSecError;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.x86_64.X86_64Pte;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ShootdownProtocol;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * A confidential guest's kernel view of its memory: one leaf table, a few pages of fixed roles,
 * the CPUs' TLBs, and the private-to-shared (or back) conversion protocol.
 *
 * <p>Encoding: page {@code p} maps frame {@code p + 1} through the raw x86_64 leaf
 * {@code pte[p]} (0 while a conversion has it unmapped), whose address carries the
 * {@link CcMode} bit. Frame {@link #TABLE_FRAME} holds the leaf table; {@code tablePointer} is
 * the raw entry that links it (its address carries the bit too). Page {@link #KERNEL_DATA} is
 * kernel data, page {@link #DMA_BUFFER} a device's DMA buffer, pages from {@link #FIRST_CONVERTIBLE}
 * on are convertible guest memory. Each CPU's TLB is the TLB model's {@link Tlb} (filled and
 * evicted at the hardware's whim through {@link Mmu}); {@code cachedPrivate[c]} is a bit set of the
 * pages whose entry CPU {@code c} cached while they were private (the TLB caches the whole PTE,
 * encryption bit included). {@code content[f]} is {@link #ZERO}, {@link #SECRET} (written through
 * a private mapping) or {@link #PUBLIC} (written through a shared one); {@code ghost[p]} is what
 * the guest last wrote to page {@code p} since its last conversion.
 *
 * <p>Conversion (Linux's {@code set_memory_decrypted}/{@code set_memory_encrypted}; TDX's
 * MapGPA, SEV's page-state change): {@link #convertBegin} unmaps the leaf, {@link #shootdown}
 * invalidates the page on every CPU with the TLB shootdown protocol's own invalidation
 * ({@link ShootdownProtocol#invalidate}), {@link #zero} clears the frame, {@link #remap} writes
 * the leaf in the new state. Each step is its own transition, so CPUs act in between.
 *
 * <p>Invariants ({@link CcInvariants}): CC-1 no page is shared and private at once; CC-2 a DMA
 * buffer is always shared; CC-3 page tables and kernel data are always private; CC-4 no shared
 * frame holds what the guest wrote through a private mapping.
 */
public final class CcGuest {
    /** Page of kernel data. */
    public static final int KERNEL_DATA = 0;
    /** Page of a device's DMA buffer. */
    public static final int DMA_BUFFER = 1;
    /** First convertible page. */
    public static final int FIRST_CONVERTIBLE = 2;
    /** The frame holding the leaf table. */
    public static final int TABLE_FRAME = 0;
    /** Frame contents. */
    public static final int ZERO = 0;
    public static final int SECRET = 1;
    public static final int PUBLIC = 2;

    /** The conversion step a page is at. */
    public enum Phase {
        NONE, UNMAPPED, SHOT_DOWN, ZEROED
    }

    /** Seeded bugs. NONE in every real use. */
    public enum Bug {
        NONE,
        /** The shootdown step sends nothing: CPUs keep the old translation (CC-1). */
        SKIP_SHOOTDOWN,
        /** The zero step does nothing: the old plaintext becomes shared (CC-4). */
        SKIP_ZERO,
        /** The DMA buffer is mapped private (CC-2). */
        DMA_PRIVATE,
        /** The table pointer is written shared (CC-3). */
        TABLE_SHARED,
        /** Kernel data is accepted for conversion (CC-3). */
        KERNEL_DATA_CONVERTIBLE
    }

    private final CcMode mode;
    private final int pages;
    private final int cpus;
    private final Bug bug;
    private final ShootdownProtocol protocol;
    private final long[] pte;
    private long tablePointer;
    private final Tlb[] tlbs;
    private final int[] cachedPrivate;
    private final int[] content;
    private final int[] ghost;
    private int converting = -1;
    private boolean target;
    private Phase phase = Phase.NONE;

    /** A guest with {@code convertible} convertible pages (all private), {@code cpus} CPUs. */
    public CcGuest(CcMode mode, int convertible, int cpus, Bug bug) {
        this.mode = mode;
        this.pages = FIRST_CONVERTIBLE + convertible;
        this.cpus = cpus;
        this.bug = bug;
        this.protocol = new ShootdownProtocol(TlbConfig.fromBounds(
                Bounds.parse("cpus=" + cpus + ",pages=" + pages + ",mode=single,ops=cpu0:munmap(0)")));
        this.pte = new long[pages];
        this.tlbs = new Tlb[cpus];
        Arrays.fill(tlbs, Tlb.empty(pages));
        this.cachedPrivate = new int[cpus];
        this.content = new int[pages + 1];
        this.ghost = new int[pages];
        this.tablePointer = X86_64Pte.FORMAT.encodeTable(mode.encode(PhysFrame.of(TABLE_FRAME), bug != Bug.TABLE_SHARED),
                PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE), X86_64Pte.PT_DEPTH - 1);
        for (int p = 0; p < pages; p++) {
            pte[p] = leaf(p, p != DMA_BUFFER || bug == Bug.DMA_PRIVATE);
        }
    }

    private CcGuest(CcGuest o) {
        this.mode = o.mode;
        this.pages = o.pages;
        this.cpus = o.cpus;
        this.bug = o.bug;
        this.protocol = o.protocol;
        this.pte = o.pte.clone();
        this.tablePointer = o.tablePointer;
        this.tlbs = o.tlbs.clone();
        this.cachedPrivate = o.cachedPrivate.clone();
        this.content = o.content.clone();
        this.ghost = o.ghost.clone();
        this.converting = o.converting;
        this.target = o.target;
        this.phase = o.phase;
    }

    public CcGuest copy() {
        return new CcGuest(this);
    }

    /**
     * Writes what steps change, for a state codec ({@link org.mmspec.check.Encoding#overwriting}):
     * the leaf entries, the table pointer, each CPU's TLB (packed) and cached privacy, the page
     * contents and ghosts, the conversion in flight (page, target, phase). The rest (mode, sizes,
     * bug, protocol) is the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeLongs(pte, out);
        out.writeLong(tablePointer);
        for (Tlb t : tlbs) {
            out.writeLong(t.encoded());
        }
        org.mmspec.check.Encoding.writeInts(cachedPrivate, out);
        org.mmspec.check.Encoding.writeInts(content, out);
        org.mmspec.check.Encoding.writeInts(ghost, out);
        out.writeInt(converting);
        out.writeBoolean(target);
        org.mmspec.check.Encoding.writeEnum(phase, out);
    }

    /** Reads what {@link #writeState} wrote over this guest's (one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        org.mmspec.check.Encoding.fillLongs(pte, in);
        tablePointer = in.readLong();
        for (int c = 0; c < tlbs.length; c++) {
            tlbs[c] = Tlb.decode(tlbs[c].capacity(), in.readLong());
        }
        fill(cachedPrivate, in);
        fill(content, in);
        fill(ghost, in);
        converting = in.readInt();
        target = in.readBoolean();
        phase = org.mmspec.check.Encoding.readEnum(Phase.class, in);
    }

    private static void fill(int[] into, java.io.DataInput in) throws java.io.IOException {
        System.arraycopy(org.mmspec.check.Encoding.readInts(in), 0, into, 0, into.length);
    }

    /** The leaf of page {@code p}: kernel read-write data, NX, the state in the address. */
    long leaf(int p, boolean privatePage) {
        return X86_64Pte.FORMAT.encodeLeaf(mode.encode(frameOf(p), privatePage),
                PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.NO_EXECUTE, PageFlags.ACCESSED, PageFlags.DIRTY),
                X86_64Pte.PT_DEPTH);
    }

    /** The frame page {@code p} maps. */
    public static PhysFrame frameOf(int p) {
        return PhysFrame.of(p + 1L);
    }

    private void checkCpuPage(int c, int p) {
        if (c < 0 || c >= cpus || p < 0 || p >= pages) {
            throw HwSecError.of(HwSecError.Kind.OUT_OF_RANGE, "cpu %d page %d outside the model", c, p);
        }
    }

    /** The TLB model's view of the leaves: frame numbers and write permission, for fills. */
    private PageTable abstractTable() {
        PageTable t = PageTable.empty(pages, TABLE_FRAME);
        for (int p = 0; p < pages; p++) {
            if (pte[p] != 0) {
                t = t.with(p, Pte.of((int) mode.frame(pte[p]).number(), true, false));
            }
        }
        return t;
    }

    // ------------------------------------------------------------------ hardware moves

    /** CPU {@code c} caches page {@code p}'s present leaf (a speculative fill). */
    public void fill(int c, int p) {
        checkCpuPage(c, p);
        PageTable t = abstractTable();
        if (!Mmu.canFill(tlbs[c], t, p)) {
            throw HwSecError.of(HwSecError.Kind.PROTOCOL, "cpu %d cannot fill page %d now", c, p);
        }
        tlbs[c] = Mmu.fill(tlbs[c], t, p);
        cachedPrivate[c] = mode.isPrivate(pte[p]) ? cachedPrivate[c] | 1 << p : cachedPrivate[c] & ~(1 << p);
    }

    /** CPU {@code c} evicts page {@code p}. */
    public void evict(int c, int p) {
        checkCpuPage(c, p);
        if (!tlbs[c].holds(p)) {
            throw HwSecError.of(HwSecError.Kind.PROTOCOL, "cpu %d does not hold page %d", c, p);
        }
        tlbs[c] = Mmu.evict(tlbs[c], p);
        cachedPrivate[c] &= ~(1 << p);
    }

    // ------------------------------------------------------------------ guest accesses

    /**
     * The guest on CPU {@code c} writes to page {@code p} through its TLB entry, filling it first
     * if the page is mapped. A private translation stores plaintext the host must never see.
     */
    public void write(int c, int p) {
        checkCpuPage(c, p);
        if (!tlbs[c].holds(p)) {
            if (pte[p] == 0) {
                throw HwSecError.of(HwSecError.Kind.SEGV, "cpu %d write to page %d: not present (converting)", c, p);
            }
            fill(c, p);
        }
        boolean priv = (cachedPrivate[c] & 1 << p) != 0;
        int f = (int) frameOf(p).number();
        content[f] = priv ? SECRET : PUBLIC;
        ghost[p] = content[f];
    }

    /** What the guest on CPU {@code c} reads from page {@code p}. */
    public int read(int c, int p) {
        checkCpuPage(c, p);
        if (!tlbs[c].holds(p) && pte[p] == 0) {
            throw HwSecError.of(HwSecError.Kind.SEGV, "cpu %d read of page %d: not present (converting)", c, p);
        }
        return content[(int) frameOf(p).number()];
    }

    // ------------------------------------------------------------------ the conversion protocol

    /** Step 1: unmap page {@code p} to convert it to {@code toPrivate}. */
    public void convertBegin(int p, boolean toPrivate) {
        checkCpuPage(0, p);
        if (converting >= 0) {
            throw HwSecError.of(HwSecError.Kind.PROTOCOL, "page %d is still converting", converting);
        }
        boolean convertible = p >= FIRST_CONVERTIBLE || (p == KERNEL_DATA && bug == Bug.KERNEL_DATA_CONVERTIBLE);
        if (!convertible) {
            throw HwSecError.of(HwSecError.Kind.NOT_CONVERTIBLE, "page %d is %s and keeps its state", p,
                    p == DMA_BUFFER ? "a DMA buffer (always shared)" : "kernel data (always private)");
        }
        if (mode.isPrivate(pte[p]) == toPrivate) {
            throw HwSecError.of(HwSecError.Kind.PROTOCOL, "page %d is already %s", p, toPrivate ? "private" : "shared");
        }
        pte[p] = 0;
        converting = p;
        target = toPrivate;
        phase = Phase.UNMAPPED;
    }

    /** Step 2: the TLB shootdown of the page on every CPU, acknowledged before the step ends. */
    public void shootdown() {
        requirePhase(Phase.UNMAPPED, "shootdown");
        TlbShootdown request = new TlbShootdown(CpuMask.firstN(cpus), 1 << converting, ShootdownMode.SINGLE);
        if (bug != Bug.SKIP_SHOOTDOWN) {
            for (int c = 0; c < cpus; c++) {
                tlbs[c] = protocol.invalidate(tlbs[c], request);
                cachedPrivate[c] &= ~(1 << converting);
            }
        }
        phase = Phase.SHOT_DOWN;
    }

    /** Step 3: zero the frame, so neither side sees what the other left. */
    public void zero() {
        requirePhase(Phase.SHOT_DOWN, "zero");
        if (bug != Bug.SKIP_ZERO) {
            content[(int) frameOf(converting).number()] = ZERO;
        }
        ghost[converting] = ZERO;
        phase = Phase.ZEROED;
    }

    /** Step 4: map the page again in its new state. */
    public void remap() {
        requirePhase(Phase.ZEROED, "remap");
        pte[converting] = leaf(converting, target);
        converting = -1;
        phase = Phase.NONE;
    }

    private void requirePhase(Phase expected, String step) {
        if (phase != expected) {
            throw HwSecError.of(HwSecError.Kind.PROTOCOL, "%s at phase %s, needs %s", step, phase, expected);
        }
    }

    // ------------------------------------------------------------------ views

    public CcMode mode() {
        return mode;
    }

    public int pages() {
        return pages;
    }

    public int cpus() {
        return cpus;
    }

    public long pte(int p) {
        return pte[p];
    }

    public long tablePointer() {
        return tablePointer;
    }

    public boolean cpuHolds(int c, int p) {
        return tlbs[c].holds(p);
    }

    public boolean cachedPrivate(int c, int p) {
        return (cachedPrivate[c] & 1 << p) != 0;
    }

    public int content(PhysFrame f) {
        return content[(int) f.number()];
    }

    public int ghost(int p) {
        return ghost[p];
    }

    public int converting() {
        return converting;
    }

    public Phase phase() {
        return phase;
    }

    /** Test hook: overwrites a leaf. */
    void corruptPte(int p, long raw) {
        pte[p] = raw;
    }

    public Object key() {
        List<Object> k = new ArrayList<>();
        k.add(Arrays.toString(pte));
        k.add(tablePointer);
        for (Tlb t : tlbs) {
            k.add(t.encoded());
        }
        k.add(Arrays.toString(cachedPrivate));
        k.add(Arrays.toString(content));
        k.add(Arrays.toString(ghost));
        k.add(converting + " " + target + " " + phase);
        return k.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(mode.technology() + " table{" + mode.describe(tablePointer) + "}");
        for (int p = 0; p < pages; p++) {
            sb.append(" p").append(p).append('=');
            sb.append(pte[p] == 0 ? "-" : mode.describe(pte[p])).append(" content=").append(content[p + 1]);
        }
        for (int c = 0; c < cpus; c++) {
            sb.append(" cpu").append(c).append(tlbs[c].render(pages)).append(" priv=").append(Integer.toBinaryString(cachedPrivate[c]));
        }
        if (converting >= 0) {
            sb.append(" converting p").append(converting).append(" to ").append(target ? "private" : "shared").append(" @").append(phase);
        }
        return sb.toString();
    }
}
