package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmspec.check.CheckSettings;
import org.mmspec.check.InvariantViolation;
import org.mmspec.check.StatefulChecker;
import org.mmspec.check.StatefulFailure;

/** KWX-1: the kernel image's mappings against its W^X section table, on every format. */
class KernelImageTest {
    private static final String[] FORMATS = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48"};

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void bootedImageGrantsExactlyItsSectionsRights(String name) {
        KernelImage k = KernelImage.boot(PagingFormats.byName(name), KernelImage.Bug.NONE);
        assertThat(KernelImage.ALL.violations(k)).isEmpty();
        assertThat(k.grants(0)).isEqualTo(new KernelImage.Grants(true, false, true, false));
        assertThat(k.grants(2)).isEqualTo(new KernelImage.Grants(true, false, false, false));
        assertThat(k.grants(3)).isEqualTo(new KernelImage.Grants(true, true, false, false));
        assertThat(k.grants(5)).isEqualTo(new KernelImage.Grants(false, false, false, false));
        assertThatThrownBy(() -> k.setMemory(2, KernelImage.Change.RW)).isInstanceOfSatisfying(PagingError.class,
                e -> assertThat(e.errorKind()).isEqualTo(PagingError.Kind.PROTECTED_SECTION));
        k.setMemory(3, KernelImage.Change.RO);
        assertThat(k.grants(3)).isEqualTo(new KernelImage.Grants(true, false, false, false));
    }

    /** The user bit on .rodata, written behind the image's back: KWX-1, on every format. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void KWX_1_catchesAUserAccessibleKernelPage(String name) {
        PteFormat f = PagingFormats.byName(name);
        KernelImage k = KernelImage.boot(f, KernelImage.Bug.NONE);
        k.mapper().updateFlags(KernelImage.page(f, 2), KernelImage.flags(f, false, false).with(PageFlags.USER));
        assertThat(KernelImage.KWX_1.evaluate(k).orElseThrow().detail()).contains("image page 2").contains("user")
                .contains(".rodata");
    }

    /** .rodata made executable behind the image's back (no W^X refusal applies: it is not writable). */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "sv39"})
    void KWX_1_catchesExecutableRodata(String name) {
        PteFormat f = PagingFormats.byName(name);
        KernelImage k = KernelImage.boot(f, KernelImage.Bug.NONE);
        k.mapper().updateFlags(KernelImage.page(f, 2), KernelImage.flags(f, false, true));
        assertThat(KernelImage.KWX_1.evaluate(k).orElseThrow().detail()).contains("grants r-x");
    }

    /** A page mapped in the guard gap after .bss: in no section, so it must grant nothing. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-64k", "sv48"})
    void KWX_1_catchesAMappingOutsideEverySection(String name) {
        PteFormat f = PagingFormats.byName(name);
        KernelImage k = KernelImage.boot(f, KernelImage.Bug.NONE);
        k.mapper().map(KernelImage.page(f, 5), org.mmspec.frames.PhysFrame.of(1L << 21), KernelImage.flags(f, true, false));
        assertThat(KernelImage.KWX_1.evaluate(k).orElseThrow().detail()).contains("in no section");
    }

    /** set_memory_* checking only W^X, not the section table: KWX-1 fails every stateful run, on every format. */
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void KWX_1_seededUncheckedSetMemoryFailsEveryStatefulRun(String name) {
        for (long seed = 1; seed <= 5; seed++) {
            CheckSettings s = CheckSettings.fromSystemProperties(40).withSeed(seed).withRuns(50);
            assertThatThrownBy(() -> StatefulChecker.check(
                    new KernelImageMachine(PagingFormats.byName(name), KernelImage.Bug.SECTION_CHECK_ONLY_WX), s))
                    .as(name + " seed " + seed)
                    .isInstanceOfSatisfying(StatefulFailure.class, sf -> assertThat(sf.failure())
                            .isInstanceOfSatisfying(InvariantViolation.class, iv -> assertThat(iv.invariantId()).isEqualTo("KWX-1")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "aarch64-4k", "aarch64-16k", "aarch64-64k", "sv39", "sv48", "x86_64-la57", "sv57"})
    void kernelImageAgreesWithItsSectionModel(String name) {
        System.out.println(StatefulChecker.check(new KernelImageMachine(PagingFormats.byName(name)),
                CheckSettings.fromSystemProperties(40).withSeed(3).withRuns(100)));
    }
}
