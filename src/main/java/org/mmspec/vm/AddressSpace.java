package org.mmspec.vm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PagingError;
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.TlbFlushSink;
import org.mmspec.paging.Translation;
import org.mmspec.paging.VirtAddr;

/**
 * A process's address space, as the seed's {@code AddressSpace}: the virtual memory areas in an
 * ordered map ({@code vmas: BTreeMap<VirtAddr, Vma>}), the heap end ({@code brk}) and the stack
 * top, and the present translations of its pages.
 *
 * <p>Encoding: {@code areas} maps each area's first page to the area. {@code translations} maps
 * each present page to its {@link Pte} (frame and effective rights): the address space's own
 * record, as Linux's rmap and page flags are. The hardware page table is a real x86_64
 * {@link PageMapper} over the shared physical memory, whose table frames come from the same frame
 * allocator; every change to {@code translations} is written to it in the same operation, and
 * XLAYER-3 checks that walking the real bits gives exactly {@code translations}. User accesses
 * ({@link #load}, {@link #store}, and whether an access faults) go through the hardware walk.
 * {@code ghost} is verification-only state: the word a correct kernel must show on each page,
 * that is the last word this process stored there, absent meaning zero; it drives SEC-1. Frames
 * and their reference counts live in the shared {@link FrameTable}, because fork shares frames.
 *
 * <p>Invariants ({@link VmInvariants}): VMA-1 areas are sorted and disjoint; VMA-2 they lie
 * inside user space ({@code [minPage, topPage)}); VMA-3 no two adjacent areas could merge (the
 * operations merge exactly as Linux's {@code vma_merge}); AS-1 every present translation lies in
 * an area; AS-2 it grants no more than its area allows; AS-3 no area is writable and executable
 * under {@link WxPolicy#ENFORCE}; AS-4 no translation is both writable and executable, under
 * either policy.
 *
 * <p>Huge pages (transparent, private anonymous only): {@code huge} holds the first page of each
 * 2 MiB range mapped by one huge leaf over a 2 MiB-aligned run of 512 frames; {@code translations}
 * still holds one {@link Pte} per 4 KiB page of it (frame {@code base + i}, equal rights), so the
 * per-page invariants read it unchanged. HUGE-1 checks that {@code huge} is exactly the set of
 * 2 MiB leaves and that each lies in one private anonymous area with consecutive frames. An
 * operation that changes part of a huge range splits it first, after all its checks and before its
 * first change, with the split's table frame checked for ({@code splitHugePartly}); mremap is
 * {@link #mremap}, with Linux's semantics and errors.
 *
 * <p>MAP_HUGETLB areas ({@link VmFlags#hugetlb}, private anonymous, 2 MiB or 1 GiB pages where
 * the format has the leaf) are not in {@code huge}: they are whole huge pages from their creation
 * (length rounded up, address aligned) and are never split below their page size (an operation
 * that would is rejected with EINVAL before any change, {@code checkHugetlbCuts}). A fault maps a
 * whole huge page as one leaf over an aligned run; {@code translations} again holds one
 * {@link Pte} per 4 KiB page. Fork shares them copy-on-write and a write copies the whole huge
 * page; mremap only shrinks or moves them whole. HUGETLB-1 checks the shape.
 *
 * <p>W^X under {@link WxPolicy#PERMIT}: an area may be W+X (Linux), but its translations never
 * are: every translation written passes {@link Pte#wxSplit}, so a writable page of a W+X area
 * has no exec, and an instruction fetch from it trades write for exec ({@link #execFlip}), as a
 * kernel enforcing W^X per page-table entry would. So mprotect and faults never meet the
 * {@code PageMapper}'s WX-1 refusal, and a rejected operation changes nothing under either policy.
 *
 * <p>Semantics are Linux's (mm/mmap.c, mm/mprotect.c, mm/vma.c of 6.x) with two stated
 * differences: W^X under {@code ENFORCE} rejects what Linux allows, and an mprotect over a range
 * with a hole is rejected without changing anything, where Linux changes the areas before the
 * hole and then returns ENOMEM. {@code spec/address-spaces.md} lists each operation's pre- and
 * postconditions.
 */
public final class AddressSpace {

    /** Whether W^X is enforced at the area level (the seed) or, for replaying Linux, only reported. */
    public enum WxPolicy {
        /** The seed: a request for W+X is rejected with {@link VmError.Kind#WX_VIOLATION}. */
        ENFORCE,
        /** Linux: W+X areas are allowed (the replay harness counts them as intended divergences). */
        PERMIT
    }

    private final Layout layout;
    private final WxPolicy wx;
    private final FrameTable frames;
    private final PageMapper mapper;
    private final TreeMap<Long, Vma> areas = new TreeMap<>();
    private final TreeMap<Long, Pte> translations = new TreeMap<>();
    private final TreeMap<Long, Long> ghost = new TreeMap<>();
    /** First pages of the 2 MiB ranges mapped by one huge leaf (transparent huge pages). */
    private final java.util.TreeSet<Long> huge = new java.util.TreeSet<>();
    private long brk;
    private long nextAnonVma = 1;

    /** A fresh address space as exec leaves it: only the stack, and an empty heap at {@code startBrk}. */
    public AddressSpace(Layout layout, WxPolicy wx, FrameTable frames) {
        this.layout = Objects.requireNonNull(layout);
        this.wx = Objects.requireNonNull(wx);
        this.frames = Objects.requireNonNull(frames);
        this.mapper = newMapper();
        this.brk = layout.startBrkPage() << Vma.PAGE_SHIFT;
        long stackStart = layout.stackTop() - layout.stackInitialPages();
        put(Vma.anonymous(stackStart, layout.stackTop(), Prot.RW, new VmFlags(false, true, true, false, false)));
    }

    /** An address space with no areas at all (the replay harness seeds it from exec's mappings). */
    public static AddressSpace empty(Layout layout, WxPolicy wx, FrameTable frames) {
        AddressSpace as = new AddressSpace(layout, wx, frames);
        as.areas.clear();
        return as;
    }

    /**
     * The mapper's TLB hook: every invalidation and every freed table goes to the machine's
     * {@link TlbPort}, named with this space so that the shootdown targets the CPUs running it.
     */
    private final class Port implements TlbFlushSink {
        @Override
        public void flush(org.mmspec.paging.TlbFlush flush) {
            frames.port().flush(AddressSpace.this, flush);
        }

        @Override
        public void freeTable(org.mmspec.frames.FrameRange run, org.mmspec.frames.FrameAllocator allocator) {
            frames.port().freeTable(AddressSpace.this, run, allocator);
        }
    }

