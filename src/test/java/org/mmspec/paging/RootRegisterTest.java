package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * ROOT-1: the mode the root and control registers select (decoded by {@link TranslationRegime},
 * the hardware model's transcription of the manuals) walks the levels, VA width and granule the
 * format uses. Negative tests seed one register mix-up per architecture through a forwarding
 * format; the satp MODE 8 labelled Sv48 fails every stateful run at its first state.
 */
class RootRegisterTest {

    private static PageMapper mapper(PteFormat f) {
        return new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 64)),
                TlbFlushSink.NONE);
    }

    /** Sv48's descriptor with satp.MODE 8 in its root register: the mislabelling. */
    static PteFormat sv48WithMode8() {
        return new ForwardingPteFormat(RiscvPte.SV48) {
            @Override
            public long rootRegister(PhysFrame root, int asid) {
                return (super.rootRegister(root, asid) & ~(0xFL << 60)) | (8L << 60);
            }

            @Override
            public long controlRegister() {
                return 8L << 60;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void ROOT_1_holdsForEveryFormat(String name) {
        PteFormat f = PagingFormats.byName(name);
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(f))).isEmpty();
        TranslationRegime r = TranslationRegime.decode(f, PhysFrame.of(16)).orElseThrow();
        assertThat(r.levels()).isEqualTo(f.levels());
        assertThat(r.vaBits()).isEqualTo(f.vaBits());
    }

    @Test
    void decodingFollowsTheManuals() {
        assertThat(TranslationRegime.riscv(8L << 60)).contains(new TranslationRegime("Sv39", 3, 39, 12));
        assertThat(TranslationRegime.riscv(9L << 60)).contains(new TranslationRegime("Sv48", 4, 48, 12));
        assertThat(TranslationRegime.riscv(10L << 60)).contains(new TranslationRegime("Sv57", 5, 57, 12));
        assertThat(TranslationRegime.riscv(0)).isEmpty();
        assertThat(TranslationRegime.x86(1L << 5)).contains(new TranslationRegime("4-level", 4, 48, 12));
        assertThat(TranslationRegime.x86((1L << 5) | (1L << 12))).contains(new TranslationRegime("5-level", 5, 57, 12));
        assertThat(TranslationRegime.x86(1L << 12)).isEmpty();
        // TCR_EL1: T0SZ=T1SZ=16; TG0 4K=00, 64K=01, 16K=10; TG1 16K=01, 4K=10, 64K=11.
        long sz = 16 | (16L << 16);
        assertThat(TranslationRegime.aarch64(sz | (0b10L << 30)).orElseThrow().levels()).isEqualTo(4);
        assertThat(TranslationRegime.aarch64(sz | (0b10L << 14) | (0b01L << 30)).orElseThrow().levels()).isEqualTo(4);
        assertThat(TranslationRegime.aarch64(sz | (0b01L << 14) | (0b11L << 30)).orElseThrow().levels()).isEqualTo(3);
        assertThat(TranslationRegime.aarch64(25 | (25L << 16) | (0b10L << 30)).orElseThrow())
                .isEqualTo(new TranslationRegime("4KB granule, T0SZ=25", 3, 39, 12));
        assertThat(TranslationRegime.aarch64(sz | (0b11L << 14) | (0b10L << 30))).as("TG0=0b11 is reserved").isEmpty();
        assertThat(TranslationRegime.aarch64(sz)).as("TG1=0b00 is reserved").isEmpty();
    }

    @Test
    void ROOT_1_catchesSatpMode8LabelledSv48() {
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(sv48WithMode8())).orElseThrow().detail())
                .contains("select Sv39 (3 levels, 39-bit VAs").contains("format walks 4 levels, 48-bit VAs");
    }

    @Test
    void ROOT_1_catchesLa57SetUnderA4LevelFormat() {
        PteFormat la57 = new ForwardingPteFormat(X86_64Pte.FORMAT) {
            @Override
            public long controlRegister() {
                return super.controlRegister() | X86_64Pte.CR4_LA57;
            }
        };
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(la57)).orElseThrow().detail()).contains("5-level (5 levels, 57-bit");
    }

    @Test
    void ROOT_1_catchesTcrGranuleThatDisagrees() {
        PteFormat tg = new ForwardingPteFormat(Aarch64Pte.G16K) {
            @Override
            public long controlRegister() {
                return super.controlRegister() & ~(3L << Aarch64Pte.TCR_TG0_SHIFT) & ~(3L << Aarch64Pte.TCR_TG1_SHIFT)
                        | (Aarch64Pte.TG1_4K << Aarch64Pte.TCR_TG1_SHIFT);
            }
        };
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(tg)).orElseThrow().detail()).contains("granule 2^12")
                .contains("granule 2^14");
        PteFormat none = new ForwardingPteFormat(Aarch64Pte.G4K) {
            @Override
            public long controlRegister() {
                return 0; // TG1 = 0b00 is reserved
            }
        };
        assertThat(PagingInvariants.ROOT_1.evaluate(mapper(none)).orElseThrow().detail()).contains("selects no paging scheme");
    }

    /** The mislabelled Sv48 fails every stateful run of the paging suite, on ROOT-1, at its first state. */
    @Test
    void ROOT_1_seededSatpMode8FailsEveryStatefulRun() {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(20).withSeed(seed).withRuns(5);
            assertThatThrownBy(() -> StatefulChecker.check(new PagingMachine(sv48WithMode8()), s))
                    .as("seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("ROOT-1")));
        }
    }
}
