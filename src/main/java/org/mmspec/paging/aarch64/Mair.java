package org.mmspec.paging.aarch64;

import org.mmspec.paging.PageFlags;

/**
 * MAIR_EL1 as the model programs it, and the AttrIndx field of a stage-1 leaf descriptor that
 * selects one of its eight attribute slots (Arm ARM D8.5 "Memory region attributes", register
 * MAIR_EL1 in D23; Tagged Normal memory in D10 "The Memory Tagging Extension", D10.3 "Allocation
 * tags" and the MAIR_ELx Attr encoding 0b1111_0000).
 *
 * <p>Encoding: MAIR_EL1 holds eight 8-bit attribute fields, Attr{@code n} at bits
 * {@code 8n+7:8n}. The model uses five slots: 0 Normal write-back (0xFF), 1 Normal non-cacheable
 * (0x44), 2 Normal write-through (0xBB), 3 Device-nGnRE (0x04) and 4 Tagged Normal write-back
 * (0xF0), the only attribute under which allocation tags are checked and stored. Slots 0..3 are
 * the ones {@link Aarch64Pte#encodeLeaf} derives from the neutral {@link PageFlags}; slot 4 is
 * written only by {@link #withTagged}, because "tagged" is AArch64-only and has no neutral flag.
 *
 * <p>Round trip: for every leaf descriptor {@code raw}, {@code attrIndx(withAttrIndx(raw, s)) == s}
 * and every other bit is unchanged; {@code isTagged(withTagged(raw)) } holds and
 * {@code PageFlags} decode identically for {@code raw} and {@code withTagged(raw)} (Tagged Normal is
 * write-back Normal memory, so it carries neither NO_CACHE nor WRITE_THROUGH).
 */
public final class Mair {
    /** Bits per Attr field of MAIR_EL1. */
    public static final int ATTR_FIELD_BITS = 8;
    /** Number of Attr fields (AttrIndx is 3 bits). */
    public static final int SLOTS = 8;
    /** Attr encoding: Normal, inner and outer write-back non-transient, read/write-allocate. */
    public static final int ATTR_NORMAL_WB = 0xFF;
    /** Attr encoding: Normal, inner and outer non-cacheable. */
    public static final int ATTR_NORMAL_NC = 0x44;
    /** Attr encoding: Normal, inner and outer write-through non-transient, read/write-allocate. */
    public static final int ATTR_NORMAL_WT = 0xBB;
    /** Attr encoding: Device-nGnRE. */
    public static final int ATTR_DEVICE_NGNRE = 0x04;
    /** Attr encoding 0b1111_0000: Tagged Normal, inner and outer write-back (FEAT_MTE2). */
    public static final int ATTR_TAGGED_NORMAL = 0xF0;
    /** The model's slot for Tagged Normal memory (after {@link Aarch64Pte#MAIR_DEVICE}). */
    public static final int TAGGED_SLOT = 4;

    private static final int[] MODEL_ATTRS = {ATTR_NORMAL_WB, ATTR_NORMAL_NC, ATTR_NORMAL_WT, ATTR_DEVICE_NGNRE,
        ATTR_TAGGED_NORMAL};

    private Mair() {
    }

    /** The MAIR_EL1 value the model's kernel programs: the five slots above, the rest 0. */
    public static long modelValue() {
        long v = 0;
        for (int slot = 0; slot < MODEL_ATTRS.length; slot++) {
            v |= (long) MODEL_ATTRS[slot] << (slot * ATTR_FIELD_BITS);
        }
        return v;
    }

    /** Attr{@code slot} of a MAIR_EL1 value. */
    public static int attr(long mair, int slot) {
        checkSlot(slot);
        return (int) ((mair >>> (slot * ATTR_FIELD_BITS)) & 0xFF);
    }

    /** The AttrIndx field of a leaf descriptor. */
    public static int attrIndx(long raw) {
        return (int) ((raw & Aarch64Pte.ATTR_INDX_MASK) >>> Aarch64Pte.ATTR_INDX_SHIFT);
    }

    /** {@code raw} with AttrIndx set to {@code slot}; every other bit unchanged. */
    public static long withAttrIndx(long raw, int slot) {
        checkSlot(slot);
        return (raw & ~Aarch64Pte.ATTR_INDX_MASK) | ((long) slot << Aarch64Pte.ATTR_INDX_SHIFT);
    }

    /** {@code raw} selecting the Tagged Normal slot. */
    public static long withTagged(long raw) {
        return withAttrIndx(raw, TAGGED_SLOT);
    }

    /** Whether a leaf descriptor's AttrIndx names Tagged Normal memory under {@link #modelValue()}. */
    public static boolean isTagged(long raw) {
        return attr(modelValue(), attrIndx(raw)) == ATTR_TAGGED_NORMAL;
    }

    /** The name of a slot's attribute under {@link #modelValue()}, for dumps. */
    public static String slotName(int slot) {
        return switch (attr(modelValue(), slot)) {
            case ATTR_NORMAL_WB -> "Normal-WB";
            case ATTR_NORMAL_NC -> "Normal-NC";
            case ATTR_NORMAL_WT -> "Normal-WT";
            case ATTR_DEVICE_NGNRE -> "Device-nGnRE";
            case ATTR_TAGGED_NORMAL -> "Tagged";
            default -> "unused";
        };
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("MAIR slot " + slot + " outside 0.." + (SLOTS - 1));
        }
    }
}
