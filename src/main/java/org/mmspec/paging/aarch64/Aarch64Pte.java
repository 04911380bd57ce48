package org.mmspec.paging.aarch64;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Entry;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageSize;
import org.mmspec.paging.Permissions;
import org.mmspec.paging.PteFormat;
import org.mmspec.paging.VirtAddr;

/**
 * The AArch64 VMSAv8-64 stage-1 descriptor (Arm ARM D8.3) for the EL1&0 regime, 48-bit virtual
 * and output addresses, with the 4 KiB, 16 KiB and 64 KiB translation granules; one instance per
 * granule ({@link #G4K}, {@link #G16K}, {@link #G64K}).
 *
 * <p>Geometry: a table is one granule (512, 2048 or 8192 entries). With 48-bit VAs the walk
 * has 4 levels for 4 KiB (L0..L3, index bits 47:39, 38:30, 29:21, 20:12) and 16 KiB (L0 uses
 * bit 47 alone, then 46:36, 35:25, 24:14), and 3 levels for 64 KiB (L1 47:42, L2 41:29, L3
 * 28:16): 64 KiB pages need no fourth level at 48 bits. Blocks: 4 KiB granule L1 (1 GiB) and L2
 * (2 MiB); 16 KiB L2 (32 MiB); 64 KiB L2 (512 MiB). Two roots: TTBR0_EL1 for the lower half and
 * TTBR1_EL1 for the upper half; the model's canonical VAs ({@link VirtAddr}) reach the low and
 * high 2^47 bytes of each.
 *
 * <p>Descriptor bits: bit 0 valid; bit 1 is 1 for a table (L0..L2) or page (L3) and 0 for a block,
 * which L3 and L0 reserve. Leaf attributes: AttrIndx[4:2] (MAIR slot), NS(5), AP[2:1] at bits 7:6
 * (AP[2]=1 read-only, AP[1]=1 EL0 access), SH[9:8], AF(10), nG(11), output address 47:granule,
 * DBM(51), Contiguous(52), PXN(53), UXN(54), software bits 58:55. Table attributes: PXNTable(59),
 * UXNTable(60), APTable[1:0] at 62:61 (bit 61: no EL0 access below, bit 62: no writes below),
 * NSTable(63).
 *
 * <p>Encoding from neutral flags: WRITABLE → AP[2]=0; USER → AP[1]=1; NO_EXECUTE → UXN=PXN=1;
 * an executable user page gets UXN=0, PXN=1 and an executable kernel page PXN=0, UXN=1 (the kernel
 * never executes user memory and user mode never executes kernel memory); GLOBAL → nG=0;
 * ACCESSED → AF; MAIR slots: 0 write-back, 1 non-cacheable (NO_CACHE), 2 write-through
 * (WRITE_THROUGH), 3 device (both); SH is always inner-shareable. DIRTY is not encodable (no DBM).
 *
 * <p>Effective permissions: APTable and XNTable of every table descriptor restrict everything
 * below; at the leaf, a page writable from EL0 is also privileged-execute-never (the architecture
 * treats EL0-writable memory as PXN).
 */
public final class Aarch64Pte implements PteFormat {
    /** Descriptor is valid. */
    public static final long VALID = 1L;
    /** At L0..L2: 1 = table, 0 = block. At L3: 1 = page, 0 = reserved. */
    public static final long TABLE_OR_PAGE = 1L << 1;
    /** Lowest bit of AttrIndx[2:0], the MAIR_EL1 slot. */
    public static final int ATTR_INDX_SHIFT = 2;
    /** AttrIndx[2:0] mask. */
    public static final long ATTR_INDX_MASK = 0b111L << ATTR_INDX_SHIFT;
    /** MAIR slot 0: normal memory, write-back cacheable. */
    public static final int MAIR_NORMAL_WB = 0;
    /** MAIR slot 1: normal memory, non-cacheable. */
    public static final int MAIR_NORMAL_NC = 1;
    /** MAIR slot 2: normal memory, write-through. */
    public static final int MAIR_NORMAL_WT = 2;
    /** MAIR slot 3: device nGnRE. */
    public static final int MAIR_DEVICE = 3;
    /** Non-secure. */
    public static final long NS = 1L << 5;
    /** AP[1]: EL0 may access. */
    public static final long AP_EL0 = 1L << 6;
    /** AP[2]: read-only at every EL. */
    public static final long AP_RO = 1L << 7;
    /** Lowest bit of SH[1:0], shareability. */
    public static final int SH_SHIFT = 8;
    /** SH[1:0] mask. */
    public static final long SH_MASK = 0b11L << SH_SHIFT;
    /** SH = 0b11: inner shareable. */
    public static final long SH_INNER = 0b11L << SH_SHIFT;
    /** Access flag: 0 faults on first access (no hardware AF management). */
    public static final long AF = 1L << 10;
    /** Not global: the translation is tagged with the ASID. */
    public static final long NG = 1L << 11;
    /** Output address bits 47:12, narrowed per granule by {@link #addressMask()}. */
    public static final long OA_MASK_48 = 0x0000_FFFF_FFFF_F000L;
    /** Bits 50:48, RES0 with 48-bit output addresses. */
    public static final long RES0_HIGH_OA = 0b111L << 48;
    /** Dirty bit modifier (hardware dirty state); never set by the model. */
    public static final long DBM = 1L << 51;
    /** Contiguous hint; never set by the model. */
    public static final long CONTIGUOUS = 1L << 52;
    /** Privileged execute-never. */
    public static final long PXN = 1L << 53;
    /** Unprivileged (EL0) execute-never. */
    public static final long UXN = 1L << 54;
    /** Bits 58:55, reserved for software. */
    public static final long SOFTWARE = 0xFL << 55;
    /** Table: PXN for everything below. */
    public static final long PXN_TABLE = 1L << 59;
    /** Table: UXN for everything below. */
    public static final long UXN_TABLE = 1L << 60;
    /** Table: APTable[0], no EL0 access below. */
    public static final long AP_TABLE_NO_EL0 = 1L << 61;
    /** Table: APTable[1], no writes below. */
    public static final long AP_TABLE_RO = 1L << 62;
    /** Table: NSTable. */
    public static final long NS_TABLE = 1L << 63;

