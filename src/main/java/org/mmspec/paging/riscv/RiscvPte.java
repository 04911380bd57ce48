package org.mmspec.paging.riscv;

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

/**
 * The RISC-V Sv39, Sv48 and Sv57 page-table entry (privileged spec, "Sv39"/"Sv48"/"Sv57"): 512
 * entries per 4 KiB table; Sv39 walks 3 levels (VPN[2..0] = VA bits 38:30, 29:21, 20:12) over
 * 39-bit VAs, Sv48 walks 4 levels (VPN[3] = 47:39 first) over 48-bit VAs, Sv57 walks 5 levels
 * (VPN[4] = 56:48 first) over 57-bit VAs. {@code satp.MODE} is 8 for Sv39, 9 for Sv48 and 10 for
 * Sv57. In every mode bits 63 down to the top VA bit must all equal that bit, or the access
 * faults.
 *
 * <p>Bits: V(0) R(1) W(2) X(3) U(4) G(5) A(6) D(7), RSW 9:8 for software, PPN 53:10, bits 60:54
 * reserved, PBMT 62:61 (Svpbmt, absent here) and N 63 (Svnapot, absent here): any of 63:54 set
 * faults. R=W=X=0 is a pointer to the next level; a pointer's D, A and U are reserved; a pointer
 * at the last level faults. W=1 with R=0 is reserved. Any level may hold a leaf (4 KiB page,
 * 2 MiB megapage, 1 GiB gigapage, on Sv48 and Sv57 the 512 GiB terapage, on Sv57 the 256 TiB
 * petapage), whose PPN must be aligned to
 * its size or the access faults.
 *
 * <p>Permissions are the leaf's alone: R/W/X, with U selecting user or supervisor (S-mode never
 * fetches from a U page; SUM and MXR are off). Hardware A/D update is absent (Svade): a leaf with
 * A=0, or D=0 on a write, faults, so a kernel sets them when it maps. Every leaf the model writes
 * has R=1; flags map as WRITABLE → W, NO_EXECUTE → X=0, USER → U, GLOBAL → G, ACCESSED → A,
 * DIRTY → D. WRITE_THROUGH and NO_CACHE are not encodable (no Svpbmt).
 */
public final class RiscvPte implements PteFormat {
    /** Valid. */
    public static final long V = 1L;
    /** Readable. */
    public static final long R = 1L << 1;
    /** Writable (reserved without R). */
    public static final long W = 1L << 2;
    /** Executable. */
    public static final long X = 1L << 3;
    /** User-mode accessible. */
    public static final long U = 1L << 4;
    /** Global mapping. */
    public static final long G = 1L << 5;
    /** Accessed. */
    public static final long A = 1L << 6;
    /** Dirty. */
    public static final long D = 1L << 7;
    /** Bits 9:8, reserved for supervisor software. */
    public static final long RSW = 0b11L << 8;
    /** Lowest bit of the PPN field. */
    public static final int PPN_SHIFT = 10;
    /** PPN bits 53:10 (44 bits). */
    public static final long PPN_MASK = ((1L << 44) - 1) << PPN_SHIFT;
    /** Bits 63:54: reserved (60:54), PBMT (62:61), N (63); all must be zero here. */
    public static final long RESERVED_HIGH = -(1L << 54);
    /** R, W and X: all zero in a pointer. */
    public static final long RWX = R | W | X;

    /** satp bit 60: lowest bit of MODE[63:60]. */
    public static final int SATP_MODE_SHIFT = 60;
    /** satp.MODE for Sv39. */
    public static final long SATP_MODE_SV39 = 8;
    /** satp.MODE for Sv48. */
    public static final long SATP_MODE_SV48 = 9;
    /** satp.MODE for Sv57. */
    public static final long SATP_MODE_SV57 = 10;
    /** satp bit 44: lowest bit of ASID[59:44]. */
    public static final int SATP_ASID_SHIFT = 44;
    /** satp.PPN[43:0], the root table's physical page number. */
    public static final long SATP_PPN_MASK = (1L << 44) - 1;

