package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * Exact descriptor bits, decodings, reserved-encoding reasons and permission combinations of the
 * three formats, as the manuals place them (Intel SDM Vol. 3A 4.5; Arm ARM D8.3; RISC-V
 * privileged specification, Sv39/Sv48). Every expected value is written out in hex, so a bit
 * moved, dropped or added shows.
 */
class ArchitectureBitsTest {

    private static final PageFlags P = PageFlags.PRESENT;
    private static final PageFlags W = PageFlags.WRITABLE;
    private static final PageFlags U = PageFlags.USER;
    private static final PageFlags NX = PageFlags.NO_EXECUTE;
    private static final PageFlags A = PageFlags.ACCESSED;
    private static final PageFlags D = PageFlags.DIRTY;
    private static final PageFlags G = PageFlags.GLOBAL;
    private static final PageFlags NC = PageFlags.NO_CACHE;
    private static final PageFlags WT = PageFlags.WRITE_THROUGH;

    private static Permissions perms(boolean w, boolean u, boolean uxn, boolean pxn) {
        return new Permissions(w, u, uxn, pxn);
    }

    // ---------------------------------------------------------------- AArch64

    @Test
    void aarch64LeafBits() {
        Aarch64Pte f = Aarch64Pte.G4K;
        // L3 page, user read-only no-execute: V|PAGE, AttrIndx 0, AP=11 (RO, EL0), SH=11, AF, nG, PXN, UXN.
        assertThat(f.encodeLeaf(PhysAddr.of(0x20_0000), PageFlags.of(P, U, A, NX), 3)).isEqualTo(0x0060_0000_0020_0FC3L);
        // L2 block, kernel read-execute, global, non-cacheable: no page bit, AttrIndx 1, AP=10, UXN only.
        assertThat(f.encodeLeaf(PhysAddr.of(0x4000_0000), PageFlags.of(P, A, G, NC), 2)).isEqualTo(0x0040_0000_4000_0785L);
        // L3 page, user read-write no-execute, write-through: AttrIndx 2, AP=01.
        assertThat(f.encodeLeaf(PhysAddr.of(0x1000), PageFlags.of(P, W, U, A, NX, WT), 3)).isEqualTo(0x0060_0000_0000_1F4BL);
        // User read-execute: PXN set, UXN clear. No AF without ACCESSED.
        assertThat(f.encodeLeaf(PhysAddr.of(0x1000), PageFlags.of(P, U), 3)).isEqualTo(0x0020_0000_0000_1BC3L);
        // Device (both cache flags): AttrIndx 3.
        assertThat(f.encodeLeaf(PhysAddr.of(0x1000), PageFlags.of(P, W, NX, NC, WT, G), 3)).isEqualTo(0x0060_0000_0000_130FL);
        // The 64 KiB granule keeps only address bits 47:16.
        assertThat(Aarch64Pte.G64K.encodeLeaf(PhysAddr.of(0x1_2345_8000L), PageFlags.of(P, NX, G), 2))
                .isEqualTo(0x0060_0001_2345_0383L);
    }

