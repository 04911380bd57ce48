package org.mmspec.numa;

import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * The zones inside every NUMA node, as Linux x86_64 has them: ZONE_DMA (below 16 MiB), ZONE_DMA32
 * (16 MiB to 4 GiB) and ZONE_NORMAL (above 4 GiB), in address order. A zone's <em>window</em> is
 * the frame range its memory must lie in; a request names its <em>highest</em> zone (Linux's
 * {@code gfp_zone()}: GFP_DMA, GFP_DMA32, or neither), and may be served by that zone or any
 * lower one, never a higher one, whose memory the device or caller could not address.
 */
public enum NodeZoneType {
    /** Below 16 MiB: ISA DMA's 24-bit limit. */
    DMA(0, (16L << 20) >>> PhysFrame.SHIFT),
    /** 16 MiB to 4 GiB: devices with 32-bit DMA. */
    DMA32((16L << 20) >>> PhysFrame.SHIFT, (4L << 30) >>> PhysFrame.SHIFT),
    /** Above 4 GiB: everything else. */
    NORMAL((4L << 30) >>> PhysFrame.SHIFT, PhysFrame.LIMIT);

    private final FrameRange window;

    NodeZoneType(long firstFrame, long endFrame) {
        this.window = FrameRange.of(firstFrame, endFrame - firstFrame);
    }

    /** The frames this zone's memory must lie in, on every node. */
    public FrameRange window() {
        return window;
    }

    /** The zone whose window holds {@code frame}. */
    public static NodeZoneType of(PhysFrame frame) {
        for (NodeZoneType z : values()) {
            if (z.window.contains(frame)) {
                return z;
            }
        }
        throw new IllegalArgumentException(frame + " lies in no zone window");
    }
}
