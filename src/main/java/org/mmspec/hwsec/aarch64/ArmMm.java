package org.mmspec.hwsec.aarch64;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Entry;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.aarch64.Mair;

/**
 * The part of AArch64 memory management that TBI, MTE and pointer authentication change: a few
 * address spaces with their user leaf descriptors, the allocation tags of physical memory, and
 * per CPU the registers the kernel loads with an address space (TCR_EL1.TBI0, SCTLR_EL1.TCF0,
 * the five PAC keys) plus TFSRE0_EL1.
 *
 * <p>Encoding. {@code frames} frames, frame {@code i} at physical frame {@code FIRST_FRAME + i};
 * {@code tags[i * GRANULES + g]} is the allocation tag of granule {@code g} of frame {@code i}
 * (tag storage exists for all memory, and is meaningful for frames mapped Tagged). An address
 * space ({@link Proc}) holds its mode (TBI on or off, the tag-check mode), its PAC keys and its
 * user leaf descriptors, page number to the raw 4 KiB-granule L3 descriptor that
 * {@link Aarch64Pte#G4K} encodes, with AttrIndx naming the Tagged Normal slot ({@link Mair}) for a
 * PROT_MTE mapping. A fork copies every page into a fresh frame, tags included (the model's stand-in
 * for copy-on-write, which copies tags with the data when it breaks the share).
 *
 * <p>Ghost state (verification only, never read by the operations): per address space the pages
 * mapped PROT_MTE, its key lineage (fresh at boot and exec, copied by fork) and the keys it
 * inherited at fork; per CPU how many asynchronous mismatches happened since its last check
 * point; and the last completed access, with the tags it should have compared.
 *
 * <p>Invariants ({@link ArmSecInvariants}): TBI-1..3, MTE-1..3, PAC-1..3 (spec/hardware-security.md).
 */
public final class ArmMm {
    /** First physical frame of the model's memory. */
    public static final long FIRST_FRAME = 16;
    /** Tag granules per 4 KiB page. */
    public static final int GRANULES = (int) (PhysFrame.SIZE / AllocationTag.GRANULE_BYTES);
    /** Lowest user page the model maps (page numbers below are refused, as NULL's page is). */
    public static final long MIN_USER_PAGE = 1;
    /** The leaf attributes of every user mapping: user read-write data, accessed. */
    static final PageFlags USER_RW = PageFlags.readWrite().with(PageFlags.USER).with(PageFlags.ACCESSED);
    /** The L3 depth of the 4 KiB-granule walk. */
    static final int LEAF_DEPTH = 3;

    /** Seeded bugs, each caught by one invariant. */
    public enum Bug {
        NONE,
        /** TBI drops bits 63:52 (caught by TBI-1). */
        IGNORE_BITS_63_52,
        /** TBI applies even with the mode off (TBI-1). */
        IGNORE_WHEN_OFF,
        /** TBI1 on: kernel pointers with metadata pass (TBI-2). */
        KERNEL_TBI,
        /** A context switch leaves TCR_EL1.TBI0 as it was (TBI-3). */
        SWITCH_KEEPS_TBI,
        /** Synchronous mode performs the access without comparing tags (MTE-1). */
        SYNC_UNCHECKED,
        /** Asynchronous mode does not set TFSRE0_EL1.TF0 (MTE-2). */
        ASYNC_NOT_RECORDED,
        /** A PROT_MTE mapping is written with the Normal write-back AttrIndx (MTE-3). */
        TAGGED_AS_NORMAL,
        /** Fork gives the child fresh keys (PAC-2). */
        FORK_FRESH_KEYS,
        /** Exec keeps the old keys (PAC-1). */
        EXEC_KEEPS_KEYS,
        /** A context switch leaves the previous address space's keys in the registers (PAC-3). */
        SWITCH_KEEPS_KEYS;

        TopByteIgnore.Bug tbi() {
            return switch (this) {
                case IGNORE_BITS_63_52 -> TopByteIgnore.Bug.IGNORE_BITS_63_52;
                case IGNORE_WHEN_OFF -> TopByteIgnore.Bug.IGNORE_WHEN_OFF;
                case KERNEL_TBI -> TopByteIgnore.Bug.KERNEL_TBI;
                default -> TopByteIgnore.Bug.NONE;
            };
        }
    }

