package org.mmspec.zones;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * Where each zone lies for a word size: the seed's fixed boundaries at 16 MiB and 4 GiB.
 *
 * <p>A zone's <em>window</em> is the frame range its memory must lie in; its <em>ceiling</em> is the
 * window's end. The windows of one word size are disjoint and together cover the whole physical
 * address space, so splitting a memory map at the window boundaries puts every usable frame in
 * exactly one zone.
 */
public final class ZoneLayout {
    /** 16 MiB: the end of the DMA zone (the ISA DMA controller's 24-bit address limit). */
    public static final PhysAddr DMA_LIMIT = PhysAddr.of(16L << 20);
    /** 4 GiB: the end of NORMAL on 32-bit, where HIGH begins (the 32-bit address limit). */
    public static final PhysAddr HIGH_START = PhysAddr.of(4L << 30);
    /** First frame above the DMA zone (frame 4096). */
    public static final PhysFrame DMA_END_FRAME = PhysFrame.at(DMA_LIMIT);
    /** First frame of HIGH on 32-bit (frame 2^20). */
    public static final PhysFrame HIGH_START_FRAME = PhysFrame.at(HIGH_START);

    private ZoneLayout() {
    }

    /** The zones that exist for {@code wordSize}, in address order. */
    public static List<ZoneType> zones(WordSize wordSize) {
        return wordSize == WordSize.BITS_32 ? List.of(ZoneType.DMA, ZoneType.NORMAL, ZoneType.HIGH)
                : List.of(ZoneType.DMA, ZoneType.NORMAL);
    }

    public static boolean exists(WordSize wordSize, ZoneType zone) {
        return zones(wordSize).contains(zone);
    }

    /** The window of {@code zone}, or empty if the zone does not exist for {@code wordSize}. */
    public static Optional<FrameRange> window(WordSize wordSize, ZoneType zone) {
        long limit = PhysFrame.LIMIT;
        return switch (zone) {
            case DMA -> Optional.of(FrameRange.between(PhysFrame.of(0), DMA_END_FRAME));
            case NORMAL -> Optional.of(wordSize == WordSize.BITS_32
                    ? FrameRange.between(DMA_END_FRAME, HIGH_START_FRAME)
                    : FrameRange.of(DMA_END_FRAME.number(), limit - DMA_END_FRAME.number()));
            case HIGH -> wordSize == WordSize.BITS_32
                    ? Optional.of(FrameRange.of(HIGH_START_FRAME.number(), limit - HIGH_START_FRAME.number()))
                    : Optional.empty();
        };
    }

    /** The window of a zone that must exist. */
    static FrameRange windowOf(WordSize wordSize, ZoneType zone) {
        return window(wordSize, zone).orElseThrow(() -> new IllegalArgumentException(zone + " does not exist on " + wordSize));
    }

    /** One past the highest frame a request for {@code zone} may receive. */
    public static long ceiling(WordSize wordSize, ZoneType zone) {
        return windowOf(wordSize, zone).endNumber();
    }

    /** The parts of {@code usable} (sorted, disjoint) that lie in {@code window}, in order. */
    public static List<FrameRange> clip(List<FrameRange> usable, FrameRange window) {
        List<FrameRange> out = new ArrayList<>();
        for (FrameRange r : usable) {
            long lo = Math.max(r.start().number(), window.start().number());
            long hi = Math.min(r.endNumber(), window.endNumber());
            if (lo < hi) {
                out.add(FrameRange.of(lo, hi - lo));
            }
        }
        return out;
    }
}
