package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The kernel image as the page tables map it, against its W^X section table: {@code .text}
 * read-execute, {@code .rodata} read-only, {@code .data} and {@code .bss} read-write, never
 * user-accessible, at Linux's {@code __START_KERNEL_map} (0xFFFF_FFFF_8000_0000, canonical for
 * every format, Sv39 included), in pages of the format's smallest size, followed by one unmapped
 * guard page. The only operation is Linux's {@code set_memory_ro/rw/x/nx} on one image page
 * ({@link #setMemory}), which must refuse a right the page's section does not have.
 *
 * <p>Encoding: the image lives in one {@link PageMapper} (its own tables, from a reference
 * allocator); the section table {@link #SECTIONS} is constant. KWX-1 ({@link #KWX_1}, defined in
 * {@code spec/security.md}) reads the real bits through the MMU: at every page of the image
 * range the access the walk grants, to the kernel and to user mode, is no more than the page's
 * section allows, and a page outside every section grants nothing.
 */
public final class KernelImage {
    /** Linux's {@code __START_KERNEL_map}. */
    public static final long BASE = 0xFFFF_FFFF_8000_0000L;

    /** One section of the image: its name, first page and page count (in image pages), and rights. */
    public record Section(String name, int firstPage, int pages, boolean write, boolean exec) {
        /** The rights as {@code rwx} (every section is readable). */
        @Override
        public String toString() {
            return name + "[" + firstPage + ", " + (firstPage + pages) + ") r" + (write ? "w" : "-") + (exec ? "x" : "-");
        }
    }

    /** The W^X section table: no section is both writable and executable. */
    public static final List<Section> SECTIONS = List.of(
            new Section(".text", 0, 2, false, true),
            new Section(".rodata", 2, 1, false, false),
            new Section(".data", 3, 1, true, false),
            new Section(".bss", 4, 1, true, false));

    /** Image pages checked: every section and one unmapped guard page after them. */
    public static final int RANGE_PAGES = 6;

    /** Linux's {@code set_memory_*} changes. */
    public enum Change {
        RO, RW, X, NX
    }

    /** A seeded bug, to show KWX-1 catches it. */
    public enum Bug {
        NONE,
        /**
         * {@link #setMemory} checks only W^X, not the section's rights: {@code set_memory_rw} on
         * .rodata or {@code set_memory_x} on a read-only .data page succeeds (breaks KWX-1).
         */
        SECTION_CHECK_ONLY_WX
    }

    private final PageMapper mapper;
    private final Bug bug;

    private KernelImage(PageMapper mapper, Bug bug) {
        this.mapper = mapper;
        this.bug = bug;
    }

    /** Boots the image into a fresh page table of {@code format}: every section mapped with its rights. */
    public static KernelImage boot(PteFormat format, Bug bug) {
        PageMapper m = new PageMapper(format, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(format, 64)),
                TlbFlushSink.NONE);
        for (Section s : SECTIONS) {
            for (int i = s.firstPage(); i < s.firstPage() + s.pages(); i++) {
                m.map(page(format, i), frame(format, i), flags(format, s.write(), s.exec()));
            }
        }
        return new KernelImage(m, bug);
    }

    /** The image's page {@code i}. */
    public static Page page(PteFormat format, int i) {
        PageSize size = format.pageSizes().get(0);
        return Page.of(BASE + i * size.bytes(), size);
    }

    private static PhysFrame frame(PteFormat format, int i) {
        return PhysFrame.of((1L << 20) + i * format.pageSizes().get(0).frames());
    }

    /** Kernel leaf flags for rights {@code r}, {@code w}, {@code x}: global, accessed (and dirty when writable). */
    static PageFlags flags(PteFormat format, boolean write, boolean exec) {
        PageFlags f = PageFlags.PRESENT;
        PageFlags supported = format.supportedFlags();
        for (PageFlags extra : List.of(PageFlags.GLOBAL, PageFlags.ACCESSED)) {
            if (supported.contains(extra)) {
                f = f.with(extra);
            }
        }
        if (write) {
            f = f.with(PageFlags.WRITABLE);
            if (supported.contains(PageFlags.DIRTY)) {
                f = f.with(PageFlags.DIRTY);
            }
        }
        return exec ? f : f.with(PageFlags.NO_EXECUTE);
    }

    /** The section holding image page {@code i}, if any. */
    public static Optional<Section> sectionOf(int i) {
        return SECTIONS.stream().filter(s -> i >= s.firstPage() && i < s.firstPage() + s.pages()).findFirst();
    }

    /**
     * {@code set_memory_ro/rw/x/nx} on image page {@code i}: the page keeps its frame and gains or
     * loses write or execute.
     *
     * @throws PagingError NOT_MAPPED for a page outside every section; PROTECTED_SECTION when the
     *     page would get a right its section lacks; the mapper's own refusals (WX_VIOLATION) after
     *     that; nothing changes then
     */
    public void setMemory(int i, Change change) {
        PteFormat f = mapper.format();
        Optional<Section> s = sectionOf(i);
        if (s.isEmpty()) {
            throw PagingError.of(PagingError.Kind.NOT_MAPPED, "set_memory_%s: image page %d is in no section", change, i);
        }
        Page p = page(f, i);
        PageFlags now = mapper.translate(p.start()).orElseThrow().leafFlags();
        boolean write = change == Change.RW || (change != Change.RO && now.writable());
        boolean exec = change == Change.X || (change != Change.NX && now.executable());
        boolean refused = bug == Bug.SECTION_CHECK_ONLY_WX ? write && exec
                : (write && !s.get().write()) || (exec && !s.get().exec());
        if (refused) {
            throw PagingError.of(PagingError.Kind.PROTECTED_SECTION, "set_memory_%s: page %d of %s may not become %s%s",
                    change.name().toLowerCase(java.util.Locale.ROOT), i, s.get(), write ? "w" : "-", exec ? "x" : "-");
        }
        mapper.updateFlags(p, flags(f, write, exec));
    }

    public PageMapper mapper() {
        return mapper;
    }

    /** Canonical value of the state. */
    public Object key() {
        return mapper.stateKey();
    }

    @Override
    public String toString() {
        return "KernelImage(" + mapper.format().name() + ")\n" + mapper.dumpTree();
    }

    /** What the MMU grants at image page {@code i}: kernel r, w, x and any user access, from the bits. */
    public record Grants(boolean read, boolean write, boolean exec, boolean user) {
        @Override
        public String toString() {
            return (read ? "r" : "-") + (write ? "w" : "-") + (exec ? "x" : "-") + (user ? " user" : "");
        }
    }

    /** The accesses the MMU walk performs at image page {@code i}; an access-state fault counts as granted. */
    public Grants grants(int i) {
        VirtAddr va = page(mapper.format(), i).start();
        boolean user = false;
        for (Access.Type t : Access.Type.values()) {
            user |= granted(va, new Access(t, true));
        }
        return new Grants(granted(va, Access.kernel(Access.Type.READ)), granted(va, Access.kernel(Access.Type.WRITE)),
                granted(va, Access.kernel(Access.Type.EXECUTE)), user);
    }

    private boolean granted(VirtAddr va, Access a) {
        Optional<Walk.Fault> f = mapper.access(va, a);
        return f.isEmpty() || f.get().kind() == Walk.FaultKind.ACCESS_STATE;
    }

    /**
     * KWX-1: the W^X section table holds no writable and executable section, and at every page of
     * the image range the MMU grants no more than the page's section: no user access, write only
     * in a writable section, execution only in an executable one, nothing outside every section.
     */
    public static final Invariant<KernelImage> KWX_1 = Invariant.of("KWX-1",
            "the kernel image's W^X section table has no writable and executable section, and at every image page the"
                    + " MMU grants no more than the page's section: no user access, write only in .data/.bss, execute only"
                    + " in .text, nothing outside every section",
            k -> {
                for (Section s : SECTIONS) {
                    if (s.write() && s.exec()) {
                        return Invariant.broken("section %s is writable and executable", s);
                    }
                }
                for (int i = 0; i < RANGE_PAGES; i++) {
                    Grants g = k.grants(i);
                    Optional<Section> s = sectionOf(i);
                    boolean ok = !g.user() && (s.isPresent() ? (!g.write() || s.get().write()) && (!g.exec() || s.get().exec())
                            : !g.read() && !g.write() && !g.exec());
                    if (!ok) {
                        return Invariant.broken("image page %d (%s) grants %s but %s", i, page(k.mapper.format(), i).start(), g,
                                s.map(x -> "its section is " + x).orElse("it is in no section"));
                    }
                }
                return Invariant.holds();
            });

    /** KWX-1, then every page-table invariant of the image's tables. */
    public static final InvariantSet<KernelImage> ALL = InvariantSet.of("kernel-image", all(), KernelImage::toString);

    private static List<Invariant<KernelImage>> all() {
        List<Invariant<KernelImage>> out = new ArrayList<>(List.of(KWX_1));
        for (Invariant<PageMapper> pt : PagingInvariants.ALL.invariants()) {
            out.add(Invariant.of(pt.id(), pt.statement(), k -> pt.evaluate(k.mapper).map(org.mmspec.check.Violation::detail)));
        }
        return out;
    }
}
