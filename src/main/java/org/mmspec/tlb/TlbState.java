package org.mmspec.tlb;

import java.util.Arrays;

import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Tlb;

/**
 * One state of the shootdown model: the shared page table and allocator, the lazy generation,
 * and per CPU its kernel position and its TLB. Immutable; transitions build new states.
 *
 * <p>Per CPU ({@link Cpu}): the script it runs (named by the lowest CPU with an equal script, so
 * that CPUs with equal scripts are interchangeable), the index of its current operation, the
 * step {@code pc} within that operation's {@link ShootdownProtocol#initiatorSteps} (0 = not yet
 * started; the page lock is held from {@code pc >= 1} until RETURN), the acknowledgement bit set
 * of its request, its mailbox (bit set of initiators whose IPI is pending), the initiator it is
 * serving ({@code -1} for none) and the next target step, its lazy generation, the frames its
 * operation will free, its request, and its TLB.
 *
 * <p>Canonical key ({@link #key(int[])}): two longs for the shared part and two per CPU; under a
 * CPU permutation every CPU number inside the state (acks, mailboxes, serving, masks) is renamed
 * with it, so the minimum over all permutations identifies a state up to CPU symmetry.
 */
public final class TlbState {
    final ShootdownModel model;
    final PageTable pt;
    final FrameTable frames;
    final int gen;
    final Cpu[] cpus;
    /**
     * Ghost history for TLB-7 and TLB-9: the first local invalidation that broke a cost rule
     * ({@link FlushCost#breaks}), or null. It is null in every state of a correct run, so keeping
     * it adds no states; once set it stays, and the invariants report it.
     */
    final FlushCost.Flush costBreach;

    TlbState(ShootdownModel model, PageTable pt, FrameTable frames, int gen, Cpu[] cpus) {
        this(model, pt, frames, gen, cpus, null);
    }

    TlbState(ShootdownModel model, PageTable pt, FrameTable frames, int gen, Cpu[] cpus, FlushCost.Flush costBreach) {
        this.model = model;
        this.pt = pt;
        this.frames = frames;
        this.gen = gen;
        this.cpus = cpus;
        this.costBreach = costBreach;
    }

    /** One CPU's part of the state. */
    static final class Cpu {
        final int script;
        final int opIndex;
        final int pc;
        final int acks;
        final int mailbox;
        final int serving;
        final int servePc;
        final int localGen;
        final int toFree;
        final TlbShootdown request;
        final Tlb tlb;

        Cpu(int script, int opIndex, int pc, int acks, int mailbox, int serving, int servePc, int localGen, int toFree,
                TlbShootdown request, Tlb tlb) {
            this.script = script;
            this.opIndex = opIndex;
            this.pc = pc;
            this.acks = acks;
            this.mailbox = mailbox;
            this.serving = serving;
            this.servePc = servePc;
            this.localGen = localGen;
            this.toFree = toFree;
            this.request = request;
            this.tlb = tlb;
        }

        Cpu withTlb(Tlb t) {
            return new Cpu(script, opIndex, pc, acks, mailbox, serving, servePc, localGen, toFree, request, t);
        }

        Cpu withMailbox(int m) {
            return new Cpu(script, opIndex, pc, acks, m, serving, servePc, localGen, toFree, request, tlb);
        }

        Cpu withAcks(int a) {
            return new Cpu(script, opIndex, pc, a, mailbox, serving, servePc, localGen, toFree, request, tlb);
        }

        Cpu withServing(int s, int spc) {
            return new Cpu(script, opIndex, pc, acks, mailbox, s, spc, localGen, toFree, request, tlb);
        }

        Cpu withLocalGen(int g) {
            return new Cpu(script, opIndex, pc, acks, mailbox, serving, servePc, g, toFree, request, tlb);
        }

        Cpu withPc(int p) {
            return new Cpu(script, opIndex, p, acks, mailbox, serving, servePc, localGen, toFree, request, tlb);
        }

        Cpu withOp(int opIdx, int p, int a, int free, TlbShootdown req) {
            return new Cpu(script, opIdx, p, a, mailbox, serving, servePc, localGen, free, req, tlb);
        }

        /**
         * The kernel word of the key, CPU numbers renamed by {@code perm}; {@code renamed[m]} is
         * the CPU bit set {@code m} under the same permutation ({@link #renameTable}).
         */
        long word(int[] perm, int[] renamed) {
            long w = script;
            w = w << 2 | opIndex;
            w = w << 3 | pc;
            w = w << 6 | renamed[acks];
            w = w << 6 | renamed[mailbox];
            w = w << 3 | (serving < 0 ? 0 : perm[serving] + 1);
            w = w << 1 | servePc;
            w = w << 2 | localGen;
            w = w << 8 | toFree;
            if (request != null) {
                w = w << 6 | renamed[request.cpuMask().bits()];
                w = w << 6 | request.pages();
                w = w << 3 | (request.mode().ordinal() + 1);
            } else {
                w <<= 15;
            }
            return w;
        }
    }

