import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fixture program for the mmspec replay harness: direct buffers, then /proc/self/maps. */
public class Maps {
    public static void main(String[] args) throws Exception {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keep.add(ByteBuffer.allocateDirect((i + 1) << 18));
        }
        keep.subList(1, 3).clear();
        System.gc();
        System.out.print(Files.readString(Path.of("/proc/self/maps")));
    }
}