    /** Sv39: 3 levels, 39-bit VAs. */
    public static final RiscvPte SV39 = new RiscvPte("sv39", 3, SATP_MODE_SV39,
            List.of(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1));
    /** Sv48: 4 levels, 48-bit VAs. */
    public static final RiscvPte SV48 = new RiscvPte("sv48", 4, SATP_MODE_SV48,
            List.of(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1, PageSize.GIB_512));
    /** Sv57: 5 levels, 57-bit VAs; a leaf at every level, up to the 256 TiB petapage. */
    public static final RiscvPte SV57 = new RiscvPte("sv57", 5, SATP_MODE_SV57,
            List.of(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1, PageSize.GIB_512, PageSize.TIB_256));

    private static final int INDEX_BITS = 9;

    private final String name;
    private final int levels;
    private final long satpMode;
    private final List<PageSize> sizes;

    private RiscvPte(String name, int levels, long satpMode, List<PageSize> sizes) {
        this.name = name;
        this.levels = levels;
        this.satpMode = satpMode;
        this.sizes = sizes;
    }

    /** The satp.MODE value selecting this scheme. */
    public long satpMode() {
        return satpMode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int levels() {
        return levels;
    }

    /** RISC-V numbers levels from the leaf up: the root of Sv39 is level 2. */
    @Override
    public String levelName(int depth) {
        return "lvl" + (levels - 1 - depth);
    }

    @Override
    public int indexShift(int depth) {
        return 12 + INDEX_BITS * (levels - 1 - depth);
    }

    @Override
    public int indexBits(int depth) {
        return INDEX_BITS;
    }

    @Override
    public int tableFrames() {
        return 1;
    }

    @Override
    public int vaBits() {
        return 12 + INDEX_BITS * levels;
    }

    @Override
    public List<PageSize> pageSizes() {
        return sizes;
    }

    @Override
    public PageFlags supportedFlags() {
        return PageFlags.ALL.without(PageFlags.WRITE_THROUGH).without(PageFlags.NO_CACHE);
    }

    /** A pointer carries no permissions, so RISC-V tables cannot restrict. */
    @Override
    public PageFlags permissiveTableFlags() {
        return PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER);
    }

    @Override
    public long encodeTable(PhysAddr table, PageFlags flags, int depth) {
        return V | ((table.value() >>> 12) << PPN_SHIFT);
    }

    @Override
    public long encodeLeaf(PhysAddr out, PageFlags f, int depth) {
        long raw = V | R | ((out.value() >>> 12) << PPN_SHIFT);
        raw |= f.writable() ? W : 0;
        raw |= f.contains(PageFlags.NO_EXECUTE) ? 0 : X;
        raw |= f.user() ? U : 0;
        raw |= f.contains(PageFlags.GLOBAL) ? G : 0;
        raw |= f.contains(PageFlags.ACCESSED) ? A : 0;
        raw |= f.contains(PageFlags.DIRTY) ? D : 0;
        return raw;
    }

