package org.mmspec.vm;

/**
 * The vm flags of an area beyond its protection, as far as they decide merging and faults. Two
 * areas merge only if these are equal (Linux compares {@code vm_flags}).
 *
 * @param shared VM_SHARED: writes reach the backing object and survive fork as sharing
 * @param growsDown VM_GROWSDOWN: a stack that grows down on faults below it
 * @param accounted VM_ACCOUNT: committed private writable memory; set when a private area
 *     becomes writable and never cleared (Linux's {@code mprotect_fixup} keeps it)
 * @param noReserve VM_NORESERVE: MAP_NORESERVE, never accounted
 * @param special a kernel special mapping ({@code [vdso]}, {@code [vvar]}): never merges
 */
public record VmFlags(boolean shared, boolean growsDown, boolean accounted, boolean noReserve, boolean special) {
    /** A plain private mapping. */
    public static final VmFlags PRIVATE = new VmFlags(false, false, false, false, false);

    /** Whether Linux's {@code accountable_mapping} charges a mapping with these flags and {@code prot}. */
    public boolean accountable(Prot prot) {
        return prot.write() && !shared && !noReserve;
    }

    public VmFlags withAccounted(boolean a) {
        return new VmFlags(shared, growsDown, a, noReserve, special);
    }

    @Override
    public String toString() {
        return (shared ? "s" : "p") + (growsDown ? "G" : "") + (accounted ? "A" : "") + (noReserve ? "N" : "")
                + (special ? "S" : "");
    }
}
