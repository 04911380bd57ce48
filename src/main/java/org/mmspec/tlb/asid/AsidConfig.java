package org.mmspec.tlb.asid;

import org.mmspec.check.Bounds;

/**
 * The bounds of one ASID-model configuration ({@code models/tlb-asid/manifest.properties}).
 *
 * <p>Keys: {@code arch} ({@code x86} | {@code aarch64} | {@code riscv}), {@code cpus}, {@code spaces}
 * (address spaces), {@code asids} (usable hardware tags: ASIDs 1..asids for AArch64 and RISC-V,
 * ASID 0 being the kernel's; PCID slots per CPU for x86), {@code huge} (1: every space's region
 * starts as one 2 MiB leaf), {@code pages} (4 KiB pages per region: 2, or 1 without huge), {@code ops} (page-table operations in the whole run), {@code
 * generations} (the highest generation a rollover may reach), {@code bug} (an {@link AsidBug} word).
 *
 * <p>The generational allocator needs more ASIDs than CPUs (Linux arm64 warns at boot otherwise):
 * a rollover reserves every CPU's active ASID and must still find one free.
 *
 * @param pages the 4 KiB pages of each space's region; with {@code huge} the region's two halves, one 2 MiB leaf
 */
public record AsidConfig(AsidArch arch, int cpus, int spaces, int asids, int pages, boolean huge, int ops,
        int generations, AsidBug bug) {
    /** The 4 KiB halves the model gives a 2 MiB region: enough to split it with one half changed. */
    public static final int REGION_PAGES = 2;
    /** The bound on CPUs and spaces: CPU masks and TLB entries pack them into a few bits. */
    public static final int MAX_CPUS = 4;
    public static final int MAX_SPACES = 4;
    /** The bound on tags: an entry packs its tag into {@link TaggedEntry#TAG_BITS} bits. */
    public static final int MAX_ASIDS = 7;

    public AsidConfig {
        require(cpus >= 1 && cpus <= MAX_CPUS, "cpus must be 1..%d, not %d", MAX_CPUS, cpus);
        require(spaces >= 1 && spaces <= MAX_SPACES, "spaces must be 1..%d, not %d", MAX_SPACES, spaces);
        require(asids >= 1 && asids <= MAX_ASIDS, "asids must be 1..%d, not %d", MAX_ASIDS, asids);
        require(!arch.generational() || asids > cpus,
                "the generation allocator needs more ASIDs than CPUs (asids %d, cpus %d)", asids, cpus);
        require(pages >= 1 && pages <= REGION_PAGES, "pages must be 1..%d, not %d", REGION_PAGES, pages);
        require(!huge || pages == REGION_PAGES, "a 2 MiB leaf needs the region's %d pages", REGION_PAGES);
        require(ops >= 0 && ops <= 3, "ops must be 0..3, not %d", ops);
        require(generations >= 1 && generations <= 3, "generations must be 1..3, not %d", generations);
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    public static AsidConfig fromBounds(Bounds b) {
        return new AsidConfig(AsidArch.parse(b.get("arch", "aarch64")), b.getInt("cpus", 2), b.getInt("spaces", 2),
                b.getInt("asids", 3), b.getInt("pages", REGION_PAGES), b.getInt("huge", 1) == 1, b.getInt("ops", 1),
                b.getInt("generations", 2), AsidBug.parse(b.get("bug", "none")));
    }

    /** Every CPU, as a mask. */
    public int allCpus() {
        return (1 << cpus) - 1;
    }

    @Override
    public String toString() {
        return "arch=" + arch.word() + ",cpus=" + cpus + ",spaces=" + spaces + ",asids=" + asids + ",pages=" + pages + ",huge="
                + (huge ? 1 : 0) + ",ops=" + ops + ",generations=" + generations
                + (bug == AsidBug.NONE ? "" : ",bug=" + bug.word());
    }
}
