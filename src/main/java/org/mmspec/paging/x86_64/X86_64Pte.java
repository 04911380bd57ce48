package org.mmspec.paging.x86_64;

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
 * The x86_64 page-table entry (Intel SDM Vol. 3A, 4.5), for 4-level paging ({@link #FORMAT}:
 * PML4 → PDPT → PD → PT, indexed by VA bits 47:39, 38:30, 29:21 and 20:12, over 48-bit canonical
 * addresses) and for 5-level paging ({@link #LA57}, CR4.LA57=1: a PML5 indexed by VA bits 56:48
 * above the PML4, over 57-bit canonical addresses). 512 entries of 64 bits per 4 KiB table.
 *
 * <p>Bit layout (every bit a constant below): P(0) RW(1) US(2) PWT(3) PCD(4) A(5) D(6)
 * PS/PAT(7) G(8), bits 11:9 ignored, address 51:12 (for a 2 MiB/1 GiB leaf 51:21 / 51:30, with
 * bit 12 = PAT and the bits between reserved), bits 62:52 ignored (62:59 the protection key when
 * CR4.PKE=1, off here), NX(63). PS=1 makes a PDPT entry a 1 GiB leaf and a PD entry a 2 MiB
 * leaf; in a PML4 (and a PML5) entry PS is reserved, so 5-level paging adds no leaf size: 1 GiB
 * stays the largest (SDM Vol. 3A §4.5.1). In a PT entry bit 7 is PAT, which the hardware accepts
 * but the model never uses, so PTE-2 flags it: a set bit 7 there means a huge-page encoding leaked
 * to the last level.
 *
 * <p>Permissions combine down the walk: RW and US are ANDed and NX is ORed over every level
 * (with EFER.NXE=1). Tables the PageMapper writes carry P|RW|US and NX=0, so leaves decide.
 */
public final class X86_64Pte implements PteFormat {
    /** 4-level paging (CR4.LA57=0): 48-bit virtual addresses. */
    public static final X86_64Pte FORMAT = new X86_64Pte("x86_64", 4, 0);
    /** 5-level paging (CR4.LA57=1): 57-bit virtual addresses, a PML5 above the PML4. */
    public static final X86_64Pte LA57 = new X86_64Pte("x86_64-la57", 5, X86_64Pte.CR4_LA57);

    /** Present: the entry is used by the walk. */
    public static final long P = 1L;
    /** Read/write: 0 makes everything below read-only. */
    public static final long RW = 1L << 1;
    /** User/supervisor: 0 makes everything below supervisor-only. */
    public static final long US = 1L << 2;
    /** Page-level write-through. */
    public static final long PWT = 1L << 3;
    /** Page-level cache disable. */
    public static final long PCD = 1L << 4;
    /** Accessed: set by the hardware on a walk (the model's walk does not set it). */
    public static final long A = 1L << 5;
    /** Dirty: set by the hardware on a write through a leaf. */
    public static final long D = 1L << 6;
    /** Page size: in a PDPT/PD entry, makes it a 1 GiB / 2 MiB leaf. In a PT entry this bit is PAT. */
    public static final long PS = 1L << 7;
    /** In a PT entry, bit 7 selects a PAT entry; never set by the model. */
    public static final long PAT_4K = PS;
    /** Global: the translation survives a CR3 load (CR4.PGE=1). Leaves only. */
    public static final long G = 1L << 8;
    /** Bits 11:9, ignored by the hardware, free for software. */
    public static final long AVL_LOW = 0b111L << 9;
    /** In a 2 MiB/1 GiB leaf, bit 12 selects a PAT entry; never set by the model. */
    public static final long PAT_HUGE = 1L << 12;
    /** Physical address bits 51:12 of a table or 4 KiB page. */
    public static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;
    /** Bits 58:52, ignored by the hardware. */
    public static final long AVL_HIGH = 0x7FL << 52;
    /** Bits 62:59, the protection key with CR4.PKE=1; ignored here. */
    public static final long PKEY = 0xFL << 59;
    /**
     * Bit 58 (Linux's _PAGE_BIT_SOFTW5), one of the ignored bits 58:52: Linux's software SavedDirty
     * ({@code _PAGE_SAVED_DIRTY}). With CET a leaf with RW=0 and D=1 is a shadow-stack page, so a
     * kernel that write-protects a dirty page (fork's copy-on-write, mprotect) moves D here instead
     * of leaving it set (spec/hardware-security.md, SHSTK-2, SHSTK-3).
     */
    public static final long SAVED_DIRTY = 1L << 58;
    /** Execute disable (EFER.NXE=1): instruction fetches below fault. */
    public static final long NX = 1L << 63;

    /** CR3 bits 11:0: the PCID with CR4.PCIDE=1. */
    public static final long CR3_PCID_MASK = 0xFFF;
    /** CR4.PAE (bit 5): physical-address extension, required for 4- and 5-level paging. */
    public static final long CR4_PAE = 1L << 5;
    /** CR4.PGE (bit 7): global pages (G survives a CR3 write). */
    public static final long CR4_PGE = 1L << 7;
    /** CR4.LA57 (bit 12): 5-level paging and 57-bit addresses when set ({@link #LA57}); clear in {@link #FORMAT}. */
    public static final long CR4_LA57 = 1L << 12;
    /** CR4.PCIDE (bit 17): CR3 bits 11:0 are a PCID. */
    public static final long CR4_PCIDE = 1L << 17;

    /** CR4.CET (bit 23): control-flow enforcement; with it a leaf RW=0, D=1 is a shadow-stack page. */
    public static final long CR4_CET = 1L << 23;

    /** Depth of the PT (last level) in 4-level paging ({@link #FORMAT}); {@link #LA57}'s is one deeper. */
    public static final int PT_DEPTH = 3;

    /** Level names from the PML5 down; a 4-level walk starts at the second. */
    private static final String[] LEVELS = {"PML5", "PML4", "PDPT", "PD", "PT"};
    private static final int INDEX_BITS = 9;
    /** log2 of the largest leaf (a PDPT entry with PS=1): leaves sit only where the index shift is at most this. */
    private static final int MAX_LEAF_SHIFT = 30;

    private final String name;
    private final int levels;
    /** The last level's depth: 3 for 4-level paging, 4 for 5-level. */
    private final int ptDepth;
    /** CR4.LA57 as this format needs it: 0 or {@link #CR4_LA57}. */
    private final long la57;

    private X86_64Pte(String name, int levels, long la57) {
        this.name = name;
        this.levels = levels;
        this.ptDepth = levels - 1;
        this.la57 = la57;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int levels() {
        return levels;
    }

    @Override
    public String levelName(int depth) {
        return LEVELS[LEVELS.length - levels + depth];
    }

    @Override
    public int indexShift(int depth) {
        return PhysFrame.SHIFT + INDEX_BITS * (ptDepth - depth);
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
        return PhysFrame.SHIFT + INDEX_BITS * levels;
    }

    @Override
    public List<PageSize> pageSizes() {
        return List.of(PageSize.KIB_4, PageSize.MIB_2, PageSize.GIB_1);
    }

    @Override
    public PageFlags supportedFlags() {
        return PageFlags.ALL;
    }

    @Override
    public long encodeTable(PhysAddr table, PageFlags flags, int depth) {
        return P | (flags.writable() ? RW : 0) | (flags.user() ? US : 0)
                | (flags.contains(PageFlags.NO_EXECUTE) ? NX : 0) | (table.value() & ADDR_MASK);
    }

    @Override
    public long encodeLeaf(PhysAddr out, PageFlags f, int depth) {
        long raw = P | (out.value() & ADDR_MASK);
        raw |= f.writable() ? RW : 0;
        raw |= f.user() ? US : 0;
        raw |= f.contains(PageFlags.WRITE_THROUGH) ? PWT : 0;
        raw |= f.contains(PageFlags.NO_CACHE) ? PCD : 0;
        raw |= f.contains(PageFlags.ACCESSED) ? A : 0;
        raw |= f.contains(PageFlags.DIRTY) ? D : 0;
        raw |= f.contains(PageFlags.GLOBAL) ? G : 0;
        raw |= f.contains(PageFlags.NO_EXECUTE) ? NX : 0;
        raw |= depth < ptDepth ? PS : 0;
        return raw;
    }

    @Override
    public Entry decode(long raw, int depth) {
        if ((raw & P) == 0) {
            return Entry.INVALID;
        }
        boolean ps = (raw & PS) != 0;
        if (ps && indexShift(depth) > MAX_LEAF_SHIFT) {
            return Entry.reserved("PS=1 in a " + levelName(depth) + " entry is reserved");
        }
        if (depth == ptDepth || ps) {
            long size = 1L << indexShift(depth);
            long reservedLow = depth == ptDepth ? 0 : (size - 1) & ADDR_MASK & ~PAT_HUGE;
            if ((raw & reservedLow) != 0) {
                return Entry.reserved(String.format("address bits %d..%d of a %s leaf are reserved", 13,
                        indexShift(depth) - 1, levelName(depth)));
            }
            return Entry.leaf(PhysAddr.of(raw & ADDR_MASK & -size), leafFlags(raw));
        }
        PageFlags f = PageFlags.PRESENT;
        f = (raw & RW) != 0 ? f.with(PageFlags.WRITABLE) : f;
        f = (raw & US) != 0 ? f.with(PageFlags.USER) : f;
        f = (raw & NX) != 0 ? f.with(PageFlags.NO_EXECUTE) : f;
        return Entry.table(PhysAddr.of(raw & ADDR_MASK), f);
    }

    private static PageFlags leafFlags(long raw) {
        int b = PageFlags.PRESENT.bits();
        b |= (raw & RW) != 0 ? PageFlags.WRITABLE.bits() : 0;
        b |= (raw & US) != 0 ? PageFlags.USER.bits() : 0;
        b |= (raw & PWT) != 0 ? PageFlags.WRITE_THROUGH.bits() : 0;
        b |= (raw & PCD) != 0 ? PageFlags.NO_CACHE.bits() : 0;
        b |= (raw & A) != 0 ? PageFlags.ACCESSED.bits() : 0;
        b |= (raw & D) != 0 ? PageFlags.DIRTY.bits() : 0;
        b |= (raw & G) != 0 ? PageFlags.GLOBAL.bits() : 0;
        b |= (raw & NX) != 0 ? PageFlags.NO_EXECUTE.bits() : 0;
        return new PageFlags(b);
    }

    @Override
    public Permissions throughTable(Permissions acc, long raw, int depth) {
        return restrict(acc, raw);
    }

    @Override
    public Permissions atLeaf(Permissions acc, long raw, int depth) {
        return restrict(acc, raw);
    }

    private static Permissions restrict(Permissions acc, long raw) {
        boolean w = acc.writable() && (raw & RW) != 0;
        boolean u = acc.user() && (raw & US) != 0;
        boolean nx = acc.kernelExecuteNever() || (raw & NX) != 0;
        // User mode fetches only from user pages; NX stops both.
        return new Permissions(w, u, nx || !u, nx);
    }

    @Override
    public Optional<Problem> problem(long raw, int depth) {
        if ((raw & P) == 0) {
            return Optional.empty();
        }
        if (depth == ptDepth && (raw & PS) != 0) {
            return Optional.of(new Problem("PTE-2", "bit 7 (PS/PAT) set in a PT entry: a huge-page bit at the last level"));
        }
        Entry e = decode(raw, depth);
        return e.kind() == Entry.Kind.RESERVED ? Optional.of(new Problem("PTE-1", e.reason())) : Optional.empty();
    }

    @Override
    public long withHugeMarker(long raw) {
        return raw | PS;
    }

    /**
     * Whether the present leaf {@code raw} has the shadow-stack encoding of Intel SDM Vol. 3A
     * §4.6.1 (with CR4.CET=1): RW=0 and D=1. Shadow-stack loads and stores need it; normal stores
     * are refused by RW=0.
     */
    public static boolean isShadowStack(long raw) {
        return (raw & P) != 0 && (raw & RW) == 0 && (raw & D) != 0;
    }

    @Override
    public String describe(long raw, int depth) {
        List<String> s = new ArrayList<>();
        String[] names = {"P", "RW", "US", "PWT", "PCD", "A", "D", depth == ptDepth ? "PAT" : "PS", "G"};
        for (int i = 0; i < names.length; i++) {
            if ((raw & (1L << i)) != 0) {
                s.add(names[i]);
            }
        }
        if ((raw & NX) != 0) {
            s.add("NX");
        }
        boolean leaf = depth == ptDepth || (raw & PS) != 0;
        if (leaf && isShadowStack(raw)) {
            s.add("SS");
        }
        if ((raw & SAVED_DIRTY) != 0) {
            s.add("SavedDirty");
        }
        long ignored = raw & (AVL_HIGH | PKEY | AVL_LOW) & ~SAVED_DIRTY;
        if (ignored != 0) {
            s.add(String.format("ignored=0x%x", ignored));
        }
        return String.join(" ", s);
    }

    /** CR4 value this model runs with: PAE, PGE and PCIDE set; LA57 set for 5-level paging only. */
    @Override
    public long controlRegister() {
        return CR4_PAE | CR4_PGE | CR4_PCIDE | la57;
    }

    /** CR3: the root's (PML4's, or with LA57 the PML5's) physical address (bits 51:12) and the PCID (bits 11:0). */
    @Override
    public long rootRegister(PhysFrame root, int asid) {
        return (root.start().value() & ADDR_MASK) | (asid & CR3_PCID_MASK);
    }

    @Override
    public String toString() {
        return name();
    }
}