    @Test
    void aarch64LeafDecodingReadsUxnForUserPagesAndPxnForKernelPages() {
        Aarch64Pte f = Aarch64Pte.G4K;
        long page = Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE | 0x5000;
        assertThat(f.decode(page | Aarch64Pte.AP_EL0 | Aarch64Pte.UXN, 3).flags()).isEqualTo(PageFlags.of(P, W, U, NX, G));
        assertThat(f.decode(page | Aarch64Pte.AP_EL0 | Aarch64Pte.PXN, 3).flags()).isEqualTo(PageFlags.of(P, W, U, G));
        assertThat(f.decode(page | Aarch64Pte.PXN, 3).flags()).isEqualTo(PageFlags.of(P, W, NX, G));
        assertThat(f.decode(page | Aarch64Pte.UXN | Aarch64Pte.AP_RO | Aarch64Pte.NG | Aarch64Pte.AF, 3).flags())
                .isEqualTo(PageFlags.of(P, A));
        assertThat(f.decode(page | (3L << Aarch64Pte.ATTR_INDX_SHIFT), 3).flags()).isEqualTo(PageFlags.of(P, W, G, NC, WT));
        assertThat(f.decode(page | (1L << Aarch64Pte.ATTR_INDX_SHIFT), 3).flags()).isEqualTo(PageFlags.of(P, W, G, NC));
        assertThat(f.decode(page | (2L << Aarch64Pte.ATTR_INDX_SHIFT), 3).flags()).isEqualTo(PageFlags.of(P, W, G, WT));
        assertThat(f.decode(page, 3).address()).isEqualTo(PhysAddr.of(0x5000));
        assertThat(f.decode(page & ~Aarch64Pte.VALID, 3)).isEqualTo(Entry.INVALID);
    }

    @Test
    void aarch64ReservedEncodingsAndTheInvariantTheyBreak() {
        Aarch64Pte f = Aarch64Pte.G4K;
        long block = Aarch64Pte.VALID | 0x4000_0000L;
        // A block at the last level is reserved, and PTE-2 names it.
        assertThat(f.decode(block, 3)).isEqualTo(Entry.reserved("a block descriptor at L3 is reserved"));
        assertThat(f.problem(block, 3)).contains(new PteFormat.Problem("PTE-2", "block descriptor (bit 1 clear) at the last level L3"));
        // L0 has no block with the 4 KiB granule; L1 and L2 do.
        assertThat(f.decode(block, 0)).isEqualTo(Entry.reserved("the aarch64-4k granule has no block at L0"));
        assertThat(f.problem(block, 0)).contains(new PteFormat.Problem("PTE-1", "the aarch64-4k granule has no block at L0"));
        assertThat(f.decode(block, 1).kind()).isEqualTo(Entry.Kind.LEAF);
        assertThat(f.decode(block, 2).kind()).isEqualTo(Entry.Kind.LEAF);
        assertThat(Aarch64Pte.G16K.decode(Aarch64Pte.VALID, 1)).isEqualTo(Entry.reserved("the aarch64-16k granule has no block at L1"));
        assertThat(Aarch64Pte.G64K.decode(Aarch64Pte.VALID, 0)).isEqualTo(Entry.reserved("the aarch64-64k granule has no block at L1"));
        assertThat(Aarch64Pte.G64K.decode(Aarch64Pte.VALID, 1).kind()).isEqualTo(Entry.Kind.LEAF);
        // Output address bits 50:48 are RES0 at every level, checked before anything else.
        for (long bit = 48; bit <= 50; bit++) {
            assertThat(f.decode(Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE | (1L << bit), 3))
                    .isEqualTo(Entry.reserved("output address bits 50:48 are RES0 with 48-bit addresses"));
        }
        assertThat(f.decode(Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE | (1L << 51), 3).kind()).isEqualTo(Entry.Kind.LEAF);
        // A block's output address must be aligned to the block size: bit 20 in a 2 MiB block, bit 29 in a 1 GiB one.
        assertThat(f.decode(Aarch64Pte.VALID | (1L << 20), 2))
                .isEqualTo(Entry.reserved("output address bits below the 2 MiB block size are RES0"));
        assertThat(f.decode(Aarch64Pte.VALID | (1L << 21), 2).address()).isEqualTo(PhysAddr.of(1L << 21));
        assertThat(f.decode(Aarch64Pte.VALID | (1L << 29), 1))
                .isEqualTo(Entry.reserved("output address bits below the 1 GiB block size are RES0"));
        assertThat(f.problem(Aarch64Pte.VALID | (1L << 29), 1).orElseThrow().invariantId()).isEqualTo("PTE-1");
        assertThat(f.problem(0, 3)).isEmpty();
        assertThat(f.problem(Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE, 3)).isEmpty();
        assertThat(f.withHugeMarker(0x0000_0000_0000_1FC3L)).isEqualTo(0x0000_0000_0000_1FC1L);
    }

