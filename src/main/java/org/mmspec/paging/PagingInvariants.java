package org.mmspec.paging;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * The page-table invariants of {@code spec/paging.md}, each a named predicate over a
 * {@link PageMapper} that reads the real bits in simulated memory (through {@link TreeScan} and
 * the format's descriptor), never the mapper's idea of what it wrote. Only the owned-table set
 * is bookkeeping, and PT-1/PT-3/PT-5 check it against the bits and the frame allocator.
 */
public final class PagingInvariants {
    private PagingInvariants() {
    }

    /** W^X on effective permissions. */
    public static final Invariant<PageMapper> WX_1 = Invariant.of("WX-1",
            "no present leaf is both writable and executable in its effective permissions, combined over every level of the walk",
            m -> first(m, out -> new TreeScan.Visitor() {
                @Override
                public void leaf(int depth, long va, PhysAddr at, long raw, Entry e, Permissions eff) {
                    if (eff.writableAndExecutable()) {
                        out.add(String.format("%s leaf for 0x%016x @%s = 0x%016x is writable and executable (effective %s)",
                                m.format().levelName(depth), va, at, raw, eff));
                    }
                }
            }));

    /** Table entries point only at owned tables. */
    public static final Invariant<PageMapper> PT_1 = Invariant.of("PT-1",
            "every table entry points at a table frame the mapper owns, aligned to the table size",
            m -> first(m, out -> new TreeScan.Visitor() {
                @Override
                public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                    long frame = e.address().value() >>> PhysFrame.SHIFT;
                    if (!m.tableFrames().contains(PhysFrame.of(frame)) || frame % m.format().tableFrames() != 0) {
                        out.add(String.format("%s entry @%s points at %s, which is not a table the mapper owns",
                                m.format().levelName(depth), at, e.address()));
                    }
                }
            }));

    /** A tree: no table reached twice. */
    public static final Invariant<PageMapper> PT_2 = Invariant.of("PT-2",
            "the tables form a tree: no table (root included) is reachable twice, so none is shared by accident",
            m -> {
                Set<Long> roots = new HashSet<>();
                for (PhysFrame r : m.roots()) {
                    roots.add(r.start().value());
                }
                return first(m, out -> new TreeScan.Visitor() {
                    @Override
                    public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                        if (roots.contains(e.address().value())) {
                            out.add(String.format("%s entry @%s points back at a root %s", m.format().levelName(depth), at,
                                    e.address()));
                        }
                    }

                    @Override
                    public void revisit(int depth, long va, PhysAddr at, PhysAddr target) {
                        out.add(String.format("table %s is reached again from @%s", target, at));
                    }
                });
            });

    /** No leaked tables. */
    public static final Invariant<PageMapper> PT_3 = Invariant.of("PT-3",
            "every table frame the mapper owns is reachable from a root (no leaked table frames)",
            m -> {
                Set<Long> reached = new HashSet<>();
                TreeScan.scan(m, new TreeScan.Visitor() {
                    @Override
                    public void enterTable(int depth, long va, PhysAddr table) {
                        reached.add(table.value() >>> PhysFrame.SHIFT);
                    }
                });
                for (PhysFrame t : m.tableFrames()) {
                    if (!reached.contains(t.number())) {
                        return Invariant.broken("owned table %s is not reachable from the roots %s", t, m.roots());
                    }
                }
                return Invariant.holds();
            });

    /** Reclaim: no empty intermediate table. */
    public static final Invariant<PageMapper> PT_4 = Invariant.of("PT-4",
            "every non-root table holds at least one valid entry (tables left empty are reclaimed)",
            m -> first(m, out -> new TreeScan.Visitor() {
                @Override
                public void enterTable(int depth, long va, PhysAddr table) {
                    if (depth > 0 && m.isEmptyTable(table)) {
                        out.add(String.format("%s table %s (for 0x%016x) is empty", m.format().levelName(depth), table, va));
                    }
                }
            }));

    /** Cross-layer: tables are allocated frames. */
    public static final Invariant<PageMapper> PT_5 = Invariant.of("PT-5",
            "every frame of every owned table is allocated in the frame allocator, never free",
            m -> {
                for (PhysFrame t : m.tableFrames()) {
                    for (int i = 0; i < m.format().tableFrames(); i++) {
                        PhysFrame f = t.plus(i);
                        if (m.allocatorSaysFree(f).orElse(false)) {
                            return Invariant.broken("table frame %s is free in the allocator", f);
                        }
                    }
                }
                return Invariant.holds();
            });

    /** No reserved encodings. */
    public static final Invariant<PageMapper> PTE_1 = Invariant.of("PTE-1",
            "every valid entry reachable from a root is one the hardware accepts at its level (no reserved encoding)",
            m -> problems(m, "PTE-1"));

    /** No huge bit at the last level. */
    public static final Invariant<PageMapper> PTE_2 = Invariant.of("PTE-2",
            "no last-level entry carries a huge-page or table marker (x86 PS/PAT bit 7, AArch64 block type, RISC-V pointer)",
            m -> problems(m, "PTE-2"));

    /** Encode/decode round trip on every entry. */
    public static final Invariant<PageMapper> PTE_3 = Invariant.of("PTE-3",
            "every well-formed entry re-encodes from its decoding to exactly the same 64 bits",
            m -> first(m, out -> new TreeScan.Visitor() {
                @Override
                public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                    check(depth, at, raw, m.format().encodeTable(e.address(), e.flags(), depth));
                }

                @Override
                public void leaf(int depth, long va, PhysAddr at, long raw, Entry e, Permissions eff) {
                    check(depth, at, raw, m.format().encodeLeaf(e.address(), e.flags(), depth));
                }

                private void check(int depth, PhysAddr at, long raw, long again) {
                    if (m.format().problem(raw, depth).isEmpty() && again != raw) {
                        out.add(String.format("%s entry @%s = 0x%016x re-encodes to 0x%016x", m.format().levelName(depth),
                                at, raw, again));
                    }
                }
            }));

    /**
     * A table is empty when linked: no owned table still holds the word its frame's previous
     * owner left ({@link PagingStructureCaches#LEFTOVER}), so every valid entry of a table is one
     * the mapper wrote after it zeroed the frame. Vacuous where nobody wrote into free frames.
     */
    public static final Invariant<PageMapper> PTL_1 = Invariant.of("PTL-1",
            "a table is empty when linked: no table the mapper owns holds a word its frame's previous owner left, so every valid entry in it is one the mapper wrote after taking the frame",
            m -> {
                for (PhysFrame t : m.tableFrames()) {
                    for (int i = 0; i < m.format().tableFrames(); i++) {
                        PhysFrame f = t.plus(i);
                        if (PagingStructureCaches.holdsLeftover(m.memory(), f)) {
                            return Invariant.broken(
                                    "table %s holds 0x%016x at %s, left by the frame's previous owner: the table was linked without being zeroed",
                                    t, PagingStructureCaches.LEFTOVER, f.start().plus(PagingStructureCaches.LEFTOVER_OFFSET));
                        }
                    }
                }
                return Invariant.holds();
            });

    // ------------------------------------------------------------ root register (issue 19)

    /**
     * ROOT-1: the registers that select the walk (root register and control register, decoded by
     * the hardware model {@link TranslationRegime}) name a scheme whose levels, virtual-address
     * width and granule are the ones the format walks. A format that labels satp MODE 8 as Sv48
     * (8 is Sv39) would walk four levels while the hardware walks three.
     */
    public static final Invariant<PageMapper> ROOT_1 = Invariant.of("ROOT-1",
            "the root register's mode (with the control register) selects exactly the walk the format uses: its levels,"
                    + " virtual-address width and granule",
            m -> {
                PteFormat f = m.format();
                for (PhysFrame root : m.roots()) {
                    Optional<TranslationRegime> r = TranslationRegime.decode(f, root);
                    if (r.isEmpty()) {
                        return Invariant.broken("%s: root register 0x%x with control register 0x%x selects no paging scheme",
                                f.name(), f.rootRegister(root, 0), f.controlRegister());
                    }
                    TranslationRegime g = r.get();
                    if (g.levels() != f.levels() || g.vaBits() != f.vaBits()
                            || g.granuleShift() != TranslationRegime.granuleOf(f)) {
                        return Invariant.broken("%s: root register 0x%x, control register 0x%x select %s (%d levels, %d-bit VAs,"
                                        + " granule 2^%d) but the format walks %d levels, %d-bit VAs, granule 2^%d", f.name(),
                                f.rootRegister(root, 0), f.controlRegister(), g.mode(), g.levels(), g.vaBits(),
                                g.granuleShift(), f.levels(), f.vaBits(), TranslationRegime.granuleOf(f));
                    }
                }
                return Invariant.holds();
            });

    /**
     * CANON-1: the mapper's canonical-address check follows the active mode. For the addresses on
     * each side of every modelled half boundary (2^38, 2^47, 2^56 and their negatives, and the
     * granule below or above each), the PageMapper admits exactly those canonical in the width the
     * root and control registers select ({@link TranslationRegime}), never the width a kernel
     * built for another mode assumes. Vacuous where the registers select no scheme (ROOT-1's
     * business).
     */
    public static final Invariant<PageMapper> CANON_1 = Invariant.of("CANON-1",
            "the mapper admits exactly the addresses canonical in the width the root and control registers select"
                    + " (48 bits for 4-level paging, 57 for LA57/Sv57, 39 for Sv39): bits above the top VA bit equal it",
            m -> {
                PteFormat f = m.format();
                for (PhysFrame root : m.roots()) {
                    Optional<TranslationRegime> r = TranslationRegime.decode(f, root);
                    if (r.isEmpty()) {
                        continue;
                    }
                    int bits = r.get().vaBits();
                    for (VirtAddr probe : canonicalProbes(f)) {
                        boolean canonical = VirtAddr.isCanonical(probe.value(), bits);
                        if (m.admits(probe) != canonical) {
                            return Invariant.broken("%s under %s (%d-bit VAs): the mapper %s %s, which is %scanonical",
                                    f.name(), r.get().mode(), bits, canonical ? "refuses" : "admits", probe,
                                    canonical ? "" : "not ");
                        }
                    }
                }
                return Invariant.holds();
            });

    /** The VA widths whose half boundaries CANON-1 probes: Sv39, 4-level and 5-level paging. */
    private static final int[] PROBED_WIDTHS = {39, VirtAddr.VA_BITS_4_LEVEL, VirtAddr.VA_BITS_5_LEVEL};

    /**
     * The granule-aligned addresses on both sides of each half boundary of {@link #PROBED_WIDTHS},
     * those a {@link VirtAddr} can hold.
     */
    static List<VirtAddr> canonicalProbes(PteFormat f) {
        long granule = 1L << TranslationRegime.granuleOf(f);
        List<VirtAddr> out = new ArrayList<>();
        for (int w : PROBED_WIDTHS) {
            long top = 1L << (w - 1);
            for (long v : new long[] {top - granule, top, -top, -top - granule}) {
                if (VirtAddr.isCanonical(v, VirtAddr.VA_BITS_MAX)) {
                    out.add(VirtAddr.of(v));
                }
            }
        }
        return out;
    }

    /**
     * No CPU's paging-structure cache reaches a freed table: every cached pointer targets a table
     * the mapper owns, and no table went back to the allocator while one pointed into it.
     * Vacuous for a mapper whose sink does not model the caches ({@link PagingStructureCaches}).
     */
    public static final Invariant<PageMapper> PTL_2 = Invariant.of("PTL-2",
            "no CPU's TLB or paging-structure cache can reach a table frame after it is freed: every cached pointer targets a table the mapper owns, and no table frame goes back to the allocator while a cached pointer targets it",
            m -> {
                if (!(m.tlbSink() instanceof PagingStructureCaches caches)) {
                    return Invariant.holds();
                }
                if (!caches.freedWhileCached().isEmpty()) {
                    return Invariant.broken("%s", caches.freedWhileCached().get(0));
                }
                java.util.SortedSet<PhysFrame> owned = m.tableFrames();
                for (PagingStructureCaches.Cached c : caches.entries()) {
                    PhysFrame target = PhysFrame.of(c.table());
                    if (!owned.contains(target) || m.allocatorSaysFree(target).orElse(false)) {
                        return Invariant.broken("paging-structure cache entry (%s) points at %s, which is no table the mapper owns: it was freed without the TABLE_FREED flush", c, target);
                    }
                }
                return Invariant.holds();
            });

    /**
     * The page-table lifecycle as the hardware sees it (PTL-1, PTL-2), checked before {@link #ALL}
     * by the paging stateful and exhaustive suites, which model frame reuse and the caches: a stray
     * or stale table also breaks structural invariants, and the cause is named first.
     */
    public static final InvariantSet<PageMapper> LIFECYCLE = InvariantSet.of("paging", List.of(PTL_1, PTL_2),
            PageMapper::dumpTree);

    /** Every page-table invariant, in the order of the spec. */
    public static final InvariantSet<PageMapper> ALL = InvariantSet.of("paging",
            List.of(WX_1, PT_1, PT_2, PT_3, PT_4, PT_5, PTE_1, PTE_2, PTE_3, ROOT_1, CANON_1), PageMapper::dumpTree);

    /** {@link #LIFECYCLE} then {@link #ALL}: what the paging stateful and exhaustive suites check at every state. */
    public static final InvariantSet<PageMapper> WITH_LIFECYCLE = InvariantSet.of("paging", withLifecycle(),
            PageMapper::dumpTree);

    private static List<Invariant<PageMapper>> withLifecycle() {
        List<Invariant<PageMapper>> out = new ArrayList<>(LIFECYCLE.invariants());
        out.addAll(ALL.invariants());
        return out;
    }

    private static Optional<String> problems(PageMapper m, String id) {
        return first(m, out -> new TreeScan.Visitor() {
            @Override
            public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                check(depth, at, raw);
            }

            @Override
            public void leaf(int depth, long va, PhysAddr at, long raw, Entry e, Permissions eff) {
                check(depth, at, raw);
            }

            @Override
            public void reserved(int depth, long va, PhysAddr at, long raw, Entry e) {
                check(depth, at, raw);
            }

            private void check(int depth, PhysAddr at, long raw) {
                m.format().problem(raw, depth).filter(p -> p.invariantId().equals(id)).ifPresent(p -> out.add(String
                        .format("%s entry @%s = 0x%016x: %s", m.format().levelName(depth), at, raw, p.reason())));
            }
        });
    }

    /** Scans the tree with the visitor {@code make} builds and reports the first complaint it collected. */
    private static Optional<String> first(PageMapper m, java.util.function.Function<List<String>, TreeScan.Visitor> make) {
        List<String> out = new ArrayList<>();
        TreeScan.scan(m, make.apply(out));
        return out.isEmpty() ? Invariant.holds() : Invariant.broken("%s", out.get(0));
    }
}
