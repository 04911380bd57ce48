package org.mmspec.debug;

import org.mmspec.check.KindedException;

/** A rejected debug command; nothing changed. */
public final class DebugError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a debug command was rejected. */
    public enum Kind {
        /** The command word is not registered. */
        UNKNOWN_COMMAND,
        /** The command's arguments do not parse. */
        BAD_ARGUMENT
    }

    public DebugError(Kind kind, String message) {
        super(kind, message);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