    @Test
    void aarch64TableBitsAndRestrictions() {
        Aarch64Pte f = Aarch64Pte.G4K;
        assertThat(f.encodeTable(PhysAddr.of(0x7000), f.permissiveTableFlags(), 0)).isEqualTo(0x7003L);
        assertThat(f.encodeTable(PhysAddr.of(0x7000), PageFlags.of(P, NX), 1)).isEqualTo(0x7003L | (0b1111L << 59) & ~(1L << 63));
        long table = Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE | 0x7000;
        assertThat(f.decode(table, 0)).isEqualTo(Entry.table(PhysAddr.of(0x7000), PageFlags.of(P, W, U)));
        assertThat(f.decode(table | Aarch64Pte.AP_TABLE_RO, 1).flags()).isEqualTo(PageFlags.of(P, U));
        assertThat(f.decode(table | Aarch64Pte.AP_TABLE_NO_EL0, 1).flags()).isEqualTo(PageFlags.of(P, W));
        assertThat(f.decode(table | Aarch64Pte.UXN_TABLE, 1).flags()).as("UXNTable alone is not NO_EXECUTE").isEqualTo(PageFlags.of(P, W, U));
        assertThat(f.decode(table | Aarch64Pte.PXN_TABLE, 1).flags()).isEqualTo(PageFlags.of(P, W, U));
        assertThat(f.decode(table | Aarch64Pte.PXN_TABLE | Aarch64Pte.UXN_TABLE, 2).flags()).isEqualTo(PageFlags.of(P, W, U, NX));
        Permissions all = Permissions.UNRESTRICTED;
        assertThat(f.throughTable(all, table, 0)).isEqualTo(perms(true, true, false, false));
        assertThat(f.throughTable(all, table | Aarch64Pte.AP_TABLE_RO, 0)).isEqualTo(perms(false, true, false, false));
        assertThat(f.throughTable(all, table | Aarch64Pte.AP_TABLE_NO_EL0, 0)).isEqualTo(perms(true, false, false, false));
        assertThat(f.throughTable(all, table | Aarch64Pte.UXN_TABLE, 0)).isEqualTo(perms(true, true, true, false));
        assertThat(f.throughTable(all, table | Aarch64Pte.PXN_TABLE, 0)).isEqualTo(perms(true, true, false, true));
        assertThat(f.throughTable(perms(false, false, true, true), table, 0)).isEqualTo(perms(false, false, true, true));
    }

    /** AP, UXN and PXN at the leaf; EL0-writable memory is privileged-execute-never. */
    @Test
    void aarch64LeafPermissionsCombineApUxnAndPxn() {
        Aarch64Pte f = Aarch64Pte.G4K;
        long page = Aarch64Pte.VALID | Aarch64Pte.TABLE_OR_PAGE;
        Permissions all = Permissions.UNRESTRICTED;
        assertThat(f.atLeaf(all, page | Aarch64Pte.AP_RO, 3)).isEqualTo(perms(false, false, false, false));
        assertThat(f.atLeaf(all, page | Aarch64Pte.AP_RO | Aarch64Pte.UXN, 3)).isEqualTo(perms(false, false, true, false));
        assertThat(f.atLeaf(all, page | Aarch64Pte.AP_RO | Aarch64Pte.AP_EL0 | Aarch64Pte.PXN, 3))
                .isEqualTo(perms(false, true, false, true));
        assertThat(f.atLeaf(all, page | Aarch64Pte.AP_EL0, 3)).as("EL0-writable is PXN").isEqualTo(perms(true, true, false, true));
        assertThat(f.atLeaf(all, page, 3)).isEqualTo(perms(true, false, false, false));
        assertThat(f.atLeaf(perms(false, true, false, false), page | Aarch64Pte.AP_EL0, 3)).as("not writable below a RO table")
                .isEqualTo(perms(false, true, false, false));
        assertThat(f.atLeaf(perms(true, false, true, true), page | Aarch64Pte.AP_EL0, 3)).isEqualTo(perms(true, false, true, true));
        assertThat(f.accessStateFault(page, false)).contains("access flag fault (AF=0)");
        assertThat(f.accessStateFault(page | Aarch64Pte.AF, true)).isEmpty();
    }

