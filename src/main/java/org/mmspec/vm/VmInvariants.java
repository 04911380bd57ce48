package org.mmspec.vm;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Mapping;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PagingInvariants;

/**
 * The invariants of address spaces, copy-on-write, cross-layer frame ownership and zeroing,
 * stated over a whole {@link VmSystem}. {@code spec/address-spaces.md} and {@code spec/security.md}
 * define each ID.
 */
public final class VmInvariants {
    private VmInvariants() {
    }

    public static final Invariant<VmSystem> VMA_1 = Invariant.of("VMA-1",
            "areas are non-empty, keyed by their first page, sorted and disjoint",
            s -> eachSpace(s, (i, as) -> {
                Vma prev = null;
                for (Map.Entry<Long, Vma> e : as.areas().entrySet()) {
                    Vma v = e.getValue();
                    if (e.getKey() != v.start() || v.start() >= v.end()) {
                        return broken("P%d: area %s keyed at %d", i, v, e.getKey());
                    }
                    if (prev != null && prev.end() > v.start()) {
                        return broken("P%d: %s overlaps %s", i, prev, v);
                    }
                    prev = v;
                }
                return holds();
            }));

    public static final Invariant<VmSystem> VMA_2 = Invariant.of("VMA-2",
            "every area lies inside user space [mmap_min_addr, TASK_SIZE) in whole pages",
            s -> eachSpace(s, (i, as) -> {
                for (Vma v : as.areas().values()) {
                    if (v.start() < as.layout().minPage() || v.end() > as.layout().topPage()) {
                        return broken("P%d: %s outside [%d, %d)", i, v, as.layout().minPage(), as.layout().topPage());
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> VMA_3 = Invariant.of("VMA-3",
            "no two adjacent areas could be merged, except two stack pieces (mmap, mprotect and brk merge as"
                    + " Linux's vma_merge; stack growth, like expand_downwards, does not)",
            s -> eachSpace(s, (i, as) -> {
                Vma prev = null;
                for (Vma v : as.areas().values()) {
                    if (prev != null && prev.mergeableWith(v) && !(prev.flags().growsDown() && v.flags().growsDown())) {
                        return broken("P%d: %s and %s are mergeable but separate", i, prev, v);
                    }
                    prev = v;
                }
                return holds();
            }));

    public static final Invariant<VmSystem> AS_1 = Invariant.of("AS-1",
            "every present translation lies inside an area",
            s -> eachSpace(s, (i, as) -> {
                for (Long page : as.translations().keySet()) {
                    if (as.areaAt(page).isEmpty()) {
                        return broken("P%d: page %d is present but in no area", i, page);
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> AS_2 = Invariant.of("AS-2",
            "every present translation grants no more than its area allows",
            s -> eachSpace(s, (i, as) -> {
                for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                    Optional<Vma> v = as.areaAt(e.getKey());
                    if (v.isEmpty()) {
                        continue; // AS-1's business
                    }
                    Prot p = v.get().prot();
                    Pte t = e.getValue();
                    if ((t.read() && !p.readable()) || (t.write() && !p.write()) || (t.exec() && !p.exec())) {
                        return broken("P%d: page %d maps %s but its area allows only %s", i, e.getKey(), t, p);
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> AS_3 = Invariant.of("AS-3",
            "under W^X enforcement no area is both writable and executable",
            s -> eachSpace(s, (i, as) -> {
                if (as.wxPolicy() != AddressSpace.WxPolicy.ENFORCE) {
                    return holds();
                }
                for (Vma v : as.areas().values()) {
                    if (v.prot().isWriteExec()) {
                        return broken("P%d: area %s is writable and executable", i, v);
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> AS_4 = Invariant.of("AS-4",
            "no present translation is both writable and executable, under either W^X policy",
            s -> eachSpace(s, (i, as) -> {
                for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                    if (e.getValue().write() && e.getValue().exec()) {
                        return broken("P%d: page %d maps %s", i, e.getKey(), e.getValue());
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> AS_5 = Invariant.of("AS-5",
            "every grows-down (stack) area lies within the stack limit below the stack top",
            s -> eachSpace(s, (i, as) -> {
                for (Vma v : as.areas().values()) {
                    if (v.flags().growsDown() && (v.start() < as.layout().stackFloor() || v.end() > as.layout().stackTop())) {
                        return broken("P%d: stack %s outside [%d, %d)", i, v, as.layout().stackFloor(), as.layout().stackTop());
                    }
                }
                return holds();
            }));

    /**
     * AS-6, the hardware view: what the MMU itself grants a user-mode access, read from the real
     * page-table bits and combined over every level as {@link org.mmspec.paging.Mmu#check} does
     * (x86_64 US/RW/NX, AArch64 AP/UXN/PXN with APTable/XNTable, RISC-V R/W/X/U). AS-2 compares
     * the space's own record with its area and XLAYER-3 the record with the bits through the same
     * {@link AddressSpace#hwFlags} encoder, so a wrong encoder (a user bit on a PROT_NONE page)
     * passes both; this one compares the bits with the area directly. It visits every user page
     * and every leaf of the tree, so a leaf outside every area must grant nothing either.
     */
    public static final Invariant<VmSystem> AS_6 = Invariant.of("AS-6",
            "the user access the MMU walk grants at every page and every present leaf is no more than the covering"
                    + " area's protection; an address with no area or a PROT_NONE area grants nothing",
            s -> eachSpace(s, (i, as) -> {
                java.util.TreeSet<Long> pages = new java.util.TreeSet<>();
                for (long q = 0; q < as.layout().topPage(); q++) {
                    pages.add(q);
                }
                for (org.mmspec.paging.VirtAddr va : as.mapper().mappings().keySet()) {
                    pages.add(va.value() >>> Vma.PAGE_SHIFT);
                }
                for (long q : pages) {
                    Prot granted = hardwareGrants(as, q);
                    Prot allowed = as.areaAt(q).map(Vma::prot).orElse(Prot.NONE);
                    boolean readOk = !granted.read() || allowed.readable();
                    boolean writeOk = !granted.write() || allowed.write();
                    boolean execOk = !granted.exec() || allowed.exec();
                    if (!readOk || !writeOk || !execOk) {
                        return broken("P%d: the MMU grants user %s at page %d but %s", i, granted, q,
                                as.areaAt(q).map(v -> "its area " + v + " allows only " + v.prot()).orElse("no area covers it"));
                    }
                }
                return holds();
            }));

    /**
     * The user accesses the MMU would perform at {@code page} of {@code as}, from the real bits. An
     * access-state fault (AArch64 AF=0, RISC-V A/D clear) counts as granted: the handler only sets
     * the bit and retries, so the permission is there.
     */
    public static Prot hardwareGrants(AddressSpace as, long page) {
        org.mmspec.paging.VirtAddr va;
        try {
            va = org.mmspec.paging.VirtAddr.of(page << Vma.PAGE_SHIFT);
        } catch (RuntimeException nonCanonical) {
            return Prot.NONE;
        }
        return new Prot(grants(as, va, org.mmspec.paging.Access.userRead()),
                grants(as, va, org.mmspec.paging.Access.userWrite()),
                grants(as, va, org.mmspec.paging.Access.userExecute()));
    }

    private static boolean grants(AddressSpace as, org.mmspec.paging.VirtAddr va, org.mmspec.paging.Access access) {
        Optional<org.mmspec.paging.Walk.Fault> f = as.mapper().access(va, access);
        return f.isEmpty() || f.get().kind() == org.mmspec.paging.Walk.FaultKind.ACCESS_STATE;
    }

    public static final Invariant<VmSystem> COW_1 = Invariant.of("COW-1",
            "a frame's reference count equals the number of present translations to it, in all spaces, plus one if the page cache holds it",
            s -> {
                Map<Long, Integer> counted = mappings(s);
                for (Long f : s.frames().cachedFrames()) {
                    counted.merge(f, 1, Integer::sum);
                }
                if (!counted.equals(new HashMap<>(s.frames().refs()))) {
                    return broken("reference counts %s but mappings %s", s.frames().refs(), counted);
                }
                return holds();
            });

    public static final Invariant<VmSystem> COW_2 = Invariant.of("COW-2",
            "a frame mapped more than once from private areas is writable in none of them",
            s -> eachSpace(s, (i, as) -> {
                for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                    Optional<Vma> v = as.areaAt(e.getKey());
                    if (e.getValue().write() && v.isPresent() && !v.get().flags().shared()
                            && s.frames().refCount(e.getValue().frame()) > 1) {
                        return broken("P%d: page %d writes %s, which has %d references", i, e.getKey(),
                                e.getValue().frame(), s.frames().refCount(e.getValue().frame()));
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> XLAYER_1 = Invariant.of("XLAYER-1",
            "no frame is both free in the frame allocator and mapped, and no mapped frame is also a page table",
            s -> {
                Set<Long> tables = tableFrames(s);
                return eachSpace(s, (i, as) -> {
                    for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                        if (s.frames().isFree(e.getValue().frame())) {
                            return broken("P%d: page %d maps %s, which the allocator holds free", i, e.getKey(),
                                    e.getValue().frame());
                        }
                        if (tables.contains(e.getValue().frame().number())) {
                            return broken("P%d: page %d maps %s, which is a page table", i, e.getKey(), e.getValue().frame());
                        }
                    }
                    return holds();
                });
            });

    public static final Invariant<VmSystem> XLAYER_2 = Invariant.of("XLAYER-2",
            "frames mapped by address spaces or held by the page cache, plus page-table frames, plus free frames, plus frames the TLB shootdown withholds (lazy deferred-free list), account for every frame (no leaks)",
            s -> {
                Set<Long> user = new java.util.HashSet<>(mappings(s).keySet());
                user.addAll(s.frames().cachedFrames());
                long mapped = user.size();
                long tables = tableFrames(s).size();
                long free = s.frames().allocator().freeFrames();
                long withheld = s.frames().port().withheld().size();
                long all = s.frames().allocator().managedFrames();
                return mapped + tables + free + withheld == all ? holds()
                        : broken("%d mapped + %d table + %d free + %d withheld != %d managed: %d frame(s) leaked", mapped,
                                tables, free, withheld, all, all - mapped - tables - free - withheld);
            });

    public static final Invariant<VmSystem> XLAYER_3 = Invariant.of("XLAYER-3",
            "walking each space's real page-table bits gives exactly its recorded translations, frame and rights",
            s -> eachSpace(s, (i, as) -> {
                Map<Long, String> hw = new TreeMap<>();
                for (Mapping m : as.mapper().mappings().values()) {
                    // A huge leaf stands for each of its 4 KiB pages, at consecutive frames, with its flags.
                    long first = m.page().start().value() >>> Vma.PAGE_SHIFT;
                    for (long k = 0; k < m.page().size().bytes() >>> Vma.PAGE_SHIFT; k++) {
                        hw.put(first + k, (m.frame().number() + k) + " " + m.flags());
                    }
                }
                Map<Long, String> rec = new TreeMap<>();
                for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                    rec.put(e.getKey(), e.getValue().frame().number() + " " + as.hwFlags(e.getValue()));
                }
                return hw.equals(rec) ? holds() : broken("P%d: page table holds %s but the space records %s", i, hw, rec);
            }));

    public static final Invariant<VmSystem> HUGE_1 = Invariant.of("HUGE-1",
            "each space's transparent huge pages are exactly its 2 MiB leaves outside MAP_HUGETLB areas; each lies"
                    + " 2 MiB-aligned inside one private anonymous area (not hugetlb) and maps 512 consecutive frames from a"
                    + " 2 MiB-aligned first frame, with equal rights on every page",
            s -> eachSpace(s, (i, as) -> {
                java.util.TreeSet<Long> leaves = new java.util.TreeSet<>();
                for (Mapping m : as.mapper().mappings().values()) {
                    long first = m.page().start().value() >>> Vma.PAGE_SHIFT;
                    if (m.page().size() == org.mmspec.paging.PageSize.MIB_2
                            && as.areaAt(first).map(v -> v.flags().hugetlb() == null).orElse(true)) {
                        leaves.add(first);
                    }
                }
                if (!leaves.equals(new java.util.TreeSet<>(as.hugePages()))) {
                    return broken("P%d: huge pages recorded %s but 2 MiB leaves at %s", i, as.hugePages(), leaves);
                }
                for (long pmd : as.hugePages()) {
                    Optional<Vma> v = as.areaAt(pmd);
                    if (pmd % AddressSpace.PMD_PAGES != 0 || v.isEmpty() || v.get().end() < pmd + AddressSpace.PMD_PAGES
                            || !v.get().isAnonymous() || v.get().flags().shared() || v.get().flags().hugetlb() != null) {
                        return broken("P%d: huge page at %d is not inside one private anonymous area: %s", i, pmd, v);
                    }
                    Pte first = as.translations().get(pmd);
                    if (first == null || first.frame().number() % AddressSpace.PMD_PAGES != 0) {
                        return broken("P%d: huge page at %d maps %s, not a 2 MiB-aligned frame", i, pmd, first);
                    }
                    for (long k = 1; k < AddressSpace.PMD_PAGES; k++) {
                        Pte t = as.translations().get(pmd + k);
                        if (t == null || t.frame().number() != first.frame().number() + k || t.read() != first.read()
                                || t.write() != first.write() || t.exec() != first.exec()) {
                            return broken("P%d: page %d of the huge page at %d records %s after %s", i, pmd + k, pmd, t, first);
                        }
                    }
                }
                return holds();
            }));

    /**
     * HUGETLB-1: a MAP_HUGETLB area is made of whole huge pages and only ever mapped by leaves of
     * its size. The record keeps one {@link Pte} per 4 KiB page, so each present page is checked
     * against the leaf the hardware walk of its huge page's first byte ends at.
     */
    public static final Invariant<VmSystem> HUGETLB_1 = Invariant.of("HUGETLB-1",
            "every MAP_HUGETLB area's bounds are aligned to its page size, and every present translation in it belongs"
                    + " to one leaf of that size at its page's aligned start, over a run of frames aligned to that size,"
                    + " recorded page by page as consecutive frames with equal rights",
            s -> eachSpace(s, (i, as) -> {
                for (Vma v : as.areas().values()) {
                    org.mmspec.paging.PageSize size = v.flags().hugetlb();
                    if (size == null) {
                        continue;
                    }
                    long hp = size.frames();
                    if (v.start() % hp != 0 || v.end() % hp != 0) {
                        return broken("P%d: hugetlb area %s is not aligned to its %s pages", i, v, size);
                    }
                    long chunk = -1;
                    Pte first = null;
                    for (Map.Entry<Long, Pte> e : as.translations().subMap(v.start(), v.end()).entrySet()) {
                        long q = e.getKey();
                        if (q - q % hp != chunk) {
                            chunk = q - q % hp;
                            Optional<org.mmspec.paging.Translation> t =
                                    as.mapper().translate(org.mmspec.paging.VirtAddr.of(chunk << Vma.PAGE_SHIFT));
                            first = as.translations().get(chunk);
                            if (t.isEmpty() || t.get().page().size() != size || first == null
                                    || first.frame().number() % hp != 0) {
                                return broken("P%d: page %d of hugetlb area %s is mapped by %s (record %s), not one %s leaf"
                                        + " over an aligned run", i, q, v, t.map(x -> x.page().toString()).orElse("nothing"),
                                        first, size);
                            }
                        }
                        Pte p = e.getValue();
                        if (p.frame().number() != first.frame().number() + (q - chunk) || p.read() != first.read()
                                || p.write() != first.write() || p.exec() != first.exec()) {
                            return broken("P%d: page %d of the hugetlb page at %d records %s after %s", i, q, chunk, p, first);
                        }
                    }
                }
                return holds();
            }));

    public static final Invariant<VmSystem> SEC_1 = Invariant.of("SEC-1",
            "no mapping exposes old data: every present private page shows what this process last stored there, or zero",
            s -> eachSpace(s, (i, as) -> {
                for (Map.Entry<Long, Pte> e : as.translations().entrySet()) {
                    Optional<Vma> v = as.areaAt(e.getKey());
                    if (v.isEmpty() || v.get().flags().shared()) {
                        continue;
                    }
                    long shows = s.frames().read(e.getValue().frame());
                    long must = as.ghost().getOrDefault(e.getKey(), 0L);
                    if (shows != must) {
                        return broken("P%d: page %d shows 0x%x but must show 0x%x", i, e.getKey(), shows, must);
                    }
                }
                return holds();
            }));

    /**
     * Every invariant, in spec order, followed by the paging invariants (WX-1, PT-n, PTE-n, defined
     * in {@code spec/paging.md}) of every space's page table.
     */
    public static final InvariantSet<VmSystem> ALL = InvariantSet.of("vm", all(), VmSystem::toString);

    private static List<Invariant<VmSystem>> all() {
        List<Invariant<VmSystem>> out = new java.util.ArrayList<>(
                List.of(VMA_1, VMA_2, VMA_3, AS_1, AS_2, AS_3, AS_4, AS_5, AS_6, COW_1, COW_2, XLAYER_1, XLAYER_2, XLAYER_3, HUGE_1,
                        HUGETLB_1, SEC_1));
        for (Invariant<PageMapper> pt : PagingInvariants.ALL.invariants()) {
            out.add(Invariant.of(pt.id(), pt.statement(), s -> eachSpace(s,
                    (i, as) -> pt.evaluate(as.mapper()).map(v -> "P" + i + ": " + v.detail()))));
        }
        return out;
    }

    /** First frames of every page table of every space. */
    static Set<Long> tableFrames(VmSystem s) {
        Set<Long> out = new java.util.HashSet<>();
        for (AddressSpace as : s.spaces()) {
            for (PhysFrame f : as.mapper().tableFrames()) {
                out.add(f.number());
            }
        }
        return out;
    }

    /** Frame number to the number of translations mapping it, over all spaces. */
    static Map<Long, Integer> mappings(VmSystem s) {
        Map<Long, Integer> out = new HashMap<>();
        for (AddressSpace as : s.spaces()) {
            for (Pte p : as.translations().values()) {
                out.merge(p.frame().number(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static Optional<String> eachSpace(VmSystem s, BiFunction<Integer, AddressSpace, Optional<String>> check) {
        for (int i = 0; i < s.spaces().size(); i++) {
            Optional<String> r = check.apply(i, s.spaces().get(i));
            if (r.isPresent()) {
                return r;
            }
        }
        return holds();
    }
}