    /** TTBRn_EL1 bits 63:48: the ASID. */
    public static final int TTBR_ASID_SHIFT = 48;
    /** TCR_EL1.T0SZ (bits 5:0): the lower half spans 2^(64 - T0SZ) bytes. */
    public static final int TCR_T0SZ_SHIFT = 0;
    /** TCR_EL1.TG0 (bits 15:14): the TTBR0 granule. */
    public static final int TCR_TG0_SHIFT = 14;
    /** TCR_EL1.T1SZ (bits 21:16): the upper half spans 2^(64 - T1SZ) bytes. */
    public static final int TCR_T1SZ_SHIFT = 16;
    /** TCR_EL1.TG1 (bits 31:30): the TTBR1 granule (encoded differently from TG0). */
    public static final int TCR_TG1_SHIFT = 30;
    /** TG0 = 0b00: 4 KiB granule. */
    public static final long TG0_4K = 0b00;
    /** TG0 = 0b01: 64 KiB granule. */
    public static final long TG0_64K = 0b01;
    /** TG0 = 0b10: 16 KiB granule. */
    public static final long TG0_16K = 0b10;
    /** TG1 = 0b01: 16 KiB granule. */
    public static final long TG1_16K = 0b01;
    /** TG1 = 0b10: 4 KiB granule. */
    public static final long TG1_4K = 0b10;
    /** TG1 = 0b11: 64 KiB granule. */
    public static final long TG1_64K = 0b11;
    /** T0SZ = T1SZ = 16: 48-bit virtual addresses in each half. */
    public static final long TCR_SZ_48BIT = 16;

    /** The 4 KiB granule: 4 levels, blocks at L1 (1 GiB) and L2 (2 MiB). */
    public static final Aarch64Pte G4K = new Aarch64Pte("aarch64-4k", 12, 0, new int[] {39, 30, 21, 12},
            new int[] {9, 9, 9, 9}, List.of(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1));
    /** The 16 KiB granule: 4 levels (L0 indexes bit 47 alone), blocks at L2 (32 MiB). */
    public static final Aarch64Pte G16K = new Aarch64Pte("aarch64-16k", 14, 0, new int[] {47, 36, 25, 14},
            new int[] {1, 11, 11, 11}, List.of(PageSize.KIB_16, PageSize.MIB_32));
    /** The 64 KiB granule: 3 levels from L1, blocks at L2 (512 MiB). */
    public static final Aarch64Pte G64K = new Aarch64Pte("aarch64-64k", 16, 1, new int[] {42, 29, 16},
            new int[] {6, 13, 13}, List.of(PageSize.KIB_64, PageSize.MIB_512));

    private final String name;
    private final int granuleShift;
    private final int startLevel;
    private final int[] shifts;
    private final int[] bits;
    private final List<PageSize> sizes;

    private Aarch64Pte(String name, int granuleShift, int startLevel, int[] shifts, int[] bits, List<PageSize> sizes) {
        this.name = name;
        this.granuleShift = granuleShift;
        this.startLevel = startLevel;
        this.shifts = shifts;
        this.bits = bits;
        this.sizes = sizes;
    }

    /** The three granules. */
    public static List<Aarch64Pte> granules() {
        return List.of(G4K, G16K, G64K);
    }

    /** log2 of the granule size. */
    public int granuleShift() {
        return granuleShift;
    }

