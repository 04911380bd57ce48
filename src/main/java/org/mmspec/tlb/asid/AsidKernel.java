package org.mmspec.tlb.asid;

import org.mmspec.tlb.asid.AsidError.Kind;
import org.mmspec.tlb.asid.aarch64.GenerationAsids;
import org.mmspec.tlb.asid.x86.PcidSlots;

/**
 * The kernel side of tagged TLBs: context switch with ASID allocation, entering lazy TLB mode,
 * and the page-table operations (munmap, mprotect of one 4 KiB page, splitting a 2 MiB leaf
 * first) with the shootdown each architecture uses. Every operation validates its arguments and
 * preconditions before it changes anything, so a rejected one ({@link AsidError}) leaves the state
 * exactly as it was (ATOMIC-1). Each returns a one-line account of what it did, for timelines.
 *
 * <p>What differs by architecture, the tag allocator and the shootdown, is an {@link AsidScheme}
 * in a sub-package: {@link GenerationAsids} (AArch64, RISC-V) and {@link PcidSlots} (x86). A
 * seeded {@link AsidBug} changes exactly one step of the kernel.
 */
public final class AsidKernel {
    private AsidKernel() {
    }

    private static void checkCpu(AsidState s, int cpu) {
        if (cpu < 0 || cpu >= s.cfg.cpus()) {
            throw AsidError.of(Kind.BAD_CPU, "cpu %d outside 0..%d", cpu, s.cfg.cpus() - 1);
        }
    }

    private static int userSpace(AsidState s, int cpu) {
        checkCpu(s, cpu);
        if (!s.inUser(cpu)) {
            throw AsidError.of(Kind.NOT_RUNNING, "cpu%d runs no user address space", cpu);
        }
        return s.running[cpu];
    }

    /** The CPU starts running {@code space} in user mode: a switch, or a lazy CPU's return to its loaded space. */
    public static String switchTo(AsidState s, int cpu, int space) {
        checkCpu(s, cpu);
        if (space < 0 || space >= s.cfg.spaces()) {
            throw AsidError.of(Kind.BAD_SPACE, "address space %d outside 0..%d", space, s.cfg.spaces() - 1);
        }
        if (s.inUser(cpu) && s.running[cpu] == space) {
            throw AsidError.of(Kind.ALREADY_RUNNING, "cpu%d already runs %s", cpu, AsidState.spaceName(space));
        }
        StringBuilder log = new StringBuilder("cpu").append(cpu).append(" switch to ").append(AsidState.spaceName(space));
        scheme(s.cfg.arch()).switchTo(s, cpu, space, log);
        s.running[cpu] = space;
        s.lazy &= ~(1 << cpu);
        return log.toString();
    }

    /** The allocator and shootdown of {@code arch}. */
    public static AsidScheme scheme(AsidArch arch) {
        return switch (arch) {
            case AARCH64 -> GenerationAsids.AARCH64;
            case RISCV -> GenerationAsids.RISCV;
            case X86_PCID -> PcidSlots.INSTANCE;
        };
    }

    // ---- lazy TLB ----

    /** A kernel thread takes the CPU: the loaded space stays loaded (lazy TLB), its entries stay cached. */
    public static String enterLazy(AsidState s, int cpu) {
        int space = userSpace(s, cpu);
        s.lazy |= 1 << cpu;
        return "cpu" + cpu + " runs a kernel thread, lazy on " + AsidState.spaceName(space);
    }

    // ---- page-table operations and their shootdowns ----

    /** munmap of one 4 KiB page of the running space. */
    public static String munmap(AsidState s, int cpu, int page) {
        return change(s, cpu, page, false);
    }

    /** mprotect read-only of one 4 KiB page of the running space. */
    public static String mprotect(AsidState s, int cpu, int page) {
        return change(s, cpu, page, true);
    }

    private static String change(AsidState s, int cpu, int page, boolean keepReadOnly) {
        int space = userSpace(s, cpu);
        if (page < 0 || page >= s.cfg.pages()) {
            throw AsidError.of(Kind.BAD_PAGE, "page %d outside 0..%d", page, s.cfg.pages() - 1);
        }
        if (keepReadOnly ? !s.pteWritable(space, page) : !s.mapped(space, page)) {
            throw AsidError.of(Kind.NO_CHANGE, "p%d of %s is already %s", page, AsidState.spaceName(space),
                    keepReadOnly ? "read-only or unmapped" : "unmapped");
        }
        if (s.opsLeft == 0) {
            throw AsidError.of(Kind.SCOPE, "the configuration allows %d page-table operations", s.cfg.ops());
        }
        StringBuilder log = new StringBuilder("cpu").append(cpu).append(keepReadOnly ? " mprotect(p" : " munmap(p")
                .append(page).append(") of ").append(AsidState.spaceName(space));
        boolean split = s.hugeLeaf(space);
        if (split) {
            // the PTEs already hold the leaf's per-page frames: clearing the leaf bit is the split
            s.hugeLeaves &= ~(1 << space);
            log.append(": split 2M leaf into 4K PTEs");
        }
        int at = space * s.cfg.pages() + page;
        s.pte[at] = keepReadOnly ? AsidState.encodePte(s.pteFrame(space, page), false) : 0;
        s.opsLeft--;
        int pages = split ? (1 << s.cfg.pages()) - 1 : 1 << page;
        if (split && s.cfg.bug() == AsidBug.SPLIT_NO_SHOOTDOWN) {
            return log.append(", no shootdown").toString();
        }
        scheme(s.cfg.arch()).shootdown(s, space, pages, log);
        return log.toString();
    }
}
