package org.mmspec.vm.replay;

import org.mmspec.check.KindedException;

/**
 * A trace or maps file the replay harness cannot read. The message names the file's line number
 * and says what was expected there; parsing never fails any other way.
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
        MALFORMED_MAPS
    }

    private final int line;

    public ReplayError(Kind kind, int line, String message) {
        super(kind, "line %d: %s", line, message);
        this.line = line;
    }

    /** The 1-based line number of the offending line. */
    public int line() {
        return line;
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
