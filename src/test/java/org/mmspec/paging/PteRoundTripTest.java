package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.CheckSettings;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The descriptor property of every format: encode then decode gives back the address and the
 * flags, for leaves at every level that holds one and for tables with every restriction the
 * format can express; and decoding any 64-bit value never throws and agrees with the
 * well-formedness check. Seeded loops over random values; the seed is printed on failure.
 */
class PteRoundTripTest {
    private static final int CASES = 20_000;

    static Stream<PteFormat> formats() {
        return PagingFormats.all().stream();
    }

    private static PageFlags randomFlags(SplittableRandom r, PageFlags allowed) {
        return new PageFlags(r.nextInt(1 << 9) & allowed.bits()).with(PageFlags.PRESENT);
    }

    private static PhysAddr randomAligned(SplittableRandom r, int shift) {
        return PhysAddr.of(r.nextLong(PhysAddr.LIMIT >>> 4) & -(1L << shift));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void leavesRoundTripAtEveryLeafLevel(PteFormat f) {
        long seed = CheckSettings.defaults().seed();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            PageSize size = f.pageSizes().get(r.nextInt(f.pageSizes().size()));
            int depth = f.leafDepth(size);
            PageFlags flags = randomFlags(r, f.supportedFlags());
            PhysAddr out = randomAligned(r, size.shift());
            if (f instanceof Aarch64Pte || f instanceof RiscvPte) {
                out = PhysAddr.of(out.value() & ((1L << 48) - 1)); // 48-bit output addresses / 44-bit PPN
            }
            long raw = f.encodeLeaf(out, flags, depth);
            Entry e = f.decode(raw, depth);
            assertThat(e).as("seed %d: %s %s %s at %s", seed, f, out, flags, f.levelName(depth))
                    .isEqualTo(Entry.leaf(out, flags));
            assertThat(f.problem(raw, depth)).as("seed %d", seed).isEmpty();
            assertThat(f.encodeLeaf(e.address(), e.flags(), depth)).isEqualTo(raw);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void tablesRoundTripWithEveryRestriction(PteFormat f) {
        long seed = CheckSettings.defaults().seed();
        SplittableRandom r = new SplittableRandom(seed);
        PageFlags restrictable = f instanceof RiscvPte ? f.permissiveTableFlags()
                : PageFlags.of(PageFlags.PRESENT, PageFlags.WRITABLE, PageFlags.USER, PageFlags.NO_EXECUTE);
        for (int i = 0; i < CASES; i++) {
            int depth = r.nextInt(f.levels() - 1);
            PageFlags flags = f instanceof RiscvPte ? restrictable : randomFlags(r, restrictable);
            PhysAddr table = PhysAddr.of(randomAligned(r, 12 + Integer.numberOfTrailingZeros(f.tableFrames())).value()
                    & ((1L << 48) - 1));
            long raw = f.encodeTable(table, flags, depth);
            assertThat(f.decode(raw, depth)).as("seed %d", seed).isEqualTo(Entry.table(table, flags));
            assertThat(f.problem(raw, depth)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void anyRawValueDecodesWithoutThrowingAndAgreesWithTheWellFormednessCheck(PteFormat f) {
        long seed = CheckSettings.defaults().seed();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            long raw = r.nextLong() & (r.nextBoolean() ? -1L : 0x8000_FFFF_FFFF_FFFFL);
            int depth = r.nextInt(f.levels());
            Entry e = f.decode(raw, depth);
            boolean flagged = f.problem(raw, depth).isPresent();
            if (e.kind() == Entry.Kind.RESERVED) {
                assertThat(flagged).as("seed %d: reserved 0x%x at %d is flagged", seed, raw, depth).isTrue();
            }
            if (e.kind() == Entry.Kind.INVALID) {
                assertThat(flagged).isFalse();
            }
        }
    }

    @Test
    void rootRegistersCarryTheArchitecturalModes() {
        PhysFrame root = PhysFrame.of(0x1234);
        assertThat(RiscvPte.SV39.rootRegister(root, 0) >>> RiscvPte.SATP_MODE_SHIFT).isEqualTo(8);
        assertThat(RiscvPte.SV48.rootRegister(root, 0) >>> RiscvPte.SATP_MODE_SHIFT).isEqualTo(9);
        assertThat(RiscvPte.SV39.rootRegister(root, 5) & RiscvPte.SATP_PPN_MASK).isEqualTo(0x1234);
        assertThat(X86_64Pte.FORMAT.rootRegister(root, 7)).isEqualTo(0x1234_000L | 7);
        assertThat(Aarch64Pte.G4K.rootRegister(root, 3)).isEqualTo(0x1234_000L | (3L << 48));
    }

    @Test
    void geometryMatchesTheArchitectures() {
        assertThat(X86_64Pte.FORMAT.levels()).isEqualTo(4);
        assertThat(RiscvPte.SV39.levels()).isEqualTo(3);
        assertThat(RiscvPte.SV39.vaBits()).isEqualTo(39);
        assertThat(RiscvPte.SV48.levels()).isEqualTo(4);
        assertThat(Aarch64Pte.G4K.levels()).isEqualTo(4);
        assertThat(Aarch64Pte.G16K.levels()).isEqualTo(4);
        assertThat(Aarch64Pte.G64K.levels()).isEqualTo(3);
        for (PteFormat f : PagingFormats.all()) {
            // The index fields tile VA bits [pageShift, vaBits) exactly.
            int bits = f.indexShift(f.levels() - 1);
            for (int d = f.levels() - 1; d >= 0; d--) {
                assertThat(f.indexShift(d)).as("%s depth %d", f, d).isEqualTo(bits);
                bits += f.indexBits(d);
            }
            assertThat(bits).as(f.name()).isEqualTo(f.vaBits());
            assertThat(1 << f.indexBits(f.levels() - 1)).isEqualTo(f.entriesPerTable());
        }
        assertThat(Aarch64Pte.G16K.entriesPerTable()).isEqualTo(2048);
        assertThat(Aarch64Pte.G64K.entriesPerTable()).isEqualTo(8192);
    }
}
