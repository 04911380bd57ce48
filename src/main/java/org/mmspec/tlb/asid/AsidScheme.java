package org.mmspec.tlb.asid;

/**
 * One architecture's half of tagged-TLB management, called by {@link AsidKernel} after it has
 * checked the arguments: how a switch chooses the tag (and what it flushes), and which CPUs and
 * entries a page-table change shoots down. Implementations: {@code aarch64.GenerationAsids}
 * (AArch64 and RISC-V) and {@code x86.PcidSlots}.
 */
public interface AsidScheme {
    /**
     * Loads {@code space}'s tag on {@code cpu}, flushing what the scheme must. May refuse with
     * {@link AsidError.Kind#SCOPE} (a rollover past the configured generations), and then only
     * before it has changed anything. The caller sets the CPU's running space and lazy bit.
     */
    void switchTo(AsidState s, int cpu, int space, StringBuilder log);

    /** After a PTE change of {@code space}: drops the entries for the {@code pages} mask where the architecture reaches. */
    void shootdown(AsidState s, int space, int pages, StringBuilder log);

    /** Whether an entry translates one of the pages of the mask (a 2 MiB entry covers them all). */
    static boolean covers(TaggedEntry e, int pages) {
        return e.huge() || (pages >>> e.page() & 1) == 1;
    }
}
