package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.FaultInvariants;
import org.mmspec.fault.PageFaultHandler;

/**
 * {@code models/vm-address-space}: every sequence of mmap, mprotect, munmap, brk, user accesses
 * (with their page faults), fork and exit, to a bounded depth, on a {@link Layout#small} address
 * space. Every reachable state must satisfy {@link VmInvariants#ALL}, every access the fault
 * postconditions FAULT-1/FAULT-2 ({@link FaultInvariants}); every rejected action
 * (zero lengths, W+X, ranges past user space, holes, invalid and protected accesses, out of
 * memory) must change nothing.
 *
 * <p>Bounds: {@code pages} (address-space size), {@code frames} (physical frames),
 * {@code maxLen} (longest range, in pages), {@code processes} (most live address spaces),
 * {@code shared} (1: also MAP_SHARED|MAP_ANONYMOUS rw- mappings, anywhere and at every page),
 * {@code bug} (a {@link VmSystem.Bug} to seed), {@code wx} ({@code enforce}, the default, or
 * {@code permit}: W+X requests are granted, so W+X areas, their W^X-per-entry flips and
 * mprotect over their present pages are explored, with ATOMIC-1 on every rejection),
 * {@code remap} (1: also mremap from every page, every old length 0..maxLen and new length
 * 1..maxLen, in place (flags 0), MREMAP_MAYMOVE, MREMAP_MAYMOVE|MREMAP_FIXED to every page, and
 * MREMAP_MAYMOVE|MREMAP_DONTUNMAP).
 *
 * <p>{@code huge=1} is the huge-page scope: the real code with real 2 MiB pages, on
 * {@code Layout.small(3 * 512 + 8)} (two whole 2 MiB ranges, R1 and R2, below the stack), with an
 * alphabet whose positions are drawn from a grid of {@code 512 / unit} pages over R1 and R2, so
 * that every range end is either on a 2 MiB boundary or strictly inside a huge page (both halves
 * of it, with {@code unit=2}). Actions: populate a range (MAP_FIXED rw- and a write to each of
 * its 512 pages, offered only with frames for all of it), populate and collapse it in one step
 * (so that depth 3 reaches fork and a write to the shared huge page), MAP_HUGETLB mmap with a
 * write in one step (the same for hugetlb copy-on-write), populate its upper part as a separate
 * MAP_NORESERVE area, collapse, MAP_HUGETLB mmap of a range (and one at an unaligned address),
 * mprotect (r--, rw-) and munmap of every grid range, a write at every grid point, mremap
 * (MREMAP_MAYMOVE|MREMAP_FIXED) of a whole range and of its upper part to the other range, fork
 * and exit. The spec argues why this grid covers every case the huge-page code distinguishes.
 */
public final class VmModel implements ExhaustiveModel {
    /** The word a store action writes; one value keeps the state space small but zeroing visible. */
    private static final long STORED_WORD = 1;
    /** Protections an mmap action requests: one of each kind, W+X included (rejected under ENFORCE). */
    private static final List<Prot> MMAP_PROTS = List.of(Prot.R, Prot.RW, Prot.RX, Prot.RWX);
    /** Protections an mprotect action requests. */
    private static final List<Prot> MPROTECT_PROTS = List.of(Prot.NONE, Prot.R, Prot.RW, Prot.RX, Prot.RWX);

    @Override
    public String name() {
        return "vm-address-space";
    }

    @Override
    public String component() {
        return "vm";
    }

