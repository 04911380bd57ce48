package org.mmspec.check;

/**
 * A model's declaration, for partial-order reduction, of what its processes' steps read and write.
 * Variables are the bits of a {@code long}: the model names at most 64 pieces of its state (a
 * page table, CPU 2's TLB, CPU 0's mailbox) and gives every step's footprint as a bit set. The
 * declaration lives in one place per model, next to its transitions, and is the only thing the
 * explorer trusts: it computes independence and visibility from these sets.
 *
 * <p>Two steps of different processes are <em>independent</em> when neither writes what the other
 * reads or writes: they commute, and neither enables or disables the other. A step is
 * <em>invisible</em> when it writes no variable in {@link #visible()}: it cannot change any
 * invariant's verdict. In a state {@code s}, the enabled steps of one process {@code p} form an
 * <em>ample set</em> (Clarke, Grumberg and Peled, <i>Model Checking</i>, ch. 10) when
 * <ul>
 * <li>C0: they are not empty (and are a proper subset of the enabled steps, or nothing is gained);</li>
 * <li>C1: every step {@code p} may take next, enabled or not, is independent of every step any
 *     other process, or the environment, may take from {@code s} on ({@link #nextReads},
 *     {@link #nextWrites} against {@link #laterReads}, {@link #laterWrites});</li>
 * <li>C2: every step {@code p} may take next is invisible;</li>
 * <li>C3 (the cycle proviso, checked by the explorer): every step of the set leads to a state the
 *     search has not stored yet, so every cycle of the reduced graph passes a fully expanded state.</li>
 * </ul>
 * The sets may over-approximate (a larger set only reduces less); they must never leave out a
 * variable a step reads or writes.
 *
 * @param <S> the state type
 */
public interface PartialOrder<S> {
    /** Steps reported without a process (hardware, the environment): they are never deferred past. */
    int ENVIRONMENT = StateGraph.NO_PROCESS;

    /** The processes, numbered {@code 0..processes()-1}, that steps are reported with. */
    int processes();

    /** The variables some checked invariant reads. */
    long visible();

    /** What any step {@code process} may take next from {@code state} (enabled or not) reads. */
    long nextReads(S state, int process);

    /** What any step {@code process} may take next from {@code state} writes. */
    long nextWrites(S state, int process);

    /**
     * What any step {@code process} (or {@link #ENVIRONMENT}) may take from {@code state} or any
     * state reachable from it reads.
     */
    long laterReads(S state, int process);

    /** What any step {@code process} (or {@link #ENVIRONMENT}) may take from {@code state} on writes. */
    long laterWrites(S state, int process);

    /**
     * C1 and C2 for {@code process} in {@code state}: its next steps are invisible and independent
     * of every later step of every other process and of the environment.
     */
    default boolean deferrable(S state, int process) {
        long r = nextReads(state, process);
        long w = nextWrites(state, process);
        if ((w & visible()) != 0) {
            return false;
        }
        for (int q = -1; q < processes(); q++) {
            int other = q < 0 ? ENVIRONMENT : q;
            if (other == process) {
                continue;
            }
            long lr = laterReads(state, other);
            long lw = laterWrites(state, other);
            if ((w & (lr | lw)) != 0 || (r & lw) != 0) {
                return false;
            }
        }
        return true;
    }
}
