package org.mmspec.zones;

/** The machine's word size, which decides which zones exist ({@link ZoneLayout}). */
public enum WordSize {
    /** 32-bit: DMA, NORMAL up to 4 GiB, HIGH above. */
    BITS_32,
    /** 64-bit: DMA and NORMAL only. */
    BITS_64
}