    @Override
    public Entry decode(long raw, int depth) {
        if ((raw & V) == 0) {
            return Entry.INVALID;
        }
        if ((raw & RESERVED_HIGH) != 0) {
            return Entry.reserved("bits 63:54 are reserved (no Svpbmt/Svnapot)");
        }
        if ((raw & W) != 0 && (raw & R) == 0) {
            return Entry.reserved("W=1 with R=0 is reserved");
        }
        long ppn = (raw & PPN_MASK) >>> PPN_SHIFT;
        if (ppn >= PhysFrame.LIMIT) {
            // Sv39/48/57 name 56-bit physical addresses; past the model's 52 bits the access faults.
            return Entry.reserved("PPN 0x" + Long.toHexString(ppn) + " lies beyond the 52-bit physical address space");
        }
        PhysAddr addr = PhysAddr.of(ppn << 12);
        if ((raw & RWX) == 0) {
            if (depth == levels - 1) {
                return Entry.reserved("a pointer at level 0");
            }
            if ((raw & (D | A | U)) != 0) {
                return Entry.reserved("D, A and U are reserved in a pointer");
            }
            return Entry.table(addr, PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER));
        }
        long size = 1L << indexShift(depth);
        if ((addr.value() & (size - 1)) != 0) {
            return Entry.reserved("misaligned superpage: PPN bits below " + PageSize.ofShift(indexShift(depth)) + " are not zero");
        }
        PageFlags f = PageFlags.PRESENT;
        f = (raw & W) != 0 ? f.with(PageFlags.WRITABLE) : f;
        f = (raw & X) == 0 ? f.with(PageFlags.NO_EXECUTE) : f;
        f = (raw & U) != 0 ? f.with(PageFlags.USER) : f;
        f = (raw & G) != 0 ? f.with(PageFlags.GLOBAL) : f;
        f = (raw & A) != 0 ? f.with(PageFlags.ACCESSED) : f;
        f = (raw & D) != 0 ? f.with(PageFlags.DIRTY) : f;
        return Entry.leaf(addr, f);
    }

    @Override
    public Permissions throughTable(Permissions acc, long raw, int depth) {
        return acc;
    }

    @Override
    public Permissions atLeaf(Permissions acc, long raw, int depth) {
        boolean x = (raw & X) != 0;
        boolean u = (raw & U) != 0;
        return new Permissions((raw & W) != 0, u, !(x && u), !(x && !u));
    }

    /** sstatus.SUM=0: S-mode loads and stores to U pages fault. */
    @Override
    public boolean kernelMayAccessUserPages() {
        return false;
    }

    @Override
    public Optional<String> accessStateFault(long raw, boolean write) {
        if ((raw & A) == 0) {
            return Optional.of("A=0 (no hardware A/D update)");
        }
        if (write && (raw & D) == 0) {
            return Optional.of("write with D=0 (no hardware A/D update)");
        }
        return Optional.empty();
    }

    @Override
    public Optional<Problem> problem(long raw, int depth) {
        if ((raw & V) == 0) {
            return Optional.empty();
        }
        if (depth == levels - 1 && (raw & RWX) == 0) {
            return Optional.of(new Problem("PTE-2", "a pointer (R=W=X=0) at the last level"));
        }
        Entry e = decode(raw, depth);
        return e.kind() == Entry.Kind.RESERVED ? Optional.of(new Problem("PTE-1", e.reason())) : Optional.empty();
    }

    @Override
    public long withHugeMarker(long raw) {
        return raw & ~RWX;
    }

    @Override
    public String describe(long raw, int depth) {
        String names = "VRWXUGAD";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length(); i++) {
            sb.append((raw & (1L << i)) != 0 ? names.charAt(i) : '-');
        }
        List<String> s = new ArrayList<>(List.of(sb.toString()));
        s.add(String.format("PPN=0x%x", (raw & PPN_MASK) >>> PPN_SHIFT));
        if ((raw & RSW) != 0) {
            s.add("RSW=" + ((raw & RSW) >>> 8));
        }
        return String.join(" ", s);
    }

    /** satp selects the walk itself: its MODE field alone (63:60), as {@link #rootRegister} writes it. */
    @Override
    public long controlRegister() {
        return satpMode << SATP_MODE_SHIFT;
    }

    /** satp: MODE (8 Sv39, 9 Sv48, 10 Sv57) in 63:60, ASID in 59:44, the root's PPN in 43:0. */
    @Override
    public long rootRegister(PhysFrame root, int asid) {
        return (satpMode << SATP_MODE_SHIFT) | ((long) (asid & 0xFFFF) << SATP_ASID_SHIFT)
                | (root.number() & SATP_PPN_MASK);
    }

    @Override
    public String toString() {
        return name;
    }
}
