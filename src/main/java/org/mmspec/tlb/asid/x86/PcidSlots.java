package org.mmspec.tlb.asid.x86;

import org.mmspec.tlb.asid.AsidBug;
import org.mmspec.tlb.asid.AsidScheme;
import org.mmspec.tlb.asid.AsidState;

/**
 * x86-64 PCIDs as Linux {@code arch/x86/mm/tlb.c} uses them: a few per-CPU slots
 * ({@code TLB_NR_DYN_ASIDS}), each holding one address space and the {@code tlb_gen} it was
 * flushed to ({@code choose_new_asid}, {@code switch_mm_irqs_off}). A switch reuses the space's
 * slot, flushing it only if its generation is behind the space's, or recycles the next slot round
 * robin with a flush. A shootdown ({@code flush_tlb_mm_range}) bumps the space's {@code tlb_gen}
 * and reaches the CPUs of {@code mm_cpumask} that run the space non-lazily
 * ({@code should_flush_tlb}); a lazy CPU, or one that switched away keeping the slot, catches up
 * when it next loads the space.
 */
public final class PcidSlots implements AsidScheme {
    public static final PcidSlots INSTANCE = new PcidSlots();

    private PcidSlots() {
    }

    @Override
    public void switchTo(AsidState s, int cpu, int space, StringBuilder log) {
        if (s.running(cpu) == space) {
            // leaving lazy mode on the loaded space: shootdowns skipped this CPU, so compare tlb_gen
            int slot = s.tag(cpu);
            if (s.config().bug() != AsidBug.LAZY_NO_CATCHUP && s.slotGen(cpu, slot) < s.tlbGen(space)) {
                int n = s.drop(cpu, e -> e.tag() == slot);
                log.append(": leaves lazy mode, slot ").append(slot).append(" at tlb_gen ").append(s.slotGen(cpu, slot))
                        .append(" < ").append(s.tlbGen(space)).append(", flush slot (").append(n).append(" entries)");
                s.setSlotGen(cpu, slot, s.tlbGen(space));
            } else {
                log.append(": leaves lazy mode, slot ").append(slot).append(" kept");
            }
            return;
        }
        int prev = s.running(cpu);
        if (prev >= 0) {
            s.setCpuMask(prev, s.cpuMask(prev) & ~(1 << cpu));
        }
        int slot = -1;
        boolean needFlush = true;
        for (int i = 0; i < s.slots(); i++) {
            if (s.slotSpace(cpu, i) == space) {
                slot = i;
                needFlush = s.slotGen(cpu, i) < s.tlbGen(space);
            }
        }
        boolean recycled = slot < 0;
        if (recycled) {
            slot = s.nextSlot(cpu);
            s.setNextSlot(cpu, (slot + 1) % s.slots());
            needFlush = s.config().bug() != AsidBug.PCID_REUSE_NO_FLUSH;
        }
        s.setCpuMask(space, s.cpuMask(space) | 1 << cpu);
        log.append(recycled ? ": recycles pcid slot " : ": reuses pcid slot ").append(slot);
        if (needFlush) {
            int victim = slot;
            int n = s.drop(cpu, e -> e.tag() == victim);
            log.append(", flush slot (").append(n).append(" entries)");
        } else if (recycled) {
            log.append(" without a flush");
        }
        s.setSlot(cpu, slot, space, needFlush || recycled ? s.tlbGen(space) : s.slotGen(cpu, slot));
        s.setTag(cpu, slot);
    }

    @Override
    public void shootdown(AsidState s, int space, int pages, StringBuilder log) {
        int gen = s.bumpTlbGen(space);
        int flushed = 0;
        int skipped = 0;
        for (int c = 0; c < s.config().cpus(); c++) {
            if ((s.cpuMask(space) >>> c & 1) == 0 || s.running(c) != space) {
                continue;
            }
            if (s.lazy(c)) {
                skipped |= 1 << c; // should_flush_tlb: a lazy CPU catches up when it resumes
                continue;
            }
            flushed |= 1 << c;
            int slot = s.tag(c);
            // flush_tlb_func: a slot one generation behind takes the partial flush, else a full one
            boolean partial = s.slotGen(c, slot) == gen - 1;
            s.drop(c, e -> e.tag() == slot && (!partial || AsidScheme.covers(e, pages)));
            s.setSlotGen(c, slot, gen);
        }
        log.append("; tlb_gen ").append(gen).append(", flush on ").append(AsidState.cpus(flushed));
        if (skipped != 0) {
            log.append(", lazy ").append(AsidState.cpus(skipped)).append(" skipped");
        }
    }
}