    /** Output/table address bits 47:granule. */
    public long addressMask() {
        return OA_MASK_48 & -(1L << granuleShift);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int levels() {
        return shifts.length;
    }

    @Override
    public String levelName(int depth) {
        return "L" + (startLevel + depth);
    }

    @Override
    public int indexShift(int depth) {
        return shifts[depth];
    }

    @Override
    public int indexBits(int depth) {
        return bits[depth];
    }

    @Override
    public int tableFrames() {
        return 1 << (granuleShift - PhysFrame.SHIFT);
    }

    @Override
    public int vaBits() {
        return 48;
    }

    @Override
    public int roots() {
        return 2;
    }

    /** TTBR0_EL1 for the lower half, TTBR1_EL1 for the upper half. */
    @Override
    public int rootIndex(VirtAddr va) {
        return va.isUpperHalf() ? 1 : 0;
    }

    @Override
    public List<PageSize> pageSizes() {
        return sizes;
    }

    @Override
    public PageFlags supportedFlags() {
        return PageFlags.ALL.without(PageFlags.DIRTY);
    }

    private boolean last(int depth) {
        return depth == shifts.length - 1;
    }

    private boolean blockAllowed(int depth) {
        return !last(depth) && leafSize(depth).isPresent();
    }

    @Override
    public long encodeTable(PhysAddr table, PageFlags f, int depth) {
        long raw = VALID | TABLE_OR_PAGE | (table.value() & addressMask());
        raw |= f.writable() ? 0 : AP_TABLE_RO;
        raw |= f.user() ? 0 : AP_TABLE_NO_EL0;
        raw |= f.contains(PageFlags.NO_EXECUTE) ? (UXN_TABLE | PXN_TABLE) : 0;
        return raw;
    }

    @Override
    public long encodeLeaf(PhysAddr out, PageFlags f, int depth) {
        long raw = VALID | (last(depth) ? TABLE_OR_PAGE : 0) | (out.value() & addressMask()) | SH_INNER;
        raw |= f.writable() ? 0 : AP_RO;
        raw |= f.user() ? AP_EL0 : 0;
        if (f.contains(PageFlags.NO_EXECUTE)) {
            raw |= UXN | PXN;
        } else {
            raw |= f.user() ? PXN : UXN;
        }
        raw |= f.contains(PageFlags.GLOBAL) ? 0 : NG;
        raw |= f.contains(PageFlags.ACCESSED) ? AF : 0;
        int attr = (f.contains(PageFlags.NO_CACHE) ? MAIR_NORMAL_NC : 0) | (f.contains(PageFlags.WRITE_THROUGH) ? MAIR_NORMAL_WT : 0);
        raw |= (long) attr << ATTR_INDX_SHIFT;
        return raw;
    }

    @Override
    public Entry decode(long raw, int depth) {
        if ((raw & VALID) == 0) {
            return Entry.INVALID;
        }
        if ((raw & RES0_HIGH_OA) != 0) {
            return Entry.reserved("output address bits 50:48 are RES0 with 48-bit addresses");
        }
        boolean tableOrPage = (raw & TABLE_OR_PAGE) != 0;
        if (last(depth) && !tableOrPage) {
            return Entry.reserved("a block descriptor at " + levelName(depth) + " is reserved");
        }
        if (!last(depth) && tableOrPage) {
            PageFlags f = PageFlags.PRESENT;
            f = (raw & AP_TABLE_RO) == 0 ? f.with(PageFlags.WRITABLE) : f;
            f = (raw & AP_TABLE_NO_EL0) == 0 ? f.with(PageFlags.USER) : f;
            f = (raw & (UXN_TABLE | PXN_TABLE)) == (UXN_TABLE | PXN_TABLE) ? f.with(PageFlags.NO_EXECUTE) : f;
            return Entry.table(PhysAddr.of(raw & addressMask()), f);
        }
        if (!last(depth) && !blockAllowed(depth)) {
            return Entry.reserved("the " + name + " granule has no block at " + levelName(depth));
        }
        long size = 1L << shifts[depth];
        if ((raw & addressMask() & (size - 1)) != 0) {
            return Entry.reserved("output address bits below the " + PageSize.ofShift(shifts[depth]) + " block size are RES0");
        }
        return Entry.leaf(PhysAddr.of(raw & addressMask()), leafFlags(raw));
    }

    private static PageFlags leafFlags(long raw) {
        PageFlags f = PageFlags.PRESENT;
        boolean user = (raw & AP_EL0) != 0;
        f = (raw & AP_RO) == 0 ? f.with(PageFlags.WRITABLE) : f;
        f = user ? f.with(PageFlags.USER) : f;
        f = (raw & (user ? UXN : PXN)) != 0 ? f.with(PageFlags.NO_EXECUTE) : f;
        f = (raw & NG) == 0 ? f.with(PageFlags.GLOBAL) : f;
        f = (raw & AF) != 0 ? f.with(PageFlags.ACCESSED) : f;
        long attr = (raw & ATTR_INDX_MASK) >>> ATTR_INDX_SHIFT;
        f = (attr & MAIR_NORMAL_NC) != 0 ? f.with(PageFlags.NO_CACHE) : f;
        f = (attr & MAIR_NORMAL_WT) != 0 ? f.with(PageFlags.WRITE_THROUGH) : f;
        return f;
    }

    @Override
    public Permissions throughTable(Permissions acc, long raw, int depth) {
        return new Permissions(acc.writable() && (raw & AP_TABLE_RO) == 0, acc.user() && (raw & AP_TABLE_NO_EL0) == 0,
                acc.userExecuteNever() || (raw & UXN_TABLE) != 0, acc.kernelExecuteNever() || (raw & PXN_TABLE) != 0);
    }

    @Override
    public Permissions atLeaf(Permissions acc, long raw, int depth) {
        boolean writable = acc.writable() && (raw & AP_RO) == 0;
        boolean user = acc.user() && (raw & AP_EL0) != 0;
        boolean uxn = acc.userExecuteNever() || (raw & UXN) != 0;
        // Memory writable from EL0 is never executable at EL1.
        boolean pxn = acc.kernelExecuteNever() || (raw & PXN) != 0 || (writable && user);
        return new Permissions(writable, user, uxn, pxn);
    }

    @Override
    public Optional<String> accessStateFault(long raw, boolean write) {
        return (raw & AF) == 0 ? Optional.of("access flag fault (AF=0)") : Optional.empty();
    }

    @Override
    public Optional<Problem> problem(long raw, int depth) {
        if ((raw & VALID) == 0) {
            return Optional.empty();
        }
        if (last(depth) && (raw & TABLE_OR_PAGE) == 0) {
            return Optional.of(new Problem("PTE-2", "block descriptor (bit 1 clear) at the last level " + levelName(depth)));
        }
        Entry e = decode(raw, depth);
        return e.kind() == Entry.Kind.RESERVED ? Optional.of(new Problem("PTE-1", e.reason())) : Optional.empty();
    }

    @Override
    public long withHugeMarker(long raw) {
        return raw & ~TABLE_OR_PAGE;
    }

    @Override
    public String describe(long raw, int depth) {
        List<String> s = new ArrayList<>();
        s.add((raw & VALID) != 0 ? "V" : "-");
        boolean tp = (raw & TABLE_OR_PAGE) != 0;
        s.add(last(depth) ? (tp ? "PAGE" : "RESERVED") : (tp ? "TABLE" : "BLOCK"));
        if (!last(depth) && tp) {
            long a = raw & (PXN_TABLE | UXN_TABLE | AP_TABLE_NO_EL0 | AP_TABLE_RO | NS_TABLE);
            s.add(String.format("tableattrs=0x%x", a >>> 59));
        } else {
            int slot = Mair.attrIndx(raw);
            s.add("AttrIndx=" + slot);
            if (Mair.isTagged(raw)) {
                // MTE: the page's 16-byte granules carry allocation tags (Tagged Normal, Mair).
                s.add("Tagged");
            }
            s.add("AP=" + ((raw >>> 6) & 3));
            s.add("SH=" + ((raw & SH_MASK) >>> SH_SHIFT));
            s.add((raw & AF) != 0 ? "AF" : "!AF");
            s.add((raw & NG) != 0 ? "nG" : "G");
            if ((raw & PXN) != 0) {
                s.add("PXN");
            }
            if ((raw & UXN) != 0) {
                s.add("UXN");
            }
        }
        return String.join(" ", s);
    }

    /** TCR_EL1 for this granule: T0SZ = T1SZ = 16 (48-bit halves), TG0 and TG1 naming the granule. */
    @Override
    public long controlRegister() {
        long tg0 = granuleShift == 12 ? TG0_4K : granuleShift == 14 ? TG0_16K : TG0_64K;
        long tg1 = granuleShift == 12 ? TG1_4K : granuleShift == 14 ? TG1_16K : TG1_64K;
        return (TCR_SZ_48BIT << TCR_T0SZ_SHIFT) | (tg0 << TCR_TG0_SHIFT) | (TCR_SZ_48BIT << TCR_T1SZ_SHIFT)
                | (tg1 << TCR_TG1_SHIFT);
    }

    /** TTBRn_EL1: the root's physical address (BADDR) and the ASID in bits 63:48. */
    @Override
    public long rootRegister(PhysFrame root, int asid) {
        return (root.start().value() & OA_MASK_48) | ((long) (asid & 0xFFFF) << TTBR_ASID_SHIFT);
    }

    @Override
    public String toString() {
        return name;
    }
}