    private PageMapper newMapper() {
        try {
            return new PageMapper(frames.format(), frames.memory(), frames.allocator(), new Port());
        } catch (PagingError e) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "no frame for a root page table: %s", e.getMessage());
        }
    }

    /** A copy of {@code o} over {@code frames}: its tables copied, or (for fork) a fresh empty tree. */
    private AddressSpace(AddressSpace o, FrameTable frames, boolean copyTables) {
        this.layout = o.layout;
        this.wx = o.wx;
        this.frames = frames;
        this.mapper = copyTables ? o.mapper.copy(frames.memory(), frames.allocator(), new Port()) : newMapper();
        this.areas.putAll(o.areas);
        this.translations.putAll(o.translations);
        this.ghost.putAll(o.ghost);
        if (copyTables) {
            this.huge.addAll(o.huge);
        }
        this.brk = o.brk;
        this.nextAnonVma = o.nextAnonVma;
    }

    /** A space of {@code template}'s layout and policy over {@code frames} whose page table has {@code roots}. */
    private AddressSpace(AddressSpace template, FrameTable frames, List<PhysFrame> roots) {
        this.layout = template.layout;
        this.wx = template.wx;
        this.frames = frames;
        this.mapper = template.mapper.restore(roots, frames.memory(), frames.allocator(), new Port());
    }

    /**
     * Writes what operations change, for a state codec (the memory is the frame table's): the
     * page table's roots and table frames, the areas (with a MAP_HUGETLB area's page size),
     * translations (page, frame, read, write, exec), ghosts, huge pages, the break and the next
     * anon_vma number.
     */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        org.mmspec.check.Encoding.writeLongs(mapper.roots().stream().mapToLong(PhysFrame::number).toArray(), out);
        mapper.writeTables(out);
        org.mmspec.check.Encoding.writeList(List.copyOf(areas.values()), AddressSpace::writeVma, out);
        out.writeInt(translations.size());
        for (Map.Entry<Long, Pte> e : translations.entrySet()) {
            out.writeLong(e.getKey());
            Pte p = e.getValue();
            out.writeLong(p.frame().number());
            out.writeBoolean(p.read());
            out.writeBoolean(p.write());
            out.writeBoolean(p.exec());
        }
        out.writeInt(ghost.size());
        for (Map.Entry<Long, Long> e : ghost.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue());
        }
        org.mmspec.check.Encoding.writeLongs(huge.stream().mapToLong(Long::longValue).toArray(), out);
        out.writeLong(brk);
        out.writeLong(nextAnonVma);
    }

    /** The space {@link #writeState} wrote, over {@code frames}, with {@code template}'s layout and policy. */
    static AddressSpace readState(AddressSpace template, FrameTable frames, java.io.DataInput in) throws java.io.IOException {
        List<PhysFrame> roots = new ArrayList<>();
        for (long r : org.mmspec.check.Encoding.readLongs(in)) {
            roots.add(PhysFrame.of(r));
        }
        AddressSpace s = new AddressSpace(template, frames, roots);
        s.mapper.readTables(in);
        for (Vma v : org.mmspec.check.Encoding.readList(AddressSpace::readVma, in)) {
            s.areas.put(v.start(), v);
        }
        for (int n = in.readInt(); n > 0; n--) {
            s.translations.put(in.readLong(), new Pte(PhysFrame.of(in.readLong()), in.readBoolean(), in.readBoolean(),
                    in.readBoolean()));
        }
        for (int n = in.readInt(); n > 0; n--) {
            s.ghost.put(in.readLong(), in.readLong());
        }
        for (long h : org.mmspec.check.Encoding.readLongs(in)) {
            s.huge.add(h);
        }
        s.brk = in.readLong();
        s.nextAnonVma = in.readLong();
        return s;
    }

    private static void writeVma(Vma v, java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(v.start());
        out.writeLong(v.end());
        out.writeBoolean(v.prot().read());
        out.writeBoolean(v.prot().write());
        out.writeBoolean(v.prot().exec());
        VmFlags f = v.flags();
        for (boolean b : new boolean[] {f.shared(), f.growsDown(), f.accounted(), f.noReserve(), f.special()}) {
            out.writeBoolean(b);
        }
        org.mmspec.check.Encoding.writeNullable(f.hugetlb(), org.mmspec.check.Encoding::writeEnum, out);
        org.mmspec.check.Encoding.writeNullable(v.file(), (s, o) -> o.writeUTF(s), out);
        out.writeLong(v.pgoff());
        out.writeLong(v.anonVma());
    }

    private static Vma readVma(java.io.DataInput in) throws java.io.IOException {
        long start = in.readLong();
        long end = in.readLong();
        Prot prot = new Prot(in.readBoolean(), in.readBoolean(), in.readBoolean());
        VmFlags flags = new VmFlags(in.readBoolean(), in.readBoolean(), in.readBoolean(), in.readBoolean(), in.readBoolean(),
                org.mmspec.check.Encoding.readNullable(i -> org.mmspec.check.Encoding.readEnum(org.mmspec.paging.PageSize.class, i), in));
        String file = org.mmspec.check.Encoding.readNullable(java.io.DataInput::readUTF, in);
        return new Vma(start, end, prot, flags, file, in.readLong(), in.readLong());
    }

    /** A copy sharing nothing mutable with this one except {@code frames} (given, already copied). */
    AddressSpace copyWith(FrameTable copiedFrames) {
        return new AddressSpace(this, copiedFrames, true);
    }

    // ------------------------------------------------------------------ mmap

    /**
     * Maps {@code length} bytes (rounded up to pages) and returns the first address.
     *
     * <p>Placement: MAP_FIXED uses {@code addr} exactly and first unmaps whatever lies there;
     * MAP_FIXED_NOREPLACE uses it exactly or fails; otherwise {@code addr} is a hint, used when
     * the range is free (stack guard gaps included), else the highest free gap below the mmap
     * base is taken (Linux's top-down {@code vm_unmapped_area}), else the lowest above the legacy
     * base. The new area merges with neighbours it is compatible with.
     *
     * @param addr the address (MAP_FIXED), a hint, or {@code null}
     * @param file the backing object's name, {@code null} with MAP_ANONYMOUS
     * @param offset byte offset into {@code file}; page-aligned
     * @throws VmError ZERO_LENGTH, MISALIGNED (also a MAP_HUGETLB MAP_FIXED address off the huge
     *     page size, or an end that would split a hugetlb area), BAD_FLAGS (also MAP_HUGETLB with a
     *     file, of a size without a leaf or hstate, or MAP_SHARED), OUT_OF_RANGE, BELOW_MIN_ADDR,
     *     EXISTS, NO_SPACE, WX_VIOLATION; nothing changes then
     */
    public UserAddr mmap(UserAddr addr, long length, Prot prot, MapFlags flags, String file, long offset) {
        if (length == 0) {
            throw VmError.of(VmError.Kind.ZERO_LENGTH, "EINVAL", "mmap: length 0");
        }
        if (flags.anonymous() == (file != null)) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EBADF", "mmap: MAP_ANONYMOUS %s a file", flags.anonymous() ? "with" : "without");
        }
        if (offset < 0 || (offset & (Vma.PAGE_SIZE - 1)) != 0) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mmap: offset 0x%x is not page-aligned", offset);
        }
        if (length < 0 || length > (layout.topPage() << Vma.PAGE_SHIFT)) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "ENOMEM", "mmap: length 0x%x exceeds user space", length);
        }
        checkWx(prot, "mmap");
        long hp = checkHugetlbFlags(flags);
        // MAP_HUGETLB: the length is rounded up to the huge page size (ksys_mmap_pgoff).
        long pages = ceilDiv(pagesOf(length), hp) * hp;
        long start;
        boolean exact = flags.fixed() || flags.fixedNoReplace();
        if (exact) {
            if (addr == null || !addr.isPageAligned()) {
                throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mmap: MAP_FIXED address %s is not page-aligned", addr);
            }
            if (Math.floorMod(addr.page(), hp) != 0) {
                throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mmap: MAP_FIXED address %s is not aligned to %s", addr,
                        flags.hugetlb());
            }
            start = addr.page();
            if (start + pages > layout.topPage()) {
                throw VmError.of(VmError.Kind.OUT_OF_RANGE, "ENOMEM", "mmap: [%s, +0x%x) leaves user space", addr, length);
            }
            if (start < layout.minPage() && bug() != VmSystem.Bug.MMAP_MIN_ADDR_UNCHECKED) {
                throw VmError.of(VmError.Kind.BELOW_MIN_ADDR, "EPERM", "mmap: MAP_FIXED %s below mmap_min_addr", addr);
            }
            if (flags.fixedNoReplace() && !flags.fixed() && overlapsAny(start, start + pages)) {
                throw VmError.of(VmError.Kind.EXISTS, "EEXIST", "mmap: MAP_FIXED_NOREPLACE %s overlaps a mapping", addr);
            }
            checkHugetlbCuts("mmap", start, start + pages);
        } else if (hp > 1) {
            start = placeHugetlb(addr, pages, hp);
        } else {
            start = placeAligned(addr, pages, file, offset, flags);
        }
        VmFlags vf = new VmFlags(flags.shared(), false, false, flags.noReserve(), false, flags.hugetlb());
        vf = vf.withAccounted(vf.accountable(prot));
        Vma area;
        if (file != null) {
            area = new Vma(start, start + pages, prot, vf, file, offset >>> Vma.PAGE_SHIFT, 0);
        } else if (flags.shared()) {
            // Shared anonymous memory is a fresh shmem object: its own file, offset 0, never merged.
            area = new Vma(start, start + pages, prot, vf, frames.newShmemName(), 0, 0);
        } else {
            area = Vma.anonymous(start, start + pages, prot, vf);
        }
        splitHugePartly(List.of(new long[] {start, start + pages}));
        unmapRange(start, start + pages);
        put(area);
        if (area.flags().shared()) {
            frames.objectPages(area.file(), pages);
        }
        mergeAround(start, start + pages);
        return UserAddr.ofPage(start);
    }

    /**
     * What {@link #mmap} without MAP_FIXED would choose for {@code length} bytes at {@code hint},
     * without mapping anything; empty if nothing fits.
     */
    public Optional<UserAddr> probePlacement(UserAddr hint, long length, String file, long offset, MapFlags flags) {
        try {
            return Optional.of(UserAddr.ofPage(placeAligned(hint, pagesOf(length), file, offset, flags)));
        } catch (VmError e) {
            return Optional.empty();
        }
    }

    /**
     * A mapping the kernel makes itself at exec time (ELF segments, {@code [stack]},
     * {@code [vdso]}, {@code [vvar]}): placed as given over free pages, no W^X check, no merge.
     * The replay harness seeds these, since strace does not show them.
     *
     * @throws VmError EXISTS if any page is already mapped
     */
    public void execMapping(long startPage, long endPage, Prot prot, VmFlags flags, String file, long pgoff) {
        if (overlapsAny(startPage, endPage)) {
            throw VmError.of(VmError.Kind.EXISTS, "EEXIST", "exec mapping [%d, %d) overlaps", startPage, endPage);
        }
        put(new Vma(startPage, endPage, prot, flags, file, file == null ? startPage : pgoff, 0));
        if (flags.shared()) {
            frames.objectPages(file, endPage - startPage);
        }
    }

    /** The seed's {@code mmap(None, size, prot, MAP_PRIVATE | MAP_ANON)}. */
    public UserAddr mmapAnonymous(long length, Prot prot) {
        return mmap(null, length, prot, MapFlags.PRIVATE_ANON, null, 0);
    }

    /**
     * Linux 6.x's {@code __get_unmapped_area} with transparent-huge-page alignment: a file
     * mapping whose range holds a whole 2 MiB-aligned chunk of the file (ext4's
     * {@code thp_get_unmapped_area}), and an anonymous private mapping without a hint whose length
     * is a multiple of 2 MiB, search for {@code length + 2 MiB} and then move up to the next
     * address congruent to the file offset modulo 2 MiB (a full 2 MiB up if already aligned, when
     * searching top-down), as {@code __thp_get_unmapped_area} does. Everything else is
     * {@link #place}. (Shared anonymous memory is shmem, not aligned while shmem THP is off, the
     * default.)
     */
    private long placeAligned(UserAddr hint, long pages, String file, long offset, MapFlags flags) {
        return placeAlignedAt(hint, pages, file, file == null ? 0 : offset >>> Vma.PAGE_SHIFT, flags);
    }

    /**
     * {@link #placeAligned(UserAddr, long, String, long, MapFlags)} with the page offset given as
     * Linux's {@code get_unmapped_area} receives it: mmap passes the file offset (0 for anonymous
     * memory), mremap the area's {@code vm_pgoff} at the old address, which for anonymous memory is
     * its original start page, so a moved anonymous mapping keeps its 2 MiB phase.
     */
    private long placeAlignedAt(UserAddr hint, long pages, String file, long offPages, MapFlags flags) {
        boolean anonEligible = file == null && !flags.shared() && (hint == null || hint.value() == 0)
                && pages % PMD_PAGES == 0;
        boolean fileEligible = file != null && Math.floorDiv(offPages + pages, PMD_PAGES) * PMD_PAGES
                - ceilDiv(offPages, PMD_PAGES) * PMD_PAGES >= PMD_PAGES;
        if (anonEligible || fileEligible) {
            try {
                long ret = place(hint, pages + PMD_PAGES);
                if (hint != null && hint.value() != 0 && ret == Math.max(hint.page(), layout.minPage())) {
                    return ret;
                }
                long offSub = Math.floorMod(offPages - ret, PMD_PAGES);
                return offSub == 0 ? ret + PMD_PAGES : ret + offSub;
            } catch (VmError e) {
                // __thp_get_unmapped_area gives up; the plain search follows.
            }
        }
        return place(hint, pages);
    }

    /** Pages in a 2 MiB huge page (PMD_SIZE / PAGE_SIZE on x86_64). */
    public static final long PMD_PAGES = 512;

    /** The hugetlb page sizes Linux offers on the three architectures (hstates), where the format has the leaf. */
    private static final List<org.mmspec.paging.PageSize> HUGETLB_SIZES =
            List.of(org.mmspec.paging.PageSize.MIB_2, org.mmspec.paging.PageSize.GIB_1);

    /**
     * MAP_HUGETLB's checks (ksys_mmap_pgoff, hugetlb_file_setup): anonymous memory only (a file
     * that is not on hugetlbfs gives EINVAL), a size this format maps with one leaf (no hstate:
     * EINVAL), private only (MAP_SHARED|MAP_HUGETLB is not modelled, an intended gap). Returns the
     * pages per page of the mapping: 1 without MAP_HUGETLB.
     */
    private long checkHugetlbFlags(MapFlags flags) {
        if (flags.hugetlb() == null) {
            return 1;
        }
        if (!flags.anonymous()) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mmap: MAP_HUGETLB of a file that is not on hugetlbfs");
        }
        if (!HUGETLB_SIZES.contains(flags.hugetlb()) || !frames.format().pageSizes().contains(flags.hugetlb())) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mmap: no %s hugetlb pages on %s", flags.hugetlb(),
                    frames.format().name());
        }
        if (flags.shared()) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mmap: MAP_SHARED|MAP_HUGETLB is not modelled");
        }
        return flags.hugetlb().frames();
    }

    /**
     * Linux's {@code hugetlb_get_unmapped_area}: a hint is rounded up to the huge page size and used
     * if the range is free; otherwise the top-down search, then the bottom-up one, with every
     * candidate aligned to the huge page size ({@code info.align_mask}).
     */
    private long placeHugetlb(UserAddr hint, long pages, long hp) {
        if (pages > layout.topPage() - layout.minPage()) {
            throw VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mmap: %d pages do not fit", pages);
        }
        if (hint != null && hint.value() != 0) {
            long h = ceilDiv(Math.max(hint.page(), layout.minPage()), hp) * hp;
            if (h + pages <= layout.topPage() && fitsWithGaps(h, h + pages)) {
                return h;
            }
        }
        List<long[]> gaps = gaps();
        for (int i = gaps.size() - 1; i >= 0; i--) {
            long low = ceilDiv(Math.max(gaps.get(i)[0], layout.minPage()), hp) * hp;
            long high = Math.floorDiv(Math.min(gaps.get(i)[1], layout.mmapBase()) - pages, hp) * hp;
            if (high >= low) {
                return high;
            }
        }
        for (long[] g : gaps) {
            long low = ceilDiv(Math.max(g[0], layout.legacyBase()), hp) * hp;
            if (g[1] - low >= pages) {
                return low;
            }
        }
        throw VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mmap: no free gap of %d pages aligned to %d", pages, hp);
    }

    /**
     * A hugetlb area is never split below its page size ({@code hugetlb_vm_op_split}): an operation
     * that would split one at a page of {@code points} strictly inside it and off its page size is
     * rejected with EINVAL before any change.
     */
    private void checkHugetlbCuts(String op, long... points) {
        for (long p : points) {
            Optional<Vma> v = areaAt(p);
            if (v.isPresent() && v.get().start() != p && v.get().flags().hugetlb() != null
                    && Math.floorMod(p, v.get().flags().pagesPerPage()) != 0) {
                throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "%s: page %d would split the %s hugetlb area %s", op, p,
                        v.get().flags().hugetlb(), v.get());
            }
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private long place(UserAddr hint, long pages) {
        if (pages > layout.topPage() - layout.minPage()) {
            throw VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mmap: %d pages do not fit", pages);
        }
        if (hint != null && hint.value() != 0) {
            long h = Math.max(hint.page(), layout.minPage());
            if (h + pages <= layout.topPage() && fitsWithGaps(h, h + pages)) {
                return h;
            }
        }
        // Top-down: the highest gap below the mmap base that holds the request (vm_unmapped_area).
        List<long[]> gaps = gaps();
        for (int i = gaps.size() - 1; i >= 0; i--) {
            long low = Math.max(gaps.get(i)[0], layout.minPage());
            long high = Math.min(gaps.get(i)[1], layout.mmapBase());
            if (high - low >= pages) {
                return high - pages;
            }
        }
        // Bottom-up fallback from the legacy base, as Linux does when top-down fails.
        for (long[] g : gaps) {
            long low = Math.max(g[0], layout.legacyBase());
            if (g[1] - low >= pages) {
                return low;
            }
        }
        throw VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mmap: no free gap of %d pages", pages);
    }

    /**
     * The free gaps {@code [low, high)} between areas in address order, each ending at the next
     * area's {@link #startGap}.
     */
    private List<long[]> gaps() {
        List<long[]> out = new ArrayList<>();
        long low = 0;
        for (Vma v : areas.values()) {
            long high = startGap(v);
            if (high > low) {
                out.add(new long[] {low, high});
            }
            low = Math.max(low, v.end());
        }
        if (layout.topPage() > low) {
            out.add(new long[] {low, layout.topPage()});
        }
        return out;
    }

    /** The first area that ends after {@code page}: the one containing it, else the next above. */
    private Vma firstEndingAfter(long page) {
        Map.Entry<Long, Vma> e = areas.floorEntry(page);
        return e != null && e.getValue().end() > page ? e.getValue() : firstAtOrAbove(page);
    }

    private Vma firstAtOrAbove(long page) {
        Map.Entry<Long, Vma> e = areas.ceilingEntry(page);
        return e == null ? null : e.getValue();
    }

    /** Linux's {@code vm_start_gap}: a stack reserves its guard gap below its start. */
    private long startGap(Vma v) {
        return v.flags().growsDown() ? Math.max(0, v.start() - layout.guardGapPages()) : v.start();
    }

    private boolean fitsWithGaps(long start, long end) {
        Map.Entry<Long, Vma> prev = areas.lowerEntry(end);
        if (prev != null && prev.getValue().end() > start) {
            return false;
        }
        Vma next = firstAtOrAbove(end);
        return next == null || end <= startGap(next);
    }

    // ------------------------------------------------------------------ mprotect

    /**
     * Changes the protection of every page in {@code [addr, addr + length)}. Areas are split at
     * the range's ends and re-merged with compatible neighbours; present translations lose rights
     * at once, and gain write only where the frame is not shared copy-on-write.
     *
     * @throws VmError MISALIGNED (also an end strictly inside a hugetlb area off its page size),
     *     OUT_OF_RANGE, NOT_MAPPED (a page of the range has no area), WX_VIOLATION; nothing
     *     changes then (Linux would change the areas before a hole)
     */
    public void mprotect(UserAddr addr, long length, Prot prot) {
        if (!addr.isPageAligned()) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mprotect: %s is not page-aligned", addr);
        }
        if (length == 0) {
            return;
        }
        long start = addr.page();
        if (length < 0 || start + pagesOf(length) > layout.topPage()) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "ENOMEM", "mprotect: [%s, +0x%x) leaves user space", addr, length);
        }
        long end = start + pagesOf(length);
        checkWx(prot, "mprotect");
        long covered = start;
        for (Vma v : overlapping(start, end)) {
            if (v.start() > covered) {
                break;
            }
            covered = Math.max(covered, v.end());
        }
        if (covered < end) {
            throw VmError.of(VmError.Kind.NOT_MAPPED, "ENOMEM", "mprotect: page %d of [%d, %d) is not mapped", covered, start, end);
        }
        checkHugetlbCuts("mprotect", start, end);
        splitHugePartly(List.of(new long[] {start, end}));
        splitAt(start);
        splitAt(end);
        for (Vma v : overlapping(start, end)) {
            VmFlags f = v.flags().withAccounted(v.flags().accounted() || v.flags().accountable(prot));
            put(v.withProt(prot, f));
        }
        for (long pmd : new ArrayList<>(huge.subSet(start, end))) {
            // A huge page the range covers whole keeps its one leaf (change_huge_pmd); its frames are exclusive or all shared alike.
            Pte first = translations.get(pmd);
            reprotectHuge(pmd, Pte.of(first.frame(), prot, exclusive(pmd, first)));
        }
        for (long first : hugetlbPagesIn(start, end)) {
            // One hugetlb leaf, one re-protect (hugetlb_change_protection); its frames are exclusive or all shared alike.
            Pte p = translations.get(first);
            reprotectLeaf(first, hugetlbSize(first), Pte.of(p.frame(), prot, exclusive(first, p)));
        }
        for (Map.Entry<Long, Pte> e : new TreeMap<>(translations.subMap(start, end)).entrySet()) {
            if (huge.contains(e.getKey() - Math.floorMod(e.getKey(), PMD_PAGES)) || inHugetlb(e.getKey())) {
                continue;
            }
            Pte old = e.getValue();
            Pte next = Pte.of(old.frame(), prot, exclusive(e.getKey(), old));
            if (bug() == VmSystem.Bug.MPROTECT_KEEPS_PTE_WRITABLE) {
                // (Only where it stays W^X, so the bug shows as AS-2, not as a lost exec right.)
                next = next.withWrite(next.write() || (old.write() && !prot.exec()));
            }
            reprotect(e.getKey(), next);
        }
        if (bug() != VmSystem.Bug.MPROTECT_NO_MERGE) {
            mergeAround(start, end);
        }
    }

    /** Whether a write may go straight to the frame: a shared area, or the only reference. */
    private boolean exclusive(long page, Pte pte) {
        Vma v = areaAt(page).orElseThrow();
        return v.flags().shared() || frames.refCount(pte.frame()) == 1;
    }

    private void checkWx(Prot prot, String op) {
        if (wx == WxPolicy.ENFORCE && prot.isWriteExec() && bug() != VmSystem.Bug.WX_UNCHECKED) {
            throw VmError.of(VmError.Kind.WX_VIOLATION, "EACCES", "%s: %s is writable and executable (W^X)", op, prot);
        }
    }

    // ------------------------------------------------------------------ munmap

    /**
     * Removes every mapping in {@code [addr, addr + length)}; pages of the range that are not
     * mapped are skipped, so the range may cover several areas or lie partly outside them. Frames
     * whose last mapping goes are freed. Areas are split, never merged.
     *
     * @throws VmError MISALIGNED (also an end strictly inside a hugetlb area off its page size),
     *     ZERO_LENGTH, OUT_OF_RANGE (all EINVAL, as Linux); nothing changes then
     */
    public void munmap(UserAddr addr, long length) {
        if (!addr.isPageAligned()) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "munmap: %s is not page-aligned", addr);
        }
        if (length == 0) {
            throw VmError.of(VmError.Kind.ZERO_LENGTH, "EINVAL", "munmap: length 0");
        }
        long start = addr.page();
        if (length < 0 || start + pagesOf(length) > layout.topPage()) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "munmap: [%s, +0x%x) leaves user space", addr, length);
        }
        checkHugetlbCuts("munmap", start, start + pagesOf(length));
        splitHugePartly(List.of(new long[] {start, start + pagesOf(length)}));
        unmapRange(start, start + pagesOf(length));
    }

    /**
     * Unmaps {@code [start, end)}. A huge page the range covers whole goes as one leaf
     * (zap_huge_pmd); one it covers in part must have been split by the caller
     * ({@link #splitHugePartly}) before its first change, since the split needs a table frame.
     */
    private void unmapRange(long start, long end) {
        splitAt(start);
        splitAt(end);
        List<Vma> gone = overlapping(start, end);
        for (Vma v : gone) {
            areas.remove(v.start());
        }
        for (long pmd : new ArrayList<>(huge.subSet(start, end))) {
            if (pmd + PMD_PAGES > end) {
                throw new IllegalStateException("huge page at " + pmd + " only partly inside [" + start + ", " + end + ")");
            }
            mapper.unmap(hugePage(pmd));
            huge.remove(pmd);
            for (long q = pmd; q < pmd + PMD_PAGES; q++) {
                frames.release(translations.remove(q).frame());
            }
        }
        for (Map.Entry<Long, Pte> e : new TreeMap<>(translations.subMap(start, end)).entrySet()) {
            long q = e.getKey();
            if (!translations.containsKey(q)) {
                continue;
            }
            Page leaf = hardwareTranslation(q).page();
            // A hugetlb page goes as one leaf (its area's bounds are aligned, so it lies wholly inside).
            mapper.unmap(leaf);
            long first = leaf.start().value() >>> Vma.PAGE_SHIFT;
            for (long k = first; k < first + leaf.size().frames(); k++) {
                frames.release(translations.remove(k).frame());
            }
        }
        for (Vma v : gone) {
            if (v.flags().shared()) {
                frames.objectPages(v.file(), -v.pages());
            }
        }
        ghost.subMap(start, end).clear();
    }

    /** Unmaps everything (process exit); every frame this space held loses a reference. */
    public void exit() {
        unmapRange(0, layout.topPage());
        mapper.release();
    }

    // ------------------------------------------------------------------ mremap

    /**
     * Linux's {@code mremap}: resizes the mapping at {@code addr} from {@code oldLength} to
     * {@code newLength} bytes (both rounded up to pages) and returns where it now starts.
     *
     * <p>Shrinking unmaps the tail and never moves. Growing extends the area in place when the old
     * range ends at its area's end and the pages above are free (the area merges with a mergeable
     * neighbour, as {@code vma_merge} does); otherwise, with MREMAP_MAYMOVE, the range moves to a
     * place found as mmap finds one. MREMAP_FIXED moves to {@code newAddr} exactly, first unmapping
     * what lies there; MREMAP_DONTUNMAP moves the pages and leaves the old range mapped and empty.
     * A moved range keeps its backing, file offset (an anonymous area keeps its {@code vm_pgoff}, so
     * it merges only with what is contiguous with it) and anon_vma; its present pages keep their
     * frames and rights, and every old translation is unmapped through the page table, whose TLB
     * hook reports each to the {@link TlbPort}. An old length of 0 on a shared mapping maps the same
     * object a second time (Linux's "duplicate" case).
     *
     * @param newAddr MREMAP_FIXED's target, the hint of MREMAP_DONTUNMAP, else ignored; may be {@code null}
     * @throws VmError BAD_FLAGS, MISALIGNED, OUT_OF_RANGE, ZERO_LENGTH, OVERLAP, HUGETLB_RESIZE (EINVAL);
     *     BAD_ADDRESS (EFAULT); BELOW_MIN_ADDR (EPERM); NO_SPACE, OUT_OF_MEMORY (ENOMEM). Nothing
     *     changes then, where Linux has already unmapped MREMAP_FIXED's target or the tail of a
     *     shrinking move before some of its later checks (spec: intended divergence)
     */
    public UserAddr mremap(UserAddr addr, long oldLength, long newLength, RemapFlags flags, UserAddr newAddr) {
        if (flags.unknown()) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mremap: unknown flag bits in %s", flags);
        }
        if (flags.fixed() && !flags.mayMove()) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mremap: MREMAP_FIXED without MREMAP_MAYMOVE");
        }
        if (flags.dontUnmap() && (!flags.mayMove() || oldLength != newLength)) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL",
                    "mremap: MREMAP_DONTUNMAP needs MREMAP_MAYMOVE and equal lengths (0x%x, 0x%x)", oldLength, newLength);
        }
        if (!addr.isPageAligned()) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mremap: %s is not page-aligned", addr);
        }
        long userBytes = layout.topPage() << Vma.PAGE_SHIFT;
        if (oldLength < 0 || newLength < 0 || oldLength > userBytes || newLength > userBytes) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "mremap: length 0x%x or 0x%x exceeds user space",
                    oldLength, newLength);
        }
        long oldPages = pagesOf(oldLength);
        long newPages = pagesOf(newLength);
        if (newPages == 0) {
            throw VmError.of(VmError.Kind.ZERO_LENGTH, "EINVAL", "mremap: new length 0");
        }
        long start = addr.page();
        Vma v = areaAt(start).orElseThrow(() -> VmError.of(VmError.Kind.BAD_ADDRESS, "EFAULT", "mremap: no area at %s", addr));
        if (v.flags().hugetlb() != null) {
            long hp = v.flags().pagesPerPage();
            oldPages = ceilDiv(oldPages, hp) * hp;
            newPages = ceilDiv(newPages, hp) * hp;
            checkHugetlbRemap(v, start, oldPages, newPages, flags, newAddr);
        }
        if (flags.movesTo()) {
            return remapTo(v, start, oldPages, newPages, flags, newAddr);
        }
        if (oldPages >= newPages) {
            // Always allowed: a shrink only unmaps the tail, whatever lies there (do_vmi_munmap).
            if (oldPages > newPages) {
                if (start + oldPages > layout.topPage()) {
                    throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "mremap: [%s, +0x%x) leaves user space", addr,
                            oldLength);
                }
                checkHugetlbCuts("mremap", start + newPages, start + oldPages);
                splitHugePartly(List.of(new long[] {start + newPages, start + oldPages}));
                unmapRange(start + newPages, start + oldPages);
            }
            return addr;
        }
        checkResizable(v, start, oldPages, newPages, flags);
        long delta = newPages - oldPages;
        if (growsInPlace(v, start, oldPages, newPages)) {
            Vma grown = new Vma(v.start(), v.end() + delta, v.prot(), v.flags(), v.file(), v.pgoff(), v.anonVma());
            put(grown);
            if (v.flags().shared()) {
                frames.objectPages(v.file(), delta);
            }
            mergeAround(grown.start(), grown.end());
            return addr;
        }
        if (!flags.mayMove()) {
            throw VmError.of(VmError.Kind.NO_SPACE, "ENOMEM", "mremap: [%d, %d) cannot grow in place to %d pages",
                    start, start + oldPages, newPages);
        }
        checkNotStack(v);
        long to = placeFor(v, start, null, newPages);
        moveVma(v, start, oldPages, newPages, to, flags);
        return UserAddr.ofPage(to);
    }

    /**
     * Whether {@link #mremap} grows {@code [start, start + oldPages)} of {@code v} to
     * {@code newPages} where it is: the range ends the area and the pages after it are free and
     * inside user space ({@code vma_expandable}).
     */
    private boolean growsInPlace(Vma v, long start, long oldPages, long newPages) {
        long delta = newPages - oldPages;
        return start + oldPages == v.end() && v.end() + delta <= layout.topPage() && !overlapsAny(v.end(), v.end() + delta);
    }

    /**
     * Where {@code mremap(addr, oldLength, newLength, flags, newAddr)} would move the mapping if
     * {@code flags} allow it to move, without changing anything: the search MREMAP_MAYMOVE makes
     * (with MREMAP_DONTUNMAP's {@code newAddr} as a hint). Empty if the mapping would stay where it
     * is (a shrink, the same length, or growth into the free pages after it, unless
     * MREMAP_DONTUNMAP moves it anyway), if MREMAP_FIXED names the place (no search), for a hugetlb
     * area, or if there is no area at {@code addr} or no place for it. The replay harness compares it with Linux's
     * choice.
     */
    public Optional<UserAddr> probeRemapPlacement(UserAddr addr, long oldLength, long newLength, RemapFlags flags,
            UserAddr newAddr) {
        Optional<Vma> v = addr.isPageAligned() ? areaAt(addr.page()) : Optional.empty();
        // A hugetlb area moves only with MREMAP_FIXED: it may not grow, and MREMAP_DONTUNMAP is refused.
        if (v.isEmpty() || newLength <= 0 || flags.fixed() || v.get().flags().hugetlb() != null) {
            return Optional.empty();
        }
        long oldPages = pagesOf(oldLength);
        long newPages = pagesOf(newLength);
        if (!flags.dontUnmap() && (newPages <= oldPages || growsInPlace(v.get(), addr.page(), oldPages, newPages))) {
            return Optional.empty();
        }
        try {
            return Optional.of(UserAddr.ofPage(placeFor(v.get(), addr.page(), flags.dontUnmap() ? newAddr : null, newPages)));
        } catch (VmError e) {
            return Optional.empty();
        }
    }

    /** Linux's {@code mremap_to}: MREMAP_FIXED, or MREMAP_DONTUNMAP (with {@code newAddr} as a hint). */
    private UserAddr remapTo(Vma v, long start, long oldPages, long newPages, RemapFlags flags, UserAddr newAddr) {
        UserAddr target = newAddr == null ? UserAddr.of(0) : newAddr;
        if (!target.isPageAligned()) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mremap: new address %s is not page-aligned", target);
        }
        long to = target.page();
        if (newPages > layout.topPage() || to > layout.topPage() - newPages) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "mremap: new range [%s, +%d pages) leaves user space",
                    target, newPages);
        }
        if (start + oldPages > to && to + newPages > start) {
            throw VmError.of(VmError.Kind.OVERLAP, "EINVAL", "mremap: old [%d, %d) and new [%d, %d) overlap", start,
                    start + oldPages, to, to + newPages);
        }
        // Linux unmaps the target and then a shrinking move's tail before the checks below; the
        // spec checks first, and neither unmapping touches [start, start + min(old, new)).
        long kept = Math.min(oldPages, newPages);
        if (oldPages > newPages && start + oldPages > layout.topPage()) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "mremap: old range [%d, %d) leaves user space", start,
                    start + oldPages);
        }
        checkResizable(v, start, kept, newPages, flags);
        checkNotStack(v);
        if (flags.fixed()) {
            if (to < layout.minPage()) {
                throw VmError.of(VmError.Kind.BELOW_MIN_ADDR, "EPERM", "mremap: MREMAP_FIXED %s below mmap_min_addr", target);
            }
        } else {
            to = placeFor(v, start, target.value() == 0 ? null : target, newPages);
        }
        checkHugetlbCuts("mremap", to, to + newPages, start + kept, start + oldPages);
        if (v.flags().hugetlb() != null) {
            moveHugetlb(v, start, oldPages, newPages, to);
            return UserAddr.ofPage(to);
        }
        moveVma(v, start, oldPages, newPages, to, flags);
        return UserAddr.ofPage(to);
    }

    /**
     * Linux's checks for a hugetlb area (mm/mremap.c since 5.16): the lengths were rounded up to
     * its page size; both addresses must be aligned to it, the area may not grow, and
     * MREMAP_DONTUNMAP is refused (VM_DONTEXPAND). Every range the call then cuts (the tail of a
     * shrink, the target's ends) must not split a hugetlb area off its page size.
     */
    private void checkHugetlbRemap(Vma v, long start, long oldPages, long newPages, RemapFlags flags, UserAddr newAddr) {
        long hp = v.flags().pagesPerPage();
        if (Math.floorMod(start, hp) != 0 || newAddr != null && Math.floorMod(newAddr.value() >>> Vma.PAGE_SHIFT, hp) != 0
                || newAddr != null && !newAddr.isPageAligned()) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "mremap: %d or %s is not aligned to the %s pages of %s",
                    start, newAddr, v.flags().hugetlb(), v);
        }
        if (newPages > oldPages) {
            throw VmError.of(VmError.Kind.HUGETLB_RESIZE, "EINVAL", "mremap: the hugetlb area %s cannot grow", v);
        }
        if (flags.dontUnmap()) {
            throw VmError.of(VmError.Kind.HUGETLB_RESIZE, "EINVAL", "mremap: MREMAP_DONTUNMAP of the hugetlb area %s", v);
        }
    }

    /** Linux's {@code vma_to_resize} for {@code [start, start + oldPages)} inside {@code v}. */
    private void checkResizable(Vma v, long start, long oldPages, long newPages, RemapFlags flags) {
        if (oldPages == 0 && !v.flags().shared()) {
            throw VmError.of(VmError.Kind.ZERO_LENGTH, "EINVAL", "mremap: old length 0 duplicates only shared mappings, not %s", v);
        }
        if (flags.dontUnmap() && v.flags().special()) {
            throw VmError.of(VmError.Kind.BAD_FLAGS, "EINVAL", "mremap: MREMAP_DONTUNMAP of the special mapping %s", v);
        }
        if (start + oldPages > v.end()) {
            throw VmError.of(VmError.Kind.BAD_ADDRESS, "EFAULT", "mremap: [%d, %d) runs past the end of %s", start,
                    start + oldPages, v);
        }
        if (newPages != oldPages && v.flags().special()) {
            throw VmError.of(VmError.Kind.BAD_ADDRESS, "EFAULT", "mremap: the special mapping %s cannot be resized", v);
        }
    }

    /** The spec's one divergence in mremap's checks: a stack stays where AS-5 wants it. */
    private static void checkNotStack(Vma v) {
        if (v.flags().growsDown()) {
            throw VmError.of(VmError.Kind.STACK_MOVE, "EINVAL", "mremap: the stack %s does not move (AS-5)", v);
        }
    }

    /** Where mremap's {@code get_unmapped_area} puts {@code pages} pages of {@code v} moved from {@code start}. */
    private long placeFor(Vma v, long start, UserAddr hint, long pages) {
        boolean shmem = v.file() != null && v.file().startsWith(FrameTable.SHMEM_PREFIX);
        String file = shmem ? null : v.file();
        MapFlags mf = new MapFlags(v.flags().shared(), file == null, false, false, v.flags().noReserve());
        return placeAlignedAt(hint, pages, file, v.pgoff() + (start - v.start()), mf);
    }

    /**
     * Linux's {@code move_vma}: the first {@code min(oldPages, newPages)} pages at {@code start}
     * move to {@code to} with their frames; the new area is {@code newPages} long. Every check has
     * passed; the only failure left is a missing page-table frame at the target, and it is met
     * before anything changes: the moved translations are first mapped at every target page that
     * holds none, and that step is undone on failure (tables unlinked, their frames' old contents
     * restored), as a failed fork is.
     */
    private void moveVma(Vma v, long start, long oldPages, long newPages, long to, RemapFlags flags) {
        long kept = Math.min(oldPages, newPages);
        // Huge pages the move touches are split first: the moved ones whole (the model moves 4 KiB
        // leaves; Linux's move_huge_pmd would move an aligned one as it is), every one the target
        // overlaps (its pages are replaced or unmapped 4 KiB at a time below, even where the target
        // covers the huge page whole), and the tail's where cut. The frame check also reserves, at
        // most, three new tables per 2 MiB region of the target, so that nothing after the splits can fail.
        java.util.TreeSet<Long> split = new java.util.TreeSet<>();
        for (long pmd : huge) {
            boolean moved = pmd < start + kept && pmd + PMD_PAGES > start;
            boolean cut = pmd < to + newPages && pmd + PMD_PAGES > to
                    || oldPages > newPages && pmd < start + oldPages && pmd + PMD_PAGES > start + newPages
                            && (pmd < start + newPages || pmd + PMD_PAGES > start + oldPages);
            if (moved || cut) {
                split.add(pmd);
            }
        }
        List<Long> hugetlbTarget = hugetlbPagesIn(to, to + newPages);
        long reserve = 3L * frames.format().tableFrames() * (newPages / PMD_PAGES + 2);
        if (!hugetlbTarget.isEmpty() && frames.allocator().freeFrames() < split.size() * (long) frames.format().tableFrames() + reserve) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "mremap: no frames for the tables that replace hugetlb pages");
        }
        splitHuge(split, split.isEmpty() ? 0 : reserve);
        // Hugetlb pages the target covers (whole: checkHugetlbCuts) go first as whole leaves, so
        // that the moved pages are mapped 4 KiB each where they were; the frames reserved above
        // cover those pages' new tables.
        for (long first : hugetlbTarget) {
            org.mmspec.paging.PageSize size = hugetlbSize(first);
            mapper.unmap(leafPage(first, size));
            for (long q = first; q < first + size.frames(); q++) {
                frames.release(translations.remove(q).frame());
            }
        }
        TreeMap<Long, Pte> moving = new TreeMap<>(translations.subMap(start, start + kept));
        PhysicalMemory saved = frames.memory().copy();
        java.util.SortedSet<PhysFrame> tablesBefore = new java.util.TreeSet<>(mapper.tableFrames());
        List<Long> mapped = new ArrayList<>();
        try {
            for (Map.Entry<Long, Pte> e : moving.entrySet()) {
                long dest = to + (e.getKey() - start);
                if (!translations.containsKey(dest)) {
                    mapper.map(page4k(dest), e.getValue().frame(), hwFlags(e.getValue()));
                    mapped.add(dest);
                }
            }
        } catch (PagingError e) {
            List<PhysFrame> fresh = new ArrayList<>(mapper.tableFrames());
            fresh.removeAll(tablesBefore);
            for (long dest : mapped) {
                mapper.unmap(page4k(dest));
            }
            for (PhysFrame t : fresh) {
                for (long w = 0; w < frames.format().tableFrames() * PhysFrame.SIZE; w += PhysicalMemory.WORD_BYTES) {
                    frames.memory().write64(t.start().plus(w), saved.read64(t.start().plus(w)));
                }
            }
            throw fromPaging(e, "mremap: no frame for a page table at the new address");
        }
        Vma moved = new Vma(to, to + newPages, v.prot(), v.flags(), v.file(), v.pgoff() + (start - v.start()), v.anonVma());
        if (moved.flags().shared()) {
            // Counted before anything is unmapped, so that the object survives a move onto itself.
            frames.objectPages(moved.file(), newPages);
        }
        TreeMap<Long, Long> movedGhost = new TreeMap<>(ghost.subMap(start, start + kept));
        // The target: areas go; a translation the move overwrites is replaced in place, any other unmapped.
        splitAt(to);
        splitAt(to + newPages);
        List<Vma> replaced = overlapping(to, to + newPages);
        for (Vma r : replaced) {
            areas.remove(r.start());
        }
        for (Map.Entry<Long, Pte> e : new TreeMap<>(translations.subMap(to, to + newPages)).entrySet()) {
            Pte incoming = moving.get(start + (e.getKey() - to));
            if (incoming != null) {
                mapper.remap(page4k(e.getKey()), incoming.frame(), hwFlags(incoming));
            } else {
                mapper.unmap(page4k(e.getKey()));
                translations.remove(e.getKey());
            }
            frames.release(e.getValue().frame());
        }
        for (Vma r : replaced) {
            if (r.flags().shared()) {
                frames.objectPages(r.file(), -r.pages());
            }
        }
        ghost.subMap(to, to + newPages).clear();
        // The old range: its translations leave (each unmap reports a TLB flush); the references move along.
        for (Map.Entry<Long, Pte> e : moving.entrySet()) {
            if (bug() != VmSystem.Bug.MREMAP_LEAVES_OLD_PTE) {
                mapper.unmap(page4k(e.getKey()));
                translations.remove(e.getKey());
            }
            translations.put(to + (e.getKey() - start), e.getValue());
        }
        ghost.subMap(start, start + kept).clear();
        movedGhost.forEach((q, w) -> ghost.put(to + (q - start), w));
        if (!flags.dontUnmap() && kept > 0) {
            splitAt(start);
            splitAt(start + kept);
            for (Vma gone : overlapping(start, start + kept)) {
                areas.remove(gone.start());
                if (gone.flags().shared()) {
                    frames.objectPages(gone.file(), -gone.pages());
                }
            }
        }
        if (oldPages > newPages) {
            unmapRange(start + newPages, start + oldPages);
        }
        put(moved);
        mergeAround(to, to + newPages);
    }

    /**
     * MREMAP_FIXED of a hugetlb area ({@code move_hugetlb_page_tables}): each present huge page
     * moves as one leaf with its frames and rights. Every check has passed; the only possible
     * failure, a missing table frame at the target, is excluded before the first change by
     * requiring the worst case free (one table per level above the leaf, per moved page, plus
     * the splits of transparent huge pages the target's ends cut).
     */
    private void moveHugetlb(Vma v, long start, long oldPages, long newPages, long to) {
        org.mmspec.paging.PageSize size = v.flags().hugetlb();
        List<Long> leaves = hugetlbPagesIn(start, start + newPages);
        // The root exists: a leaf at depth d needs at most d new tables.
        long levels = frames.format().leafDepth(size);
        java.util.SortedSet<Long> cut = new java.util.TreeSet<>();
        for (long edge : new long[] {to, to + newPages}) {
            hugeAt(edge).filter(pmd -> pmd != edge).ifPresent(cut::add);
        }
        long need = (leaves.size() * levels + cut.size()) * frames.format().tableFrames();
        if (frames.allocator().freeFrames() < need) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "mremap: no frames for the page tables of %d moved %s pages",
                    leaves.size(), size);
        }
        splitHuge(cut, 0);
        TreeMap<Long, Pte> moving = new TreeMap<>(translations.subMap(start, start + newPages));
        TreeMap<Long, Long> movedGhost = new TreeMap<>(ghost.subMap(start, start + newPages));
        for (long first : leaves) {
            mapper.unmap(leafPage(first, size));
        }
        for (long q : moving.keySet()) {
            translations.remove(q);
        }
        ghost.subMap(start, start + newPages).clear();
        areas.remove(v.start());
        if (v.start() < start) {
            put(v.slice(v.start(), start));
        }
        if (v.end() > start + newPages) {
            put(v.slice(start + newPages, v.end()));
        }
        // The old range is now free of this area; the target's occupants go as munmap would take them.
        unmapRange(to, to + newPages);
        if (oldPages > newPages) {
            unmapRange(start + newPages, start + oldPages);
        }
        for (long first : leaves) {
            long dest = to + (first - start);
            Pte p = moving.get(first);
            mapper.map(leafPage(dest, size), p.frame(), hwFlags(p));
        }
        moving.forEach((q, p) -> translations.put(to + (q - start), p));
        movedGhost.forEach((q, w) -> ghost.put(to + (q - start), w));
        put(new Vma(to, to + newPages, v.prot(), v.flags(), v.file(), v.pgoff() + (start - v.start()), v.anonVma()));
    }

    // ------------------------------------------------------------------ brk

    /**
     * Linux's {@code brk}: moves the heap end to {@code newBrk} and returns the heap end after
     * the call. It never fails with an error; a request it cannot grant (below the heap start,
     * past {@code RLIMIT_DATA}, or closer than one page plus a stack's guard gap to the next
     * area) returns the old end and changes nothing. Growth extends the heap area (or creates it
     * and merges it as mmap does); shrinking unmaps the freed pages. {@code null} queries.
     */
    public UserAddr brk(UserAddr newBrk) {
        long req = newBrk == null ? 0 : newBrk.value();
        long startBrk = layout.startBrkPage() << Vma.PAGE_SHIFT;
        if (req < startBrk || pagesOf(req) - layout.startBrkPage() > layout.brkLimitPages()
                || pagesOf(req) > layout.topPage()) {
            return UserAddr.of(brk);
        }
        long oldEnd = pagesOf(brk);
        long newEnd = pagesOf(req);
        if (newEnd == oldEnd) {
            brk = req;
        } else if (newEnd < oldEnd) {
            try {
                checkHugetlbCuts("brk", newEnd, oldEnd);
                splitHugePartly(List.of(new long[] {newEnd, oldEnd}));
            } catch (VmError e) {
                return UserAddr.of(brk);
            }
            unmapRange(newEnd, oldEnd);
            brk = req;
        } else {
            Vma next = firstEndingAfter(oldEnd);
            if (next != null && newEnd + 1 > startGap(next)) {
                return UserAddr.of(brk);
            }
            put(Vma.anonymous(oldEnd, newEnd, Prot.RW, VmFlags.PRIVATE.withAccounted(true)));
            mergeAround(oldEnd, newEnd);
            brk = req;
        }
        return UserAddr.of(brk);
    }

    /** The current heap end ({@code mm->brk}); may be unaligned. */
    public UserAddr brk() {
        return UserAddr.of(brk);
    }

    // ------------------------------------------------------------------ fork

    /**
     * Copy-on-write fork: the child gets the same areas and the same frames. Every shared frame
     * gains a reference; in private areas both sides lose write permission on it, so the first
     * write on either side faults and copies (or, as the last reference, just regains write).
     */
    public AddressSpace fork() {
        // The child's new tables are zeroed as they are allocated; a failed fork puts back what those
        // frames held while free, so that it changes nothing at all (stale contents included).
        PhysicalMemory saved = frames.memory().copy();
        AddressSpace child = new AddressSpace(this, frames, false);
        TreeMap<Long, Pte> shared = new TreeMap<>();
        for (Map.Entry<Long, Pte> e : translations.entrySet()) {
            Vma v = areaAt(e.getKey()).orElseThrow();
            boolean cow = !v.flags().shared() && bug() != VmSystem.Bug.FORK_KEEPS_WRITABLE;
            shared.put(e.getKey(), cow ? e.getValue().withWrite(false) : e.getValue());
        }
        try {
            for (Map.Entry<Long, Pte> e : shared.entrySet()) {
                long q = e.getKey();
                org.mmspec.paging.PageSize size = hugetlbLeafSize(q);
                if (size == null) {
                    child.mapper.map(page4k(q), e.getValue().frame(), hwFlags(e.getValue()));
                } else if (Math.floorMod(q, size.frames()) == 0) {
                    // copy_hugetlb_page_range: the child maps the same huge page, write-protected if private.
                    child.mapper.map(leafPage(q, size), e.getValue().frame(), hwFlags(e.getValue()));
                }
            }
        } catch (PagingError e) {
            List<PhysFrame> tables = new ArrayList<>(child.mapper.tableFrames());
            child.mapper.release();
            for (PhysFrame t : tables) {
                for (long w = 0; w < frames.format().tableFrames() * PhysFrame.SIZE; w += PhysicalMemory.WORD_BYTES) {
                    frames.memory().write64(t.start().plus(w), saved.read64(t.start().plus(w)));
                }
            }
            throw fromPaging(e, "fork: no frame for the child's page tables");
        }
        child.translations.clear();
        child.translations.putAll(shared);
        for (Vma v : areas.values()) {
            if (v.flags().shared()) {
                frames.objectPages(v.file(), v.pages());
            }
        }
        for (Map.Entry<Long, Pte> e : shared.entrySet()) {
            frames.share(e.getValue().frame());
            if (!huge.contains(e.getKey() - Math.floorMod(e.getKey(), PMD_PAGES)) && !inHugetlb(e.getKey())) {
                reprotect(e.getKey(), e.getValue());
            }
        }
        for (long first : hugetlbPagesIn(0, layout.topPage())) {
            reprotectLeaf(first, hugetlbSize(first), shared.get(first));
        }
        for (long pmd : huge) {
            // The parent keeps its huge leaf, write-protected as one (copy_huge_pmd); the child maps the frames 4 KiB each.
            reprotectHuge(pmd, shared.get(pmd));
        }
        return child;
    }

    // ------------------------------------------------------------------ kernel-internal API for the fault handler

    /** The area containing {@code page}, if any (Linux's {@code find_vma} with a containment check). */
    public Optional<Vma> areaAt(long page) {
        Map.Entry<Long, Vma> e = areas.floorEntry(page);
        return e != null && e.getValue().contains(page) ? Optional.of(e.getValue()) : Optional.empty();
    }

    /** The lowest area starting above {@code page} (Linux's {@code find_vma} when none contains it). */
    public Optional<Vma> areaAbove(long page) {
        return Optional.ofNullable(firstAtOrAbove(page + 1));
    }

    /** The highest area ending at or below {@code page}. */
    public Optional<Vma> areaBelow(long page) {
        Map.Entry<Long, Vma> e = areas.floorEntry(page);
        while (e != null && e.getValue().end() > page) {
            e = areas.lowerEntry(e.getKey());
        }
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    public Optional<Pte> translation(long page) {
        return Optional.ofNullable(translations.get(page));
    }

    /**
     * Demand paging: maps a fresh zeroed frame at {@code page} with the area's rights, attaching
     * an anon_vma to the area on its first fault.
     */
    public void installZeroPage(long page) {
        Vma v = areaAt(page).orElseThrow(() -> new IllegalStateException("no area at page " + page));
        if (translations.containsKey(page)) {
            throw new IllegalStateException("page " + page + " is already present");
        }
        if (v.flags().hugetlb() != null && bug() != VmSystem.Bug.HUGETLB_FAULT_SMALL) {
            installHugetlbPage(v, page);
            return;
        }
        long pgoff = v.pgoff() + (page - v.start());
        Optional<PhysFrame> cached = v.flags().shared() ? frames.cached(v.file(), pgoff) : Optional.empty();
        PhysFrame f = cached.isPresent() ? cached.get() : frames.allocateFrame();
        Pte pte = Pte.of(f, v.prot(), true);
        try {
            mapper.map(page4k(page), f, hwFlags(pte));
        } catch (PagingError e) {
            if (cached.isEmpty()) {
                frames.release(f);
            }
            throw fromPaging(e, "no frame for a page table");
        }
        if (cached.isPresent()) {
            // A shared object's page is found in the page cache, already holding its data.
            frames.share(f);
        } else {
            frames.zero(f);
            if (v.flags().shared()) {
                frames.insertCached(v.file(), pgoff, f);
            }
        }
        translations.put(page, pte);
        if (v.anonVma() == 0 && !v.flags().shared()) {
            put(v.withAnonVma(nextAnonVma++));
        }
    }

    /**
     * hugetlb_no_page: a fault anywhere in a hugetlb page maps the whole page, one leaf over a
     * naturally aligned, zeroed run of frames (order 9 for 2 MiB, order 18 for 1 GiB).
     */
    private void installHugetlbPage(Vma v, long page) {
        org.mmspec.paging.PageSize size = v.flags().hugetlb();
        long first = page - Math.floorMod(page, size.frames());
        org.mmspec.frames.FrameRange run = frames.allocateHugeRun(size.frames());
        Pte pte = Pte.of(run.start(), v.prot(), true);
        try {
            mapper.map(leafPage(first, size), run.start(), hwFlags(pte));
        } catch (PagingError e) {
            for (long f = run.start().number(); f < run.endNumber(); f++) {
                frames.release(PhysFrame.of(f));
            }
            throw fromPaging(e, "no frame for a page table");
        }
        for (long i = 0; i < size.frames(); i++) {
            PhysFrame f = PhysFrame.of(run.start().number() + i);
            frames.zero(f);
            translations.put(first + i, pte.withFrame(f));
        }
        if (v.anonVma() == 0) {
            put(v.withAnonVma(nextAnonVma++));
        }
    }

    /**
     * Copy-on-write, last reference: the frame stays, the translation regains write (and, in a W+X
     * area, loses exec: {@link Pte#wxSplit}).
     */
    public void reuseForWrite(long page) {
        org.mmspec.paging.PageSize hs = hugetlbLeafSize(page);
        if (hs != null) {
            long first = page - Math.floorMod(page, hs.frames());
            reprotectLeaf(first, hs, translations.get(first).withWrite(true));
            return;
        }
        Optional<Long> pmd = hugeAt(page);
        if (pmd.isPresent() && allExclusive(pmd.get())) {
            // do_huge_pmd_wp_page: an exclusive huge page regains write as a whole.
            reprotectHuge(pmd.get(), translations.get(pmd.get()).withWrite(true));
            return;
        }
        splitHugeForFault(page, 0);
        reprotect(page, translations.get(page).withWrite(true));
    }

    /**
     * W^X on the entry: an instruction fetch from a present page of a W+X area (only under
     * {@link WxPolicy#PERMIT}) whose translation lacks exec. The translation trades write for
     * exec in place; the next write faults and trades back ({@link #reuseForWrite} or
     * {@link #copyOnWrite}). No frame or table is needed, so it cannot fail.
     */
    public void execFlip(long page) {
        Vma v = areaAt(page).orElseThrow(() -> new IllegalStateException("no area at page " + page));
        if (!v.prot().isWriteExec()) {
            throw new IllegalStateException("exec flip at page " + page + " outside a W+X area: " + v);
        }
        org.mmspec.paging.PageSize hs = hugetlbLeafSize(page);
        if (hs != null) {
            long first = page - Math.floorMod(page, hs.frames());
            reprotectLeaf(first, hs, translations.get(first).execPhase());
            return;
        }
        splitHugeForFault(page, 0);
        reprotect(page, translations.get(page).execPhase());
    }

    /** Copy-on-write: copies the shared frame into a fresh one, maps it writable, drops the old reference. */
    public void copyOnWrite(long page) {
        org.mmspec.paging.PageSize hs = hugetlbLeafSize(page);
        if (hs != null) {
            copyHugetlbOnWrite(page - Math.floorMod(page, hs.frames()), hs);
            return;
        }
        // A shared huge page is split first and copied 4 KiB at a time (Linux since 5.8); the split's
        // table frame and the copy's frame are both checked for before either happens.
        splitHugeForFault(page, 1);
        Pte p = translations.get(page);
        PhysFrame fresh = frames.allocateFrame();
        frames.memory().copyFrame(p.frame(), fresh);
        // In place (ptep_clear_flush + set_pte): no table is reclaimed or needed, so the break cannot run
        // out of table frames while a shootdown still holds freed ones.
        Pte next = p.withWrite(true).withFrame(fresh).wxSplit();
        mapper.remap(page4k(page), fresh, hwFlags(next));
        translations.put(page, next);
        if (bug() != VmSystem.Bug.COW_NO_RELEASE) {
            frames.release(p.frame());
        }
    }

    /**
     * hugetlb_wp: a private hugetlb page shared after fork is copied whole into a fresh run (the
     * only failure, no run, comes before any change) and mapped writable in place of the old leaf.
     */
    private void copyHugetlbOnWrite(long first, org.mmspec.paging.PageSize size) {
        org.mmspec.frames.FrameRange run = frames.allocateHugeRun(size.frames());
        for (long i = 0; i < size.frames(); i++) {
            frames.memory().copyFrame(translations.get(first + i).frame(), PhysFrame.of(run.start().number() + i));
        }
        Pte next = translations.get(first).withWrite(true).withFrame(run.start()).wxSplit();
        mapper.remap(leafPage(first, size), run.start(), hwFlags(next));
        for (long i = 0; i < size.frames(); i++) {
            PhysFrame old = translations.get(first + i).frame();
            translations.put(first + i, next.withFrame(PhysFrame.of(run.start().number() + i)));
            frames.release(old);
        }
    }

    /**
     * Stack growth: extends the grows-down area {@code stack} down to {@code page}. The caller
     * has checked the stack limit and the guard gap.
     */
    public void expandStack(Vma stack, long page) {
        areas.remove(stack.start());
        put(stack.withStart(page));
    }

    /**
     * Stack growth and demand paging of {@code page} as one step: if no frame is left for the page
     * or its tables, the stack is restored and nothing changes.
     */
    public void growStackAndFault(Vma stack, long page) {
        expandStack(stack, page);
        try {
            installZeroPage(page);
        } catch (VmError e) {
            areas.remove(page);
            put(stack);
            throw e;
        }
    }

    /** Whether the hardware walk of {@code page}'s real page-table bits allows a user {@code access}. */
    public boolean hardwareAllows(long page, org.mmspec.paging.Access access) {
        return mapper.access(VirtAddr.of(page << Vma.PAGE_SHIFT), access).isEmpty();
    }

    /** A user load from a present readable page. */
    public long load(long page) {
        if (!hardwareAllows(page, org.mmspec.paging.Access.userRead())) {
            throw new IllegalStateException("load from page " + page + " without a readable translation");
        }
        return frames.memory().read64(hardwareTranslation(page).pa());
    }

    private Translation hardwareTranslation(long page) {
        return mapper.translate(VirtAddr.of(page << Vma.PAGE_SHIFT)).orElseThrow();
    }

    /** A user store to a present writable page; the ghost remembers what the page must show. */
    public void store(long page, long value) {
        if (!hardwareAllows(page, org.mmspec.paging.Access.userWrite())) {
            throw new IllegalStateException("store to page " + page + " without a writable translation");
        }
        frames.memory().write64(hardwareTranslation(page).pa(), value);
        if (value == 0) {
            ghost.remove(page);
        } else {
            ghost.put(page, value);
        }
    }

    // ------------------------------------------------------------------ transparent huge pages

    /**
     * Promotes the 2 MiB range at {@code pmdPage} to one huge leaf (khugepaged's collapse, or
     * MADV_COLLAPSE): the range must be 2 MiB-aligned, inside one private anonymous area that is
     * not W+X, and fully populated with exclusive frames (reference count 1) of equal rights. A
     * naturally aligned run of 512 frames (the frame allocator's order 9) receives a copy of every
     * page; the 512 small leaves are unmapped (each reported to the {@link TlbPort}), the huge leaf
     * is mapped with the same rights, and the old frames are released. Already huge: nothing to do.
     *
     * @throws VmError MISALIGNED (not 2 MiB-aligned), OUT_OF_RANGE, NOT_HUGE_ELIGIBLE (the format
     *     has no 2 MiB leaf, the range is not inside one such area, or not fully populated with
     *     exclusive pages of equal rights), OUT_OF_MEMORY (no aligned run); nothing changes then
     */
    public void collapseHuge(long pmdPage) {
        if (Math.floorMod(pmdPage, PMD_PAGES) != 0) {
            throw VmError.of(VmError.Kind.MISALIGNED, "EINVAL", "collapse: page %d is not 2 MiB-aligned", pmdPage);
        }
        if (pmdPage < 0 || pmdPage + PMD_PAGES > layout.topPage()) {
            throw VmError.of(VmError.Kind.OUT_OF_RANGE, "EINVAL", "collapse: [%d, +512) leaves user space", pmdPage);
        }
        if (!frames.format().pageSizes().contains(org.mmspec.paging.PageSize.MIB_2)) {
            throw VmError.of(VmError.Kind.NOT_HUGE_ELIGIBLE, "EINVAL", "collapse: %s has no 2 MiB leaf", frames.format().name());
        }
        if (huge.contains(pmdPage)) {
            return;
        }
        Optional<Vma> v = areaAt(pmdPage);
        boolean kind = v.isPresent() && v.get().isAnonymous() && !v.get().flags().shared() && !v.get().prot().isWriteExec()
                && v.get().flags().hugetlb() == null;
        boolean oneArea = v.isPresent() && v.get().end() >= pmdPage + PMD_PAGES;
        if (!kind || !oneArea && bug() != VmSystem.Bug.COLLAPSE_ACROSS_AREAS) {
            throw VmError.of(VmError.Kind.NOT_HUGE_ELIGIBLE, "EINVAL",
                    "collapse: [%d, +512) is not inside one private anonymous area that is not W+X: %s", pmdPage, v);
        }
        Pte first = translations.get(pmdPage);
        for (long q = pmdPage; q < pmdPage + PMD_PAGES; q++) {
            Pte t = translations.get(q);
            if (t == null || frames.refCount(t.frame()) != 1 || t.read() != first.read() || t.write() != first.write()
                    || t.exec() != first.exec()) {
                throw VmError.of(VmError.Kind.NOT_HUGE_ELIGIBLE, "EINVAL",
                        "collapse: page %d is absent, shared or has other rights than page %d", q, pmdPage);
            }
        }
        org.mmspec.frames.FrameRange run = frames.allocateHugeRun(PMD_PAGES);
        for (long i = 0; i < PMD_PAGES; i++) {
            frames.memory().copyFrame(translations.get(pmdPage + i).frame(), PhysFrame.of(run.start().number() + i));
        }
        for (long q = pmdPage; q < pmdPage + PMD_PAGES; q++) {
            mapper.unmap(page4k(q));
        }
        Pte hugePte = first.withFrame(run.start());
        mapper.map(hugePage(pmdPage), run.start(), hwFlags(hugePte));
        for (long i = 0; i < PMD_PAGES; i++) {
            PhysFrame old = translations.get(pmdPage + i).frame();
            translations.put(pmdPage + i, first.withFrame(PhysFrame.of(run.start().number() + i)));
            frames.release(old);
        }
        huge.add(pmdPage);
    }

    /** First pages of this space's huge pages. */
    public java.util.SortedSet<Long> hugePages() {
        return Collections.unmodifiableSortedSet(huge);
    }

    /** The huge page containing {@code page}, if one does. */
    public Optional<Long> hugeAt(long page) {
        long pmd = page - Math.floorMod(page, PMD_PAGES);
        return huge.contains(pmd) ? Optional.of(pmd) : Optional.empty();
    }

    private static Page hugePage(long pmd) {
        return Page.of(pmd << Vma.PAGE_SHIFT, org.mmspec.paging.PageSize.MIB_2);
    }

    private static Page leafPage(long first, org.mmspec.paging.PageSize size) {
        return Page.of(first << Vma.PAGE_SHIFT, size);
    }

    /** The hugetlb page size of the area containing {@code page}, {@code null} if it is no hugetlb area. */
    private org.mmspec.paging.PageSize hugetlbSize(long page) {
        return areaAt(page).map(v -> v.flags().hugetlb()).orElse(null);
    }

    /**
     * The size of the hugetlb leaf mapping {@code page}: its area's hugetlb page size if a leaf of
     * that size maps it, else {@code null} (no hugetlb area, not present, or, under the seeded
     * {@link VmSystem.Bug#HUGETLB_FAULT_SMALL}, a 4 KiB leaf).
     */
    private org.mmspec.paging.PageSize hugetlbLeafSize(long page) {
        org.mmspec.paging.PageSize size = hugetlbSize(page);
        if (size == null || !translations.containsKey(page) || hardwareTranslation(page).page().size() != size) {
            return null;
        }
        return size;
    }

    private boolean inHugetlb(long page) {
        return hugetlbLeafSize(page) != null;
    }

    /** First pages of the present hugetlb pages whose first page lies in {@code [start, end)}. */
    private List<Long> hugetlbPagesIn(long start, long end) {
        List<Long> out = new ArrayList<>();
        for (Vma v : overlapping(start, end)) {
            if (v.flags().hugetlb() == null) {
                continue;
            }
            long hp = v.flags().pagesPerPage();
            for (long first : translations.subMap(Math.max(start, v.start()), Math.min(end, v.end())).keySet()) {
                if (Math.floorMod(first, hp) == 0 && hardwareTranslation(first).page().size() == v.flags().hugetlb()) {
                    out.add(first);
                }
            }
        }
        return out;
    }

    /** New rights for a whole leaf of {@code size} at {@code first}: one update, one flush, a record per 4 KiB page. */
    private void reprotectLeaf(long first, org.mmspec.paging.PageSize size, Pte template) {
        Pte safe = template.wxSplit();
        mapper.updateFlags(leafPage(first, size), hwFlags(safe));
        for (long q = first; q < first + size.frames(); q++) {
            translations.put(q, new Pte(translations.get(q).frame(), safe.read(), safe.write(), safe.exec()));
        }
    }

    private boolean allExclusive(long pmd) {
        for (long q = pmd; q < pmd + PMD_PAGES; q++) {
            if (frames.refCount(translations.get(q).frame()) != 1) {
                return false;
            }
        }
        return true;
    }

    /** New rights for a whole huge page: one 2 MiB leaf, one flush, 512 records. */
    private void reprotectHuge(long pmd, Pte template) {
        Pte safe = template.wxSplit();
        mapper.updateFlags(hugePage(pmd), hwFlags(safe));
        for (long q = pmd; q < pmd + PMD_PAGES; q++) {
            translations.put(q, new Pte(translations.get(q).frame(), safe.read(), safe.write(), safe.exec()));
        }
    }

    /**
     * Splits every huge page that a range of {@code ranges} covers only in part (the ranges an
     * operation will split areas at), before the operation's first change: each split takes a
     * page-table frame, so all are checked for first and an operation that cannot have them is
     * rejected with OUT_OF_MEMORY having changed nothing.
     */
    private void splitHugePartly(List<long[]> ranges) {
        java.util.TreeSet<Long> split = new java.util.TreeSet<>();
        for (long[] r : ranges) {
            for (long edge : new long[] {r[0], r[1]}) {
                hugeAt(edge).filter(pmd -> pmd != edge).ifPresent(split::add);
            }
        }
        splitHuge(split, 0);
    }

    /** Splits the huge page containing {@code page}, if any, with {@code extra} frames also free for the fault. */
    private void splitHugeForFault(long page, long extra) {
        Optional<Long> pmd = hugeAt(page);
        if (pmd.isPresent()) {
            splitHuge(new java.util.TreeSet<>(List.of(pmd.get())), extra);
        }
    }

    /** Splits each huge page of {@code pmds} into 512 small leaves of the same frames and rights. */
    private void splitHuge(java.util.SortedSet<Long> pmds, long extra) {
        if (pmds.isEmpty()) {
            return;
        }
        long need = pmds.size() * (long) frames.format().tableFrames() + extra;
        if (frames.allocator().freeFrames() < need) {
            throw VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "no frame for the page tables that split huge pages %s", pmds);
        }
        for (long pmd : pmds) {
            // Rewriting one small page's flags makes the mapper split the leaf (split_huge_pmd), flushing it.
            mapper.updateFlags(page4k(pmd), hwFlags(translations.get(pmd)));
            huge.remove(pmd);
        }
    }

    /** Test hook: records {@code pmd} as huge without mapping anything (HUGE-1's negative test). */
    void corruptMarkHuge(long pmd) {
        huge.add(pmd);
    }

    // ------------------------------------------------------------------ views

    public Layout layout() {
        return layout;
    }

    public WxPolicy wxPolicy() {
        return wx;
    }

    public FrameTable frames() {
        return frames;
    }

    /** The hardware page table of this space. */
    public PageMapper mapper() {
        return mapper;
    }

    /**
     * The leaf flags that encode {@code p} for a user page (PROT_NONE: present, supervisor-only,
     * NX). Where the format has accessed/dirty bits they are set, as Linux's fault path does
     * ({@code pte_mkyoung}, and {@code pte_mkdirty} for a writable page), so that formats that fault
     * on a clear access flag (AArch64 without hardware AF management, RISC-V Svade) do not fault
     * again on a page the handler just resolved.
     */
    public PageFlags hwFlags(Pte p) {
        PageFlags f = PageFlags.PRESENT;
        PageFlags supported = frames.format().supportedFlags();
        if (supported.contains(PageFlags.ACCESSED)) {
            f = f.with(PageFlags.ACCESSED);
        }
        if (p.write() && supported.contains(PageFlags.DIRTY)) {
            f = f.with(PageFlags.DIRTY);
        }
        if (p.read() || bug() == VmSystem.Bug.PROT_NONE_USER_BIT) {
            f = f.with(PageFlags.USER);
        }
        if (p.write()) {
            f = f.with(PageFlags.WRITABLE);
        }
        if (!p.exec()) {
            f = f.with(PageFlags.NO_EXECUTE);
        }
        return f;
    }

    /** First page to area, in address order. */
    public NavigableMap<Long, Vma> areas() {
        return Collections.unmodifiableNavigableMap(areas);
    }

    /** Present pages to their translations. */
    public NavigableMap<Long, Pte> translations() {
        return Collections.unmodifiableNavigableMap(translations);
    }

    /** What each page must show (absent: zero). */
    public NavigableMap<Long, Long> ghost() {
        return Collections.unmodifiableNavigableMap(ghost);
    }

    /** Canonical value of this space (frames excluded; {@link VmSystem} adds them). */
    public Object key() {
        return List.of(new ArrayList<>(areas.values()).toString(), translations.toString(), ghost.toString(), brk,
                nextAnonVma, mapper.stateKey(), huge.toString());
    }

    @Override
    public String toString() {
        return "AS{areas=" + areas.values() + ", ptes=" + translations + ", brk=" + UserAddr.of(brk) + "}";
    }

    // ------------------------------------------------------------------ test hooks

    /** Test hook: removes every area (the inductiveness scope builds arbitrary arrangements). */
    void corruptClearAreas() {
        areas.clear();
    }

    /** Test hook: inserts an area without any check. */
    void corruptPutArea(Vma v) {
        areas.put(v.start(), v);
    }

    /** Test hook: installs a translation without any check. */
    void corruptPutPte(long page, Pte p) {
        translations.put(page, p);
    }

    /** Test hook: installs a translation in the record and the hardware table alike, without any check. */
    void corruptPutPteEverywhere(long page, Pte p) {
        if (mapper.translate(VirtAddr.of(page << Vma.PAGE_SHIFT)).isPresent()) {
            mapper.unmap(page4k(page));
        }
        mapper.map(page4k(page), p.frame(), hwFlags(p));
        translations.put(page, p);
    }

    // ------------------------------------------------------------------ helpers

    private VmSystem.Bug bug() {
        return frames.bug;
    }

    private void put(Vma v) {
        areas.put(v.start(), v);
    }

    private static Page page4k(long page) {
        return Page.of4k(page << Vma.PAGE_SHIFT);
    }

    /** New rights for a present page (same frame), in the record and the hardware table. */
    private void reprotect(long page, Pte next) {
        Pte safe = next.wxSplit();
        mapper.updateFlags(page4k(page), hwFlags(safe));
        translations.put(page, safe);
    }

    /**
     * A {@code PageMapper} refusal as this component's error, named for what it is: W^X stays
     * WX_VIOLATION (unreachable while every translation passes {@link Pte#wxSplit}, but never
     * reported as a lack of memory), everything else is a missing table frame.
     */
    private static VmError fromPaging(PagingError e, String what) {
        if (e.errorKind() == PagingError.Kind.WX_VIOLATION) {
            return VmError.of(VmError.Kind.WX_VIOLATION, "EACCES", "%s: %s", what, e.getMessage());
        }
        return VmError.of(VmError.Kind.OUT_OF_MEMORY, "ENOMEM", "%s: %s", what, e.getMessage());
    }

    private static long pagesOf(long bytes) {
        return (bytes + Vma.PAGE_SIZE - 1) >>> Vma.PAGE_SHIFT;
    }

    private boolean overlapsAny(long start, long end) {
        return !overlapping(start, end).isEmpty();
    }

    /** The areas that share a page with {@code [start, end)}, in address order. */
    private List<Vma> overlapping(long start, long end) {
        Long from = areas.floorKey(start);
        List<Vma> out = new ArrayList<>();
        for (Vma v : areas.subMap(from == null ? start : from, true, end, false).values()) {
            if (v.end() > start) {
                out.add(v);
            }
        }
        return out;
    }

    /** Splits the area containing {@code page} (if it starts before it) into two at {@code page}. */
    private void splitAt(long page) {
        Map.Entry<Long, Vma> e = areas.lowerEntry(page);
        if (e != null && e.getValue().end() > page) {
            Vma v = e.getValue();
            put(v.slice(v.start(), page));
            put(v.slice(page, v.end()));
        }
    }

    /**
     * Merges compatible neighbours among the areas from the one ending at {@code start} to the
     * one starting at {@code end}, left to right, as Linux's {@code vma_merge} does for the range
     * just changed.
     */
    private void mergeAround(long start, long end) {
        Map.Entry<Long, Vma> lo = areas.lowerEntry(start);
        long from = lo != null && lo.getValue().end() == start ? lo.getKey() : start;
        List<Vma> run = new ArrayList<>(areas.subMap(from, true, end, true).values());
        if (run.size() < 2) {
            return;
        }
        List<Vma> merged = new ArrayList<>();
        for (Vma v : run) {
            Vma last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.mergeableWith(v)) {
                merged.set(merged.size() - 1, last.mergeWith(v));
            } else {
                merged.add(v);
            }
        }
        for (Vma v : run) {
            areas.remove(v.start());
        }
        for (Vma v : merged) {
            put(v);
        }
    }
}
