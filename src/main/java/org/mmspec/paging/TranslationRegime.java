package org.mmspec.paging;

import java.util.Optional;

import org.mmspec.frames.PhysFrame;

/**
 * What the hardware makes of the registers that select a walk, decoded from their bits with the
 * manuals' own encodings: part of the trusted hardware model, like {@link Mmu}, and deliberately
 * not reusing the formats' constants, so that a mislabelled constant in a format (satp MODE 8
 * called Sv48) disagrees with this decoding instead of agreeing with itself. ROOT-1
 * ({@link PagingInvariants#ROOT_1}) compares the decoding with the geometry the format walks.
 *
 * <p>Sources (one row each in the encodings table of {@code spec/paging.md}):
 * <ul>
 *   <li>x86_64: CR4.PAE (bit 5) and CR4.LA57 (bit 12), Intel SDM Vol. 3A §2.5 and §4.1.1: with
 *       IA-32e mode, PAE=1 and LA57=0 give 4-level paging over 48-bit addresses, LA57=1 5-level
 *       paging over 57 bits; 4 KiB tables. CR3 carries no mode.</li>
 *   <li>AArch64: TCR_EL1.T0SZ (bits 5:0), TG0 (15:14: 00 4 KiB, 01 64 KiB, 10 16 KiB), T1SZ
 *       (21:16), TG1 (31:30: 01 16 KiB, 10 4 KiB, 11 64 KiB), Arm ARM DDI 0487 D19.2 (TCR_EL1)
 *       and D8.2 (walk): the VA width is {@code 64 - TnSZ}, and a walk resolves
 *       {@code granule - 3} bits per level above the {@code granule} offset bits, so it has
 *       {@code ceil((vaBits - granule) / (granule - 3))} levels. Both halves must agree (the model
 *       uses one format for TTBR0 and TTBR1).</li>
 *   <li>RISC-V: satp.MODE (bits 63:60), privileged spec v1.12 §4.1.11 Table 4.4: 0 Bare, 8 Sv39,
 *       9 Sv48, 10 Sv57; Sv39/48/57 walk 3/4/5 levels over 39/48/57-bit addresses; 4 KiB
 *       tables.</li>
 * </ul>
 *
 * @param mode the scheme's name as the manual gives it (e.g. {@code Sv48}, {@code 4-level})
 * @param levels levels of the walk
 * @param vaBits virtual-address width
 * @param granuleShift log2 of the translation granule (the smallest page)
 */
public record TranslationRegime(String mode, int levels, int vaBits, int granuleShift) {

    /** CR4.PAE, Intel SDM Vol. 3A §2.5. */
    static final long CR4_PAE = 1L << 5;
    /** CR4.LA57, Intel SDM Vol. 3A §2.5. */
    static final long CR4_LA57 = 1L << 12;
    /** TCR_EL1.TG0 field position (bits 15:14). */
    static final int TCR_TG0_SHIFT = 14;
    /** TCR_EL1.T1SZ field position (bits 21:16). */
    static final int TCR_T1SZ_SHIFT = 16;
    /** TCR_EL1.TG1 field position (bits 31:30). */
    static final int TCR_TG1_SHIFT = 30;
    /** satp.MODE field position (bits 63:60). */
    static final int SATP_MODE_SHIFT = 60;

    /**
     * Decodes the registers that select {@code format}'s walk for the root {@code root}: the root
     * register ({@link PteFormat#rootRegister}) and the control register
     * ({@link PteFormat#controlRegister}); empty when the bits select no paging scheme the
     * architecture defines.
     */
    public static Optional<TranslationRegime> decode(PteFormat format, PhysFrame root) {
        long rootRegister = format.rootRegister(root, 0);
        long control = format.controlRegister();
        String n = format.name();
        if (n.startsWith("x86_64")) {
            return x86(control);
        }
        if (n.startsWith("aarch64")) {
            return aarch64(control);
        }
        if (n.startsWith("sv")) {
            return riscv(rootRegister);
        }
        return Optional.empty();
    }

    static Optional<TranslationRegime> x86(long cr4) {
        if ((cr4 & CR4_PAE) == 0) {
            return Optional.empty(); // 32-bit paging cannot hold 64-bit entries
        }
        return Optional.of((cr4 & CR4_LA57) != 0 ? new TranslationRegime("5-level", 5, 57, 12)
                : new TranslationRegime("4-level", 4, 48, 12));
    }

    static Optional<TranslationRegime> aarch64(long tcr) {
        int t0sz = (int) (tcr & 0x3F);
        int t1sz = (int) ((tcr >>> TCR_T1SZ_SHIFT) & 0x3F);
        int g0 = switch ((int) ((tcr >>> TCR_TG0_SHIFT) & 3)) {
            case 0b00 -> 12;
            case 0b01 -> 16;
            case 0b10 -> 14;
            default -> -1;
        };
        int g1 = switch ((int) ((tcr >>> TCR_TG1_SHIFT) & 3)) {
            case 0b01 -> 14;
            case 0b10 -> 12;
            case 0b11 -> 16;
            default -> -1;
        };
        if (g0 < 0 || g0 != g1 || t0sz != t1sz || t0sz < 16) {
            return Optional.empty();
        }
        int va = 64 - t0sz;
        int perLevel = g0 - 3;
        int levels = (va - g0 + perLevel - 1) / perLevel;
        return Optional.of(new TranslationRegime((1 << (g0 - 10)) + "KB granule, T0SZ=" + t0sz, levels, va, g0));
    }

    static Optional<TranslationRegime> riscv(long satp) {
        return switch ((int) (satp >>> SATP_MODE_SHIFT)) {
            case 8 -> Optional.of(new TranslationRegime("Sv39", 3, 39, 12));
            case 9 -> Optional.of(new TranslationRegime("Sv48", 4, 48, 12));
            case 10 -> Optional.of(new TranslationRegime("Sv57", 5, 57, 12));
            default -> Optional.empty(); // Bare (0) or reserved
        };
    }

    /** The smallest page of {@code format}: its granule. */
    static int granuleOf(PteFormat format) {
        return format.pageSizes().get(0).shift();
    }
}