    @Test
    void aarch64DescribeNamesTheFields() {
        Aarch64Pte f = Aarch64Pte.G4K;
        assertThat(f.describe(0x0060_0000_0020_0FC3L, 3)).isEqualTo("V PAGE AttrIndx=0 AP=3 SH=3 AF nG PXN UXN");
        assertThat(f.describe(0x0040_0000_4000_0785L, 2)).isEqualTo("V BLOCK AttrIndx=1 AP=2 SH=3 AF G UXN");
        assertThat(f.describe(0x0020_0000_0000_1343L, 3)).isEqualTo("V PAGE AttrIndx=0 AP=1 SH=3 !AF G PXN");
        assertThat(f.describe(0x1000, 3)).isEqualTo("- RESERVED AttrIndx=0 AP=0 SH=0 !AF G");
        assertThat(f.describe(0x7003L | (0b11111L << 59), 0)).isEqualTo("V TABLE tableattrs=0x1f");
        assertThat(f.describe(0x7003L | Aarch64Pte.AP_TABLE_RO, 1)).isEqualTo("V TABLE tableattrs=0x8");
    }

    @Test
    void aarch64GeometryAndRegisters() {
        assertThat(Aarch64Pte.G16K.addressMask()).isEqualTo(0x0000_FFFF_FFFF_C000L);
        assertThat(Aarch64Pte.G16K.tableFrames()).isEqualTo(4);
        assertThat(Aarch64Pte.G64K.granuleShift()).isEqualTo(16);
        assertThat(Aarch64Pte.G64K.levelName(0)).isEqualTo("L1");
        assertThat(Aarch64Pte.G4K.levelName(0)).isEqualTo("L0");
        assertThat(Aarch64Pte.G4K.rootIndex(VirtAddr.of(-4096))).isEqualTo(1);
        assertThat(Aarch64Pte.G4K.rootIndex(VirtAddr.of(0x7FFF_FFFF_F000L))).isZero();
        assertThat(Aarch64Pte.G4K.roots()).isEqualTo(2);
        assertThat(Aarch64Pte.G4K.supportedFlags()).isEqualTo(PageFlags.ALL.without(D));
        assertThat(Aarch64Pte.G4K.rootRegister(PhysFrame.of(0x12345), 0x1_0003)).isEqualTo(0x0003_0000_1234_5000L);
        assertThat(Aarch64Pte.G4K.toString()).isEqualTo("aarch64-4k");
        assertThat(Aarch64Pte.granules()).containsExactly(Aarch64Pte.G4K, Aarch64Pte.G16K, Aarch64Pte.G64K);
    }

    // ---------------------------------------------------------------- x86_64

