package org.mmspec.hwsec.aarch64;

import java.util.Map;

import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.aarch64.Mair;

/**
 * The debug view of {@link ArmMm}: the {@code mem}-style report of what TBI, MTE and PAC add to
 * each address space (modes, keys, Tagged descriptors decoded bit by bit, the allocation tags of
 * Tagged pages), and a {@code dump_pt}-style decode of one pointer: its top byte and logical tag,
 * the address translation uses, the leaf descriptor and the tag check it would meet.
 * {@link #sample()} is the small machine the {@code mmspec debug arm_mte} command shows.
 */
public final class ArmSecDebug {
    /** The sample's user page with a Tagged mapping. */
    public static final long SAMPLE_TAGGED_PAGE = 0x10;
    /** The sample's untagged page. */
    public static final long SAMPLE_PLAIN_PAGE = 0x11;

    private ArmSecDebug() {
    }

    /**
     * Pid 1 with TBI on and synchronous tag checks, a PROT_MTE page whose granules 0 and 1 carry
     * tags 3 and 5 (an allocator's two objects), and an untagged page; pid 2, its fork, on CPU 1.
     */
    public static ArmMm sample() {
        ArmMm s = new ArmMm(2, 8, 4, 4, ArmMm.Bug.NONE);
        s.mmap(1, SAMPLE_TAGGED_PAGE, true);
        s.mmap(1, SAMPLE_PLAIN_PAGE, false);
        s.setTaggedAddrCtrl(1, true, TagCheckMode.SYNC);
        s.storeTag(0, AllocationTag.of(3).onPointer(SAMPLE_TAGGED_PAGE << 12));
        s.storeTag(0, AllocationTag.of(5).onPointer((SAMPLE_TAGGED_PAGE << 12) + AllocationTag.GRANULE_BYTES));
        int child = s.fork(1);
        s.switchTo(1, child);
        return s;
    }

    /** The report: per CPU the loaded registers, per address space its modes, keys and Tagged pages. */
    public static String report(ArmMm s) {
        StringBuilder sb = new StringBuilder("AArch64 hardware security (TBI, MTE, PAC)\n");
        sb.append(String.format("  MAIR_EL1 0x%016x (slot %d = 0x%02x Tagged Normal)%n", Mair.modelValue(), Mair.TAGGED_SLOT,
                Mair.ATTR_TAGGED_NORMAL));
        for (int i = 0; i < s.cpuCount(); i++) {
            ArmMm.Cpu c = s.cpus[i];
            sb.append(String.format("  cpu%d: pid %d, TCR_EL1.TBI0=%d TBI1=0, SCTLR_EL1.TCF0=%s (0b%s), TFSRE0_EL1.TF0=%d, PAC %s%n", i,
                    c.running, c.tbi0 ? 1 : 0, c.tcf0, Integer.toBinaryString(c.tcf0.tcf), c.tf0 ? 1 : 0, c.keys));
        }
        for (Map.Entry<Integer, ArmMm.Proc> e : s.procs.entrySet()) {
            ArmMm.Proc p = e.getValue();
            sb.append(String.format("  pid %d: TBI %s, tag checks %s, PAC %s, async faults reported %d%n", e.getKey(), p.tbi ? "on" : "off",
                    p.tcf, p.keys, p.asyncFaultsReported));
            for (Map.Entry<Long, Long> m : p.ptes.entrySet()) {
                long raw = m.getValue();
                sb.append(String.format("    page 0x%x: 0x%016x  %s%n", m.getKey(), raw, Aarch64Pte.G4K.describe(raw, ArmMm.LEAF_DEPTH)));
                if (Mair.isTagged(raw)) {
                    sb.append("      tags: ").append(tagSummary(s, s.frameIndex(raw))).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Decodes {@code ptr} as {@code cpu}'s running address space would use it. */
    public static String dumpPointer(ArmMm s, int cpu, long ptr) {
        StringBuilder sb = new StringBuilder(String.format("pointer 0x%016x on cpu%d (pid %d)%n", ptr, cpu, s.running(cpu)));
        ArmMm.Cpu c = s.cpus[cpu];
        sb.append(String.format("  top byte 0x%02x, logical tag %s, bit 55 = %d (%s)%n", TopByteIgnore.topByte(ptr),
                AllocationTag.ofPointer(ptr), TopByteIgnore.selectsKernel(ptr) ? 1 : 0, TopByteIgnore.selectsKernel(ptr) ? "TTBR1" : "TTBR0"));
        VirtAddr va;
        try {
            va = TopByteIgnore.translate(ptr, c.tbi0);
        } catch (ArmSecError e) {
            return sb.append("  => fault ").append(e.errorKind()).append(": ").append(e.getMessage()).append('\n').toString();
        }
        sb.append(String.format("  TBI0=%d: translation uses %s%n", c.tbi0 ? 1 : 0, va));
        long page = va.value() >>> 12;
        ArmMm.Proc p = s.procs.get(c.running);
        Long raw = p == null ? null : p.ptes.get(page);
        if (raw == null) {
            return sb.append("  => fault NOT_MAPPED\n").toString();
        }
        sb.append(String.format("  L3 0x%016x  %s%n", raw, Aarch64Pte.G4K.describe(raw, ArmMm.LEAF_DEPTH)));
        if (Mair.isTagged(raw)) {
            int g = (int) ((va.value() & 0xFFF) / AllocationTag.GRANULE_BYTES);
            int tag = s.tags[s.frameIndex(raw) * ArmMm.GRANULES + g];
            boolean match = tag == AllocationTag.ofPointer(ptr).value();
            sb.append(String.format("  granule %d allocation tag %s: %s%n", g, AllocationTag.of(tag), match ? "match"
                    : c.tcf0 == TagCheckMode.NONE ? "mismatch, unchecked (TCF0 none)" : "mismatch, " + c.tcf0 + " tag-check fault"));
        } else {
            sb.append("  not Tagged memory: no tag check\n");
        }
        return sb.toString();
    }

    private static String tagSummary(ArmMm s, int frame) {
        StringBuilder sb = new StringBuilder();
        int run = 0;
        for (int g = 0; g <= ArmMm.GRANULES; g++) {
            boolean boundary = g == ArmMm.GRANULES || g > run && s.tags[frame * ArmMm.GRANULES + g] != s.tags[frame * ArmMm.GRANULES + run];
            if (boundary) {
                sb.append(run == g - 1 ? String.format("g%d=%x ", run, s.tags[frame * ArmMm.GRANULES + run])
                        : String.format("g%d-%d=%x ", run, g - 1, s.tags[frame * ArmMm.GRANULES + run]));
                run = g;
            }
        }
        return sb.toString().trim();
    }
}