    @Override
    public TransitionSystem<VmSystem> build(Bounds b) {
        int pages = b.getInt("pages", 8);
        int frames = b.getInt("frames", 4);
        int maxLen = b.getInt("maxLen", 2);
        int processes = b.getInt("processes", 2);
        boolean shared = b.getInt("shared", 0) == 1;
        boolean remap = b.getInt("remap", 0) == 1;
        VmSystem.Bug bug = VmSystem.Bug.valueOf(b.get("bug", "NONE"));
        AddressSpace.WxPolicy wx = AddressSpace.WxPolicy.valueOf(b.get("wx", "enforce").toUpperCase(java.util.Locale.ROOT));
        if (b.getInt("huge", 0) == 1) {
            Layout hugeLayout = Layout.small(HUGE_RANGES * H + HUGE_TAIL_PAGES);
            long unit = H / b.getInt("unit", 2);
            return ActionSystem.of("vm-address-space " + b,
                    () -> List.of(new VmSystem(hugeLayout, wx, frames, bug)),
                    VmSystem::copy, VmSystem::key,
                    s -> hugeActions(s, unit, processes), VmInvariants.ALL)
                    .withCodec(org.mmspec.check.Encoding.overwriting(() -> new VmSystem(hugeLayout, wx, frames, bug),
                            VmSystem::copy, VmSystem::writeState, VmSystem::readState));
        }
        Layout layout = Layout.small(pages);
        return ActionSystem.of("vm-address-space " + b,
                () -> List.of(new VmSystem(layout, wx, frames, bug)),
                VmSystem::copy, VmSystem::key,
                s -> actions(s, layout, maxLen, processes, shared, remap), VmInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new VmSystem(layout, wx, frames, bug), VmSystem::copy,
                        VmSystem::writeState, VmSystem::readState));
    }

    private static List<ActionSystem.Action<VmSystem>> actions(VmSystem s, Layout l, int maxLen, int processes,
            boolean shared, boolean remap) {
        List<ActionSystem.Action<VmSystem>> out = new ArrayList<>();
        int n = s.spaces().size();
        for (int p = 0; p < n; p++) {
            int proc = p;
            String who = n > 1 ? "P" + p + "." : "";
            for (long len = 0; len <= maxLen; len++) {
                long bytes = len * Vma.PAGE_SIZE;
                for (Prot prot : MMAP_PROTS) {
                    out.add(new ActionSystem.Action<>(who + "mmap(NULL, " + len + ", " + prot + ")",
                            x -> x.space(proc).mmap(null, bytes, prot, MapFlags.PRIVATE_ANON, null, 0)));
                    if (len == 0) {
                        continue;
                    }
                    for (long a = 0; a <= l.topPage(); a++) {
                        UserAddr at = UserAddr.ofPage(a);
                        out.add(new ActionSystem.Action<>(who + "mmap(" + a + ", " + len + ", " + prot + ", FIXED)",
                                x -> x.space(proc).mmap(at, bytes, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0)));
                    }
                }
                for (long a = 0; a <= l.topPage(); a++) {
                    UserAddr at = UserAddr.ofPage(a);
                    out.add(new ActionSystem.Action<>(who + "munmap(" + a + ", " + len + ")",
                            x -> x.space(proc).munmap(at, bytes)));
                    if (len == 0) {
                        continue;
                    }
                    for (Prot prot : MPROTECT_PROTS) {
                        out.add(new ActionSystem.Action<>(who + "mprotect(" + a + ", " + len + ", " + prot + ")",
                                x -> x.space(proc).mprotect(at, bytes, prot)));
                    }
                }
            }
            if (shared) {
                MapFlags anywhere = new MapFlags(true, true, false, false, false);
                MapFlags fixed = new MapFlags(true, true, true, false, false);
                for (long len = 1; len <= maxLen; len++) {
                    long bytes = len * Vma.PAGE_SIZE;
                    out.add(new ActionSystem.Action<>(who + "mmap(NULL, " + len + ", rw-, SHARED)",
                            x -> x.space(proc).mmap(null, bytes, Prot.RW, anywhere, null, 0)));
                    for (long a = l.minPage(); a + len <= l.topPage(); a++) {
                        UserAddr at = UserAddr.ofPage(a);
                        out.add(new ActionSystem.Action<>(who + "mmap(" + a + ", " + len + ", rw-, SHARED|FIXED)",
                                x -> x.space(proc).mmap(at, bytes, Prot.RW, fixed, null, 0)));
                    }
                }
            }
            if (remap) {
                remapActions(out, who, proc, l, maxLen);
            }
            for (long q = 0; q < l.topPage(); q++) {
                long page = q;
                for (Access acc : Access.values()) {
                    out.add(new ActionSystem.Action<>(who + acc + "(" + q + ")", x -> {
                        AddressSpace as = x.space(proc);
                        java.util.Map<Long, Pte> before = FaultInvariants.FaultStep.snapshot(as);
                        PageFaultHandler.access(as, FaultAddr.ofPage(page), acc);
                        FaultInvariants.ALL.assertHolds(new FaultInvariants.FaultStep(before, as, page, acc));
                        if (acc == Access.WRITE) {
                            as.store(page, STORED_WORD);
                        }
                    }));
                }
            }
            for (long e = l.startBrkPage(); e <= l.startBrkPage() + l.brkLimitPages(); e++) {
                UserAddr to = UserAddr.ofPage(e);
                out.add(new ActionSystem.Action<>(who + "brk(" + e + ")", x -> x.space(proc).brk(to)));
            }
            if (n < processes) {
                out.add(new ActionSystem.Action<>(who + "fork()", x -> x.fork(proc)));
            }
            if (n > 1) {
                out.add(new ActionSystem.Action<>(who + "exit()", x -> x.exit(proc)));
            }
        }
        return out;
    }

    /** Pages in one 2 MiB huge page. */
    private static final long H = AddressSpace.PMD_PAGES;
    /** The huge scope's ranges: the first holds page 0 and the heap; R1 and R2 follow. */
    private static final long HUGE_RANGES = 3;
    /** Pages above R2: the stack (limit 3), its guard gap and the mmap base's margin. */
    private static final long HUGE_TAIL_PAGES = 8;
    /** Frames a populate may need beyond its 512 data frames: page tables, with a margin. */
    private static final long POPULATE_TABLE_MARGIN = 8;

    private static List<ActionSystem.Action<VmSystem>> hugeActions(VmSystem s, long unit, int processes) {
        List<ActionSystem.Action<VmSystem>> out = new ArrayList<>();
        int n = s.spaces().size();
        List<Long> grid = new ArrayList<>();
        for (long q = H; q <= (HUGE_RANGES) * H; q += unit) {
            grid.add(q);
        }
        boolean roomToPopulate = s.frames().allocator().freeFrames() >= H + POPULATE_TABLE_MARGIN;
        // The collapse copies into a fresh aligned run before it frees the small frames.
        boolean roomToCollapse = s.frames().allocator().freeFrames() >= 3 * H + POPULATE_TABLE_MARGIN;
        for (int p = 0; p < n; p++) {
            int proc = p;
            String who = n > 1 ? "P" + p + "." : "";
            for (long r = H; r < HUGE_RANGES * H; r += H) {
                long range = r;
                long other = HUGE_RANGES * H - r;
                if (roomToPopulate) {
                    out.add(new ActionSystem.Action<>(who + "populate(" + r + ")",
                            x -> populate(x.space(proc), range, range + H, MapFlags.PRIVATE_ANON_FIXED)));
                    out.add(new ActionSystem.Action<>(who + "populate(" + (r + unit) + ".." + (r + H) + ", NORESERVE)",
                            x -> populate(x.space(proc), range + unit, range + H, new MapFlags(false, true, true, false, true))));
                }
                out.add(new ActionSystem.Action<>(who + "collapse(" + r + ")", x -> x.space(proc).collapseHuge(range)));
                if (roomToCollapse) {
                    // khugepaged right after the population: a huge page in one step, so that depth 3
                    // reaches fork and a copy-on-write write of it.
                    out.add(new ActionSystem.Action<>(who + "populate+collapse(" + r + ")", x -> {
                        populate(x.space(proc), range, range + H, MapFlags.PRIVATE_ANON_FIXED);
                        x.space(proc).collapseHuge(range);
                    }));
                }
                out.add(new ActionSystem.Action<>(who + "mmap(" + r + ", 512, rw-, HUGETLB|FIXED)",
                        x -> x.space(proc).mmap(UserAddr.ofPage(range), H * Vma.PAGE_SIZE, Prot.RW,
                                MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2), null, 0)));
                if (roomToCollapse) {
                    // A hugetlb page faulted in at once, so that depth 3 reaches fork and its copy-on-write.
                    out.add(new ActionSystem.Action<>(who + "mmap(" + r + ", 512, rw-, HUGETLB|FIXED)+WRITE(" + r + ")", x -> {
                        x.space(proc).mmap(UserAddr.ofPage(range), H * Vma.PAGE_SIZE, Prot.RW,
                                MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2), null, 0);
                        PageFaultHandler.access(x.space(proc), FaultAddr.ofPage(range), Access.WRITE);
                        x.space(proc).store(range, STORED_WORD);
                    }));
                }
                RemapFlags fixed = new RemapFlags(true, true, false, false);
                out.add(new ActionSystem.Action<>(who + "mremap(" + r + ", 512, 512, MAYMOVE|FIXED, " + other + ")",
                        x -> x.space(proc).mremap(UserAddr.ofPage(range), H * Vma.PAGE_SIZE, H * Vma.PAGE_SIZE, fixed,
                                UserAddr.ofPage(other))));
                long part = (H - unit) * Vma.PAGE_SIZE;
                out.add(new ActionSystem.Action<>(who + "mremap(" + (r + unit) + ", " + (H - unit) + ", " + (H - unit)
                        + ", MAYMOVE|FIXED, " + other + ")",
                        x -> x.space(proc).mremap(UserAddr.ofPage(range + unit), part, part, fixed, UserAddr.ofPage(other))));
            }
            out.add(new ActionSystem.Action<>(who + "mmap(" + (H + unit) + ", 512, rw-, HUGETLB|FIXED)",
                    x -> x.space(proc).mmap(UserAddr.ofPage(H + unit), H * Vma.PAGE_SIZE, Prot.RW,
                            MapFlags.PRIVATE_ANON_FIXED.withHugetlb(org.mmspec.paging.PageSize.MIB_2), null, 0)));
            for (int i = 0; i < grid.size(); i++) {
                for (int j = i + 1; j < grid.size(); j++) {
                    UserAddr at = UserAddr.ofPage(grid.get(i));
                    long bytes = (grid.get(j) - grid.get(i)) * Vma.PAGE_SIZE;
                    String range = grid.get(i) + ".." + grid.get(j);
                    out.add(new ActionSystem.Action<>(who + "munmap(" + range + ")", x -> x.space(proc).munmap(at, bytes)));
                    for (Prot prot : List.of(Prot.R, Prot.RW)) {
                        out.add(new ActionSystem.Action<>(who + "mprotect(" + range + ", " + prot + ")",
                                x -> x.space(proc).mprotect(at, bytes, prot)));
                    }
                }
                if (i < grid.size() - 1) {
                    long page = grid.get(i);
                    out.add(new ActionSystem.Action<>(who + "WRITE(" + page + ")", x -> {
                        PageFaultHandler.access(x.space(proc), FaultAddr.ofPage(page), Access.WRITE);
                        x.space(proc).store(page, STORED_WORD + 1);
                    }));
                }
            }
            if (n < processes) {
                out.add(new ActionSystem.Action<>(who + "fork()", x -> x.fork(proc)));
            }
            if (n > 1) {
                out.add(new ActionSystem.Action<>(who + "exit()", x -> x.exit(proc)));
            }
        }
        return out;
    }

    /** MAP_FIXED rw- over {@code [from, to)} with {@code flags}, then a write to every page (the caller checked the frames). */
    private static void populate(AddressSpace as, long from, long to, MapFlags flags) {
        as.mmap(UserAddr.ofPage(from), (to - from) * Vma.PAGE_SIZE, Prot.RW, flags, null, 0);
        for (long q = from; q < to; q++) {
            PageFaultHandler.access(as, FaultAddr.ofPage(q), Access.WRITE);
            as.store(q, STORED_WORD);
        }
    }

    private static void remapActions(List<ActionSystem.Action<VmSystem>> out, String who, int proc, Layout l, int maxLen) {
        RemapFlags fixed = new RemapFlags(true, true, false, false);
        RemapFlags dontUnmap = new RemapFlags(true, false, true, false);
        for (long a = 0; a < l.topPage(); a++) {
            UserAddr at = UserAddr.ofPage(a);
            for (long oldLen = 0; oldLen <= maxLen; oldLen++) {
                long oldBytes = oldLen * Vma.PAGE_SIZE;
                for (long newLen = 1; newLen <= maxLen; newLen++) {
                    long newBytes = newLen * Vma.PAGE_SIZE;
                    String args = a + ", " + oldLen + ", " + newLen;
                    out.add(new ActionSystem.Action<>(who + "mremap(" + args + ", 0)",
                            x -> x.space(proc).mremap(at, oldBytes, newBytes, RemapFlags.NONE, null)));
                    out.add(new ActionSystem.Action<>(who + "mremap(" + args + ", MAYMOVE)",
                            x -> x.space(proc).mremap(at, oldBytes, newBytes, RemapFlags.MAYMOVE, null)));
                    if (oldLen == newLen) {
                        out.add(new ActionSystem.Action<>(who + "mremap(" + args + ", MAYMOVE|DONTUNMAP)",
                                x -> x.space(proc).mremap(at, oldBytes, newBytes, dontUnmap, null)));
                    }
                    for (long t = 0; t < l.topPage(); t++) {
                        UserAddr target = UserAddr.ofPage(t);
                        out.add(new ActionSystem.Action<>(who + "mremap(" + args + ", MAYMOVE|FIXED, " + t + ")",
                                x -> x.space(proc).mremap(at, oldBytes, newBytes, fixed, target)));
                    }
                }
            }
        }
    }
}
