package org.mmspec.heap;

/**
 * The seed's "memory debugging tools" that change what the heap writes into memory, each
 * switched on or off per heap (Linux's {@code slub_debug=ZPU} in spirit).
 *
 * @param redZones place {@link #RED_ZONE_BYTE} guard bytes after every object and check them on free
 * @param poison fill freed objects with {@link #POISON_FREE} and check the poison on reallocation
 * @param zeroOnAlloc clear the requested bytes of every new allocation
 * @param checksums record a checksum of every freed object and verify it on reallocation and scans
 * @param trackCallers record each allocation's {@link CallSite}, for leak reports
 */
public record HeapDebugOptions(boolean redZones, boolean poison, boolean zeroOnAlloc, boolean checksums,
        boolean trackCallers) {
    /** The guard byte a red zone holds (SLUB's {@code SLUB_RED_ACTIVE}). */
    public static final byte RED_ZONE_BYTE = (byte) 0xBB;
    /** The byte a freed object is filled with (Linux's {@code POISON_FREE}). */
    public static final byte POISON_FREE = (byte) 0x6B;
    /** The fewest red-zone bytes an object gets: the class is chosen for {@code size + RED_ZONE_MIN}. */
    public static final long RED_ZONE_MIN = 8;

    /** Every debugging feature off: the production heap. */
    public static final HeapDebugOptions OFF = new HeapDebugOptions(false, false, false, false, false);
    /** Every debugging feature on. */
    public static final HeapDebugOptions ALL = new HeapDebugOptions(true, true, true, true, true);

    /** Bytes added to a request before choosing its class or large block. */
    public long guardBytes() {
        return redZones ? RED_ZONE_MIN : 0;
    }

    /** Whether the heap ever writes or checks memory contents. */
    public boolean touchesMemory() {
        return redZones || poison || zeroOnAlloc || checksums;
    }
}
