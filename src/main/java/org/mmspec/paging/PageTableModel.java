package org.mmspec.paging;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * The trivially correct model the PageMapper is compared with: a map from each leaf's first
 * virtual address to its {@link Mapping}, with no tables and no bits. It predicts each
 * operation's outcome (which error, in the order {@link PagingError} documents) and the leaves
 * afterwards, splitting a huge leaf into its pieces exactly as the mapper must.
 *
 * <p>It also predicts how many tables an operation needs: by PT-4 a table at depth {@code d}
 * exists exactly when some leaf at depth {@code d} or deeper lies in the region it covers.
 */
public final class PageTableModel {
    private final PteFormat format;
    private final TreeMap<VirtAddr, Mapping> leaves = new TreeMap<>();

    public PageTableModel(PteFormat format) {
        this.format = format;
    }

    public PageTableModel copy() {
        PageTableModel m = new PageTableModel(format);
        m.leaves.putAll(leaves);
        return m;
    }

    public TreeMap<VirtAddr, Mapping> leaves() {
        return leaves;
    }

    /** The leaf covering {@code va}, if any. */
    public Optional<Mapping> covering(VirtAddr va) {
        Map.Entry<VirtAddr, Mapping> e = leaves.floorEntry(va);
        return e != null && e.getValue().page().contains(va) ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** What translating {@code va} gives: its physical address and the leaf's flags. */
    public Optional<PhysAddr> translate(VirtAddr va) {
        return covering(va).map(m -> m.frame().start().plus(va.value() - m.page().start().value()));
    }

    private boolean overlapsAny(Page p) {
        for (Mapping m : leaves.values()) {
            if (m.page().overlaps(p)) {
                return true;
            }
        }
        return false;
    }

    /** The error kind {@code map} must give, or empty for success; {@code freeTables} is how many tables the allocator can still supply. */
    public Optional<PagingError.Kind> mapOutcome(Page p, PhysFrame frame, PageFlags flags, long freeTables) {
        Optional<PagingError.Kind> a = addressError(p);
        if (a.isPresent()) {
            return a;
        }
        if (frame.number() % p.size().frames() != 0) {
            return Optional.of(PagingError.Kind.MISALIGNED);
        }
        Optional<PagingError.Kind> fl = flagsError(flags);
        if (fl.isPresent()) {
            return fl;
        }
        if (overlapsAny(p)) {
            return Optional.of(PagingError.Kind.ALREADY_MAPPED);
        }
        return tablesFor(p, format.leafDepth(p.size())) > freeTables ? Optional.of(PagingError.Kind.OUT_OF_MEMORY)
                : Optional.empty();
    }

    /** Applies a successful map. */
    public void map(Page p, PhysFrame frame, PageFlags flags) {
        leaves.put(p.start(), new Mapping(p, frame, flags));
    }

    /** The error kind {@code unmap}/{@code updateFlags} must give (flags null for unmap). */
    public Optional<PagingError.Kind> changeOutcome(Page p, PageFlags flags, long freeTables) {
        Optional<PagingError.Kind> a = addressError(p);
        if (a.isPresent()) {
            return a;
        }
        if (flags != null) {
            Optional<PagingError.Kind> fl = flagsError(flags);
            if (fl.isPresent()) {
                return fl;
            }
        }
        Optional<Mapping> c = covering(p.start());
        if (c.isEmpty()) {
            return Optional.of(overlapsAny(p) ? PagingError.Kind.SIZE_MISMATCH : PagingError.Kind.NOT_MAPPED);
        }
        if (c.get().page().size().bytes() < p.size().bytes()) {
            return Optional.of(PagingError.Kind.SIZE_MISMATCH);
        }
        int split = format.leafDepth(p.size()) - format.leafDepth(c.get().page().size());
        if (split > 0 && c.get().flags().writableAndExecutable()) {
            return Optional.of(PagingError.Kind.WX_VIOLATION);
        }
        return split > freeTables ? Optional.of(PagingError.Kind.OUT_OF_MEMORY) : Optional.empty();
    }

    /** Applies a successful unmap ({@code flags} null) or updateFlags, splitting a larger leaf first. */
    public void change(Page p, PageFlags flags) {
        Mapping c = covering(p.start()).orElseThrow();
        leaves.remove(c.page().start());
        int from = format.leafDepth(c.page().size());
        int to = format.leafDepth(p.size());
        Mapping around = c;
        for (int d = from + 1; d <= to; d++) {
            PageSize child = PageSize.ofShift(format.indexShift(d));
            long n = around.page().size().bytes() / child.bytes();
            Mapping next = null;
            for (long i = 0; i < n; i++) {
                Page piece = Page.of(around.page().start().value() + i * child.bytes(), child);
                Mapping m = new Mapping(piece, around.frame().plus(i * child.frames()), around.flags());
                if (piece.contains(p.start())) {
                    next = m;
                } else {
                    leaves.put(piece.start(), m);
                }
            }
            around = next;
        }
        if (flags != null) {
            leaves.put(p.start(), new Mapping(p, around.frame(), flags));
        }
    }

    private Optional<PagingError.Kind> addressError(Page p) {
        if (!format.isCanonical(p.start())) {
            return Optional.of(PagingError.Kind.NON_CANONICAL);
        }
        if (format.leafDepth(p.size()) < 0) {
            return Optional.of(PagingError.Kind.UNSUPPORTED_SIZE);
        }
        return Optional.empty();
    }

    private Optional<PagingError.Kind> flagsError(PageFlags flags) {
        if (!flags.present() || flags.without(format.supportedFlags()).bits() != 0) {
            return Optional.of(PagingError.Kind.INVALID_FLAGS);
        }
        return flags.writableAndExecutable() ? Optional.of(PagingError.Kind.WX_VIOLATION) : Optional.empty();
    }

    /** Tables a map of {@code p} at {@code depth} must create: one per missing level below the root. */
    private int tablesFor(Page p, int depth) {
        int missing = 0;
        for (int d = 1; d <= depth; d++) {
            long span = 1L << format.indexShift(d - 1);
            long region = p.start().value() & -span;
            boolean exists = false;
            for (Mapping m : leaves.values()) {
                long s = m.page().start().value();
                if (format.leafDepth(m.page().size()) >= d && (s & -span) == region
                        && format.rootIndex(m.page().start()) == format.rootIndex(p.start())) {
                    exists = true;
                    break;
                }
            }
            if (!exists) {
                missing++;
            }
        }
        return missing;
    }

    @Override
    public String toString() {
        return leaves.values().toString();
    }
}
