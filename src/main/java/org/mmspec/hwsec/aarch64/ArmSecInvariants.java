package org.mmspec.hwsec.aarch64;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.aarch64.Mair;

/**
 * The invariants of the AArch64 security features (spec/hardware-security.md), over
 * {@link ArmMm} and {@link MteSlab}. TBI-1 and TBI-2 probe the translation the machine uses
 * (with its seeded bug, if any) at every mapped page of every running address space, so they
 * hold of the function, not only of the accesses a run happened to make.
 */
public final class ArmSecInvariants {
    /** Top bytes the probes put on pointers: none, a tag-only byte, a tag with other metadata, all ones. */
    static final List<Integer> PROBE_TOP_BYTES = List.of(0x00, 0x05, 0xA1, 0xFF);
    /** Bits just below the top byte, which TBI never ignores. */
    static final List<Integer> PROBE_UPPER_BITS = List.of(48, 52, 55);

    private ArmSecInvariants() {
    }

    /** TBI-1: translation ignores exactly bits 63:56 of user pointers, and only with the mode on. */
    public static final Invariant<ArmMm> TBI_1 = Invariant.of("TBI-1",
            "translation of a user pointer ignores exactly bits 63:56 when the address space's TBI mode is on, and no bit when it is off",
            ArmSecInvariants::tbi1);
    /** TBI-2: kernel pointers with metadata are rejected. */
    public static final Invariant<ArmMm> TBI_2 = Invariant.of("TBI-2",
            "a kernel (TTBR1) pointer whose top byte is not 0xFF is rejected, whatever the user mode", ArmSecInvariants::tbi2);
    /** TBI-3: TCR_EL1.TBI0 follows the running address space. */
    public static final Invariant<ArmMm> TBI_3 = Invariant.of("TBI-3",
            "every CPU running an address space has TCR_EL1.TBI0 equal to that address space's TBI mode", s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    ArmMm.Cpu c = s.cpus[i];
                    if (c.running != 0 && c.tbi0 != s.procs.get(c.running).tbi) {
                        return Invariant.broken("cpu%d runs pid%d (TBI %s) with TBI0=%d", i, c.running,
                                s.procs.get(c.running).tbi ? "on" : "off", c.tbi0 ? 1 : 0);
                    }
                }
                return Invariant.holds();
            });
    /** MTE-1: no silent mismatch in synchronous mode. */
    public static final Invariant<ArmMm> MTE_1 = Invariant.of("MTE-1",
            "an access to Tagged memory whose pointer tag differs from the granule's allocation tag never completes in synchronous mode",
            s -> {
                ArmMm.LastAccess a = s.last;
                return Invariant.require(a == null || !(a.taggedPage() && a.mode() == TagCheckMode.SYNC && a.pointerTag() != a.memoryTag()),
                        "access through 0x%x completed in SYNC mode with pointer tag %d and allocation tag %d", a == null ? 0 : a.ptr(),
                        a == null ? 0 : a.pointerTag(), a == null ? 0 : a.memoryTag());
            });
    /** MTE-2: asynchronous mismatches are recorded until the next check point. */
    public static final Invariant<ArmMm> MTE_2 = Invariant.of("MTE-2",
            "each CPU's TFSRE0_EL1.TF0 is set exactly when an asynchronous tag mismatch happened on it since its last check point",
            s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    ArmMm.Cpu c = s.cpus[i];
                    if (c.tf0 != (c.ghostAsyncMismatches > 0)) {
                        return Invariant.broken("cpu%d TF0=%d after %d asynchronous mismatches since its check point", i, c.tf0 ? 1 : 0,
                                c.ghostAsyncMismatches);
                    }
                }
                return Invariant.holds();
            });
    /** MTE-3: a mapping is Tagged Normal exactly when it was mapped PROT_MTE. */
    public static final Invariant<ArmMm> MTE_3 = Invariant.of("MTE-3",
            "a user descriptor's AttrIndx names the Tagged Normal MAIR slot (attr 0xF0) exactly when the page was mapped with PROT_MTE",
            s -> {
                for (Map.Entry<Integer, ArmMm.Proc> e : s.procs.entrySet()) {
                    for (Map.Entry<Long, Long> m : e.getValue().ptes.entrySet()) {
                        boolean want = e.getValue().ghostTagged.contains(m.getKey());
                        if (Mair.isTagged(m.getValue()) != want) {
                            return Invariant.broken("pid%d page 0x%x mapped %s has AttrIndx %d (%s)", e.getKey(), m.getKey(),
                                    want ? "PROT_MTE" : "untagged", Mair.attrIndx(m.getValue()), Mair.slotName(Mair.attrIndx(m.getValue())));
                        }
                    }
                }
                return Invariant.holds();
            });
    /** PAC-1: address spaces share keys exactly when fork made them share. */
    public static final Invariant<ArmMm> PAC_1 = Invariant.of("PAC-1",
            "two live address spaces share a PAC key exactly when they have the same key lineage (one forked from the other, neither exec'd since)",
            s -> {
                for (Map.Entry<Integer, ArmMm.Proc> a : s.procs.entrySet()) {
                    for (Map.Entry<Integer, ArmMm.Proc> b : s.procs.tailMap(a.getKey(), false).entrySet()) {
                        boolean share = a.getValue().keys.sharesAnyKey(b.getValue().keys);
                        boolean same = a.getValue().ghostLineage == b.getValue().ghostLineage;
                        if (share != same) {
                            return Invariant.broken("pid%d %s and pid%d %s %s keys but have %s lineages", a.getKey(), a.getValue().keys,
                                    b.getKey(), b.getValue().keys, share ? "share" : "do not share", same ? "one" : "different");
                        }
                    }
                }
                return Invariant.holds();
            });
    /** PAC-2: fork inherits the keys. */
    public static final Invariant<ArmMm> PAC_2 = Invariant.of("PAC-2",
            "a forked address space holds exactly its parent's PAC keys at the fork until it execs", s -> {
                for (Map.Entry<Integer, ArmMm.Proc> e : s.procs.entrySet()) {
                    ArmMm.Proc p = e.getValue();
                    if (p.ghostInherited != null && !p.keys.equals(p.ghostInherited)) {
                        return Invariant.broken("pid%d holds %s, inherited %s at fork", e.getKey(), p.keys, p.ghostInherited);
                    }
                }
                return Invariant.holds();
            });
    /** PAC-3: the key registers follow the running address space. */
    public static final Invariant<ArmMm> PAC_3 = Invariant.of("PAC-3",
            "every CPU running an address space holds that address space's five PAC keys in its key registers", s -> {
                for (int i = 0; i < s.cpus.length; i++) {
                    ArmMm.Cpu c = s.cpus[i];
                    if (c.running != 0 && !c.keys.equals(s.procs.get(c.running).keys)) {
                        return Invariant.broken("cpu%d runs pid%d (%s) with %s in its key registers", i, c.running,
                                s.procs.get(c.running).keys, c.keys);
                    }
                }
                return Invariant.holds();
            });

    /** The conjunction for {@link ArmMm}, PAC-2 before PAC-1 (a fork with fresh keys breaks both; PAC-2 names it). */
    @SuppressWarnings("unchecked")
    public static final InvariantSet<ArmMm> MM = InvariantSet.of("hwsec-aarch64", TBI_1, TBI_2, TBI_3, MTE_1, MTE_2, MTE_3, PAC_2, PAC_1,
            PAC_3);

    /** MTE-4: a reused granule never keeps its old tag. */
    public static final Invariant<MteSlab> MTE_4 = Invariant.of("MTE-4",
            "with tagging on, a heap granule's allocation tag differs from the tag of the last freed allocation that covered it",
            s -> {
                for (Map.Entry<Long, Integer> e : s.ghostFreedTag.entrySet()) {
                    int now = s.tagOfGranule(e.getKey());
                    if (now == e.getValue()) {
                        return Invariant.broken("granule 0x%x still has %s, the tag of the freed allocation that covered it",
                                e.getKey() * AllocationTag.GRANULE_BYTES, AllocationTag.of(now));
                    }
                }
                return Invariant.holds();
            });

    /** The conjunction for {@link MteSlab}. */
    @SuppressWarnings("unchecked")
    public static final InvariantSet<MteSlab> SLAB = InvariantSet.of("hwsec-aarch64", MTE_4);

    private static Optional<String> tbi1(ArmMm s) {
        ArmMm.LastAccess a = s.last;
        if (a != null) {
            long expected = (a.ptr() & ~TopByteIgnore.TOP_BYTE_MASK) >>> 12;
            if (a.page() != expected || (!a.tbi() && TopByteIgnore.topByte(a.ptr()) != 0)) {
                return Invariant.broken("access through 0x%x (TBI %s) reached page 0x%x", a.ptr(), a.tbi() ? "on" : "off", a.page());
            }
        }
        TopByteIgnore.Bug bug = s.bug.tbi();
        for (ArmMm.Proc p : s.procs.values()) {
            for (long page : p.ptes.keySet()) {
                long base = page << 12;
                for (int top : PROBE_TOP_BYTES) {
                    long ptr = TopByteIgnore.withTopByte(base, top);
                    boolean shouldPass = top == 0 || p.tbi;
                    Optional<VirtAddr> got = translated(ptr, p.tbi, bug);
                    if (shouldPass != got.isPresent() || got.isPresent() && got.get().value() != base) {
                        return Invariant.broken("user pointer 0x%x with TBI %s translates to %s", ptr, p.tbi ? "on" : "off",
                                got.map(VirtAddr::toString).orElse("a fault"));
                    }
                }
                for (int bit : PROBE_UPPER_BITS) {
                    long ptr = base | (1L << bit);
                    Optional<VirtAddr> got = translated(ptr, p.tbi, bug);
                    if (got.isPresent() && got.get().value() == base) {
                        return Invariant.broken("user pointer 0x%x (bit %d set) reaches page 0x%x: bit %d was ignored", ptr, bit, page, bit);
                    }
                }
            }
        }
        return Invariant.holds();
    }

    private static Optional<String> tbi2(ArmMm s) {
        long kernel = VirtAddr.UPPER_HALF_START;
        for (boolean tbi0 : new boolean[] {false, true}) {
            for (int top : PROBE_TOP_BYTES) {
                if (top == 0xFF) {
                    continue;
                }
                long ptr = TopByteIgnore.withTopByte(kernel, top);
                try {
                    VirtAddr va = TopByteIgnore.translate(ptr, tbi0, s.bug.tbi());
                    return Invariant.broken("kernel pointer 0x%x with metadata was accepted as %s", ptr, va);
                } catch (ArmSecError e) {
                    if (e.errorKind() != ArmSecError.Kind.KERNEL_METADATA) {
                        return Invariant.broken("kernel pointer 0x%x rejected as %s, not KERNEL_METADATA", ptr, e.errorKind());
                    }
                }
            }
        }
        return Invariant.holds();
    }

    private static Optional<VirtAddr> translated(long ptr, boolean tbi, TopByteIgnore.Bug bug) {
        try {
            return Optional.of(TopByteIgnore.translate(ptr, tbi, bug));
        } catch (ArmSecError e) {
            return Optional.empty();
        }
    }
}
