package org.mmspec.heap;

/**
 * One corruption finding: which guard was broken, where, and the offset of the first bad byte
 * from the object's start.
 */
public final class Corruption {
    /** Which guard found it. */
    public enum Kind {
        /** A live object's red zone was overwritten: a buffer overflow. */
        RED_ZONE,
        /** A free object's poison was overwritten: a write after free. */
        POISON,
        /** A free object's checksum changed: a write after free, found without poison. */
        CHECKSUM
    }

    private final Kind kind;
    private final HeapAddr object;
    private final long offset;
    private final String detail;

    public Corruption(Kind kind, HeapAddr object, long offset, String detail) {
        this.kind = kind;
        this.object = object;
        this.offset = offset;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    public HeapAddr object() {
        return object;
    }

    public long offset() {
        return offset;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return kind + " at " + object + "+" + offset + ": " + detail;
    }
}
