package org.mmspec.paging;

/**
 * A memory access the MMU checks: its type and the privilege it runs at.
 *
 * @param type read, write or instruction fetch
 * @param user whether it comes from user mode
 */
public record Access(Type type, boolean user) {
    /** The access type. */
    public enum Type {
        READ, WRITE, EXECUTE
    }

    public static Access userRead() {
        return new Access(Type.READ, true);
    }

    public static Access userWrite() {
        return new Access(Type.WRITE, true);
    }

    public static Access userExecute() {
        return new Access(Type.EXECUTE, true);
    }

    public static Access kernel(Type type) {
        return new Access(type, false);
    }

    @Override
    public String toString() {
        return (user ? "user " : "kernel ") + type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
