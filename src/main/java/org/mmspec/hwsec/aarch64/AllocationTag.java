package org.mmspec.hwsec.aarch64;

/**
 * A 4-bit MTE tag (Arm ARM D10.3 "Allocation tags", D10.4 "Logical address tags"): as an
 * allocation tag it belongs to one 16-byte granule of Tagged Normal memory; as a logical
 * (pointer) tag it is bits 59:56 of a pointer, inside the top byte that TBI ignores.
 *
 * @param value 0..15
 */
public record AllocationTag(int value) {
    /** Bytes per tag granule. */
    public static final int GRANULE_BYTES = 16;
    /** Distinct tags. */
    public static final int TAGS = 16;
    /** Lowest bit of the logical tag in a pointer. */
    public static final int POINTER_TAG_SHIFT = 56;
    /** Bits 59:56. */
    public static final long POINTER_TAG_MASK = 0xFL << POINTER_TAG_SHIFT;

    public AllocationTag {
        if (value < 0 || value >= TAGS) {
            throw new IllegalArgumentException("an MTE tag is 4 bits: " + value);
        }
    }

    public static AllocationTag of(int value) {
        return new AllocationTag(value);
    }

    /** The logical tag of a pointer (bits 59:56). */
    public static AllocationTag ofPointer(long ptr) {
        return new AllocationTag((int) ((ptr & POINTER_TAG_MASK) >>> POINTER_TAG_SHIFT));
    }

    /** {@code ptr} carrying this logical tag; every other bit unchanged. */
    public long onPointer(long ptr) {
        return (ptr & ~POINTER_TAG_MASK) | ((long) value << POINTER_TAG_SHIFT);
    }

    @Override
    public String toString() {
        return "tag" + Integer.toHexString(value);
    }
}
