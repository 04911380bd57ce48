package org.mmspec.tlb.asid;

/**
 * Deliberate bugs in the kernel side of ASID management, each of which the exhaustive model
 * ({@code models/tlb-asid}) and the random walks must catch. The catalogue, with the invariant each
 * breaks and its counterexample length, is in {@code spec/tlb.md} section 8. Only
 * {@link AsidKernel} reads them; the hardware (fills, tagged lookups) is never seeded.
 */
public enum AsidBug {
    /** The correct kernel. */
    NONE("none"),
    /** A rollover marks only the CPU that ran out of ASIDs to flush, not every CPU (AArch64, RISC-V). */
    ROLLOVER_NO_FLUSH("rollover-no-flush"),
    /** A rollover clears the ASID map but does not bump the generation (AArch64, RISC-V). */
    ROLLOVER_NO_BUMP("rollover-no-bump"),
    /** A 2 MiB leaf is split into 4 KiB entries, one of them changed, with no shootdown of the huge translation. */
    SPLIT_NO_SHOOTDOWN("split-no-shootdown"),
    /** A lazy CPU skipped by a shootdown resumes its address space without comparing {@code tlb_gen} (x86). */
    LAZY_NO_CATCHUP("lazy-no-catchup"),
    /** A recycled PCID slot is handed to a new address space without a flush (x86). */
    PCID_REUSE_NO_FLUSH("pcid-reuse-no-flush"),
    /**
     * The shootdown reaches only the CPUs running the space now, as if the mask were cleared on
     * switch-out (right without ASIDs, wrong with them): a CPU that switched away keeps its tagged
     * entries and may return on the fast path (RISC-V).
     */
    MASK_RUNNING_ONLY("mask-running-only");

    private final String word;

    AsidBug(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static AsidBug parse(String w) {
        for (AsidBug b : values()) {
            if (b.word.equals(w) || b.name().equalsIgnoreCase(w)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown ASID bug '" + w + "'");
    }
}
