package org.mmspec.vm.replay;

import org.mmspec.check.KindedException;

/**
 * A trace or maps file the replay harness cannot read, or a replay request it cannot answer. The
 * message names the file's line number and says what was expected there; parsing never fails any
 * other way. {@link #inMaps()} says which of the two files the line belongs to, so a front end can
 * print {@code file:line: detail} on one line.
 */
public final class ReplayError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the input. */
    public enum Kind {
        /** A line that is not a call, a signal, an exit or a resumption in strace's format. */
        MALFORMED_LINE,
        /** A well-formed call whose arguments do not fit the call (count, number, flag names). */
        BAD_ARGUMENT,
        /** A {@code <... resumed>} line with no matching {@code <unfinished ...>} line. */
        UNMATCHED_RESUME,
        /** A maps line that is not {@code start-end perms offset dev inode [path]}. */
        MALFORMED_MAPS,
        /** A maps input that holds no maps line at all (empty, or only a marker and text). */
        EMPTY_MAPS,
        /**
         * The trace holds several processes and nothing says which one the maps belong to (no
         * {@code openat} of a maps file, no {@code --pid}); the message lists them.
         */
        SEVERAL_PROCESSES,
        /** {@code --pid} names a process the trace does not show; the message lists those it does. */
        NO_SUCH_PID,
        /** {@code --until-line} is not a line of the trace. */
        BAD_UNTIL_LINE
    }

    private final int line;
    private final String detail;

    public ReplayError(Kind kind, int line, String message) {
        super(kind, "line %d: %s", line, message);
        this.line = line;
        this.detail = message;
    }

    /** The 1-based line number of the offending line (the trace's, or the maps file's when {@link #inMaps()}). */
    public int line() {
        return line;
    }

    /** The message without its {@code line N:} prefix. */
    public String detail() {
        return detail;
    }

    /** Whether {@link #line()} is a line of the maps input rather than of the trace. */
    public boolean inMaps() {
        return errorKind() == Kind.MALFORMED_MAPS || errorKind() == Kind.EMPTY_MAPS;
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
