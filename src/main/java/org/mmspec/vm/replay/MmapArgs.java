package org.mmspec.vm.replay;

import java.util.List;
import java.util.Set;

import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;

/**
 * The decoded arguments of one traced mmap/mprotect/pkey_mprotect/munmap/brk/madvise call, in the
 * model's types.
 *
 * @param addr first argument (0 for NULL)
 * @param length length in bytes (mmap, mprotect, munmap)
 * @param prot protection (mmap, mprotect)
 * @param flags MAP_* flags (mmap)
 * @param file backing path from strace's {@code -y} ({@code N</path>}), {@code null} for fd -1
 * @param offset file offset (mmap)
 * @param advice the {@code MADV_*} name (madvise), {@code null} otherwise
 * @param pkey the protection key (pkey_mprotect; -1, the default key, otherwise)
 */
record MmapArgs(long addr, long length, Prot prot, MapFlags flags, String file, long offset, String advice, long pkey) {
    /** MAP_* names that change nothing this model tracks. */
    private static final Set<String> IGNORED_MAP = Set.of("MAP_DENYWRITE", "MAP_EXECUTABLE", "MAP_STACK", "MAP_POPULATE",
            "MAP_LOCKED", "MAP_NONBLOCK", "MAP_32BIT", "MAP_SYNC", "MAP_UNINITIALIZED", "MAP_FILE");

    static MmapArgs decode(TraceEvent e) {
        List<String> a = e.args();
        return switch (e.call()) {
            case "mmap" -> {
                need(e, 6);
                long fd = StraceParser.number(a.get(4).replaceAll("<.*$", ""), e.line(), "fd");
                String file = fd < 0 ? null : path(a.get(4), fd);
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                        StraceParser.number(a.get(1), e.line(), "length"), prot(a.get(2), e), flags(a.get(3), e), file,
                        StraceParser.number(a.get(5), e.line(), "offset"), null, -1);
            }
            case "mprotect" -> {
                need(e, 3);
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                        StraceParser.number(a.get(1), e.line(), "length"), prot(a.get(2), e), null, null, 0, null, -1);
            }
            case "pkey_mprotect" -> {
                need(e, 4);
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                        StraceParser.number(a.get(1), e.line(), "length"), prot(a.get(2), e), null, null, 0, null,
                        StraceParser.number(a.get(3), e.line(), "protection key"));
            }
            case "madvise" -> {
                need(e, 3);
                String advice = a.get(2).strip();
                if (!advice.matches("MADV_[A-Z0-9_]+|0x[0-9a-f]+|\\d+")) {
                    throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "unknown madvise advice '" + StraceParser.abbreviate(advice) + "'");
                }
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                        StraceParser.number(a.get(1), e.line(), "length"), null, null, null, 0, advice, -1);
            }
            case "munmap" -> {
                need(e, 2);
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"),
                        StraceParser.number(a.get(1), e.line(), "length"), null, null, null, 0, null, -1);
            }
            case "brk" -> {
                need(e, 1);
                yield new MmapArgs(StraceParser.number(a.get(0), e.line(), "address"), 0, null, null, null, 0, null, -1);
            }
            default -> throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "no decoder for " + e.call());
        };
    }

    private static void need(TraceEvent e, int n) {
        if (e.args().size() != n) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(),
                    e.call() + " takes " + n + " arguments, not " + e.args().size());
        }
    }

    private static String path(String fdArg, long fd) {
        int lt = fdArg.indexOf('<');
        return lt >= 0 && fdArg.endsWith(">") ? fdArg.substring(lt + 1, fdArg.length() - 1) : "fd" + fd;
    }

    static Prot prot(String text, TraceEvent e) {
        if (text.isEmpty()) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "empty protection");
        }
        if (text.startsWith("0x") || Character.isDigit(text.charAt(0))) {
            long bits = StraceParser.number(text, e.line(), "protection");
            if ((bits & ~7L) != 0) {
                throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "unmodelled PROT bits in " + text);
            }
            return Prot.ofBits((int) bits);
        }
        int bits = 0;
        for (String p : text.split("\\|")) {
            switch (p.strip()) {
                case "PROT_NONE" -> {
                }
                case "PROT_READ" -> bits |= Prot.PROT_READ;
                case "PROT_WRITE" -> bits |= Prot.PROT_WRITE;
                case "PROT_EXEC" -> bits |= Prot.PROT_EXEC;
                default -> throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "unknown protection '" + p + "'");
            }
        }
        return Prot.ofBits(bits);
    }

    static MapFlags flags(String text, TraceEvent e) {
        boolean shared = false;
        boolean priv = false;
        boolean anon = false;
        boolean fixed = false;
        boolean noReplace = false;
        boolean noReserve = false;
        for (String raw : text.split("\\|")) {
            String f = raw.strip();
            switch (f) {
                case "MAP_SHARED", "MAP_SHARED_VALIDATE" -> shared = true;
                case "MAP_PRIVATE" -> priv = true;
                case "MAP_ANONYMOUS", "MAP_ANON" -> anon = true;
                case "MAP_FIXED" -> fixed = true;
                case "MAP_FIXED_NOREPLACE" -> noReplace = true;
                case "MAP_NORESERVE" -> noReserve = true;
                // AddressSpace models MAP_HUGETLB, but the replay does not decode it (nor MAP_HUGE_* sizes): stop, named.
                case "MAP_HUGETLB" -> throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(),
                        "MAP_HUGETLB is not replayed (hugetlb areas are modelled, not decoded from traces)");
                default -> {
                    if (!IGNORED_MAP.contains(f) && !f.startsWith("MAP_HUGE_") && !f.startsWith("0x")) {
                        throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "unknown mmap flag '" + f + "'");
                    }
                }
            }
        }
        if (shared == priv) {
            throw new ReplayError(ReplayError.Kind.BAD_ARGUMENT, e.line(), "flags must name exactly one of MAP_SHARED, MAP_PRIVATE: " + text);
        }
        return new MapFlags(shared, anon, fixed, noReplace, noReserve);
    }
}
