package org.mmspec.tlb.asid.aarch64;

import org.mmspec.tlb.asid.AsidBug;
import org.mmspec.tlb.asid.AsidError;
import org.mmspec.tlb.asid.AsidScheme;
import org.mmspec.tlb.asid.AsidState;

/**
 * The generation ASID allocator of Linux {@code arch/arm64/mm/context.c}
 * ({@code check_and_switch_context}, {@code new_context}, {@code flush_context}), which RISC-V's
 * {@code arch/riscv/mm/context.c} follows. A context is {@code generation:asid}; a switch to a
 * space whose context is of the current generation costs nothing (no flush), and when the
 * generation's ASIDs run out a rollover starts the next one, keeps every CPU's active ASID as
 * reserved for its space, and marks every CPU to flush its whole TLB before its next switch.
 *
 * <p>The two architectures differ in the shootdown: AArch64 broadcasts {@code TLBI} by ASID to
 * every CPU in hardware; RISC-V sends {@code SFENCE.VMA} by ASID to the CPUs of the space's mask,
 * which a CPU joins at its first switch to the space and never leaves.
 */
public final class GenerationAsids implements AsidScheme {
    /** AArch64: broadcast invalidation. */
    public static final GenerationAsids AARCH64 = new GenerationAsids(true);
    /** RISC-V: invalidation on the CPUs of the space's mask. */
    public static final GenerationAsids RISCV = new GenerationAsids(false);

    private final boolean broadcast;

    private GenerationAsids(boolean broadcast) {
        this.broadcast = broadcast;
    }

    @Override
    public void switchTo(AsidState s, int cpu, int space, StringBuilder log) {
        int ctx = s.context(space);
        boolean current = ctx != 0 && AsidState.generationOf(ctx) == s.generation();
        if (current && s.active(cpu) != 0) {
            // Linux's lock-free fast path: the context is of this generation and no rollover has
            // reset this CPU's active ASID since its last switch, so its TLB holds nothing foreign
            s.setActive(cpu, ctx);
            log.append(": fast path, asid ").append(AsidState.asidOf(ctx));
        } else {
            if (!current) {
                ctx = newContext(s, cpu, space, log);
                s.setContext(space, ctx);
            }
            if (s.flushPending(cpu)) {
                s.setFlushPending(s.flushPendingMask() & ~(1 << cpu));
                int n = s.drop(cpu, e -> true);
                log.append("; rollover flush of the whole TLB (").append(n).append(" entries)");
            }
            s.setActive(cpu, ctx);
            log.append("; asid ").append(AsidState.asidOf(ctx));
        }
        s.setTag(cpu, AsidState.asidOf(ctx));
        if (!broadcast) {
            s.setCpuMask(space, s.cpuMask(space) | 1 << cpu);
        }
    }

    private static int newContext(AsidState s, int cpu, int space, StringBuilder log) {
        int old = s.context(space);
        if (old != 0) {
            int asid = AsidState.asidOf(old);
            int renewed = s.generation() * AsidState.CTX_SPAN + asid;
            boolean wasReserved = false;
            for (int c = 0; c < s.config().cpus(); c++) {
                if (s.reserved(c) == old) {
                    s.setReserved(c, renewed);
                    wasReserved = true;
                }
            }
            if (wasReserved) {
                log.append(": reserved ").append(AsidState.ctxName(old)).append(" renewed as ").append(AsidState.ctxName(renewed));
                return renewed;
            }
            if ((s.asidMap() >>> asid & 1) == 0) {
                s.setAsidMap(s.asidMap() | 1 << asid);
                log.append(": keeps asid ").append(asid).append(" in generation ").append(s.generation());
                return renewed;
            }
        }
        int free = firstFree(s);
        if (free < 0) {
            if (s.generation() >= s.config().generations() && s.config().bug() != AsidBug.ROLLOVER_NO_BUMP) {
                throw AsidError.of(AsidError.Kind.SCOPE, "a rollover past generation %d is outside the scope",
                        s.config().generations());
            }
            rollover(s, cpu, log);
            free = firstFree(s);
            if (free < 0) {
                throw new IllegalStateException("no ASID free after a rollover: more CPUs than ASIDs");
            }
        }
        s.setAsidMap(s.asidMap() | 1 << free);
        int ctx = s.generation() * AsidState.CTX_SPAN + free;
        log.append(": new context ").append(AsidState.ctxName(ctx));
        return ctx;
    }

    private static int firstFree(AsidState s) {
        for (int a = 1; a <= s.config().asids(); a++) {
            if ((s.asidMap() >>> a & 1) == 0) {
                return a;
            }
        }
        return -1;
    }

    /** The generation bump plus {@code flush_context}: every CPU keeps its active ASID as reserved. */
    private static void rollover(AsidState s, int cpu, StringBuilder log) {
        if (s.config().bug() != AsidBug.ROLLOVER_NO_BUMP) {
            s.bumpGeneration();
        }
        int map = 0;
        for (int c = 0; c < s.config().cpus(); c++) {
            int a = s.active(c);
            s.setActive(c, 0);
            if (a == 0) {
                a = s.reserved(c);
            }
            if (a != 0) {
                map |= 1 << AsidState.asidOf(a);
            }
            s.setReserved(c, a);
        }
        s.setAsidMap(map);
        s.setFlushPending(s.config().bug() == AsidBug.ROLLOVER_NO_FLUSH ? 1 << cpu : s.config().allCpus());
        log.append(": ASIDs exhausted, rollover to generation ").append(s.generation()).append(" (flush pending ")
                .append(AsidState.cpus(s.flushPendingMask())).append(')');
    }

    @Override
    public void shootdown(AsidState s, int space, int pages, StringBuilder log) {
        int asid = AsidState.asidOf(s.context(space));
        int targets = broadcast ? s.config().allCpus() : s.cpuMask(space);
        if (!broadcast && s.config().bug() == AsidBug.MASK_RUNNING_ONLY) {
            for (int c = 0; c < s.config().cpus(); c++) {
                if (s.running(c) != space) {
                    targets &= ~(1 << c);
                }
            }
        }
        int n = 0;
        for (int c = 0; c < s.config().cpus(); c++) {
            if ((targets >>> c & 1) == 1) {
                n += s.drop(c, e -> e.tag() == asid && AsidScheme.covers(e, pages));
            }
        }
        log.append(broadcast ? "; TLBI by asid " : "; SFENCE.VMA by asid ").append(asid).append(" on ")
                .append(AsidState.cpus(targets)).append(" (").append(n).append(" entries)");
    }
}
