package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

/**
 * Architecture-neutral leaf permissions and attributes, the seed's
 * {@code PageFlags::PRESENT | PageFlags::WRITABLE | PageFlags::USER}. Each format's descriptor
 * translates them to and from its real bits; a format that cannot express a flag rejects it
 * ({@link PteFormat#supportedFlags}).
 *
 * <p>Encoding: a bit set in {@link #bits()}. Execute permission is expressed negatively, as on
 * x86_64, by {@link #NO_EXECUTE}: a present page without it is executable. Reading is implied by
 * {@link #PRESENT} on every format (RISC-V sets R on every leaf the model writes).
 *
 * @param bits the set flags, a combination of the constants below
 */
public record PageFlags(int bits) {
    /** The entry maps something (x86 P, AArch64 valid, RISC-V V with R). */
    public static final PageFlags PRESENT = new PageFlags(1);
    /** Writes are allowed (x86 RW, AArch64 AP[2]=0, RISC-V W). */
    public static final PageFlags WRITABLE = new PageFlags(1 << 1);
    /** User mode may access (x86 US, AArch64 AP[1], RISC-V U). */
    public static final PageFlags USER = new PageFlags(1 << 2);
    /** Write-through caching (x86 PWT; AArch64 AttrIndx of a write-through MAIR slot). */
    public static final PageFlags WRITE_THROUGH = new PageFlags(1 << 3);
    /** Caching disabled (x86 PCD; AArch64 AttrIndx of a non-cacheable MAIR slot). */
    public static final PageFlags NO_CACHE = new PageFlags(1 << 4);
    /** Accessed (x86 A, AArch64 AF, RISC-V A). Without it AArch64 and RISC-V (Svade) fault on access. */
    public static final PageFlags ACCESSED = new PageFlags(1 << 5);
    /** Dirty (x86 D, RISC-V D). Without it RISC-V (Svade) faults on a write. */
    public static final PageFlags DIRTY = new PageFlags(1 << 6);
    /** Global: survives address-space switches in the TLB (x86 G, AArch64 nG=0, RISC-V G). */
    public static final PageFlags GLOBAL = new PageFlags(1 << 7);
    /** Instruction fetches fault (x86 NX, AArch64 UXN/PXN, RISC-V X=0). */
    public static final PageFlags NO_EXECUTE = new PageFlags(1 << 8);

    /** No flags at all: an empty (non-present) entry. */
    public static final PageFlags NONE = new PageFlags(0);
    /** Every flag defined above. */
    public static final PageFlags ALL = new PageFlags((1 << 9) - 1);

    private static final String[] NAMES = {"PRESENT", "WRITABLE", "USER", "WRITE_THROUGH", "NO_CACHE", "ACCESSED",
        "DIRTY", "GLOBAL", "NO_EXECUTE"};

    public PageFlags {
        if ((bits & ~((1 << 9) - 1)) != 0) {
            throw new IllegalArgumentException("unknown page flag bits 0x" + Integer.toHexString(bits));
        }
    }

    /** The union of {@code flags}. */
    public static PageFlags of(PageFlags... flags) {
        int b = 0;
        for (PageFlags f : flags) {
            b |= f.bits;
        }
        return new PageFlags(b);
    }

    public PageFlags with(PageFlags other) {
        return new PageFlags(bits | other.bits);
    }

    public PageFlags without(PageFlags other) {
        return new PageFlags(bits & ~other.bits);
    }

    /** Whether every flag of {@code other} is set here. */
    public boolean contains(PageFlags other) {
        return (bits & other.bits) == other.bits;
    }

    public boolean present() {
        return contains(PRESENT);
    }

    public boolean writable() {
        return contains(WRITABLE);
    }

    public boolean user() {
        return contains(USER);
    }

    /** Present and not {@link #NO_EXECUTE}. */
    public boolean executable() {
        return present() && !contains(NO_EXECUTE);
    }

    /** W^X: writable and executable at once, which no mapping may be. */
    public boolean writableAndExecutable() {
        return writable() && executable();
    }

    /** {@code PRESENT | NO_EXECUTE}: read-only data. */
    public static PageFlags readOnly() {
        return of(PRESENT, NO_EXECUTE);
    }

    /** {@code PRESENT | WRITABLE | NO_EXECUTE}: read-write data. */
    public static PageFlags readWrite() {
        return of(PRESENT, WRITABLE, NO_EXECUTE);
    }

    /** {@code PRESENT}: read and execute (code). */
    public static PageFlags readExecute() {
        return PRESENT;
    }

    /** The names of the set flags. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return bits == 0 ? "NONE" : String.join("|", names());
    }
}
