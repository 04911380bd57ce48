package org.mmspec.hwsec.aarch64;

/**
 * The five pointer-authentication keys of an address space (Arm ARM D8.10 "Pointer
 * authentication"; registers APIAKey, APIBKey, APDAKey, APDBKey and APGAKey, each a Hi/Lo pair of
 * 64-bit halves, in D23). The memory manager owns them and nothing else of PAC: it creates
 * them at exec, copies them at fork, and loads them into the key registers with the address
 * space on a context switch. The PAC computation, and what is signed, are the compiler's and the
 * CPU's business and are not modelled.
 *
 * <p>Encoding: each 128-bit key is modelled by one {@code long} identity. Keys from {@link #fresh}
 * are distinct for distinct sequence numbers; the real kernel draws them at random, so the
 * model's distinctness stands for "equal only with negligible probability".
 */
public record PacKeys(long apia, long apib, long apda, long apdb, long apga) {
    /** Number of keys. */
    public static final int KEYS = 5;

    /** Keys drawn for the {@code seq}-th exec (or boot) of the machine. */
    public static PacKeys fresh(long seq) {
        long b = seq * KEYS;
        return new PacKeys(b, b + 1, b + 2, b + 3, b + 4);
    }

    /** No keys loaded (an idle CPU's registers, or a CPU that has run nothing yet). */
    public static final PacKeys NONE = new PacKeys(-1, -1, -1, -1, -1);

    /** Whether any of the five keys equals the corresponding key of {@code o}. */
    public boolean sharesAnyKey(PacKeys o) {
        return apia == o.apia || apib == o.apib || apda == o.apda || apdb == o.apdb || apga == o.apga;
    }

    @Override
    public String toString() {
        return this.equals(NONE) ? "keys(-)" : "keys#" + (apia / KEYS);
    }
}