    @Test
    void x86LeafAndTableBits() {
        X86_64Pte f = X86_64Pte.FORMAT;
        assertThat(f.encodeLeaf(PhysAddr.of(0x5000), PageFlags.of(P, W, U, WT, NC, A, D, G, NX), 3)).isEqualTo(0x8000_0000_0000_517FL);
        assertThat(f.encodeLeaf(PhysAddr.of(0x20_0000), PageFlags.of(P), 2)).as("PS in a PD leaf").isEqualTo(0x20_0081L);
        assertThat(f.encodeLeaf(PhysAddr.of(0x4000_0000), PageFlags.of(P, U), 1)).isEqualTo(0x4000_0085L);
        assertThat(f.encodeTable(PhysAddr.of(0x7000), PageFlags.of(P, W, U), 0)).isEqualTo(0x7007L);
        assertThat(f.encodeTable(PhysAddr.of(0x7000), PageFlags.of(P, NX), 2)).isEqualTo(0x8000_0000_0000_7001L);
        assertThat(f.decode(0x8000_0000_0000_517FL, 3)).isEqualTo(Entry.leaf(PhysAddr.of(0x5000), PageFlags.of(P, W, U, WT, NC, A, D, G, NX)));
        assertThat(f.decode(0x7005L, 1)).isEqualTo(Entry.table(PhysAddr.of(0x7000), PageFlags.of(P, U)));
        assertThat(f.decode(0x8000_0000_0000_7003L, 1)).isEqualTo(Entry.table(PhysAddr.of(0x7000), PageFlags.of(P, W, NX)));
        assertThat(f.decode(0x7006L, 1)).isEqualTo(Entry.INVALID);
        assertThat(f.withHugeMarker(0x5001L)).isEqualTo(0x5081L);
    }

    @Test
    void x86ReservedEncodings() {
        X86_64Pte f = X86_64Pte.FORMAT;
        assertThat(f.decode(0x7081L, 0)).isEqualTo(Entry.reserved("PS=1 in a PML4 entry is reserved"));
        assertThat(f.problem(0x7081L, 0)).contains(new PteFormat.Problem("PTE-1", "PS=1 in a PML4 entry is reserved"));
        // A 2 MiB leaf: bit 12 is PAT (accepted, not part of the address); bits 13..20 are reserved.
        assertThat(f.decode(0x20_1081L, 2)).isEqualTo(Entry.leaf(PhysAddr.of(0x20_0000), PageFlags.of(P)));
        assertThat(f.decode(0x20_2081L, 2)).isEqualTo(Entry.reserved("address bits 13..20 of a PD leaf are reserved"));
        assertThat(f.decode(0x10_0081L, 2)).isEqualTo(Entry.reserved("address bits 13..20 of a PD leaf are reserved"));
        assertThat(f.decode(0x4000_0081L | (1L << 29), 1)).isEqualTo(Entry.reserved("address bits 13..29 of a PDPT leaf are reserved"));
        assertThat(f.decode(0x4000_0081L | (1L << 20), 1).kind()).isEqualTo(Entry.Kind.RESERVED);
        assertThat(f.decode(0x4000_0081L, 1).address()).isEqualTo(PhysAddr.of(0x4000_0000L));
        // Bit 7 in a PT entry is PAT: the hardware accepts it, PTE-2 flags it.
        assertThat(f.decode(0x5081L, 3).kind()).isEqualTo(Entry.Kind.LEAF);
        assertThat(f.problem(0x5081L, 3)).contains(new PteFormat.Problem("PTE-2",
                "bit 7 (PS/PAT) set in a PT entry: a huge-page bit at the last level"));
        assertThat(f.problem(0x5080L, 3)).isEmpty();
        assertThat(f.problem(0x5001L, 3)).isEmpty();
        assertThat(f.problem(0x20_0081L, 2)).isEmpty();
    }

    /** RW and US are ANDed and NX ORed down the walk; user mode fetches only from user pages. */
    @Test
    void x86PermissionsCombineDownTheWalk() {
        X86_64Pte f = X86_64Pte.FORMAT;
        Permissions all = Permissions.UNRESTRICTED;
        assertThat(f.atLeaf(all, 0x5007L, 3)).isEqualTo(perms(true, true, false, false));
        assertThat(f.atLeaf(all, 0x5003L, 3)).isEqualTo(perms(true, false, true, false));
        assertThat(f.atLeaf(all, 0x8000_0000_0000_5005L, 3)).isEqualTo(perms(false, true, true, true));
        assertThat(f.throughTable(all, 0x7001L, 0)).isEqualTo(perms(false, false, true, false));
        assertThat(f.throughTable(perms(false, true, false, true), 0x7007L, 1)).isEqualTo(perms(false, true, true, true));
    }

