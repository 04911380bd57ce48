package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * The software MMU: the trusted hardware model that walks page tables in simulated physical
 * memory exactly as the CPU would, reading one 64-bit entry per level and decoding it with the
 * format's descriptor. It is kept apart from the PageMapper (the kernel logic under test), as
 * verified-nrkernel keeps its hardware model apart from its OS model: translation, {@code dump_pt}
 * and every invariant read the real bits through here, never the mapper's bookkeeping.
 *
 * <p>The walk: start at the root for the address ({@link PteFormat#rootIndex}); at depth
 * {@code d} read entry {@code index_d(va)} of the current table; an invalid entry stops with
 * NOT_PRESENT, a reserved one with RESERVED; a table entry narrows the permissions
 * ({@link PteFormat#throughTable}) and continues at its address; a leaf ends the walk, its page
 * offset taken from the low {@code indexShift(d)} bits of the VA. Accessed/dirty bits are not
 * updated: the model's walks are read-only, as on hardware without A/D management.
 */
public final class Mmu {
    private Mmu() {
    }

    /** Walks {@code va} from the roots {@code roots} (indexed by {@link PteFormat#rootIndex}). */
    public static Walk walk(PteFormat format, PhysicalMemory memory, List<PhysFrame> roots, VirtAddr va) {
        List<Walk.StepRead> steps = new ArrayList<>();
        if (!format.isCanonical(va)) {
            return fault(va, steps, Walk.FaultKind.NON_CANONICAL, -1,
                    va + " is not canonical for " + format.vaBits() + "-bit " + format.name());
        }
        PhysAddr table = roots.get(format.rootIndex(va)).start();
        Permissions perms = Permissions.UNRESTRICTED;
        for (int d = 0; d < format.levels(); d++) {
            int index = va.bits(format.indexShift(d), format.indexBits(d));
            long raw = memory.read64(table.plus((long) index * PhysicalMemory.WORD_BYTES));
            Entry e = format.decode(raw, d);
            steps.add(new Walk.StepRead(d, table, index, raw, e));
            switch (e.kind()) {
                case INVALID:
                    return fault(va, steps, Walk.FaultKind.NOT_PRESENT, d,
                            format.levelName(d) + "[" + index + "] is not present");
                case RESERVED:
                    return fault(va, steps, Walk.FaultKind.RESERVED, d,
                            format.levelName(d) + "[" + index + "]: " + e.reason());
                case TABLE:
                    perms = format.throughTable(perms, raw, d);
                    table = e.address();
                    break;
                case LEAF:
                    Permissions eff = format.atLeaf(perms, raw, d);
                    long size = 1L << format.indexShift(d);
                    PhysAddr pa = e.address().plus(va.value() & (size - 1));
                    Page page = Page.containing(va, PageSize.ofShift(format.indexShift(d)));
                    return new Walk(va, steps, Optional.of(new Translation(va, pa, page, e.flags(), eff, raw)),
                            Optional.empty());
                default:
                    throw new AssertionError(e.kind());
            }
        }
        throw new AssertionError("a walk of " + format.name() + " ran past the last level");
    }

    /**
     * Checks {@code access} at {@code va}: empty when the hardware performs it, otherwise the fault
     * (the walk's own fault, PROTECTION, or ACCESS_STATE).
     */
    public static Optional<Walk.Fault> check(PteFormat format, PhysicalMemory memory, List<PhysFrame> roots, VirtAddr va,
            Access access) {
        Walk w = walk(format, memory, roots, va);
        if (w.fault().isPresent()) {
            return w.fault();
        }
        Translation t = w.translation().get();
        Permissions p = t.effective();
        int d = w.steps().size() - 1;
        String denied = null;
        if (access.user() && !p.user() && access.type() != Access.Type.EXECUTE) {
            denied = "user access to a kernel page";
        } else if (!access.user() && p.user() && access.type() != Access.Type.EXECUTE
                && !format.kernelMayAccessUserPages()) {
            denied = "supervisor access to a user page";
        } else if (access.type() == Access.Type.WRITE && (!p.writable() || (access.user() && !p.user()))) {
            denied = "write to a read-only page";
        } else if (access.type() == Access.Type.EXECUTE
                && (access.user() ? p.userExecuteNever() : p.kernelExecuteNever())) {
            denied = "instruction fetch from a no-execute page";
        }
        if (denied != null) {
            return Optional.of(new Walk.Fault(Walk.FaultKind.PROTECTION, d, access + ": " + denied));
        }
        return format.accessStateFault(t.leafRaw(), access.type() == Access.Type.WRITE)
                .map(r -> new Walk.Fault(Walk.FaultKind.ACCESS_STATE, d, access + ": " + r));
    }

    private static Walk fault(VirtAddr va, List<Walk.StepRead> steps, Walk.FaultKind kind, int depth, String reason) {
        return new Walk(va, steps, Optional.empty(), Optional.of(new Walk.Fault(kind, depth, reason)));
    }
}
