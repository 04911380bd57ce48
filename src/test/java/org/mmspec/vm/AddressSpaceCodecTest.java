package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.paging.PageSize;

/**
 * The address space's state codec ({@code writeState}/{@code readState}) on its own, without the
 * check package: a round trip gives an equal space for a state with file, anonymous, shared,
 * MAP_NORESERVE, transparent huge and MAP_HUGETLB areas, and every field matters (change any
 * one bit of the encoding and the decoded space differs, or decoding fails).
 */
class AddressSpaceCodecTest {
    private static final long P = Vma.PAGE_SIZE;
    private static final long H = AddressSpace.PMD_PAGES;
    private static final MapFlags SHARED_FILE_FIXED = new MapFlags(true, false, true, false, false);
    private static final MapFlags PRIVATE_FILE_FIXED = new MapFlags(false, false, true, false, false);
    private static final MapFlags NORESERVE_ANON_FIXED = new MapFlags(false, true, true, false, true);
    private static final MapFlags HUGE_2M_FIXED = MapFlags.PRIVATE_ANON_FIXED.withHugetlb(PageSize.MIB_2);

    private static void write(AddressSpace as, long page, long word) {
        PageFaultHandler.access(as, FaultAddr.ofPage(page), Access.WRITE);
        as.store(page, word);
    }

    private static void read(AddressSpace as, long page) {
        PageFaultHandler.access(as, FaultAddr.ofPage(page), Access.READ);
    }

    /** Stack, heap, a shared and a private file area, anonymous and MAP_NORESERVE areas, written pages. */
    private static void smallState(AddressSpace as) {
        as.brk(UserAddr.ofPage(4));
        as.mmap(UserAddr.ofPage(10), 2 * P, Prot.R, SHARED_FILE_FIXED, "libc.so", 2 * P);
        as.mmap(UserAddr.ofPage(14), 3 * P, Prot.RX, PRIVATE_FILE_FIXED, "ld.so", 5 * P);
        as.mmap(UserAddr.ofPage(20), 4 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        as.mmap(UserAddr.ofPage(30), 2 * P, Prot.RW, NORESERVE_ANON_FIXED, null, 0);
        read(as, 10);
        read(as, 15);
        write(as, 21, 0x1234);
        write(as, 23, 0x5678);
        write(as, 30, 9);
        write(as, 2, 3);
    }

    private static byte[] encode(AddressSpace as) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        as.writeState(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static AddressSpace decode(AddressSpace template, byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        AddressSpace back = AddressSpace.readState(template, template.frames(), in);
        assertThat(in.available()).as("every byte written is read back").isZero();
        return back;
    }

    /** What two spaces over the same frames must agree on: the canonical key and the roots. */
    private static List<Object> fingerprint(AddressSpace as) {
        return List.of(as.key(), as.mapper().roots(), new ArrayList<>(as.areas().values()), as.brk(), as.hugePages());
    }

    @Test
    void aRoundTripGivesAnEqualSpaceWithFileAnonSharedHugeAndHugetlbAreas() throws IOException {
        VmSystem sys = VmSystem.of(Layout.small(4 * H), 2200);
        AddressSpace as = sys.space(0);
        smallState(as);
        as.mmap(UserAddr.ofPage(H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        for (long q = H; q < 2 * H; q++) {
            write(as, q, 1000 + q);
        }
        as.collapseHuge(H);
        as.mmap(UserAddr.ofPage(2 * H), H * P, Prot.RW, HUGE_2M_FIXED, null, 0);
        write(as, 2 * H + 7, 42);
        assertThat(as.hugePages()).containsExactly(H);

        AddressSpace back = decode(as, encode(as));

        assertThat(fingerprint(back)).isEqualTo(fingerprint(as));
        assertThat(back.toString()).isEqualTo(as.toString());
        assertThat(back.translations()).isEqualTo(as.translations());
        assertThat(back.ghost()).isEqualTo(as.ghost()).containsEntry(21L, 0x1234L).containsEntry(2 * H + 7, 42L);
        assertThat(back.areaAt(2 * H).orElseThrow().flags().hugetlb()).isEqualTo(PageSize.MIB_2);
        assertThat(back.areaAt(10).orElseThrow().flags().shared()).isTrue();
        assertThat(back.areaAt(10).orElseThrow().file()).isEqualTo("libc.so");
        assertThat(back.areaAt(30).orElseThrow().flags().noReserve()).isTrue();
        assertThat(back.load(2 * H + 7)).isEqualTo(42);
        assertThat(back.load(H + 3)).isEqualTo(1000 + H + 3);
        assertThat(encode(back)).as("the decoded space encodes to the same bytes").isEqualTo(encode(as));
    }

    @Test
    void everyBitOfTheEncodingMattersChangeOneAndTheDecodedSpaceDiffersOrIsRefused() throws IOException {
        VmSystem sys = VmSystem.of(Layout.small(4 * H), 40);
        AddressSpace as = sys.space(0);
        smallState(as);
        // An unfaulted MAP_HUGETLB area: its page size is encoded with the area, no frames needed.
        as.mmap(UserAddr.ofPage(H), H * P, Prot.R, HUGE_2M_FIXED, null, 0);
        byte[] bytes = encode(as);
        List<Object> expected = fingerprint(as);
        assertThat(fingerprint(decode(as, bytes))).isEqualTo(expected);

        List<Integer> unnoticed = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            byte[] changed = bytes.clone();
            changed[i] ^= 1;
            try {
                if (fingerprint(decode(as, changed)).equals(expected)) {
                    unnoticed.add(i);
                }
            } catch (IOException | RuntimeException | AssertionError refused) {
                // a refused encoding is noticed
            }
        }
        assertThat(unnoticed).as("byte offsets whose change decodes to the same space").isEmpty();
    }
}
