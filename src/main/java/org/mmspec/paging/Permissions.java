package org.mmspec.paging;

/**
 * Effective permissions of a translation, combined over every level of the walk as the hardware
 * combines them: x86_64 ANDs RW and US and ORs NX down the walk; AArch64 applies APTable and
 * XNTable of every table descriptor and then the leaf's AP/UXN/PXN; RISC-V takes the leaf's
 * R/W/X/U alone.
 *
 * @param writable some privilege level may write
 * @param user user mode (x86 CPL 3, AArch64 EL0, RISC-V U-mode) may read
 * @param userExecuteNever user mode may not fetch instructions
 * @param kernelExecuteNever the kernel (CPL 0, EL1, S-mode) may not fetch instructions
 */
public record Permissions(boolean writable, boolean user, boolean userExecuteNever, boolean kernelExecuteNever) {
    /** Nothing restricted yet: where every walk starts. */
    public static final Permissions UNRESTRICTED = new Permissions(true, true, false, false);

    /** Some privilege level may fetch instructions. */
    public boolean executable() {
        return !userExecuteNever || !kernelExecuteNever;
    }

    /** The W^X violation WX-1 forbids: writable and executable at once. */
    public boolean writableAndExecutable() {
        return writable && executable();
    }

    /** As neutral flags: PRESENT, plus WRITABLE, USER, and NO_EXECUTE unless some level may execute. */
    public PageFlags asFlags() {
        PageFlags f = PageFlags.PRESENT;
        if (writable) {
            f = f.with(PageFlags.WRITABLE);
        }
        if (user) {
            f = f.with(PageFlags.USER);
        }
        if (!executable()) {
            f = f.with(PageFlags.NO_EXECUTE);
        }
        return f;
    }

    @Override
    public String toString() {
        return (writable ? "W" : "-") + (user ? "U" : "K") + (userExecuteNever ? "-" : "Xu") + (kernelExecuteNever ? "-" : "Xk");
    }
}
