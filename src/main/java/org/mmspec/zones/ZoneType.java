package org.mmspec.zones;

/**
 * The seed's three memory zones, in address order. A zone is a window of physical memory with an
 * addressing ceiling: memory of a zone can serve any request whose own zone ceiling lies at or
 * above it, never one whose ceiling lies below it.
 */
public enum ZoneType {
    /** 0–16 MiB, for legacy devices that can only address low memory (ISA DMA). */
    DMA,
    /** Everything above 16 MiB on 64-bit; 16 MiB–4 GiB on 32-bit. The default zone. */
    NORMAL,
    /** Above 4 GiB, on 32-bit only (memory the kernel must map specially). */
    HIGH
}
