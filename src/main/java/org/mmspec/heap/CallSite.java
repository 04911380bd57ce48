package org.mmspec.heap;

/**
 * Where an allocation was made: the seed's "allocation tracking with backtraces", reduced to the
 * innermost caller (function and line) a kernel would record with {@code _RET_IP_}. Allocations
 * without tracking carry {@link #UNKNOWN}.
 */
public final class CallSite implements Comparable<CallSite> {
    /** The call site of an allocation made while tracking is off. */
    public static final CallSite UNKNOWN = new CallSite("?", 0);

    private final String function;
    private final int line;

    private CallSite(String function, int line) {
        this.function = function;
        this.line = line;
    }

    /**
     * The innermost caller outside the allocator itself: the Java counterpart of the return
     * address a kernel records for an allocation.
     */
    public static CallSite caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(CallSite.class.getName())
                        && !f.getClassName().equals(SlabAllocator.class.getName()))
                .findFirst()
                .map(f -> of(f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName(),
                        Math.max(0, f.getLineNumber())))
                .orElse(UNKNOWN));
    }

    public static CallSite of(String function, int line) {
        return new CallSite(function, line);
    }

    public String function() {
        return function;
    }

    public int line() {
        return line;
    }

    @Override
    public int compareTo(CallSite o) {
        int c = function.compareTo(o.function);
        return c != 0 ? c : Integer.compare(line, o.line);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallSite && ((CallSite) o).function.equals(function) && ((CallSite) o).line == line;
    }

    @Override
    public int hashCode() {
        return function.hashCode() * 31 + line;
    }

    @Override
    public String toString() {
        return function + ":" + line;
    }
}
