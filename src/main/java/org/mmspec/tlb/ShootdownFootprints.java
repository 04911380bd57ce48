package org.mmspec.tlb;

import org.mmspec.check.PartialOrder;

/**
 * What each step of the {@link ShootdownModel} reads and writes, and what each TLB invariant
 * reads: the model's declaration for partial-order reduction (spec/checking-core.md §0.4.5).
 *
 * <p>Encoding: one bit per piece of state. Shared: {@link #PT} (the page table, leaf-table link
 * included), {@link #FRAMES} (free, in use, deferred and their tags), {@link #GEN} (the global
 * generation), {@link #GHOST} (the flush-cost ghost TLB-7 and TLB-9 judge; an invalidation sets it).
 * Per CPU {@code c}, bits {@code 4 + 6c ..}: its TLB and paging-structure cache, its operation
 * (script index, pc, request, frames to free), the acknowledgements it collected, its IPI mailbox,
 * the IPI it is serving, and its lazy generation. Processes: CPU {@code c} is process {@code c}
 * (its kernel steps, IPI handling and catch-up), the deferred-free release is process
 * {@code cpus}, and the hardware fills and evictions are the environment.
 *
 * <p>The sets are the same in every state (an over-approximation: a CPU's next step may be any of
 * its steps). The outcome, recorded in the manifest: no step is invisible. TLB-1 to TLB-4 read
 * every TLB, the page table, the frames and every operation; TLB-5 asks whether any kernel step is
 * enabled and so reads everything a kernel step reads; TLB-6 reads every mailbox, acknowledgement
 * and IPI being served; TLB-7 and TLB-9 read the ghost the invalidations set. Every step writes one
 * of these (a fill or eviction a TLB, the release the frame table, a kernel step its operation), so C2 admits no proper ample set and the reduction leaves the model whole.
 */
final class ShootdownFootprints implements PartialOrder<TlbState> {
    static final long PT = 1L;
    static final long FRAMES = 1L << 1;
    static final long GEN = 1L << 2;
    static final long GHOST = 1L << 3;
    private static final int SHARED = 4;
    private static final int PER_CPU = 6;
    private static final int TLB = 0;
    private static final int OP = 1;
    private static final int ACKS = 2;
    private static final int MAILBOX = 3;
    private static final int SERVE = 4;
    private static final int LOCAL_GEN = 5;

    private final int cpus;
    private final long[] kernelReads;
    private final long[] kernelWrites;
    private final long releaseReads;
    private final long releaseWrites;
    private final long hardwareReads;
    private final long hardwareWrites;
    private final long visible;

    ShootdownFootprints(int cpus) {
        this.cpus = cpus;
        long allTlb = all(TLB);
        long allOp = all(OP);
        long allAcks = all(ACKS);
        long allMailbox = all(MAILBOX);
        long allServe = all(SERVE);
        long allLocalGen = all(LOCAL_GEN);
        kernelReads = new long[cpus];
        kernelWrites = new long[cpus];
        for (int c = 0; c < cpus; c++) {
            // pagesLocked and a target's invalidation read other CPUs' operations; an ACK and
            // SEND_IPIS write other CPUs' acknowledgements and mailboxes
            kernelReads[c] = PT | FRAMES | GEN | allOp | cpu(c, ACKS) | cpu(c, MAILBOX) | cpu(c, SERVE) | cpu(c, LOCAL_GEN)
                    | cpu(c, TLB);
            kernelWrites[c] = PT | FRAMES | GEN | GHOST | cpu(c, OP) | allAcks | allMailbox | cpu(c, SERVE)
                    | cpu(c, LOCAL_GEN) | cpu(c, TLB);
        }
        releaseReads = FRAMES | allLocalGen;
        releaseWrites = FRAMES;
        hardwareReads = PT | allTlb;
        hardwareWrites = allTlb;
        long anyKernelRead = releaseReads;
        for (long r : kernelReads) {
            anyKernelRead |= r;
        }
        long tlb1 = allOp | allTlb | PT;
        long tlb2 = FRAMES | allTlb | PT;
        long tlb3 = allOp | allTlb | PT;
        long tlb4 = allTlb | PT | FRAMES | allLocalGen | allOp;
        long tlb5 = anyKernelRead | allOp | allMailbox | allServe;
        long tlb6 = allOp | allAcks | allMailbox | allServe;
        long tlb7And9 = GHOST;
        long tlb8 = allOp;
        visible = tlb1 | tlb2 | tlb3 | tlb4 | tlb5 | tlb6 | tlb7And9 | tlb8;
    }

    private static long cpu(int c, int field) {
        return 1L << (SHARED + PER_CPU * c + field);
    }

    private long all(int field) {
        long m = 0;
        for (int c = 0; c < cpus; c++) {
            m |= cpu(c, field);
        }
        return m;
    }

    @Override
    public int processes() {
        return cpus + 1;
    }

    @Override
    public long visible() {
        return visible;
    }

    @Override
    public long nextReads(TlbState s, int process) {
        return laterReads(s, process);
    }

    @Override
    public long nextWrites(TlbState s, int process) {
        return laterWrites(s, process);
    }

    @Override
    public long laterReads(TlbState s, int process) {
        return process == ENVIRONMENT ? hardwareReads : process == cpus ? releaseReads : kernelReads[process];
    }

    @Override
    public long laterWrites(TlbState s, int process) {
        return process == ENVIRONMENT ? hardwareWrites : process == cpus ? releaseWrites : kernelWrites[process];
    }
}
