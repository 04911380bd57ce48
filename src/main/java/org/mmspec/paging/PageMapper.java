package org.mmspec.paging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.mmspec.frames.FrameAccounting;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The seed's PageMapper ({@code root_table, frame_allocator, tlb_shootdown}): maps, unmaps,
 * translates and re-protects pages by writing real page-table entries of one {@link PteFormat}
 * into {@link PhysicalMemory}.
 *
 * <p>Encoding: the tree is the bits in simulated memory and nothing else. The mapper keeps only
 * its roots (one, or two on AArch64 for TTBR0/TTBR1) and the set {@link #tables} of first frame
 * numbers of the table frames it owns (roots included), which it allocated from the frame
 * allocator; the invariants compare that set with what the bits reach. Every table is
 * {@link PteFormat#tableFrames()} contiguous frames aligned to its size, zeroed when allocated.
 * Table (pointer) entries are written with {@link PteFormat#permissiveTableFlags()}, so a leaf's
 * own flags are its effective permissions.
 *
 * <p>Invariants ({@link PagingInvariants}, defined in {@code spec/paging.md}): WX-1 (W^X on the
 * effective permissions of every present leaf), PT-1..PT-5 (tree well-formedness and ownership),
 * PTE-1..PTE-3 (every entry well formed and canonical); as the hardware sees the lifecycle of a
 * table, PTL-1 (a table is zeroed before it is linked, so it holds only entries the mapper wrote)
 * and PTL-2 (a table is unlinked and flushed with {@link TlbFlush.Reason#TABLE_FREED} before it
 * is freed, so no paging-structure cache still points at it; {@link PagingStructureCaches}).
 *
 * <p>Every operation checks its whole precondition and allocates every table it needs before it
 * writes the first entry, so a rejected call ({@link PagingError}) leaves memory, the allocator,
 * the owned set and the TLB sink exactly as they were. W^X is enforced on every path that writes
 * a leaf: {@link #map}, {@link #updateFlags}, and the split of a huge page (which re-writes the
 * huge leaf's flags into each smaller leaf).
 */
public final class PageMapper {

    /** Seeded bugs, to show that the checks catch them. NONE in every real use. */
    enum Bug {
        NONE,
        /** Splitting a huge page drops NO_EXECUTE from the smaller leaves. */
        SPLIT_DROPS_NX,
        /** updateFlags skips the W^X check. */
        UPDATE_SKIPS_WX_CHECK,
        /** Tables left empty by unmap are kept. */
        NO_RECLAIM,
        /** An emptied table is unlinked but never freed (a leaked table frame). */
        LEAK_RECLAIMED_TABLE,
        /** Last-level leaves carry the huge-page marker (x86 PS at the PT level). */
        HUGE_BIT_AT_LAST_LEVEL,
        /** remap skips the W^X check (shows the inductiveness check covers remap). */
        REMAP_SKIPS_WX_CHECK,
        /** A newly allocated table frame is not zeroed: whatever its previous owner left is linked (PTL-1). */
        NO_ZEROING,
        /** An emptied table is unlinked and freed without the TABLE_FREED flush (PTL-2). */
        NO_FLUSH_BEFORE_FREE,
        /** An emptied table is freed first and flushed after, too late for a CPU that walks in between (PTL-2). */
        FREE_BEFORE_FLUSH,
        /**
         * The canonical check hard-codes 48 bits whatever the mode (a kernel built for 4-level
         * paging running with LA57 or Sv57): valid 57-bit addresses are refused (CANON-1).
         */
        CANONICAL_48_BITS,
        /**
         * The canonical check uses the widest width, 57 bits, whatever the mode: under 4-level
         * paging an address such as 2^47 gets through, and its bits 47:39 index the kernel half's
         * first root entry (CANON-1).
         */
        CANONICAL_57_BITS
    }

    private final PteFormat format;
    private final PhysicalMemory memory;
    private final FrameAllocator allocator;
    private final Predicate<PhysFrame> allocatorSaysFree;
    private final TlbFlushSink tlb;
    private final List<PhysFrame> roots;
    private final TreeSet<Long> tables;
    Bug bug = Bug.NONE;

    /**
     * Creates a mapper with empty root tables taken from {@code allocator}.
     *
     * @param format the page-table format
     * @param memory where the tables live
     * @param allocator where table frames come from and go back to
     * @param tlb where invalidations go ({@link TlbFlushSink#NONE} on a single CPU)
     * @param allocatorSaysFree whether the allocator holds a frame as free (for PT-5); null if unknown
     * @throws PagingError OUT_OF_MEMORY if no frame is left for a root
     */
    public PageMapper(PteFormat format, PhysicalMemory memory, FrameAllocator allocator, TlbFlushSink tlb,
            Predicate<PhysFrame> allocatorSaysFree) {
        this.format = Objects.requireNonNull(format);
        this.memory = Objects.requireNonNull(memory);
        this.allocator = Objects.requireNonNull(allocator);
        this.tlb = Objects.requireNonNull(tlb);
        this.allocatorSaysFree = allocatorSaysFree;
        this.tables = new TreeSet<>();
        List<FrameRange> fresh = allocateTables(format.roots());
        List<PhysFrame> r = new ArrayList<>();
        for (FrameRange t : fresh) {
            r.add(t.start());
        }
        this.roots = List.copyOf(r);
    }

    /**
     * A mapper whose PT-5 check asks {@code allocator} through {@link FrameAllocator#isFree} (every
     * allocator of the frames component answers; PT-5 is vacuous only for one that cannot).
     */
    public PageMapper(PteFormat format, PhysicalMemory memory, FrameAllocator allocator, TlbFlushSink tlb) {
        this(format, memory, allocator, tlb, freeView(allocator));
    }

    private PageMapper(PageMapper from, PhysicalMemory memory, FrameAllocator allocator,
            Predicate<PhysFrame> allocatorSaysFree, TlbFlushSink tlb) {
        this.format = from.format;
        this.memory = memory;
        this.allocator = allocator;
        this.allocatorSaysFree = allocatorSaysFree;
        this.tlb = tlb;
        this.roots = from.roots;
        this.tables = new TreeSet<>(from.tables);
        this.bug = from.bug;
    }

    /**
     * A copy of this mapper's bookkeeping over copies of memory and allocator that the caller made
     * (an address space copies all three together).
     */
    public PageMapper copy(PhysicalMemory memoryCopy, FrameAllocator allocatorCopy, TlbFlushSink tlbSink) {
        return new PageMapper(this, memoryCopy, allocatorCopy, freeView(allocatorCopy), tlbSink);
    }

    /**
     * A mapper of this one's format and seeded bug over {@code memory}, {@code allocator} and
     * {@code tlbSink} whose roots are {@code roots} and which owns no table frame yet: how a state
     * codec rebuilds a mapper whose roots it read ({@link #readTables} then adds the rest).
     */
    public PageMapper restore(List<PhysFrame> roots, PhysicalMemory memory, FrameAllocator allocator, TlbFlushSink tlbSink) {
        return new PageMapper(this, roots, memory, allocator, tlbSink);
    }

    private PageMapper(PageMapper from, List<PhysFrame> roots, PhysicalMemory memory, FrameAllocator allocator,
            TlbFlushSink tlb) {
        this.format = from.format;
        this.memory = memory;
        this.allocator = allocator;
        this.allocatorSaysFree = freeView(allocator);
        this.tlb = tlb;
        this.roots = List.copyOf(roots);
        this.tables = new TreeSet<>();
        this.bug = from.bug;
    }

    /** Writes the table frames this mapper owns (the rest of its state is its memory's), for a state codec. */
    public void writeTables(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeLongs(tables.stream().mapToLong(Long::longValue).toArray(), out);
    }

    /** Reads the table frames {@link #writeTables} wrote over this mapper's. */
    public void readTables(java.io.DataInput in) throws java.io.IOException {
        tables.clear();
        for (long t : org.mmspec.check.Encoding.readLongs(in)) {
            tables.add(t);
        }
    }

    /** How PT-5 asks an allocator whether a frame is free: {@link FrameAllocator#isFree}, if it answers. */
    static Predicate<PhysFrame> freeView(FrameAllocator allocator) {
        return allocator.tracksFreeFrames() ? allocator::isFree : null;
    }

    public PteFormat format() {
        return format;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    public FrameAllocator allocator() {
        return allocator;
    }

    /** Where invalidations and freed tables go (the seed's {@code tlb_shootdown}). */
    TlbFlushSink tlbSink() {
        return tlb;
    }

    /** The root tables: one, or {TTBR0, TTBR1} on AArch64. */
    public List<PhysFrame> roots() {
        return roots;
    }

    /** The (first) root table, the seed's {@code root_table}. */
    public PhysFrame rootTable() {
        return roots.get(0);
    }

    /** The root-pointer register value for root {@code i} (CR3, TTBRi_EL1, satp). */
    public long rootRegister(int i, int asid) {
        return format.rootRegister(roots.get(i), asid);
    }

    /** First frames of every table the mapper owns, roots included. */
    public SortedSet<PhysFrame> tableFrames() {
        TreeSet<PhysFrame> out = new TreeSet<>();
        for (long f : tables) {
            out.add(PhysFrame.of(f));
        }
        return Collections.unmodifiableSortedSet(out);
    }

    /** Whether the allocator considers {@code f} free; empty when the allocator cannot say. */
    public Optional<Boolean> allocatorSaysFree(PhysFrame f) {
        return allocatorSaysFree == null ? Optional.empty() : Optional.of(allocatorSaysFree.test(f));
    }

    // ---------------------------------------------------------------- operations

    /**
     * Maps {@code page} to the frames starting at {@code frame} with {@code flags}, creating the
     * intermediate tables the walk lacks.
     *
     * <p>Pre: the page is canonical for the format and of a size it offers; {@code frame} is
     * aligned to the page size; {@code flags} contain PRESENT, only supported flags, and are not
     * writable and executable at once; no leaf maps any byte of the page yet.
     * Post: the walk of every address in the page ends at a leaf of the page's size mapping the
     * same offset from {@code frame}, with {@code flags}; nothing else changed except new tables.
     */
    public void map(Page page, PhysFrame frame, PageFlags flags) {
        int depth = checkPage(page);
        if (frame.number() % page.size().frames() != 0) {
            throw PagingError.of(PagingError.Kind.MISALIGNED, "map %s: %s is not aligned to %s", page, frame, page.size());
        }
        checkFlags("map", page, flags, true);
        PhysAddr table = rootFor(page.start());
        int missingFrom = -1;
        for (int d = 0; d < depth; d++) {
            Entry e = entryAt(table, page.start(), d);
            if (e.kind() == Entry.Kind.INVALID) {
                missingFrom = d;
                break;
            }
            if (e.isLeaf()) {
                throw PagingError.of(PagingError.Kind.ALREADY_MAPPED, "map %s: a %s %s leaf already maps it", page,
                        format.leafSize(d).orElseThrow(), format.levelName(d));
            }
            requireWellFormed(e, d, page);
            table = e.address();
        }
        if (missingFrom < 0) {
            Entry e = entryAt(table, page.start(), depth);
            if (e.isLeaf()) {
                throw PagingError.of(PagingError.Kind.ALREADY_MAPPED, "map %s: already mapped", page);
            }
            if (e.isTable()) {
                throw PagingError.of(PagingError.Kind.ALREADY_MAPPED, "map %s: smaller pages are mapped inside it", page);
            }
            requireWellFormed(e, depth, page);
        }
        List<FrameRange> fresh = missingFrom < 0 ? List.of() : allocateTables(depth - missingFrom);
        // Build bottom-up, link last: no walk ever sees a half-built path.
        PhysAddr leafTable = fresh.isEmpty() ? table : fresh.get(fresh.size() - 1).start().start();
        writeEntry(leafTable, page.start(), depth, leafEncoding(frame.start(), flags, depth));
        for (int i = fresh.size() - 1; i >= 1; i--) {
            writeEntry(fresh.get(i - 1).start().start(), page.start(), missingFrom + i,
                    format.encodeTable(fresh.get(i).start().start(), format.permissiveTableFlags(), missingFrom + i));
        }
        if (!fresh.isEmpty()) {
            writeEntry(table, page.start(), missingFrom,
                    format.encodeTable(fresh.get(0).start().start(), format.permissiveTableFlags(), missingFrom));
        }
    }

    /**
     * Unmaps {@code page} and returns what mapped it. If a larger leaf maps it, that huge page is
     * split first (down to the page's size) and only {@code page} is removed. Tables left empty are
     * unlinked, flushed from the TLB and returned to the allocator, up to (not including) the root.
     *
     * <p>Pre: canonical, supported size; a leaf of the page's size or larger maps its first byte.
     * Post: no walk in the page translates; every other address translates as before.
     */
    public Mapping unmap(Page page) {
        int depth = checkPage(page);
        Located loc = locate(page, depth, "unmap");
        PhysFrame frame;
        PageFlags flags = loc.entry.flags();
        if (loc.depth < depth) {
            checkSplitFlags(page, flags);
            PhysAddr leafTable = split(loc, page, depth);
            long leafOut = loc.entry.address().value() + (page.start().value() & ((1L << format.indexShift(loc.depth)) - 1));
            frame = PhysFrame.of(leafOut >>> PhysFrame.SHIFT);
            writeEntry(leafTable, page.start(), depth, 0);
        } else {
            frame = PhysFrame.at(loc.entry.address());
            writeEntry(loc.tables.get(depth), page.start(), depth, 0);
        }
        tlb.flush(new TlbFlush(page.start(), page.size().bytes(), TlbFlush.Reason.UNMAP));
        reclaim(page.start(), depth);
        return new Mapping(page, frame, flags);
    }

    /**
     * Replaces the flags of {@code page} and returns the old ones. A larger leaf is split first, so
     * only {@code page} changes.
     *
     * <p>Pre: as {@link #map} for the flags (W^X included); a leaf of the page's size or larger
     * maps its first byte. Post: the page's leaf has {@code flags} and the same output address.
     */
    public PageFlags updateFlags(Page page, PageFlags flags) {
        int depth = checkPage(page);
        checkFlags("updateFlags", page, flags, bug != Bug.UPDATE_SKIPS_WX_CHECK);
        Located loc = locate(page, depth, "updateFlags");
        PageFlags old = loc.entry.flags();
        PhysAddr out;
        PhysAddr leafTable;
        if (loc.depth < depth) {
            checkSplitFlags(page, old);
            out = loc.entry.address().plus(page.start().value() & ((1L << format.indexShift(loc.depth)) - 1));
            leafTable = split(loc, page, depth);
        } else {
            out = loc.entry.address();
            leafTable = loc.tables.get(depth);
        }
        writeEntry(leafTable, page.start(), depth, leafEncoding(out, flags, depth));
        tlb.flush(new TlbFlush(page.start(), page.size().bytes(), TlbFlush.Reason.PROTECT));
        return old;
    }

    /**
     * Replaces the leaf of {@code page} in place by one mapping {@code frame} with {@code flags}
     * and returns what mapped it: the copy-on-write break's {@code ptep_clear_flush} and
     * {@code set_pte}. Unlike unmap then map, no table is reclaimed or allocated (a larger leaf is
     * split first, as {@link #updateFlags} does), so the break cannot run out of table frames while
     * a shootdown still holds the old ones.
     *
     * <p>Pre: as {@link #map} for the frame's alignment and the flags (W^X included); a leaf of the
     * page's size or larger maps its first byte. Post: the page's leaf maps {@code frame} with
     * {@code flags}; a {@link TlbFlush.Reason#REMAP} flush was requested.
     */
    public Mapping remap(Page page, PhysFrame frame, PageFlags flags) {
        int depth = checkPage(page);
        if (frame.number() % page.size().frames() != 0) {
            throw PagingError.of(PagingError.Kind.MISALIGNED, "remap %s: %s is not aligned to %s", page, frame, page.size());
        }
        checkFlags("remap", page, flags, bug != Bug.REMAP_SKIPS_WX_CHECK);
        Located loc = locate(page, depth, "remap");
        PageFlags old = loc.entry.flags();
        PhysFrame oldFrame;
        PhysAddr leafTable;
        if (loc.depth < depth) {
            checkSplitFlags(page, old);
            long out = loc.entry.address().value() + (page.start().value() & ((1L << format.indexShift(loc.depth)) - 1));
            oldFrame = PhysFrame.of(out >>> PhysFrame.SHIFT);
            leafTable = split(loc, page, depth);
        } else {
            oldFrame = PhysFrame.at(loc.entry.address());
            leafTable = loc.tables.get(depth);
        }
        writeEntry(leafTable, page.start(), depth, leafEncoding(frame.start(), flags, depth));
        tlb.flush(new TlbFlush(page.start(), page.size().bytes(), TlbFlush.Reason.REMAP));
        return new Mapping(page, oldFrame, old);
    }

    /** Translates {@code va} by walking the real bits; empty if the walk faults. */
    public Optional<Translation> translate(VirtAddr va) {
        return walk(va).translation();
    }

    /** The full hardware walk of {@code va}. */
    public Walk walk(VirtAddr va) {
        return Mmu.walk(format, memory, roots, va);
    }

    /** Whether the hardware would perform {@code access} at {@code va}; the fault if not. */
    public Optional<Walk.Fault> access(VirtAddr va, Access access) {
        return Mmu.check(format, memory, roots, va, access);
    }

    /** Every leaf reachable from the roots, by virtual address, read from memory. */
    public TreeMap<VirtAddr, Mapping> mappings() {
        TreeMap<VirtAddr, Mapping> out = new TreeMap<>();
        TreeScan.scan(this, new TreeScan.Visitor() {
            @Override
            public void leaf(int depth, long va, PhysAddr entryAddr, long raw, Entry e, Permissions eff) {
                PageSize size = PageSize.ofShift(format.indexShift(depth));
                Page p = Page.of(va, size);
                out.put(p.start(), new Mapping(p, PhysFrame.containing(e.address()), e.flags()));
            }
        });
        return out;
    }

    /**
     * Tears the tree down: every table frame, roots included, goes back to the allocator and the
     * leaves that were mapped are returned (their frames are the caller's). The mapper must not be
     * used afterwards. One full flush is requested before any table is freed.
     */
    public List<Mapping> release() {
        List<Mapping> leaves = new ArrayList<>(mappings().values());
        tlb.flush(new TlbFlush(VirtAddr.of(0), TlbFlush.EVERYTHING, TlbFlush.Reason.TABLE_FREED));
        for (long f : tables) {
            FrameRange run = FrameRange.of(f, format.tableFrames());
            memory.zero(run);
            tlb.freeTable(run, allocator);
        }
        tables.clear();
        return leaves;
    }

    /** The seed's {@code echo "dump_pt 0x1000"}: the walk of {@code va}, one line per level. */
    public String dumpPt(VirtAddr va) {
        return DumpPt.walk(this, va);
    }

    /** Every valid entry of the tree, indented by depth. */
    public String dumpTree() {
        return DumpPt.tree(this);
    }

    /**
     * The whole state as a value: memory contents, owned tables, and the allocator's state when it
     * can be read (a {@link ReferenceFrameAllocator}'s free set and live runs; the free and live
     * runs of a bitmap, buddy or hybrid allocator; otherwise its free count). Two mappers with
     * equal keys are indistinguishable; ATOMIC-1 compares these.
     */
    public Object stateKey() {
        Object alloc = allocator instanceof ReferenceFrameAllocator ref
                ? List.of(new ArrayList<>(ref.freeSet()), new TreeMap<>(ref.live()))
                : allocator instanceof FrameAccounting acc ? List.of(acc.freeRuns(), acc.liveRuns())
                : allocator.freeFrames();
        return List.of(memory.snapshot(), new ArrayList<>(tables), alloc);
    }

    @Override
    public String toString() {
        return format.name() + " PageMapper roots=" + roots + " tables=" + tables + " mappings=" + mappings().values();
    }

    // ---------------------------------------------------------------- test hooks

    /** Test hook: forget that a table is owned (PT-1, PT-3 negative tests). */
    void corruptForgetTable(PhysFrame table) {
        tables.remove(table.number());
    }

    /** Test hook: claim a frame as an owned table without linking it (PT-3, PT-5 negative tests). */
    void corruptAdoptTable(PhysFrame table) {
        tables.add(table.number());
    }

    // ---------------------------------------------------------------- internals

    /** The entries of the walk to {@code page}: the table at each depth, and the leaf found. */
    private record Located(List<PhysAddr> tables, int depth, Entry entry) {
    }

    /**
     * Whether the mapper's canonical-address check lets {@code va} through: the one check that
     * map, unmap, updateFlags and remap make before touching the tree. CANON-1 compares it with
     * the width the hardware's registers select.
     */
    boolean admits(VirtAddr va) {
        return switch (bug) {
            case CANONICAL_48_BITS -> VirtAddr.isCanonical(va.value(), VirtAddr.VA_BITS_4_LEVEL);
            case CANONICAL_57_BITS -> VirtAddr.isCanonical(va.value(), VirtAddr.VA_BITS_5_LEVEL);
            default -> format.isCanonical(va);
        };
    }

    private int checkPage(Page page) {
        if (!admits(page.start())) {
            throw PagingError.of(PagingError.Kind.NON_CANONICAL, "%s is not canonical for %d-bit %s", page.start(),
                    format.vaBits(), format.name());
        }
        int depth = format.leafDepth(page.size());
        if (depth < 0) {
            throw PagingError.of(PagingError.Kind.UNSUPPORTED_SIZE, "%s has no %s leaf (sizes %s)", format.name(),
                    page.size(), format.pageSizes());
        }
        return depth;
    }

    /** The operation and page are separate arguments so that a call that passes builds no message. */
    private void checkFlags(String op, Page page, PageFlags flags, boolean checkWx) {
        if (!flags.present()) {
            throw PagingError.of(PagingError.Kind.INVALID_FLAGS, "%s %s: flags %s lack PRESENT", op, page, flags);
        }
        PageFlags unsupported = flags.without(format.supportedFlags());
        if (unsupported.bits() != 0) {
            throw PagingError.of(PagingError.Kind.INVALID_FLAGS, "%s %s: %s cannot encode %s", op, page, format.name(), unsupported);
        }
        if (checkWx && flags.writableAndExecutable()) {
            throw PagingError.of(PagingError.Kind.WX_VIOLATION,
                    "%s %s: W^X: flags %s are writable and executable; add NO_EXECUTE or drop WRITABLE", op, page, flags);
        }
    }

    /** The split re-writes the huge leaf's flags into every smaller leaf, so W^X guards it too. */
    private void checkSplitFlags(Page page, PageFlags inherited) {
        if (inherited.writableAndExecutable()) {
            throw PagingError.of(PagingError.Kind.WX_VIOLATION,
                    "split for %s: W^X: the huge leaf's flags %s are writable and executable", page, inherited);
        }
    }

    private Located locate(Page page, int depth, String op) {
        List<PhysAddr> path = new ArrayList<>();
        PhysAddr table = rootFor(page.start());
        for (int d = 0; d <= depth; d++) {
            path.add(table);
            Entry e = entryAt(table, page.start(), d);
            switch (e.kind()) {
                case INVALID:
                    throw PagingError.of(PagingError.Kind.NOT_MAPPED, "%s %s: nothing mapped (%s entry not present)", op,
                            page, format.levelName(d));
                case RESERVED:
                    throw PagingError.of(PagingError.Kind.MALFORMED_ENTRY, "%s %s: %s entry is malformed: %s", op, page,
                            format.levelName(d), e.reason());
                case LEAF:
                    return new Located(path, d, e);
                case TABLE:
                    if (d == depth) {
                        throw PagingError.of(PagingError.Kind.SIZE_MISMATCH,
                                "%s %s: mapped by pages smaller than %s", op, page, page.size());
                    }
                    table = e.address();
                    break;
                default:
                    throw new AssertionError(e.kind());
            }
        }
        throw new AssertionError("unreachable");
    }

    /**
     * Splits the huge leaf {@code loc} until a leaf of {@code page}'s size maps it, and returns the
     * table at {@code depth} that now holds that leaf. Each new table maps exactly what the huge
     * leaf mapped, with its flags, so translation is unchanged; the caller then rewrites the one leaf.
     */
    private PhysAddr split(Located loc, Page page, int depth) {
        List<FrameRange> fresh = allocateTables(depth - loc.depth);
        PageFlags flags = loc.entry.flags();
        if (bug == Bug.SPLIT_DROPS_NX) {
            flags = flags.without(PageFlags.NO_EXECUTE);
        }
        long base = loc.entry.address().value();
        // fresh.get(i) is the table at depth loc.depth + 1 + i, covering the part of the huge page around page.
        for (int i = fresh.size() - 1; i >= 0; i--) {
            int d = loc.depth + 1 + i;
            PhysAddr t = fresh.get(i).start().start();
            long span = 1L << format.indexShift(d - 1);
            long childSize = 1L << format.indexShift(d);
            long regionVa = page.start().value() & -span;
            long regionPa = base + (regionVa - (page.start().value() & -(1L << format.indexShift(loc.depth))));
            int n = 1 << format.indexBits(d);
            int keep = page.start().bits(format.indexShift(d), format.indexBits(d));
            for (int j = 0; j < n; j++) {
                long raw = (j == keep && i + 1 < fresh.size())
                        ? format.encodeTable(fresh.get(i + 1).start().start(), format.permissiveTableFlags(), d)
                        : leafEncoding(PhysAddr.of(regionPa + j * childSize), flags, d);
                memory.write64(t.plus((long) j * PhysicalMemory.WORD_BYTES), raw);
            }
        }
        writeEntry(loc.tables.get(loc.depth), page.start(), loc.depth,
                format.encodeTable(fresh.get(0).start().start(), format.permissiveTableFlags(), loc.depth));
        long hugeBytes = 1L << format.indexShift(loc.depth);
        tlb.flush(new TlbFlush(page.start().alignDown(hugeBytes), hugeBytes, TlbFlush.Reason.SPLIT));
        return fresh.get(fresh.size() - 1).start().start();
    }

    /** Unlinks and frees tables left empty on the path to {@code va}, deepest first, never a root. */
    private void reclaim(VirtAddr va, int depth) {
        if (bug == Bug.NO_RECLAIM) {
            return;
        }
        List<PhysAddr> path = new ArrayList<>();
        PhysAddr table = rootFor(va);
        for (int d = 0; d <= depth; d++) {
            path.add(table);
            if (d == depth) {
                break;
            }
            Entry e = entryAt(table, va, d);
            if (!e.isTable()) {
                return; // the path ends above: nothing below to reclaim
            }
            table = e.address();
        }
        for (int d = path.size() - 1; d >= 1; d--) {
            PhysAddr t = path.get(d);
            if (!isEmptyTable(t)) {
                return;
            }
            writeEntry(path.get(d - 1), va, d - 1, 0);
            long span = 1L << format.indexShift(d - 1);
            // The paging-structure caches may still point at t: drop them before t can be reused.
            TlbFlush flush = new TlbFlush(va.alignDown(span), span, TlbFlush.Reason.TABLE_FREED);
            if (bug != Bug.NO_FLUSH_BEFORE_FREE && bug != Bug.FREE_BEFORE_FLUSH) {
                tlb.flush(flush);
            }
            if (bug == Bug.LEAK_RECLAIMED_TABLE) {
                continue;
            }
            FrameRange run = FrameRange.of(t.value() >>> PhysFrame.SHIFT, format.tableFrames());
            tables.remove(run.start().number());
            tlb.freeTable(run, allocator);
            if (bug == Bug.FREE_BEFORE_FLUSH) {
                tlb.flush(flush);
            }
        }
    }

    boolean isEmptyTable(PhysAddr t) {
        for (int i = 0; i < format.tableFrames(); i++) {
            if (!memory.isZero(PhysFrame.containing(t).plus(i))) {
                return false;
            }
        }
        return true;
    }

    private long leafEncoding(PhysAddr out, PageFlags flags, int depth) {
        long raw = format.encodeLeaf(out, flags, depth);
        if (bug == Bug.HUGE_BIT_AT_LAST_LEVEL && depth == format.levels() - 1) {
            raw = format.withHugeMarker(raw);
        }
        return raw;
    }

    private void requireWellFormed(Entry e, int depth, Page page) {
        if (e.kind() == Entry.Kind.RESERVED) {
            throw PagingError.of(PagingError.Kind.MALFORMED_ENTRY, "%s: %s entry is malformed: %s", page,
                    format.levelName(depth), e.reason());
        }
    }

    PhysAddr rootFor(VirtAddr va) {
        return roots.get(format.rootIndex(va)).start();
    }

    private PhysAddr entryAddr(PhysAddr table, VirtAddr va, int depth) {
        int index = va.bits(format.indexShift(depth), format.indexBits(depth));
        return table.plus((long) index * PhysicalMemory.WORD_BYTES);
    }

    private Entry entryAt(PhysAddr table, VirtAddr va, int depth) {
        return format.decode(memory.read64(entryAddr(table, va, depth)), depth);
    }

    private void writeEntry(PhysAddr table, VirtAddr va, int depth, long raw) {
        memory.write64(entryAddr(table, va, depth), raw);
    }

    /**
     * Allocates {@code n} zeroed tables, all or nothing: on failure every table taken so far goes
     * back and OUT_OF_MEMORY is thrown. A table must be aligned to its size; a run that is not is
     * given back after padding below it is taken, so a first-fit allocator yields an aligned run next.
     */
    private List<FrameRange> allocateTables(int n) {
        List<FrameRange> got = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                got.add(allocateAlignedTable());
            }
        } catch (PagingError e) {
            for (FrameRange r : got) {
                allocator.free(r);
            }
            throw e;
        }
        for (FrameRange r : got) {
            // The frame's previous owner may have left anything in it (PTL-1): a stray valid entry
            // in a table would map whatever it says as soon as the table is linked.
            if (bug != Bug.NO_ZEROING) {
                memory.zero(r);
            }
            tables.add(r.start().number());
        }
        return got;
    }

    /**
     * One table of {@code k} frames aligned to {@code k}: an aligned request
     * ({@link FrameAllocator#allocate(long, long)}); only an allocator that cannot align falls
     * back to allocating and padding until a run lands aligned.
     */
    private FrameRange allocateAlignedTable() {
        int k = format.tableFrames();
        try {
            return allocator.allocate(k, k);
        } catch (FrameError e) {
            if (e.errorKind() != FrameError.Kind.MISALIGNED) {
                throw PagingError.of(PagingError.Kind.OUT_OF_MEMORY, "no frame for a page table: %s", e.getMessage());
            }
        }
        List<FrameRange> padding = new ArrayList<>();
        try {
            for (long attempt = 0; attempt <= allocator.managedFrames(); attempt++) {
                FrameRange r = allocator.allocate(k);
                long misalign = r.start().number() % k;
                if (misalign == 0) {
                    return r;
                }
                allocator.free(r);
                padding.add(allocator.allocate(k - misalign));
            }
            throw PagingError.of(PagingError.Kind.OUT_OF_MEMORY, "no %d-frame table aligned to %d frames", k, k);
        } catch (FrameError e) {
            throw PagingError.of(PagingError.Kind.OUT_OF_MEMORY, "no frame for a page table: %s", e.getMessage());
        } finally {
            for (FrameRange p : padding) {
                allocator.free(p);
            }
        }
    }
}