    /** One address space (the model's process). */
    static final class Proc {
        boolean tbi;
        TagCheckMode tcf = TagCheckMode.NONE;
        PacKeys keys;
        final TreeMap<Long, Long> ptes = new TreeMap<>();
        /** Ghost: pages mapped with PROT_MTE. */
        final java.util.TreeSet<Long> ghostTagged = new java.util.TreeSet<>();
        /** Ghost: the key lineage (boot or exec that created the keys, copied by fork). */
        long ghostLineage;
        /** Ghost: the parent's keys at fork, until the next exec; null otherwise. */
        PacKeys ghostInherited;
        /** Asynchronous tag-check faults reported to this process (SIGSEGV, SEGV_MTEAERR). */
        int asyncFaultsReported;

        Proc copy() {
            Proc p = new Proc();
            p.tbi = tbi;
            p.tcf = tcf;
            p.keys = keys;
            p.ptes.putAll(ptes);
            p.ghostTagged.addAll(ghostTagged);
            p.ghostLineage = ghostLineage;
            p.ghostInherited = ghostInherited;
            p.asyncFaultsReported = asyncFaultsReported;
            return p;
        }
    }

    /** One CPU's registers that follow the running address space. */
    static final class Cpu {
        /** The running process, or 0 when idle. */
        int running;
        boolean tbi0;
        TagCheckMode tcf0 = TagCheckMode.NONE;
        PacKeys keys = PacKeys.NONE;
        /** TFSRE0_EL1.TF0. */
        boolean tf0;
        /** Ghost: asynchronous mismatches since the last check point. */
        int ghostAsyncMismatches;

        Cpu copy() {
            Cpu c = new Cpu();
            c.running = running;
            c.tbi0 = tbi0;
            c.tcf0 = tcf0;
            c.keys = keys;
            c.tf0 = tf0;
            c.ghostAsyncMismatches = ghostAsyncMismatches;
            return c;
        }
    }

    /**
     * Ghost record of the last completed user access.
     *
     * @param tbi the address space's mode at the access
     * @param mode the address space's tag-check mode
     * @param taggedPage whether the page was mapped PROT_MTE (ghost)
     * @param pointerTag the pointer's logical tag
     * @param memoryTag the granule's allocation tag at the access
     * @param page the page the access reached
     */
    record LastAccess(long ptr, boolean tbi, TagCheckMode mode, boolean taggedPage, int pointerTag, int memoryTag, long page) {
    }

    final Bug bug;
    final int frames;
    final int maxProcs;
    final int maxExecs;
    final byte[] tags;
    final boolean[] used;
    final TreeMap<Integer, Proc> procs = new TreeMap<>();
    final Cpu[] cpus;
    int nextPid;
    long nextKeySeq;
    LastAccess last;

    /** A machine with one process (pid 1, fresh keys) running on CPU 0 and the other CPUs idle. */
    public ArmMm(int cpus, int frames, int maxProcs, int maxExecs, Bug bug) {
        if (cpus < 1 || frames < 1 || maxProcs < 1) {
            throw new IllegalArgumentException("need a CPU, a frame and a process");
        }
        this.bug = bug;
        this.frames = frames;
        this.maxProcs = maxProcs;
        this.maxExecs = maxExecs;
        this.tags = new byte[frames * GRANULES];
        this.used = new boolean[frames];
        this.cpus = new Cpu[cpus];
        for (int i = 0; i < cpus; i++) {
            this.cpus[i] = new Cpu();
        }
        Proc init = new Proc();
        init.keys = PacKeys.fresh(nextKeySeq);
        init.ghostLineage = nextKeySeq++;
        nextPid = 1;
        procs.put(nextPid++, init);
        load(this.cpus[0], 1, init);
    }

    private ArmMm(ArmMm o) {
        bug = o.bug;
        frames = o.frames;
        maxProcs = o.maxProcs;
        maxExecs = o.maxExecs;
        tags = o.tags.clone();
        used = o.used.clone();
        o.procs.forEach((k, v) -> procs.put(k, v.copy()));
        cpus = new Cpu[o.cpus.length];
        for (int i = 0; i < cpus.length; i++) {
            cpus[i] = o.cpus[i].copy();
        }
        nextPid = o.nextPid;
        nextKeySeq = o.nextKeySeq;
        last = o.last;
    }

    public ArmMm copy() {
        return new ArmMm(this);
    }

