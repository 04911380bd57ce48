package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.paging.Translation;
import org.mmspec.paging.VirtAddr;

/**
 * The LAM invariants (spec/hardware-security.md, "Linear Address Masking"), checked on probe
 * pointers: every user page of {@link LamSpace#USER_PAGES} and the kernel page, each with every
 * single bit 47..63 flipped and with the whole metadata field of the active mode set.
 */
public final class LamInvariants {
    private LamInvariants() {
    }

    /** The highest bit a 4-level user address uses: bits above it are metadata or must be clear. */
    private static final int TOP_ADDRESS_BIT = 47;

    /** LAM-1: user pointers differing only in the active mode's metadata bits reach the same page. */
    public static final Invariant<LamSpace> IGNORES_EXACTLY_METADATA = Invariant.of("LAM-1",
            "translation ignores the metadata bits of user pointers in the active mode: pointers differing only there reach the same page",
            s -> {
                for (int q = 0; q < s.processes(); q++) {
                    LamMode m = s.mode(q);
                    for (long base : LamSpace.USER_PAGES) {
                        Optional<Translation> t = s.translate(q, base);
                        for (long tagged : List.of(base | m.userMetadataMask(), base | (m.userMetadataMask() & -m.userMetadataMask()))) {
                            if (!s.untag(q, tagged).equals(s.untag(q, base))
                                    || !Objects.equals(s.translate(q, tagged).map(Translation::pa), t.map(Translation::pa))) {
                                return Invariant.broken("LAM-1 violated: P%d %s: 0x%016x and 0x%016x differ only in metadata but translate differently",
                                        q, m, base, tagged);
                            }
                        }
                    }
                }
                return Invariant.holds();
            });

    /** LAM-2: supervisor pointers translate alike in every mode, and any metadata in them is rejected. */
    public static final Invariant<LamSpace> KERNEL_UNAFFECTED = Invariant.of("LAM-2",
            "kernel addresses are unaffected by the mode; kernel pointers with metadata are rejected",
            s -> {
                for (int q = 0; q < s.processes(); q++) {
                    LamMode m = s.mode(q);
                    if (!s.untag(q, LamSpace.KERNEL_PAGE).equals(Optional.of(VirtAddr.of(LamSpace.KERNEL_PAGE)))) {
                        return Invariant.broken("LAM-2 violated: P%d %s changes kernel address 0x%016x", q, m, LamSpace.KERNEL_PAGE);
                    }
                    for (int bit = TOP_ADDRESS_BIT + 1; bit < 63; bit++) {
                        long p = LamSpace.KERNEL_PAGE ^ (1L << bit);
                        if (s.untag(q, p).isPresent()) {
                            return Invariant.broken("LAM-2 violated: P%d %s accepts kernel pointer 0x%016x with metadata in bit %d",
                                    q, m, p, bit);
                        }
                    }
                    for (long base : LamSpace.USER_PAGES) {
                        long p = base | LamMode.SUPERVISOR_BIT;
                        if (s.untag(q, p).isPresent()) {
                            return Invariant.broken("LAM-2 violated: P%d %s accepts 0x%016x: bit 63 is not metadata", q, m, p);
                        }
                    }
                }
                return Invariant.holds();
            });

    /** LAM-3: a pointer is accepted exactly when it is canonical once the mode's metadata bits are cleared. */
    public static final Invariant<LamSpace> CANONICAL_FOLLOWS_MODE = Invariant.of("LAM-3",
            "a pointer passes the canonical check exactly when it is canonical after the active mode clears its metadata, so no other bit is ignored",
            s -> {
                for (int q = 0; q < s.processes(); q++) {
                    LamMode m = s.mode(q);
                    for (long p : probes(m)) {
                        long cleared = (p & LamMode.SUPERVISOR_BIT) == 0 ? p & ~m.userMetadataMask() : p;
                        boolean expected = VirtAddr.isCanonical(cleared, 48);
                        if (s.untag(q, p).isPresent() != expected) {
                            return Invariant.broken("LAM-3 violated: P%d %s %s 0x%016x", q, m,
                                    expected ? "rejects canonical" : "accepts non-canonical", p);
                        }
                    }
                }
                return Invariant.holds();
            });

    /** Every probe: each user and kernel base, with each single bit 47..63 flipped and with full metadata. */
    static List<Long> probes(LamMode m) {
        List<Long> out = new ArrayList<>();
        List<Long> bases = new ArrayList<>(LamSpace.USER_PAGES);
        bases.add(LamSpace.KERNEL_PAGE);
        for (long b : bases) {
            out.add(b);
            out.add(b | m.userMetadataMask());
            for (int bit = TOP_ADDRESS_BIT; bit < 64; bit++) {
                out.add(b ^ (1L << bit));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public static final InvariantSet<LamSpace> ALL = InvariantSet.of("lam",
            List.of(IGNORES_EXACTLY_METADATA, KERNEL_UNAFFECTED, CANONICAL_FOLLOWS_MODE), LamSpace::toString);
}
