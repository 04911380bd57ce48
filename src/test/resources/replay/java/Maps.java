import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixture program for the mmspec replay harness: direct buffers, then /proc/self/maps. The maps
 * are read into a buffer allocated beforehand (the kernel returns about a page per read()), so that the JVM's own allocations
 * cannot fall between the open (the harness's snapshot marker) and the moment the kernel renders
 * the file.
 */
public class Maps {
    /** At most this much per read(): the JDK then reads via a stack buffer instead of malloc. */
    private static final int CHUNK = 8192;

    public static void main(String[] args) throws Exception {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keep.add(ByteBuffer.allocateDirect((i + 1) << 18));
        }
        keep.subList(1, 3).clear();
        System.gc();
        byte[] buf = new byte[1 << 20];
        int n = 0;
        try (FileInputStream in = new FileInputStream("/proc/self/maps")) {
            for (int got; (got = in.read(buf, n, Math.min(CHUNK, buf.length - n))) > 0; ) {
                n += got;
            }
        }
        System.out.print(new String(buf, 0, n, StandardCharsets.US_ASCII));
    }
}
