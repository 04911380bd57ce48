package org.mmspec.tlb.asid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One state of the ASID model: the address spaces' page tables, the kernel's ASID bookkeeping
 * for the configured architecture, each CPU's position, and each CPU's tagged TLB.
 *
 * <p>Encoding (all ints, copied per transition by {@link #copy}):
 * <ul>
 *   <li>Page tables: {@code pte[space * pages + p]} is 0 when page {@code p} is unmapped, else
 *       {@code 1 + 2 * frame + (writable ? 1 : 0)}; bit {@code space} of {@code hugeLeaves} says the
 *       region is still one 2 MiB leaf (then both pages hold the leaf's frames and permission).
 *       Space {@code s} owns frames {@code 2s} and {@code 2s+1}, so frames of different spaces
 *       never coincide and an entry of the wrong space can never look right.</li>
 *   <li>Generational allocator (AArch64, RISC-V; Linux's names): {@code generation};
 *       {@code context[space]} is 0 (never run) or {@code generation * CTX_SPAN + asid};
 *       {@code asidMap} has bit {@code a} when ASID {@code a} is taken in the current generation;
 *       {@code active[cpu]} and {@code reserved[cpu]} are contexts or 0; {@code flushPending} is the
 *       mask of CPUs that must flush their whole TLB before their next switch.</li>
 *   <li>PCID slots (x86): {@code slotSpace[cpu * slots + s]} is 0 or {@code space + 1};
 *       {@code slotGen} the {@code tlb_gen} that slot was flushed to; {@code nextSlot[cpu]} the
 *       round-robin victim; {@code tlbGen[space]} the space's flush generation.</li>
 *   <li>{@code cpuMask[space]}: Linux's {@code mm_cpumask} (x86: CPUs running it, lazily or not;
 *       RISC-V: every CPU that has run it; unused on AArch64).</li>
 *   <li>CPUs: {@code running[cpu]} is the loaded space or -1 (idle since boot); bit {@code cpu} of
 *       {@code lazy} says a kernel thread runs on the loaded space (lazy TLB); {@code tag[cpu]} is
 *       the hardware tag in use (ASID or PCID slot), -1 when idle.</li>
 *   <li>TLBs: {@code tlb[cpu]} the sorted packed {@link TaggedEntry} values.</li>
 *   <li>{@code opsLeft}: page-table operations the scope still allows.</li>
 * </ul>
 * Invariants: {@link AsidInvariants#ALL} (ASID-1..4 of {@code spec/tlb.md} section 8).
 * Two states are equal when every field but the configuration is; the explorer keys states by
 * the compact {@link #key()}, and a state handed to it is never changed again.
 */
public final class AsidState {
    /** A context is {@code generation * CTX_SPAN + asid}: the ASID in the low bits, as in Linux's {@code context.id}. */
    public static final int CTX_SPAN = 8;

    final AsidConfig cfg;
    int generation;
    final int[] context;
    int asidMap;
    final int[] active;
    final int[] reserved;
    int flushPending;
    final int[] slotSpace;
    final int[] slotGen;
    final int[] nextSlot;
    final int[] tlbGen;
    final int[] cpuMask;
    final int[] running;
    int lazy;
    final int[] tag;
    final int[] pte;
    int hugeLeaves;
    final int[][] tlb;
    int opsLeft;

    /** The initial state: every CPU idle, no context allocated, each region mapped writable. */
    public static AsidState initial(AsidConfig cfg) {
        AsidState s = new AsidState(cfg);
        s.generation = 1;
        for (int sp = 0; sp < cfg.spaces(); sp++) {
            for (int p = 0; p < cfg.pages(); p++) {
                s.pte[sp * cfg.pages() + p] = encodePte(frameOf(sp, p), true);
            }
            if (cfg.huge()) {
                s.hugeLeaves |= 1 << sp;
            }
        }
        Arrays.fill(s.running, -1);
        Arrays.fill(s.tag, -1);
        s.opsLeft = cfg.ops();
        return s;
    }

    AsidState(AsidConfig cfg) {
        this.cfg = cfg;
        int slots = cfg.arch().generational() ? 0 : cfg.asids();
        context = new int[cfg.spaces()];
        active = new int[cfg.cpus()];
        reserved = new int[cfg.cpus()];
        slotSpace = new int[cfg.cpus() * slots];
        slotGen = new int[cfg.cpus() * slots];
        nextSlot = new int[cfg.cpus()];
        tlbGen = new int[cfg.spaces()];
        cpuMask = new int[cfg.spaces()];
        running = new int[cfg.cpus()];
        tag = new int[cfg.cpus()];
        pte = new int[cfg.spaces() * cfg.pages()];
        tlb = new int[cfg.cpus()][0];
    }

    private AsidState(AsidState o) {
        cfg = o.cfg;
        generation = o.generation;
        context = o.context.clone();
        asidMap = o.asidMap;
        active = o.active.clone();
        reserved = o.reserved.clone();
        flushPending = o.flushPending;
        slotSpace = o.slotSpace.clone();
        slotGen = o.slotGen.clone();
        nextSlot = o.nextSlot.clone();
        tlbGen = o.tlbGen.clone();
        cpuMask = o.cpuMask.clone();
        running = o.running.clone();
        lazy = o.lazy;
        tag = o.tag.clone();
        pte = o.pte.clone();
        hugeLeaves = o.hugeLeaves;
        tlb = new int[o.tlb.length][];
        for (int c = 0; c < tlb.length; c++) {
            tlb[c] = o.tlb[c]; // TLB arrays are replaced, never written in place
        }
        opsLeft = o.opsLeft;
    }

    public AsidState copy() {
        return new AsidState(this);
    }

    public AsidConfig config() {
        return cfg;
    }

    // ---- frames and page tables ----

    /** The frame that page {@code p} of space {@code space} maps. */
    public static int frameOf(int space, int p) {
        return space * AsidConfig.REGION_PAGES + p;
    }

    static int encodePte(int frame, boolean writable) {
        return 1 + 2 * frame + (writable ? 1 : 0);
    }

    public boolean mapped(int space, int p) {
        return pte[space * cfg.pages() + p] != 0;
    }

    public int pteFrame(int space, int p) {
        return (pte[space * cfg.pages() + p] - 1) / 2;
    }

    public boolean pteWritable(int space, int p) {
        int v = pte[space * cfg.pages() + p];
        return v != 0 && (v - 1) % 2 == 1;
    }

    public boolean hugeLeaf(int space) {
        return (hugeLeaves >>> space & 1) == 1;
    }

    /**
     * Whether an entry gives page {@code p} nothing the owner's page table does not: the PTE maps
     * the same frame and allows at least the entry's writes.
     */
    public boolean agrees(int space, TaggedEntry e, int p) {
        return mapped(space, p) && pteFrame(space, p) == e.frameOf(p) && (!e.writable() || pteWritable(space, p));
    }

    /** Whether every page the entry covers agrees with {@code space}'s page table. */
    public boolean agrees(int space, TaggedEntry e) {
        for (int p = 0; p < cfg.pages(); p++) {
            if ((e.huge() || e.page() == p) && !agrees(space, e, p)) {
                return false;
            }
        }
        return true;
    }

    // ---- contexts ----

    public static int asidOf(int ctx) {
        return ctx % CTX_SPAN;
    }

    public static int generationOf(int ctx) {
        return ctx / CTX_SPAN;
    }

    public int generation() {
        return generation;
    }

    public int context(int space) {
        return context[space];
    }

    /** The CPUs that must flush their whole TLB before their next switch (a rollover's). */
    public int flushPendingMask() {
        return flushPending;
    }

    public boolean flushPending(int cpu) {
        return (flushPending >>> cpu & 1) == 1;
    }

    /** The space holding a current-generation context with ASID {@code a}, other than {@code except}, or -1. */
    int currentOwner(int a, int except) {
        for (int sp = 0; sp < cfg.spaces(); sp++) {
            if (sp != except && context[sp] != 0 && generationOf(context[sp]) == generation && asidOf(context[sp]) == a) {
                return sp;
            }
        }
        return -1;
    }

    // ---- PCID slots ----

    public int slots() {
        return cfg.arch().generational() ? 0 : cfg.asids();
    }

    /** The space PCID slot {@code s} of {@code cpu} holds, or -1. */
    public int slotSpace(int cpu, int s) {
        return slotSpace[cpu * slots() + s] - 1;
    }

    public int slotGen(int cpu, int s) {
        return slotGen[cpu * slots() + s];
    }

    public int tlbGen(int space) {
        return tlbGen[space];
    }

    // ---- CPUs and TLBs ----

    public int running(int cpu) {
        return running[cpu];
    }

    public boolean lazy(int cpu) {
        return (lazy >>> cpu & 1) == 1;
    }

    /** Whether {@code cpu} runs a user address space (loaded and not lazy). */
    public boolean inUser(int cpu) {
        return running[cpu] >= 0 && !lazy(cpu);
    }

    public int tag(int cpu) {
        return tag[cpu];
    }

    public List<TaggedEntry> tlb(int cpu) {
        List<TaggedEntry> out = new ArrayList<>();
        for (int e : tlb[cpu]) {
            out.add(TaggedEntry.unpack(e));
        }
        return out;
    }

    /** The entry a lookup of page {@code p} under tag {@code t} hits on {@code cpu}, or null. */
    public TaggedEntry lookup(int cpu, int t, int p) {
        for (int e : tlb[cpu]) {
            TaggedEntry x = TaggedEntry.unpack(e);
            if (x.covers(t, p)) {
                return x;
            }
        }
        return null;
    }

    void insert(int cpu, TaggedEntry e) {
        int[] old = tlb[cpu];
        int[] n = Arrays.copyOf(old, old.length + 1);
        n[old.length] = e.pack();
        Arrays.sort(n);
        tlb[cpu] = n;
    }

    /** Drops the entries of {@code cpu} that {@code drop} selects; returns how many went. */
    public int drop(int cpu, java.util.function.Predicate<TaggedEntry> drop) {
        int[] old = tlb[cpu];
        int[] n = Arrays.stream(old).filter(e -> !drop.test(TaggedEntry.unpack(e))).toArray();
        tlb[cpu] = n;
        return old.length - n.length;
    }

    // ---- mutators for the architecture allocators (org.mmspec.tlb.asid.aarch64, .x86) ----

    public void setContext(int space, int ctx) {
        context[space] = ctx;
    }

    /** Starts the next generation (a rollover). */
    public void bumpGeneration() {
        generation++;
    }

    /** The ASID map of the current generation: bit {@code a} set when ASID {@code a} is taken. */
    public int asidMap() {
        return asidMap;
    }

    public void setAsidMap(int map) {
        asidMap = map;
    }

    public int active(int cpu) {
        return active[cpu];
    }

    public void setActive(int cpu, int ctx) {
        active[cpu] = ctx;
    }

    public int reserved(int cpu) {
        return reserved[cpu];
    }

    public void setReserved(int cpu, int ctx) {
        reserved[cpu] = ctx;
    }

    public void setFlushPending(int mask) {
        flushPending = mask;
    }

    public int cpuMask(int space) {
        return cpuMask[space];
    }

    public void setCpuMask(int space, int mask) {
        cpuMask[space] = mask;
    }

    /** Loads tag {@code t} (an ASID or a PCID slot) on {@code cpu}. */
    public void setTag(int cpu, int t) {
        tag[cpu] = t;
    }

    public int nextSlot(int cpu) {
        return nextSlot[cpu];
    }

    public void setNextSlot(int cpu, int slot) {
        nextSlot[cpu] = slot;
    }

    /** Gives PCID slot {@code s} of {@code cpu} to {@code space}, flushed to {@code gen}. */
    public void setSlot(int cpu, int s, int space, int gen) {
        slotSpace[cpu * slots() + s] = space + 1;
        slotGen[cpu * slots() + s] = gen;
    }

    /** Records that slot {@code s} of {@code cpu} has been flushed to {@code gen}. */
    public void setSlotGen(int cpu, int s, int gen) {
        slotGen[cpu * slots() + s] = gen;
    }

    /** Increments the space's {@code tlb_gen}; returns the new value. */
    public int bumpTlbGen(int space) {
        return ++tlbGen[space];
    }

    public int opsLeft() {
        return opsLeft;
    }

    // ---- identity and rendering ----

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AsidState s)) {
            return false;
        }
        return generation == s.generation && asidMap == s.asidMap && flushPending == s.flushPending && lazy == s.lazy
                && hugeLeaves == s.hugeLeaves && opsLeft == s.opsLeft && Arrays.equals(context, s.context)
                && Arrays.equals(active, s.active) && Arrays.equals(reserved, s.reserved)
                && Arrays.equals(slotSpace, s.slotSpace) && Arrays.equals(slotGen, s.slotGen)
                && Arrays.equals(nextSlot, s.nextSlot) && Arrays.equals(tlbGen, s.tlbGen)
                && Arrays.equals(cpuMask, s.cpuMask) && Arrays.equals(running, s.running) && Arrays.equals(tag, s.tag)
                && Arrays.equals(pte, s.pte) && Arrays.deepEquals(tlb, s.tlb);
    }

    @Override
    public int hashCode() {
        int h = generation;
        h = 31 * h + asidMap;
        h = 31 * h + flushPending;
        h = 31 * h + lazy;
        h = 31 * h + hugeLeaves;
        h = 31 * h + opsLeft;
        for (int[] a : new int[][] {context, active, reserved, slotSpace, slotGen, nextSlot, tlbGen, cpuMask, running, tag, pte}) {
            h = 31 * h + Arrays.hashCode(a);
        }
        return 31 * h + Arrays.deepHashCode(tlb);
    }

    /**
     * The explorer's key: every field but the configuration, one char each (every field fits in 16
     * bits once -1 is shifted to 0), each TLB prefixed by its length. Equal exactly when
     * {@link #equals} holds, and about a tenth of the state's heap.
     */
    public String key() {
        StringBuilder b = new StringBuilder(64);
        b.append((char) generation).append((char) asidMap).append((char) flushPending).append((char) lazy)
                .append((char) hugeLeaves).append((char) opsLeft);
        for (int[] a : new int[][] {context, active, reserved, slotSpace, slotGen, nextSlot, tlbGen, cpuMask, pte}) {
            for (int v : a) {
                b.append((char) v);
            }
        }
        for (int c = 0; c < running.length; c++) {
            b.append((char) (running[c] + 1)).append((char) (tag[c] + 1));
        }
        for (int[] t : tlb) {
            b.append((char) t.length);
            for (int e : t) {
                b.append((char) e);
            }
        }
        return b.toString();
    }

    public static String spaceName(int space) {
        return space < 0 ? "-" : "mm" + (char) ('A' + space);
    }

    public static String ctxName(int ctx) {
        return ctx == 0 ? "-" : "g" + generationOf(ctx) + ":a" + asidOf(ctx);
    }

    public static String cpus(int mask) {
        StringBuilder b = new StringBuilder("{");
        for (int c = 0; mask >>> c != 0; c++) {
            if ((mask >>> c & 1) == 1) {
                b.append(b.length() > 1 ? "," : "").append("cpu").append(c);
            }
        }
        return b.append('}').toString();
    }

    String pageTable(int space) {
        if (hugeLeaf(space)) {
            return "2M f" + pteFrame(space, 0) + (pteWritable(space, 0) ? " rw" : " r");
        }
        StringBuilder b = new StringBuilder();
        for (int p = 0; p < cfg.pages(); p++) {
            b.append(p == 0 ? "" : ", ").append("p").append(p).append(' ');
            b.append(mapped(space, p) ? "f" + pteFrame(space, p) + (pteWritable(space, p) ? " rw" : " r") : "-");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (cfg.arch().generational()) {
            b.append("allocator: generation ").append(generation).append(", map {");
            for (int a = 1, n = 0; a <= cfg.asids(); a++) {
                if ((asidMap >>> a & 1) == 1) {
                    b.append(n++ == 0 ? "" : ",").append(a);
                }
            }
            b.append("}, flush pending ").append(cpus(flushPending)).append('\n');
        }
        for (int sp = 0; sp < cfg.spaces(); sp++) {
            b.append(spaceName(sp)).append(": PT[").append(pageTable(sp)).append(']');
            if (cfg.arch().generational()) {
                b.append(", context ").append(ctxName(context[sp]));
            } else {
                b.append(", tlb_gen ").append(tlbGen[sp]);
            }
            if (cfg.arch() != AsidArch.AARCH64) {
                b.append(", mask ").append(cpus(cpuMask[sp]));
            }
            b.append('\n');
        }
        for (int c = 0; c < cfg.cpus(); c++) {
            b.append("cpu").append(c).append(": ");
            b.append(running[c] < 0 ? "idle" : (lazy(c) ? "lazy on " : "runs ") + spaceName(running[c])
                    + (cfg.arch().generational() ? " asid " : " pcid slot ") + tag[c]);
            if (cfg.arch().generational()) {
                b.append(", active ").append(ctxName(active[c])).append(", reserved ").append(ctxName(reserved[c]));
            } else {
                b.append(", slots [");
                for (int s = 0; s < slots(); s++) {
                    b.append(s == 0 ? "" : ", ").append(s).append(": ").append(spaceName(slotSpace(c, s)));
                    if (slotSpace(c, s) >= 0) {
                        b.append(" @").append(slotGen(c, s));
                    }
                }
                b.append(']');
            }
            b.append(", TLB").append(tlb(c)).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
