package org.mmspec.tlb.asid;

/**
 * The three ways the design document's architectures tag TLB entries with an address space, and
 * how each allocates the tags and shoots entries down.
 */
public enum AsidArch {
    /**
     * x86-64 PCID: a few per-CPU slots ({@code TLB_NR_DYN_ASIDS} in Linux, 6), each holding one
     * address space and the {@code tlb_gen} it was last flushed to. A switch reuses the space's slot
     * (flushing it only if its generation is behind) or recycles the next slot round robin with a
     * flush. A shootdown IPIs only the CPUs running the space; lazy CPUs catch up when they resume.
     */
    X86_PCID("x86"),
    /**
     * AArch64 ASID (Linux {@code arch/arm64/mm/context.c}): one global generation counter; a
     * space's context is generation and ASID; when the ASIDs of a generation run out, a rollover
     * bumps the generation, reserves each CPU's active ASID, and marks every CPU to flush its whole
     * TLB before its next switch. A shootdown is a broadcast {@code TLBI} by the space's ASID.
     */
    AARCH64("aarch64"),
    /**
     * RISC-V ASID (Linux {@code arch/riscv/mm/context.c}): the AArch64 generation scheme, but the
     * shootdown is a remote {@code SFENCE.VMA} by ASID to the CPUs of the space's mask (every CPU
     * that has run it), since RISC-V has no broadcast invalidation.
     */
    RISCV("riscv");

    private final String word;

    AsidArch(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Whether ASIDs come from the global generation allocator (AArch64, RISC-V) rather than per-CPU slots. */
    public boolean generational() {
        return this != X86_PCID;
    }

    public static AsidArch parse(String w) {
        for (AsidArch a : values()) {
            if (a.word.equals(w) || a.name().equalsIgnoreCase(w)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown arch '" + w + "' (x86, aarch64, riscv)");
    }
}
