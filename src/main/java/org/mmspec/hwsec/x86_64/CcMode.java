package org.mmspec.hwsec.x86_64;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * Where a confidential-computing guest's x86_64 page-table entries say whether a page is private
 * (encrypted, owned by the guest) or shared (visible to the host and to devices): one bit of the
 * physical-address field.
 *
 * <ul>
 *   <li><b>AMD SEV</b> (AMD64 APM Vol. 2 §15.34, "Secure Encrypted Virtualization"): the C-bit,
 *       whose position CPUID Fn8000_001F[EBX] bits 5:0 report (bit 51 on current parts, the
 *       default here). C=1 is private.</li>
 *   <li><b>Intel TDX</b> (TDX Module ABI / Intel TDX Architecture Specification, "GPA
 *       Shared bit"): bit GPAW-1 of the guest physical address, 47 with GPAW=48 (the default
 *       here) or 51 with GPAW=52. Shared=1 is shared; the polarity is the opposite of SEV's.</li>
 * </ul>
 * The bit sits inside {@link X86_64Pte#ADDR_MASK}, so the MMU reads it as an address bit; the
 * frame a leaf maps is its address with the bit cleared.
 *
 * @param technology SEV or TDX
 * @param bit the bit position in the physical address
 */
public record CcMode(Technology technology, int bit) {

    /** Which confidential-computing architecture. */
    public enum Technology {
        SEV, TDX
    }

    /** SEV with the C-bit at 51. */
    public static final CcMode SEV = new CcMode(Technology.SEV, 51);
    /** TDX with GPAW 48: the shared bit is 47. */
    public static final CcMode TDX = new CcMode(Technology.TDX, 47);

    public CcMode {
        if (bit < PhysFrame.SHIFT || bit >= PhysAddr.PHYS_ADDR_BITS) {
            throw new IllegalArgumentException("encryption bit " + bit + " outside the address field 51:12");
        }
    }

    /** TDX with guest physical-address width {@code gpaw} (48 or 52): the shared bit is GPAW-1. */
    public static CcMode tdx(int gpaw) {
        return new CcMode(Technology.TDX, gpaw - 1);
    }

    /** SEV with the C-bit at {@code cbit}. */
    public static CcMode sev(int cbit) {
        return new CcMode(Technology.SEV, cbit);
    }

    /**
     * Reads {@code sev}, {@code sev:<cbit>}, {@code tdx} or {@code tdx:<gpaw>} (the words of
     * {@code dump_pt}'s optional second argument).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static CcMode parse(String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split(":", 2);
        boolean sev = parts[0].equals("sev");
        if (!sev && !parts[0].equals("tdx")) {
            throw new IllegalArgumentException("not sev[:cbit] or tdx[:gpaw]: " + text);
        }
        if (parts.length == 1) {
            return sev ? SEV : TDX;
        }
        int n = Integer.parseInt(parts[1]);
        return sev ? sev(n) : tdx(n);
    }

    /** The bit in the PTE. */
    public long mask() {
        return 1L << bit;
    }

    /** The address bits a leaf carries for {@code frame} in the given state. */
    public PhysAddr encode(PhysFrame frame, boolean privatePage) {
        boolean set = technology == Technology.SEV ? privatePage : !privatePage;
        return PhysAddr.of(frame.start().value() | (set ? mask() : 0));
    }

    /** Whether the entry {@code raw} maps its page private. */
    public boolean isPrivate(long raw) {
        boolean set = (raw & mask()) != 0;
        return technology == Technology.SEV ? set : !set;
    }

    /** The frame the entry {@code raw} maps, the encryption bit stripped. */
    public PhysFrame frame(long raw) {
        return PhysFrame.of((raw & X86_64Pte.ADDR_MASK & ~mask()) >>> PhysFrame.SHIFT);
    }

    /** For dump_pt: the encryption bit by its architectural name and what it means. */
    public String describe(long raw) {
        String name = technology == Technology.SEV ? "C" : "S";
        return String.format("%s(bit %d)=%d %s", name, bit, (raw & mask()) != 0 ? 1 : 0,
                isPrivate(raw) ? "private" : "shared");
    }
}