    @Test
    void x86DescribeAndRegisters() {
        X86_64Pte f = X86_64Pte.FORMAT;
        assertThat(f.describe(0x8000_0000_0000_517FL, 3)).isEqualTo("P RW US PWT PCD A D G NX");
        assertThat(f.describe(0x20_0081L, 2)).isEqualTo("P PS");
        assertThat(f.describe(0x5081L, 3)).isEqualTo("P PAT");
        assertThat(f.describe(0x5E01L | (1L << 52) | (1L << 59), 3)).isEqualTo("P ignored=0x810000000000e00");
        assertThat(f.rootRegister(PhysFrame.of(0x12345), 0x1007)).isEqualTo(0x1234_5007L);
        assertThat(f.levelName(0)).isEqualTo("PML4");
        assertThat(f.levelName(3)).isEqualTo("PT");
        assertThat(f.toString()).isEqualTo("x86_64");
    }

    // ---------------------------------------------------------------- RISC-V

    @Test
    void riscvLeafAndPointerBits() {
        RiscvPte f = RiscvPte.SV48;
        // PPN 0x5 at bit 10; V R W U A D, X clear for NO_EXECUTE.
        assertThat(f.encodeLeaf(PhysAddr.of(0x5000), PageFlags.of(P, W, U, A, D, NX), 3)).isEqualTo(0x14D7L);
        assertThat(f.encodeLeaf(PhysAddr.of(0x5000), PageFlags.of(P, G), 3)).isEqualTo(0x142BL);
        assertThat(f.encodeTable(PhysAddr.of(0x7000), PageFlags.of(P, NX), 0)).as("a pointer carries no permissions").isEqualTo(0x1C01L);
        assertThat(f.decode(0x14D7L, 3)).isEqualTo(Entry.leaf(PhysAddr.of(0x5000), PageFlags.of(P, W, U, A, D, NX)));
        assertThat(f.decode(0x142BL, 3)).isEqualTo(Entry.leaf(PhysAddr.of(0x5000), PageFlags.of(P, G)));
        assertThat(f.decode(0x1C01L, 2)).isEqualTo(Entry.table(PhysAddr.of(0x7000), PageFlags.of(P, W, U)));
        assertThat(f.decode(0x1C00L, 2)).isEqualTo(Entry.INVALID);
        assertThat(f.withHugeMarker(0x14DFL)).isEqualTo(0x14D1L);
    }

    @Test
    void riscvReservedEncodings() {
        RiscvPte f = RiscvPte.SV39;
        assertThat(f.decode(0x1403L | (1L << 54), 2)).isEqualTo(Entry.reserved("bits 63:54 are reserved (no Svpbmt/Svnapot)"));
        assertThat(f.decode(0x1403L | (1L << 63), 2).kind()).isEqualTo(Entry.Kind.RESERVED);
        assertThat(f.decode(0x1403L | (1L << 53), 2)).as("PPN bit 43, beyond 52-bit PAs")
                .isEqualTo(Entry.reserved("PPN 0x80000000005 lies beyond the 52-bit physical address space"));
        assertThat(f.decode((PhysFrame.LIMIT - 1) << 10 | 0x3, 2).kind()).isEqualTo(Entry.Kind.LEAF);
        assertThat(f.decode(PhysFrame.LIMIT << 10 | 0x3, 2).kind()).as("PPN = LIMIT is the first beyond").isEqualTo(Entry.Kind.RESERVED);
        assertThat(f.decode(0x1405L, 2)).isEqualTo(Entry.reserved("W=1 with R=0 is reserved"));
        assertThat(f.decode(0x1C01L, 2)).isEqualTo(Entry.reserved("a pointer at level 0"));
        assertThat(f.problem(0x1C01L, 2)).contains(new PteFormat.Problem("PTE-2", "a pointer (R=W=X=0) at the last level"));
        for (long bit : new long[] {RiscvPte.U, RiscvPte.A, RiscvPte.D}) {
            assertThat(f.decode(0x1C01L | bit, 1)).isEqualTo(Entry.reserved("D, A and U are reserved in a pointer"));
        }
        assertThat(f.decode(0x1C01L | RiscvPte.G, 1).kind()).isEqualTo(Entry.Kind.TABLE);
        // A megapage's PPN must be 2 MiB aligned: PPN bit 0 (address bit 12) set is misaligned.
        assertThat(f.decode(0x1403L, 1)).isEqualTo(Entry.reserved("misaligned superpage: PPN bits below 2 MiB are not zero"));
        assertThat(f.problem(0x1403L, 1)).contains(new PteFormat.Problem("PTE-1", "misaligned superpage: PPN bits below 2 MiB are not zero"));
        assertThat(f.decode(0x8_0003L, 1)).isEqualTo(Entry.leaf(PhysAddr.of(0x20_0000), PageFlags.of(P, NX)));
        assertThat(f.problem(0x1403L, 2)).isEmpty();
        assertThat(f.problem(0x1402L, 2)).isEmpty();
    }

