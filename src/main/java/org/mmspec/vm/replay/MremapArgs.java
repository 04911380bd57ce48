package org.mmspec.vm.replay;

import java.util.List;

import org.mmspec.vm.RemapFlags;

/**
 * The decoded arguments of one traced mremap call. strace prints the fifth argument,
 * {@code new_address}, only with MREMAP_FIXED; without it the kernel ignored it (or, with
 * MREMAP_DONTUNMAP, took it as a hint the trace does not show), so it is 0 here.
 *
 * @param addr the old address
 * @param oldLength the old length in bytes
 * @param newLength the new length in bytes
 * @param flags the MREMAP_* flags
 * @param newAddr MREMAP_FIXED's target, 0 when strace did not print one
 */
record MremapArgs(long addr, long oldLength, long newLength, RemapFlags flags, long newAddr) {

    static MremapArgs decode(TraceEvent e) {
        List<String> a = e.args();
        if (a.size() != 4 && a.size() != 5) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "mremap takes 4 or 5 arguments, not " + a.size());
        }
        return new MremapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                StraceParser.number(a.get(1), e.line(), "old length"), StraceParser.number(a.get(2), e.line(), "new length"),
                flags(a.get(3), e), a.size() == 5 ? StraceParser.number(a.get(4), e.line(), "new address") : 0);
    }

    static RemapFlags flags(String text, TraceEvent e) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "empty mremap flags");
        }
        if (t.startsWith("0x") || Character.isDigit(t.charAt(0))) {
            return RemapFlags.ofBits(StraceParser.number(t, e.line(), "mremap flags"));
        }
        long bits = 0;
        for (String raw : t.split("\\|")) {
            String f = raw.strip();
            switch (f) {
                case "MREMAP_MAYMOVE" -> bits |= RemapFlags.MREMAP_MAYMOVE;
                case "MREMAP_FIXED" -> bits |= RemapFlags.MREMAP_FIXED;
                case "MREMAP_DONTUNMAP" -> bits |= RemapFlags.MREMAP_DONTUNMAP;
                default -> {
                    if (!f.startsWith("0x")) {
                        throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(),
                                "unknown mremap flag '" + StraceParser.abbreviate(f) + "'");
                    }
                    bits |= StraceParser.number(f, e.line(), "mremap flags");
                }
            }
        }
        return RemapFlags.ofBits(bits);
    }
}
