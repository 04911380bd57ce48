package org.mmspec.vm.replay;

import java.util.List;

/**
 * One completed system call of a trace, with its arguments as strace printed them (split at
 * top-level commas) and its result.
 *
 * @param line the 1-based line where the call's result was printed
 * @param pid the thread that made it (0 when strace ran without {@code -f})
 * @param call the system call's name: mmap, mprotect, munmap, brk, mremap or openat
 * @param args the arguments, trimmed
 * @param result the return value, when it succeeded
 * @param errno the errno name ({@code ENOMEM}, ...), when it returned -1; {@code "?"} when the
 *     result is unknown (the thread died inside the call)
 */
public record TraceEvent(int line, int pid, String call, List<String> args, long result, String errno) {
    public boolean succeeded() {
        return errno == null;
    }

    /** The call as strace printed it, without the thread id: {@code name(args) = result}. */
    public String text() {
        return call + "(" + String.join(", ", args) + ") = " + (errno == null
                ? (result >= 0 && result < 0x10000 ? Long.toString(result) : String.format("0x%x", result))
                : errno.equals("?") ? "?" : "-1 " + errno);
    }

    @Override
    public String toString() {
        return "line " + line + ": " + call + "(" + String.join(", ", args) + ") = "
                + (errno == null ? String.format("0x%x", result) : "-1 " + errno);
    }
}