    /** Permissions are the leaf's alone; S-mode never fetches from a U page. */
    @Test
    void riscvPermissionsAreTheLeafs() {
        RiscvPte f = RiscvPte.SV39;
        Permissions none = perms(false, false, true, true);
        assertThat(f.throughTable(none, 0x1C01L, 0)).isSameAs(none);
        assertThat(f.atLeaf(none, 0x1_0000_0000L | 0x1FL, 2)).isEqualTo(perms(true, true, false, true));
        assertThat(f.atLeaf(none, 0x0FL, 2)).isEqualTo(perms(true, false, true, false));
        assertThat(f.atLeaf(none, 0x13L, 2)).isEqualTo(perms(false, true, true, true));
        assertThat(f.kernelMayAccessUserPages()).isFalse();
        assertThat(X86_64Pte.FORMAT.kernelMayAccessUserPages()).isTrue();
        assertThat(f.accessStateFault(0x03L, false)).contains("A=0 (no hardware A/D update)");
        assertThat(f.accessStateFault(0x43L, true)).contains("write with D=0 (no hardware A/D update)");
        assertThat(f.accessStateFault(0x43L, false)).isEmpty();
        assertThat(f.accessStateFault(0xC3L, true)).isEmpty();
        assertThat(X86_64Pte.FORMAT.accessStateFault(0x1L, true)).isEqualTo(Optional.empty());
    }

    @Test
    void riscvDescribeGeometryAndSatp() {
        RiscvPte f = RiscvPte.SV39;
        assertThat(f.describe(0x14D7L, 2)).isEqualTo("VRW-U-AD PPN=0x5");
        assertThat(f.describe(0x1629L, 2)).isEqualTo("V--X-G-- PPN=0x5 RSW=2");
        assertThat(f.levelName(0)).isEqualTo("lvl2");
        assertThat(RiscvPte.SV48.levelName(0)).isEqualTo("lvl3");
        assertThat(f.levelName(2)).isEqualTo("lvl0");
        assertThat(f.indexShift(0)).isEqualTo(30);
        assertThat(f.supportedFlags()).isEqualTo(PageFlags.ALL.without(WT).without(NC));
        assertThat(f.satpMode()).isEqualTo(8);
        assertThat(RiscvPte.SV48.satpMode()).isEqualTo(9);
        assertThat(f.rootRegister(PhysFrame.of(0x12345), 0x1_0007)).isEqualTo(0x8000_7000_0001_2345L);
        assertThat(f.permissiveTableFlags()).isEqualTo(PageFlags.of(P, W, U));
        assertThat(f.toString()).isEqualTo("sv39");
    }
}
