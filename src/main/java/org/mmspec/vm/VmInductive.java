package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.InductivenessCheck;
import org.mmspec.check.TransitionSystem;

/**
 * A bounded check that the area invariants are inductive for the user API: from <em>every</em>
 * arrangement of areas on a tiny address space that satisfies {@link VmInvariants#ALL} (reachable
 * or not), every mmap (MAP_FIXED at every page, or anywhere), mprotect and munmap, with every
 * range and protection, leads to a state that satisfies them again. Exhaustive exploration shows
 * the invariants hold on what is reachable from exec; this shows no operation depends on the
 * history that led to a state.
 *
 * <p>Scope: {@value #PAGES} mappable pages (1..{@value #PAGES}), one process, no stack and no
 * present pages; each page is unmapped or in an anonymous private area with protection r--, rw-
 * or r-x, VM_ACCOUNT set or not (rw- always has it), and either starting a new area or continuing
 * the previous page's. That is 11^{@value #PAGES} candidate states; those breaking an invariant
 * (VMA-3 mostly) are skipped, as induction says nothing about them.
 */
public final class VmInductive {
    /** Mappable pages in the scope. */
    static final int PAGES = 4;
    /** Protections the operations request; W+X is always rejected, and must change nothing. */
    private static final List<Prot> PROTS = List.of(Prot.R, Prot.RW, Prot.RX, Prot.RWX);

    private VmInductive() {
    }

    /** The tiny layout: pages 1..PAGES mappable, no room for stack growth or a heap. */
    static Layout layout() {
        return new Layout(1, PAGES + 1, PAGES + 1, 1, PAGES + 1, 1, 1, 1, 1, 1);
    }

    /** Every arrangement of areas in scope. */
    public static List<VmSystem> scope() {
        return scope(VmSystem.Bug.NONE);
    }

    /** Every arrangement of areas in scope, with {@code bug} seeded into the implementation. */
    static List<VmSystem> scope(VmSystem.Bug bug) {
        List<VmSystem> out = new ArrayList<>();
        int options = 1 + 2 * (2 + 1 + 2);
        int total = 1;
        for (int i = 0; i < PAGES; i++) {
            total *= options;
        }
        for (int code = 0; code < total; code++) {
            VmSystem sys = new VmSystem(layout(), AddressSpace.WxPolicy.ENFORCE, PAGES + 4, bug);
            AddressSpace as = sys.space(0);
            as.corruptClearAreas();
            Vma open = null;
            int c = code;
            for (long page = 1; page <= PAGES; page++) {
                int o = c % options;
                c /= options;
                if (o == 0) {
                    open = flush(as, open);
                    continue;
                }
                o--;
                boolean startsNew = o % 2 == 0;
                o /= 2;
                Prot prot = o < 2 ? Prot.R : o == 2 ? Prot.RW : Prot.RX;
                boolean accounted = prot.write() || (o < 2 ? o == 1 : o == 4);
                VmFlags f = VmFlags.PRIVATE.withAccounted(accounted);
                if (open != null && !startsNew && open.prot().equals(prot) && open.flags().equals(f)) {
                    open = new Vma(open.start(), page + 1, prot, f, null, open.pgoff(), 0);
                } else {
                    flush(as, open);
                    open = Vma.anonymous(page, page + 1, prot, f);
                }
            }
            flush(as, open);
            out.add(sys);
        }
        return out;
    }

    private static Vma flush(AddressSpace as, Vma open) {
        if (open != null) {
            as.corruptPutArea(open);
        }
        return null;
    }

    /** mmap, mprotect and munmap over every range and protection of the scope. */
    public static TransitionSystem<VmSystem> system() {
        return ActionSystem.of("vm-inductive", () -> List.of(), VmSystem::copy, VmSystem::key, s -> {
            List<ActionSystem.Action<VmSystem>> out = new ArrayList<>();
            for (long len = 1; len <= PAGES; len++) {
                long bytes = len * Vma.PAGE_SIZE;
                for (Prot p : PROTS) {
                    out.add(new ActionSystem.Action<>("mmap(NULL, " + len + ", " + p + ")",
                            x -> x.space(0).mmap(null, bytes, p, MapFlags.PRIVATE_ANON, null, 0)));
                }
                for (long a = 1; a + len <= PAGES + 1; a++) {
                    UserAddr at = UserAddr.ofPage(a);
                    out.add(new ActionSystem.Action<>("munmap(" + a + ", " + len + ")", x -> x.space(0).munmap(at, bytes)));
                    for (Prot p : PROTS) {
                        out.add(new ActionSystem.Action<>("mmap(" + a + ", " + len + ", " + p + ", FIXED)",
                                x -> x.space(0).mmap(at, bytes, p, MapFlags.PRIVATE_ANON_FIXED, null, 0)));
                        out.add(new ActionSystem.Action<>("mprotect(" + a + ", " + len + ", " + p + ")",
                                x -> x.space(0).mprotect(at, bytes, p)));
                    }
                }
            }
            return out;
        }, VmInvariants.ALL);
    }

    /** Runs the check. */
    public static InductivenessCheck.Result check() {
        return InductivenessCheck.check("vm-inductive", scope(), system());
    }
}
