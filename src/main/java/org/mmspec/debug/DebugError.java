package org.mmspec.debug;

import org.mmspec.check.MmException;

/** A rejected debug command; nothing changed. */
public final class DebugError extends MmException {
    private static final long serialVersionUID = 1L;

    /** Why a debug command was rejected. */
    public enum Kind {
        /** The command word is not registered. */
        UNKNOWN_COMMAND,
        /** The command's arguments do not parse. */
        BAD_ARGUMENT
    }

    private final Kind kind;

    public DebugError(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    @Override
    public String kind() {
        return kind.name();
    }
}
