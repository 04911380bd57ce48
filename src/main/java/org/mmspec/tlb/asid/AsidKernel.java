package org.mmspec.tlb.asid;

import org.mmspec.tlb.asid.AsidError.Kind;

/**
 * The kernel side of tagged TLBs: context switch with ASID allocation, entering lazy TLB mode,
 * and the page-table operations (munmap, mprotect of one 4 KiB page, splitting a 2 MiB leaf
 * first) with the shootdown each architecture uses. Every operation validates its arguments and
 * preconditions before it changes anything, so a rejected one ({@link AsidError}) leaves the state
 * exactly as it was (ATOMIC-1). Each returns a one-line account of what it did, for timelines.
 *
 * <p>The allocators follow Linux: {@code check_and_switch_context}/{@code new_context}/
 * {@code flush_context} of {@code arch/arm64/mm/context.c} (RISC-V's {@code context.c} is the
 * same scheme), and {@code switch_mm_irqs_off}/{@code choose_new_asid}/{@code flush_tlb_func} of
 * {@code arch/x86/mm/tlb.c}. A seeded {@link AsidBug} changes exactly one step of them.
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
        if (s.cfg.arch().generational()) {
            checkAndSwitchContext(s, cpu, space, log);
            if (s.cfg.arch() == AsidArch.RISCV) {
                s.cpuMask[space] |= 1 << cpu;
            }
        } else {
            switchMmIrqsOff(s, cpu, space, log);
        }
        s.running[cpu] = space;
        s.lazy &= ~(1 << cpu);
        return log.toString();
    }

    // ---- AArch64 / RISC-V: the generation allocator ----

    private static void checkAndSwitchContext(AsidState s, int cpu, int space, StringBuilder log) {
        int ctx = s.context[space];
        boolean current = ctx != 0 && AsidState.generationOf(ctx) == s.generation;
        if (current && s.active[cpu] != 0) {
            // Linux's lock-free fast path: the context is of this generation and no rollover has
            // reset this CPU's active ASID since its last switch, so its TLB holds nothing foreign
            s.active[cpu] = ctx;
            log.append(": fast path, asid ").append(AsidState.asidOf(ctx));
        } else {
            if (!current) {
                ctx = newContext(s, cpu, space, log);
                s.context[space] = ctx;
            }
            if (s.flushPending(cpu)) {
                s.flushPending &= ~(1 << cpu);
                int n = s.drop(cpu, e -> true);
                log.append("; rollover flush of the whole TLB (").append(n).append(" entries)");
            }
            s.active[cpu] = ctx;
            log.append("; asid ").append(AsidState.asidOf(ctx));
        }
        s.tag[cpu] = AsidState.asidOf(ctx);
    }

    private static int newContext(AsidState s, int cpu, int space, StringBuilder log) {
        int old = s.context[space];
        if (old != 0) {
            int asid = AsidState.asidOf(old);
            int renewed = s.generation * AsidState.CTX_SPAN + asid;
            boolean wasReserved = false;
            for (int c = 0; c < s.cfg.cpus(); c++) {
                if (s.reserved[c] == old) {
                    s.reserved[c] = renewed;
                    wasReserved = true;
                }
            }
            if (wasReserved) {
                log.append(": reserved ").append(AsidState.ctxName(old)).append(" renewed as ").append(AsidState.ctxName(renewed));
                return renewed;
            }
            if ((s.asidMap >>> asid & 1) == 0) {
                s.asidMap |= 1 << asid;
                log.append(": keeps asid ").append(asid).append(" in generation ").append(s.generation);
                return renewed;
            }
        }
        int free = firstFree(s);
        if (free < 0) {
            if (s.generation >= s.cfg.generations() && s.cfg.bug() != AsidBug.ROLLOVER_NO_BUMP) {
                throw AsidError.of(Kind.SCOPE, "a rollover past generation %d is outside the scope", s.cfg.generations());
            }
            rollover(s, cpu, log);
            free = firstFree(s);
            if (free < 0) {
                throw new IllegalStateException("no ASID free after a rollover: more CPUs than ASIDs");
            }
        }
        s.asidMap |= 1 << free;
        int ctx = s.generation * AsidState.CTX_SPAN + free;
        log.append(": new context ").append(AsidState.ctxName(ctx));
        return ctx;
    }

    private static int firstFree(AsidState s) {
        for (int a = 1; a <= s.cfg.asids(); a++) {
            if ((s.asidMap >>> a & 1) == 0) {
                return a;
            }
        }
        return -1;
    }

    /** Linux's generation bump plus {@code flush_context}: every CPU keeps its active ASID as reserved. */
    private static void rollover(AsidState s, int cpu, StringBuilder log) {
        if (s.cfg.bug() != AsidBug.ROLLOVER_NO_BUMP) {
            s.generation++;
        }
        s.asidMap = 0;
        for (int c = 0; c < s.cfg.cpus(); c++) {
            int a = s.active[c];
            s.active[c] = 0;
            if (a == 0) {
                a = s.reserved[c];
            }
            if (a != 0) {
                s.asidMap |= 1 << AsidState.asidOf(a);
            }
            s.reserved[c] = a;
        }
        s.flushPending = s.cfg.bug() == AsidBug.ROLLOVER_NO_FLUSH ? 1 << cpu : s.cfg.allCpus();
        log.append(": ASIDs exhausted, rollover to generation ").append(s.generation).append(" (flush pending ")
                .append(AsidState.cpus(s.flushPending)).append(')');
    }

    // ---- x86: per-CPU PCID slots ----

    private static void switchMmIrqsOff(AsidState s, int cpu, int space, StringBuilder log) {
        int slots = s.slots();
        if (s.running[cpu] == space) {
            // leaving lazy mode on the loaded space: shootdowns skipped this CPU, so compare tlb_gen
            int slot = s.tag[cpu];
            int at = cpu * slots + slot;
            if (s.cfg.bug() != AsidBug.LAZY_NO_CATCHUP && s.slotGen[at] < s.tlbGen[space]) {
                int n = s.drop(cpu, e -> e.tag() == slot);
                log.append(": leaves lazy mode, slot ").append(slot).append(" at tlb_gen ").append(s.slotGen[at])
                        .append(" < ").append(s.tlbGen[space]).append(", flush slot (").append(n).append(" entries)");
                s.slotGen[at] = s.tlbGen[space];
            } else {
                log.append(": leaves lazy mode, slot ").append(slot).append(" kept");
            }
            return;
        }
        int prev = s.running[cpu];
        if (prev >= 0) {
            s.cpuMask[prev] &= ~(1 << cpu);
        }
        int slot = -1;
        boolean needFlush = true;
        for (int i = 0; i < slots; i++) {
            if (s.slotSpace[cpu * slots + i] == space + 1) {
                slot = i;
                needFlush = s.slotGen[cpu * slots + i] < s.tlbGen[space];
            }
        }
        boolean recycled = slot < 0;
        if (recycled) {
            slot = s.nextSlot[cpu];
            s.nextSlot[cpu] = (slot + 1) % slots;
            needFlush = s.cfg.bug() != AsidBug.PCID_REUSE_NO_FLUSH;
        }
        s.cpuMask[space] |= 1 << cpu;
        int at = cpu * slots + slot;
        log.append(recycled ? ": recycles pcid slot " : ": reuses pcid slot ").append(slot);
        if (needFlush) {
            int victim = slot;
            int n = s.drop(cpu, e -> e.tag() == victim);
            log.append(", flush slot (").append(n).append(" entries)");
        } else if (recycled) {
            log.append(" without a flush");
        }
        if (needFlush || recycled) {
            s.slotGen[at] = s.tlbGen[space];
        }
        s.slotSpace[at] = space + 1;
        s.tag[cpu] = slot;
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
        shootdown(s, cpu, space, pages, log);
        return log.toString();
    }

    /** Drops, on the CPUs the architecture reaches, the entries for {@code pages} of {@code space}. */
    private static void shootdown(AsidState s, int initiator, int space, int pages, StringBuilder log) {
        switch (s.cfg.arch()) {
            case AARCH64, RISCV -> {
                int asid = AsidState.asidOf(s.context[space]);
                int targets = s.cfg.arch() == AsidArch.AARCH64 ? s.cfg.allCpus() : s.cpuMask[space];
                int n = 0;
                for (int c = 0; c < s.cfg.cpus(); c++) {
                    if ((targets >>> c & 1) == 1) {
                        n += s.drop(c, e -> e.tag() == asid && covers(e, pages));
                    }
                }
                log.append(s.cfg.arch() == AsidArch.AARCH64 ? "; TLBI by asid " : "; SFENCE.VMA by asid ").append(asid)
                        .append(" on ").append(AsidState.cpus(targets)).append(" (").append(n).append(" entries)");
            }
            case X86_PCID -> {
                int gen = ++s.tlbGen[space];
                int flushed = 0;
                int skipped = 0;
                for (int c = 0; c < s.cfg.cpus(); c++) {
                    if ((s.cpuMask[space] >>> c & 1) == 0 || s.running[c] != space) {
                        continue;
                    }
                    if (s.lazy(c)) {
                        skipped |= 1 << c; // should_flush_tlb: a lazy CPU catches up when it resumes
                        continue;
                    }
                    flushed |= 1 << c;
                    int slot = s.tag[c];
                    int at = c * s.slots() + slot;
                    // flush_tlb_func: a slot one generation behind takes the partial flush, else a full one
                    boolean partial = s.slotGen[at] == gen - 1;
                    s.drop(c, e -> e.tag() == slot && (!partial || covers(e, pages)));
                    s.slotGen[at] = gen;
                }
                log.append("; tlb_gen ").append(gen).append(", flush on ").append(AsidState.cpus(flushed));
                if (skipped != 0) {
                    log.append(", lazy ").append(AsidState.cpus(skipped)).append(" skipped");
                }
            }
            default -> throw new IllegalStateException(s.cfg.arch().toString());
        }
    }

    private static boolean covers(TaggedEntry e, int pages) {
        return e.huge() || (pages >>> e.page() & 1) == 1;
    }
}