    /**
     * Every CPU bit set renamed by {@code perm}, indexed by the set: the key renames several sets
     * per CPU for every permutation of every successor, and a table lookup is much cheaper than
     * walking the bits each time.
     */
    static int[] renameTable(int[] perm) {
        int[] t = new int[1 << perm.length];
        for (int bits = 0; bits < t.length; bits++) {
            t[bits] = rename(bits, perm);
        }
        return t;
    }

    static int rename(int bits, int[] perm) {
        int out = 0;
        for (int c = 0; bits != 0; c++, bits >>>= 1) {
            if ((bits & 1) != 0) {
                out |= 1 << perm[c];
            }
        }
        return out;
    }

    /**
     * The key with CPU {@code c} placed at position {@code perm[c]}; {@code renamed} is
     * {@link #renameTable renameTable(perm)}.
     */
    long[] key(int[] perm, int[] renamed) {
        long[] k = new long[2 + 2 * cpus.length + (costBreach == null ? 0 : 3)];
        k[0] = pt.encoded();
        k[1] = (long) frames.encoded() << 8 | gen;
        for (int c = 0; c < cpus.length; c++) {
            int at = 2 + 2 * perm[c];
            k[at] = cpus[c].word(perm, renamed);
            k[at + 1] = cpus[c].tlb.encoded();
        }
        if (costBreach != null) {
            TlbShootdown r = costBreach.request();
            int at = 2 + 2 * cpus.length;
            k[at] = (long) perm[costBreach.cpu()] << 16 | renamed[r.cpuMask().bits()] << 9 | r.pages() << 3
                    | r.mode().ordinal();
            k[at + 1] = costBreach.before().encoded();
            k[at + 2] = costBreach.after().encoded();
        }
        return k;
    }

    public PageTable pageTable() {
        return pt;
    }

    public FrameTable frames() {
        return frames;
    }

    public int generation() {
        return gen;
    }

    public int cpuCount() {
        return cpus.length;
    }

    public Tlb tlb(int cpu) {
        return cpus[cpu].tlb;
    }

    /** The operation CPU {@code cpu} is running or will run next, or null when its script is done. */
    public KernelOp currentOp(int cpu) {
        KernelOp[] s = model.scripts[cpus[cpu].script];
        return cpus[cpu].opIndex < s.length ? s[cpus[cpu].opIndex] : null;
    }

    /** A copy with CPU {@code cpu}'s TLB replaced: the test hook that corrupts states. */
    TlbState withTlb(int cpu, Tlb tlb) {
        Cpu[] cs = cpus.clone();
        cs[cpu] = cs[cpu].withTlb(tlb);
        return new TlbState(model, pt, frames, gen, cs, costBreach);
    }

    /** A copy with CPU {@code cpu}'s mailbox replaced: a test hook that corrupts states. */
    TlbState withMailbox(int cpu, int mailbox) {
        Cpu[] cs = cpus.clone();
        cs[cpu] = cs[cpu].withMailbox(mailbox);
        return new TlbState(model, pt, frames, gen, cs, costBreach);
    }

    /** A copy with CPU {@code cpu}'s request replaced: a test hook that corrupts states. */
    TlbState withRequest(int cpu, TlbShootdown request) {
        Cpu[] cs = cpus.clone();
        Cpu c = cs[cpu];
        cs[cpu] = c.withOp(c.opIndex, c.pc, c.acks, c.toFree, request);
        return new TlbState(model, pt, frames, gen, cs, costBreach);
    }

    TlbState with(PageTable p, FrameTable f, int g, Cpu[] cs) {
        return new TlbState(model, p, f, g, cs, costBreach);
    }

    /**
     * This state after CPU {@code f.cpu()}'s invalidation {@code f}: the ghost keeps {@code f}
     * when it is the first to break TLB-7 or TLB-9.
     */
    TlbState noting(FlushCost.Flush f) {
        if (costBreach != null || !FlushCost.breaks(model.config, f, pt.pages())) {
            return this;
        }
        return new TlbState(model, pt, frames, gen, cpus, f);
    }

    /** The ghost: the first invalidation that broke a cost rule, or null. */
    public FlushCost.Flush costBreach() {
        return costBreach;
    }

    @Override
    public String toString() {
        return model.render(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlbState s && Arrays.equals(s.key(model.identity, model.identityRenamed), key(model.identity, model.identityRenamed));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key(model.identity, model.identityRenamed));
    }
}