    // ---- operations -------------------------------------------------------------------------

    /** mmap of one anonymous read-write page, PROT_MTE when {@code tagged}: a zeroed frame with all tags 0. */
    public void mmap(int pid, long page, boolean tagged) {
        Proc p = proc(pid);
        checkUserPage(page);
        if (p.ptes.containsKey(page)) {
            throw ArmSecError.of(ArmSecError.Kind.ALREADY_MAPPED, "pid %d page 0x%x is mapped", pid, page);
        }
        int f = freeFrame();
        used[f] = true;
        java.util.Arrays.fill(tags, f * GRANULES, (f + 1) * GRANULES, (byte) 0);
        p.ptes.put(page, descriptor(f, tagged));
        if (tagged) {
            p.ghostTagged.add(page);
        }
    }

    /**
     * mprotect of one mapped page with or without PROT_MTE: rewrites AttrIndx. A page becoming
     * Tagged starts with every allocation tag 0, as a fresh PROT_MTE page does (Linux clears the
     * tags of a page the first time it is mapped Tagged); dropping PROT_MTE keeps the tags in
     * memory but no access is checked against them.
     */
    public void mprotect(int pid, long page, boolean tagged) {
        Proc p = proc(pid);
        Long raw = p.ptes.get(page);
        if (raw == null) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_MAPPED, "pid %d page 0x%x is not mapped", pid, page);
        }
        int f = frameIndex(raw);
        if (tagged && !Mair.isTagged(raw)) {
            java.util.Arrays.fill(tags, f * GRANULES, (f + 1) * GRANULES, (byte) 0);
        }
        p.ptes.put(page, descriptor(f, tagged));
        if (tagged) {
            p.ghostTagged.add(page);
        } else {
            p.ghostTagged.remove(page);
        }
    }

    /** munmap of one page: the frame is freed. */
    public void munmap(int pid, long page) {
        Proc p = proc(pid);
        Long raw = p.ptes.get(page);
        if (raw == null) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_MAPPED, "pid %d page 0x%x is not mapped", pid, page);
        }
        used[frameIndex(raw)] = false;
        p.ptes.remove(page);
        p.ghostTagged.remove(page);
    }

    /**
     * prctl(PR_SET_TAGGED_ADDR_CTRL) for the whole address space: the TBI mode and the tag-check
     * mode; a CPU running it loads the new values at once (the call runs on that CPU).
     */
    public void setTaggedAddrCtrl(int pid, boolean tbi, TagCheckMode tcf) {
        Proc p = proc(pid);
        p.tbi = tbi;
        p.tcf = tcf;
        for (Cpu c : cpus) {
            if (c.running == pid) {
                c.tbi0 = tbi;
                c.tcf0 = tcf;
            }
        }
    }

    /**
     * A user load or store through {@code ptr} on {@code cpu}: translation with the CPU's TBI0,
     * then, on a Tagged page with tag checking on, the tag check. Returns the physical address.
     *
     * @throws ArmSecError NON_CANONICAL, KERNEL_METADATA, NOT_USER, NOT_MAPPED, or a synchronous TAG_CHECK_FAULT
     */
    public PhysAddr access(int cpu, long ptr) {
        Cpu c = cpu(cpu);
        Proc p = procs.get(c.running);
        VirtAddr va = TopByteIgnore.translate(ptr, c.tbi0, bug.tbi());
        long raw = leaf(c.running, p, va);
        int f = frameIndex(raw);
        int granule = (int) ((va.value() & (PhysFrame.SIZE - 1)) / AllocationTag.GRANULE_BYTES);
        int memTag = tags[f * GRANULES + granule];
        int ptrTag = AllocationTag.ofPointer(ptr).value();
        boolean checked = Mair.isTagged(raw) && c.tcf0 != TagCheckMode.NONE;
        if (checked && memTag != ptrTag) {
            if (c.tcf0 == TagCheckMode.SYNC && bug != Bug.SYNC_UNCHECKED) {
                throw ArmSecError.of(ArmSecError.Kind.TAG_CHECK_FAULT, "pointer 0x%x has %s, granule %d of frame %d has %s", ptr,
                        AllocationTag.of(ptrTag), granule, FIRST_FRAME + f, AllocationTag.of(memTag));
            }
            if (c.tcf0 == TagCheckMode.ASYNC && bug != Bug.ASYNC_NOT_RECORDED) {
                c.tf0 = true;
            }
        }
        boolean ghostTagged = p.ghostTagged.contains(va.value() >>> PhysFrame.SHIFT);
        if (ghostTagged && p.tcf == TagCheckMode.ASYNC && memTag != ptrTag) {
            c.ghostAsyncMismatches++;
        }
        last = new LastAccess(ptr, p.tbi, p.tcf, ghostTagged, ptrTag, memTag, va.value() >>> PhysFrame.SHIFT);
        return PhysAddr.of(((FIRST_FRAME + f) << PhysFrame.SHIFT) | (va.value() & (PhysFrame.SIZE - 1)));
    }

    /**
     * STG: sets the allocation tag of the granule {@code ptr} addresses to the pointer's logical
     * tag (what a user allocator does on malloc and free). Translation as for {@link #access};
     * the page must be Tagged.
     */
    public void storeTag(int cpu, long ptr) {
        Cpu c = cpu(cpu);
        Proc p = procs.get(c.running);
        VirtAddr va = TopByteIgnore.translate(ptr, c.tbi0, bug.tbi());
        long raw = leaf(c.running, p, va);
        if (!Mair.isTagged(raw)) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_TAGGED, "page 0x%x is not Tagged Normal memory (AttrIndx %d)",
                    va.value() >>> PhysFrame.SHIFT, Mair.attrIndx(raw));
        }
        int granule = (int) ((va.value() & (PhysFrame.SIZE - 1)) / AllocationTag.GRANULE_BYTES);
        tags[frameIndex(raw) * GRANULES + granule] = (byte) AllocationTag.ofPointer(ptr).value();
    }

    /** A check point (kernel entry): a pending asynchronous tag-check fault is reported to the running process. */
    public void checkpoint(int cpu) {
        Cpu c = cpu(cpu);
        report(c);
    }

    private void report(Cpu c) {
        if (c.tf0 && c.running != 0) {
            procs.get(c.running).asyncFaultsReported++;
        }
        c.tf0 = false;
        c.ghostAsyncMismatches = 0;
    }

    /** Context switch of {@code cpu} to {@code pid}: a check point, then the new address space's registers. */
    public void switchTo(int cpu, int pid) {
        if (cpu < 0 || cpu >= cpus.length) {
            throw ArmSecError.of(ArmSecError.Kind.BAD_CPU, "no CPU %d", cpu);
        }
        Proc p = proc(pid);
        for (int i = 0; i < cpus.length; i++) {
            if (i != cpu && cpus[i].running == pid) {
                throw ArmSecError.of(ArmSecError.Kind.PROCESS_RUNNING, "pid %d runs on CPU %d", pid, i);
            }
        }
        Cpu c = cpus[cpu];
        report(c);
        load(c, pid, p);
    }

    private void load(Cpu c, int pid, Proc p) {
        c.running = pid;
        if (bug != Bug.SWITCH_KEEPS_TBI) {
            c.tbi0 = p.tbi;
        }
        c.tcf0 = p.tcf;
        if (bug != Bug.SWITCH_KEEPS_KEYS || c.keys.equals(PacKeys.NONE)) {
            c.keys = p.keys;
        }
    }

    /** fork: the child gets a copy of every page (tags included), the modes, and the parent's PAC keys. */
    public int fork(int pid) {
        Proc p = proc(pid);
        if (nextPid > maxProcs) {
            throw ArmSecError.of(ArmSecError.Kind.LIMIT, "the model's bound of %d processes created is reached", maxProcs);
        }
        long free = 0;
        for (boolean u : used) {
            free += u ? 0 : 1;
        }
        if (free < p.ptes.size()) {
            throw ArmSecError.of(ArmSecError.Kind.OUT_OF_MEMORY, "fork needs %d frames, %d free", p.ptes.size(), free);
        }
        Proc child = p.copy();
        child.asyncFaultsReported = 0;
        for (Map.Entry<Long, Long> e : p.ptes.entrySet()) {
            int from = frameIndex(e.getValue());
            int to = freeFrame();
            used[to] = true;
            System.arraycopy(tags, from * GRANULES, tags, to * GRANULES, GRANULES);
            child.ptes.put(e.getKey(), descriptor(to, Mair.isTagged(e.getValue())));
        }
        if (bug == Bug.FORK_FRESH_KEYS) {
            child.keys = PacKeys.fresh(nextKeySeq++);
        }
        child.ghostInherited = p.keys;
        int id = nextPid++;
        procs.put(id, child);
        return id;
    }

    /** exec: the address space is emptied, the modes reset, and the process gets fresh PAC keys. */
    public void exec(int pid) {
        Proc p = proc(pid);
        if (nextKeySeq > maxExecs) {
            throw ArmSecError.of(ArmSecError.Kind.LIMIT, "the model's bound of %d execs is reached", maxExecs);
        }
        for (long raw : p.ptes.values()) {
            used[frameIndex(raw)] = false;
        }
        p.ptes.clear();
        p.ghostTagged.clear();
        p.tbi = false;
        p.tcf = TagCheckMode.NONE;
        long seq = nextKeySeq++;
        if (bug != Bug.EXEC_KEEPS_KEYS) {
            p.keys = PacKeys.fresh(seq);
        }
        p.ghostLineage = seq;
        p.ghostInherited = null;
        for (Cpu c : cpus) {
            if (c.running == pid) {
                load(c, pid, p);
                c.keys = p.keys;
            }
        }
    }

    /** exit: frees the pages; a CPU running the process goes idle (its registers keep stale values, never used). */
    public void exit(int pid) {
        Proc p = proc(pid);
        for (long raw : p.ptes.values()) {
            used[frameIndex(raw)] = false;
        }
        for (Cpu c : cpus) {
            if (c.running == pid) {
                report(c);
                c.running = 0;
            }
        }
        procs.remove(pid);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private long descriptor(int frame, boolean tagged) {
        long raw = Aarch64Pte.G4K.encodeLeaf(PhysAddr.of((FIRST_FRAME + frame) << PhysFrame.SHIFT), USER_RW, LEAF_DEPTH);
        return tagged && bug != Bug.TAGGED_AS_NORMAL ? Mair.withTagged(raw) : raw;
    }

    int frameIndex(long raw) {
        Entry e = Aarch64Pte.G4K.decode(raw, LEAF_DEPTH);
        return (int) ((e.address().value() >>> PhysFrame.SHIFT) - FIRST_FRAME);
    }

    private long leaf(int pid, Proc p, VirtAddr va) {
        if (va.isUpperHalf()) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_USER, "0x%x is a kernel address; EL0 has no access", va.value());
        }
        Long raw = p.ptes.get(va.value() >>> PhysFrame.SHIFT);
        if (raw == null) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_MAPPED, "pid %d has no translation for %s", pid, va);
        }
        return raw;
    }

    private int freeFrame() {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                return i;
            }
        }
        throw ArmSecError.of(ArmSecError.Kind.OUT_OF_MEMORY, "all %d frames are in use", frames);
    }

    private static void checkUserPage(long page) {
        if (page < MIN_USER_PAGE || page >= (VirtAddr.LOWER_HALF_END >>> PhysFrame.SHIFT)) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_USER, "page 0x%x is outside user space", page);
        }
    }

    private Proc proc(int pid) {
        Proc p = procs.get(pid);
        if (p == null) {
            throw ArmSecError.of(ArmSecError.Kind.NO_SUCH_PROCESS, "no process %d", pid);
        }
        return p;
    }

    private Cpu cpu(int cpu) {
        if (cpu < 0 || cpu >= cpus.length || cpus[cpu].running == 0) {
            throw ArmSecError.of(ArmSecError.Kind.BAD_CPU, "CPU %d does not exist or runs no process", cpu);
        }
        return cpus[cpu];
    }

    // ---- views ------------------------------------------------------------------------------

    /** The live process ids. */
    public List<Integer> pids() {
        return new ArrayList<>(procs.keySet());
    }

    /** The mapped pages of {@code pid}. */
    public List<Long> pages(int pid) {
        return new ArrayList<>(proc(pid).ptes.keySet());
    }

    /** The raw leaf descriptor of a page, for dumps. */
    public long descriptorOf(int pid, long page) {
        Long raw = proc(pid).ptes.get(page);
        if (raw == null) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_MAPPED, "pid %d page 0x%x is not mapped", pid, page);
        }
        return raw;
    }

    /** The process running on {@code cpu}, or 0. */
    public int running(int cpu) {
        return cpus[cpu].running;
    }

    /** The PAC keys of {@code pid}. */
    public PacKeys keys(int pid) {
        return proc(pid).keys;
    }

    /** The PAC key registers of {@code cpu}. */
    public PacKeys keyRegisters(int cpu) {
        return cpus[cpu].keys;
    }

    /** TFSRE0_EL1.TF0 of {@code cpu}. */
    public boolean asyncFaultPending(int cpu) {
        return cpus[cpu].tf0;
    }

    /** Asynchronous tag-check faults reported to {@code pid}. */
    public int asyncFaultsReported(int pid) {
        return proc(pid).asyncFaultsReported;
    }

    /** The allocation tag of the granule holding physical address {@code pa}. */
    public AllocationTag tagAt(PhysAddr pa) {
        int f = (int) ((pa.value() >>> PhysFrame.SHIFT) - FIRST_FRAME);
        return AllocationTag.of(tags[f * GRANULES + (int) ((pa.value() & (PhysFrame.SIZE - 1)) / AllocationTag.GRANULE_BYTES)]);
    }

    public int cpuCount() {
        return cpus.length;
    }

    /**
     * The canonical key of the whole state, ghosts included. It keeps only whether a process has
     * been sent an asynchronous tag-check fault, not how many, and likewise whether a CPU has had an asynchronous mismatch since its check point:
     * no invariant reads the counts, and
     * the count would make the state space infinite.
     */
    public String key() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < frames; i++) {
            sb.append(used[i] ? 'U' : '.');
            for (int g = 0; g < GRANULES; g++) {
                byte t = tags[i * GRANULES + g];
                if (t != 0) {
                    sb.append(g).append('=').append(t).append(',');
                }
            }
        }
        for (Map.Entry<Integer, Proc> e : procs.entrySet()) {
            Proc p = e.getValue();
            sb.append("|p").append(e.getKey()).append(p.tbi ? "T" : "t").append(p.tcf.tcf).append(p.keys).append(p.ptes)
                    .append(p.ghostTagged).append('L').append(p.ghostLineage).append('I').append(p.ghostInherited)
                    .append(p.asyncFaultsReported > 0 ? "R" : "");
        }
        for (Cpu c : cpus) {
            sb.append("|c").append(c.running).append(c.tbi0 ? "T" : "t").append(c.tcf0.tcf).append(c.keys).append(c.tf0 ? "F" : "f")
                    .append(c.ghostAsyncMismatches > 0 ? "M" : "m");
        }
        sb.append('|').append(nextPid).append(',').append(nextKeySeq).append(',').append(lastKey());
        return sb.toString();
    }

    /**
     * The last access as the key keeps it: only what TBI-1 and MTE-1 read of it (whether it
     * reached the page its pointer names, carried metadata only under TBI, and whether it was a
     * silent synchronous mismatch), so accesses that differ in nothing the invariants see are one state.
     */
    private String lastKey() {
        if (last == null) {
            return "";
        }
        boolean pageOk = last.page() == (last.ptr() & ~TopByteIgnore.TOP_BYTE_MASK) >>> PhysFrame.SHIFT
                && (last.tbi() || TopByteIgnore.topByte(last.ptr()) == 0);
        boolean silent = last.taggedPage() && last.mode() == TagCheckMode.SYNC && last.pointerTag() != last.memoryTag();
        return (pageOk ? "p" : "P") + (silent ? "S" : "s");
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Proc> e : procs.entrySet()) {
            Proc p = e.getValue();
            sb.append("pid").append(e.getKey()).append(p.tbi ? " TBI" : "").append(" TCF=").append(p.tcf).append(' ').append(p.keys)
                    .append(" pages{");
            p.ptes.forEach((pg, raw) -> sb.append(String.format(" 0x%x->f%d%s", pg, FIRST_FRAME + frameIndex(raw),
                    Mair.isTagged(raw) ? " Tagged" : "")));
            sb.append(" } ");
        }
        for (int i = 0; i < cpus.length; i++) {
            Cpu c = cpus[i];
            sb.append("cpu").append(i).append("[pid").append(c.running).append(c.tbi0 ? " TBI0" : "").append(" TCF0=").append(c.tcf0)
                    .append(' ').append(c.keys).append(c.tf0 ? " TF0" : "").append("] ");
        }
        return sb.append("last=").append(last).toString();
    }
}
