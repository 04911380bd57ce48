package org.mmspec.vm;

/**
 * The protection of an area, as {@code mmap}/{@code mprotect} take it and {@code /proc/PID/maps}
 * prints it ({@code rwx}, with {@code -} for a missing right).
 *
 * <p>On x86_64 every accessible protection can be read: {@code PROT_WRITE} and {@code PROT_EXEC}
 * imply read in the page tables, so {@link #readable()} is "any right at all", as Linux's
 * {@code vma_is_accessible} says.
 *
 * @param read PROT_READ
 * @param write PROT_WRITE
 * @param exec PROT_EXEC
 */
public record Prot(boolean read, boolean write, boolean exec) {
    /** Linux's PROT_READ bit. */
    public static final int PROT_READ = 0x1;
    /** Linux's PROT_WRITE bit. */
    public static final int PROT_WRITE = 0x2;
    /** Linux's PROT_EXEC bit. */
    public static final int PROT_EXEC = 0x4;

    public static final Prot NONE = new Prot(false, false, false);
    public static final Prot R = new Prot(true, false, false);
    public static final Prot RW = new Prot(true, true, false);
    public static final Prot RX = new Prot(true, false, true);
    public static final Prot RWX = new Prot(true, true, true);

    /** Every protection, for exhaustive exploration. */
    public static final java.util.List<Prot> ALL = java.util.List.of(NONE, R, RW, RX, RWX,
            new Prot(false, true, false), new Prot(false, false, true), new Prot(false, true, true));

    /** From Linux's PROT_* bits; other bits are the caller's to reject. */
    public static Prot ofBits(int bits) {
        return new Prot((bits & PROT_READ) != 0, (bits & PROT_WRITE) != 0, (bits & PROT_EXEC) != 0);
    }

    /** From the {@code rwx} column of {@code /proc/PID/maps} (first three characters). */
    public static Prot parse(String rwx) {
        if (rwx.length() < 3) {
            throw new IllegalArgumentException("protection needs three characters rwx: '" + rwx + "'");
        }
        return new Prot(flag(rwx.charAt(0), 'r'), flag(rwx.charAt(1), 'w'), flag(rwx.charAt(2), 'x'));
    }

    private static boolean flag(char c, char set) {
        if (c == set) {
            return true;
        }
        if (c == '-') {
            return false;
        }
        throw new IllegalArgumentException("expected '" + set + "' or '-', not '" + c + "'");
    }

    public int bits() {
        return (read ? PROT_READ : 0) | (write ? PROT_WRITE : 0) | (exec ? PROT_EXEC : 0);
    }

    /** Both writable and executable: what W^X forbids. */
    public boolean isWriteExec() {
        return write && exec;
    }

    /** Any access right at all (x86_64: write and exec imply read). */
    public boolean readable() {
        return read || write || exec;
    }

    @Override
    public String toString() {
        return (read ? "r" : "-") + (write ? "w" : "-") + (exec ? "x" : "-");
    }
}
