package org.mmspec.paging;

import java.util.List;
import java.util.Optional;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * One architecture's page-table format: the geometry of its tree and the descriptor that encodes
 * and decodes its 64-bit entries. Implementations are
 * {@link org.mmspec.paging.x86_64.X86_64Pte}, {@link org.mmspec.paging.aarch64.Aarch64Pte} (one
 * per granule) and {@link org.mmspec.paging.riscv.RiscvPte} (Sv39, Sv48).
 *
 * <p>Levels are numbered by <em>depth</em>: depth 0 is the root table and depth
 * {@code levels() - 1} holds the smallest pages. Each architecture's own level names (PML4,
 * "level 0", "level 2") come from {@link #levelName}. A table occupies {@link #tableFrames()}
 * contiguous 4 KiB frames, aligned to its size; entry {@code i} of a table at physical address
 * {@code T} is the 64-bit word at {@code T + 8 i}, and the walk at depth {@code d} uses VA bits
 * {@code [indexShift(d), indexShift(d) + indexBits(d))} as the index.
 *
 * <p>Contract (PTE-3 checks it on every entry in every tree): for every leaf flag set {@code f}
 * within {@link #supportedFlags()} and every aligned address {@code a},
 * {@code decode(encodeLeaf(a, f, d), d) == leaf(a, f)}, and likewise for tables; so a decoded
 * entry re-encodes to the same 64 bits exactly when the entry is one the descriptor writes.
 */
public interface PteFormat {
    /** A short name, such as {@code x86_64} or {@code aarch64-16k}. */
    String name();

    /** How many levels the walk has. */
    int levels();

    /** The architecture's name for the table at {@code depth}, e.g. {@code PML4} or {@code L2}. */
    String levelName(int depth);

    /** Lowest VA bit the index at {@code depth} uses; also log2 of what one entry there maps. */
    int indexShift(int depth);

    /** How many VA bits the index at {@code depth} uses. */
    int indexBits(int depth);

    /** 4 KiB frames per table (the granule size / 4 KiB on AArch64, 1 elsewhere). */
    int tableFrames();

    /** Entries per table (a full granule's worth; a short root uses only the first few). */
    default int entriesPerTable() {
        return (int) (tableFrames() * PhysFrame.SIZE / PhysicalMemory.WORD_BYTES);
    }

    /** Virtual-address bits: 48, or 39 for Sv39. */
    int vaBits();

    /** Whether {@code va} is canonical for this format (sign-extended from bit {@code vaBits()-1}). */
    default boolean isCanonical(VirtAddr va) {
        return VirtAddr.isCanonical(va.value(), vaBits());
    }

    /** How many root tables: 2 on AArch64 (TTBR0_EL1, TTBR1_EL1), 1 elsewhere. */
    default int roots() {
        return 1;
    }

    /** Which root translates {@code va}. */
    default int rootIndex(VirtAddr va) {
        return 0;
    }

    /** The leaf sizes this format offers, smallest first. */
    List<PageSize> pageSizes();

    /** The depth at which a leaf of {@code size} sits, or -1 if the format has no such leaf. */
    default int leafDepth(PageSize size) {
        for (int d = 0; d < levels(); d++) {
            if (indexShift(d) == size.shift()) {
                return pageSizes().contains(size) ? d : -1;
            }
        }
        return -1;
    }

    /** The leaf size at {@code depth}, if a leaf may sit there. */
    default Optional<PageSize> leafSize(int depth) {
        for (PageSize s : pageSizes()) {
            if (s.shift() == indexShift(depth)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The flags this format's leaves can carry; others are rejected with INVALID_FLAGS. */
    PageFlags supportedFlags();

    /** The restrictions the PageMapper writes into new table entries: none, so leaves decide. */
    default PageFlags permissiveTableFlags() {
        return PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER);
    }

    /** Encodes a pointer at {@code depth} to the table at {@code table}, restricting below it to {@code flags}. */
    long encodeTable(PhysAddr table, PageFlags flags, int depth);

    /** Encodes a leaf at {@code depth} mapping {@code out} with {@code flags}. */
    long encodeLeaf(PhysAddr out, PageFlags flags, int depth);

    /** Reads {@code raw} as the hardware does at {@code depth}. */
    Entry decode(long raw, int depth);

    /** The permissions that remain after passing the table entry {@code raw} at {@code depth}. */
    Permissions throughTable(Permissions acc, long raw, int depth);

    /** The effective permissions of the leaf {@code raw} at {@code depth}, after {@code acc}. */
    Permissions atLeaf(Permissions acc, long raw, int depth);

    /**
     * Whether supervisor loads and stores may touch user pages: true on x86_64 (SMAP off) and
     * AArch64 (PAN off); false on RISC-V (sstatus.SUM=0).
     */
    default boolean kernelMayAccessUserPages() {
        return true;
    }

    /**
     * A fault the hardware raises on an access through the (otherwise permitted) leaf {@code raw}
     * because of its accessed/dirty state: AArch64 AF=0, RISC-V (Svade) A=0 or a write with D=0.
     */
    default Optional<String> accessStateFault(long raw, boolean write) {
        return Optional.empty();
    }

    /**
     * Why {@code raw} at {@code depth} is not well formed, naming the invariant it breaks:
     * PTE-2 for a huge-page/table marker at the last level, PTE-1 for any other reserved encoding.
     */
    Optional<Problem> problem(long raw, int depth);

    /**
     * {@code raw} with the marker that makes a last-level entry look like a huge page or a table:
     * x86_64 sets PS (bit 7), AArch64 clears the page bit (bit 1, giving a level-3 block), RISC-V
     * clears R/W/X (giving a pointer at level 0). Used to seed the "huge bit at the last level" bug
     * and to corrupt memory in PTE-2's negative test.
     */
    long withHugeMarker(long raw);

    /** The set bits of {@code raw} by their architectural names, for {@code dump_pt}. */
    String describe(long raw, int depth);

    /** The root-pointer register value (CR3, TTBRn_EL1, satp) for {@code root} and address-space id {@code asid}. */
    long rootRegister(PhysFrame root, int asid);

    /**
     * The translation-control register that selects this walk, as the kernel programs it: x86_64
     * CR4 (PAE, PGE, PCIDE; LA57 clear for 4 levels), AArch64 TCR_EL1 (T0SZ/T1SZ and TG0/TG1 for
     * both halves). RISC-V selects the walk in satp itself (MODE), so there it is satp's MODE field
     * alone. {@link TranslationRegime#decode} reads it as the hardware does; ROOT-1 checks the
     * result against {@link #levels()} and {@link #vaBits()}.
     */
    long controlRegister();

    /**
     * A well-formedness problem of one entry.
     *
     * @param invariantId PTE-1 or PTE-2
     * @param reason what is wrong, in the architecture's words
     */
    record Problem(String invariantId, String reason) {
    }
}
