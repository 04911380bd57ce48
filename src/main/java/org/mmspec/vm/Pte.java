package org.mmspec.vm;

import org.mmspec.frames.PhysFrame;

/**
 * A present user translation as the address space sees it: the frame and the effective access
 * rights (combined over every level of the walk). A PROT_NONE area keeps its pages present with
 * no rights, so their contents survive an mprotect round trip, as on Linux.
 *
 * @param frame the physical frame
 * @param read user read allowed
 * @param write user write allowed
 * @param exec instruction fetch allowed (NX clear)
 */
public record Pte(PhysFrame frame, boolean read, boolean write, boolean exec) {
    /**
     * The rights an area with protection {@code p} grants, writable only if {@code mayWrite}. A
     * W+X area (only under {@code WxPolicy.PERMIT}) gives a writable page no exec: the page
     * tables hold W^X per entry (WX-1), and an instruction fetch trades write for exec
     * ({@link #execPhase}).
     */
    public static Pte of(PhysFrame frame, Prot p, boolean mayWrite) {
        return new Pte(frame, p.readable(), p.write() && mayWrite, p.exec()).wxSplit();
    }

    /**
     * These rights with W^X held on the entry: if both write and exec are set, exec goes (the
     * page is in its write phase). Every translation the address space writes passes through
     * this, so a W+X area never makes the {@code PageMapper} refuse a leaf.
     */
    public Pte wxSplit() {
        return write && exec ? new Pte(frame, read, true, false) : this;
    }

    /** The exec phase of a page in a W+X area: exec on, write off (the next write faults again). */
    public Pte execPhase() {
        return new Pte(frame, read, false, true);
    }

    public Pte withFrame(PhysFrame f) {
        return new Pte(f, read, write, exec);
    }

    public Pte withWrite(boolean w) {
        return new Pte(frame, read, w, exec);
    }

    @Override
    public String toString() {
        return frame.number() + (read ? "r" : "-") + (write ? "w" : "-") + (exec ? "x" : "-");
    }
}
