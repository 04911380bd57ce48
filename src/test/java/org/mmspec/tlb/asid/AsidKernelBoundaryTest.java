package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.asid.aarch64.GenerationAsids;
import org.mmspec.tlb.asid.x86.PcidSlots;

/**
 * The kernel calls and the configuration at their exact bounds: each rejection's kind and message,
 * the first and last valid CPU, space and page, the one-line account each call returns, the
 * operation budget, and the 2 MiB split (PIT found these unchecked by the walks and the models).
 */
class AsidKernelBoundaryTest {

    private static AsidState state(String bounds) {
        return AsidState.initial(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    private static void rejected(AsidState s, AsidError.Kind kind, String message, Runnable call) {
        AsidState before = s.copy();
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AsidError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(message);
        });
        assertThat(s).isEqualTo(before);
    }

    @Test
    void cpusAndSpacesAreCheckedAtBothEnds() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,huge=1,ops=1,generations=1");
        rejected(s, AsidError.Kind.BAD_CPU, "cpu -1 outside 0..1", () -> AsidKernel.switchTo(s, -1, 0));
        rejected(s, AsidError.Kind.BAD_CPU, "cpu 2 outside 0..1", () -> AsidKernel.switchTo(s, 2, 0));
        rejected(s, AsidError.Kind.BAD_SPACE, "address space -1 outside 0..1", () -> AsidKernel.switchTo(s, 0, -1));
        rejected(s, AsidError.Kind.BAD_SPACE, "address space 2 outside 0..1", () -> AsidKernel.switchTo(s, 0, 2));
        rejected(s, AsidError.Kind.NOT_RUNNING, "cpu1 runs no user address space", () -> AsidKernel.enterLazy(s, 1));
        rejected(s, AsidError.Kind.BAD_CPU, "cpu 2 outside 0..1", () -> AsidKernel.enterLazy(s, 2));
        assertThat(AsidKernel.switchTo(s, 1, 1)).startsWith("cpu1 switch to mmB");
        assertThat(s.running(1)).isEqualTo(1);
        assertThat(s.inUser(1)).isTrue();
        rejected(s, AsidError.Kind.ALREADY_RUNNING, "cpu1 already runs mmB", () -> AsidKernel.switchTo(s, 1, 1));
        assertThat(AsidKernel.switchTo(s, 0, 0)).startsWith("cpu0 switch to mmA");
    }

    @Test
    void aLazyCpuMayReturnToTheSpaceItStillHasLoaded() {
        AsidState s = state("arch=x86,cpus=2,spaces=2,asids=2,huge=1,ops=1");
        AsidKernel.switchTo(s, 0, 1);
        assertThat(AsidKernel.enterLazy(s, 0)).isEqualTo("cpu0 runs a kernel thread, lazy on mmB");
        assertThat(s.lazy(0)).isTrue();
        assertThat(s.inUser(0)).isFalse();
        assertThat(s.lazy(1)).isFalse();
        AsidKernel.switchTo(s, 1, 0);
        assertThat(AsidKernel.enterLazy(s, 1)).isEqualTo("cpu1 runs a kernel thread, lazy on mmA");
        assertThat(s.lazy(1)).isTrue();
        assertThat(s.lazy(0)).isTrue();
        rejected(s, AsidError.Kind.NOT_RUNNING, "cpu0 runs no user address space", () -> AsidKernel.munmap(s, 0, 0));
        assertThat(AsidKernel.switchTo(s, 0, 1)).startsWith("cpu0 switch to mmB");
        assertThat(s.lazy(0)).isFalse();
        assertThat(s.inUser(0)).isTrue();
    }

    @Test
    void pagesAreCheckedAtBothEndsAndTheBudgetIsCounted() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,pages=2,huge=0,ops=2,generations=1");
        AsidKernel.switchTo(s, 0, 1);
        rejected(s, AsidError.Kind.BAD_PAGE, "page -1 outside 0..1", () -> AsidKernel.munmap(s, 0, -1));
        rejected(s, AsidError.Kind.BAD_PAGE, "page 2 outside 0..1", () -> AsidKernel.mprotect(s, 0, 2));
        assertThat(s.opsLeft()).isEqualTo(2);
        int frame = s.pteFrame(1, 1);
        assertThat(AsidKernel.mprotect(s, 0, 1)).startsWith("cpu0 mprotect(p1) of mmB").doesNotContain("split");
        assertThat(s.mapped(1, 1)).isTrue();
        assertThat(s.pteWritable(1, 1)).isFalse();
        assertThat(s.pteFrame(1, 1)).isEqualTo(frame);
        assertThat(s.opsLeft()).isEqualTo(1);
        rejected(s, AsidError.Kind.NO_CHANGE, "p1 of mmB is already read-only or unmapped", () -> AsidKernel.mprotect(s, 0, 1));
        assertThat(AsidKernel.munmap(s, 0, 0)).startsWith("cpu0 munmap(p0) of mmB");
        assertThat(s.mapped(1, 0)).isFalse();
        assertThat(s.mapped(0, 0)).isTrue(); // the other space's page is untouched
        assertThat(s.opsLeft()).isZero();
        rejected(s, AsidError.Kind.NO_CHANGE, "p0 of mmB is already unmapped", () -> AsidKernel.munmap(s, 0, 0));
        rejected(s, AsidError.Kind.SCOPE, "the configuration allows 2 page-table operations", () -> AsidKernel.munmap(s, 0, 1));
    }

    @Test
    void aOnePageChangeShootsDownThatPageOnlyOnEveryArchitecture() {
        for (String arch : new String[] {"aarch64", "riscv", "x86"}) {
            AsidState s = state("arch=" + arch + ",cpus=2,spaces=2,asids=3,pages=2,huge=0,ops=2,generations=1");
            AsidKernel.switchTo(s, 0, 0);
            AsidKernel.switchTo(s, 1, 0);
            for (int c = 0; c < 2; c++) {
                for (int p = 0; p < 2; p++) {
                    assertThat(AsidModel.fill(s, c, p)).as(arch).isNotNull();
                }
            }
            AsidKernel.munmap(s, 0, 1);
            for (int c = 0; c < 2; c++) {
                assertThat(s.lookup(c, s.tag(c), 1)).as(arch + " cpu" + c + " p1").isNull();
                assertThat(s.lookup(c, s.tag(c), 0)).as(arch + " cpu" + c + " p0").isNotNull();
            }
            AsidKernel.mprotect(s, 1, 0);
            for (int c = 0; c < 2; c++) {
                assertThat(s.lookup(c, s.tag(c), 0)).as(arch + " cpu" + c + " p0 after mprotect").isNull();
            }
            assertThat(AsidInvariants.ALL.violations(s)).as(arch).isEmpty();
        }
    }

    @Test
    void theFirstChangeOfAHugeRegionSplitsItAndTheSeededBugSkipsOnlyThatShootdown() {
        for (String bug : new String[] {"none", "split-no-shootdown"}) {
            AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,huge=1,ops=2,generations=1,bug=" + bug);
            AsidKernel.switchTo(s, 0, 0);
            assertThat(s.hugeLeaf(0)).isTrue();
            assertThat(s.hugeLeaf(1)).isTrue();
            String log = AsidKernel.munmap(s, 0, 1);
            assertThat(log).startsWith("cpu0 munmap(p1) of mmA: split 2M leaf into 4K PTEs");
            assertThat(log.contains(", no shootdown")).isEqualTo(bug.equals("split-no-shootdown"));
            assertThat(s.hugeLeaf(0)).isFalse();
            assertThat(s.hugeLeaf(1)).isTrue();
            assertThat(s.mapped(0, 0)).isTrue();
            String second = AsidKernel.mprotect(s, 0, 0);
            assertThat(second).startsWith("cpu0 mprotect(p0) of mmA").doesNotContain("split").doesNotContain("no shootdown");
        }
    }

    @Test
    void eachArchitectureHasItsScheme() {
        assertThat(AsidKernel.scheme(AsidArch.AARCH64)).isSameAs(GenerationAsids.AARCH64);
        assertThat(AsidKernel.scheme(AsidArch.RISCV)).isSameAs(GenerationAsids.RISCV);
        assertThat(AsidKernel.scheme(AsidArch.X86_PCID)).isSameAs(PcidSlots.INSTANCE);
    }

    @Test
    void theConfigurationBoundsAreInclusive() {
        String base = "arch=x86,cpus=%d,spaces=%d,asids=%d,pages=%d,huge=0,ops=%d,generations=%d";
        AsidConfig low = AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 1, 0, 1)));
        assertThat(low.allCpus()).isEqualTo(1);
        AsidConfig high = AsidConfig.fromBounds(Bounds.parse(String.format(base, 4, 4, 7, 2, 3, 3)));
        assertThat(high.allCpus()).isEqualTo(0b1111);
        assertThat(high.toString()).isEqualTo("arch=x86,cpus=4,spaces=4,asids=7,pages=2,huge=0,ops=3,generations=3");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 0, 1, 1, 1, 0, 1))))
                .hasMessage("cpus must be 1..4, not 0");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 5, 1, 1, 1, 0, 1))))
                .hasMessage("cpus must be 1..4, not 5");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 0, 1, 1, 0, 1))))
                .hasMessage("spaces must be 1..4, not 0");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 5, 1, 1, 0, 1))))
                .hasMessage("spaces must be 1..4, not 5");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 0, 1, 0, 1))))
                .hasMessage("asids must be 1..7, not 0");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 8, 1, 0, 1))))
                .hasMessage("asids must be 1..7, not 8");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 0, 0, 1))))
                .hasMessage("pages must be 1..2, not 0");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 3, 0, 1))))
                .hasMessage("pages must be 1..2, not 3");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 1, -1, 1))))
                .hasMessage("ops must be 0..3, not -1");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 1, 4, 1))))
                .hasMessage("ops must be 0..3, not 4");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 1, 0, 0))))
                .hasMessage("generations must be 1..3, not 0");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse(String.format(base, 1, 1, 1, 1, 0, 4))))
                .hasMessage("generations must be 1..3, not 4");
        // The generation allocator needs strictly more ASIDs than CPUs; x86's PCID slots do not.
        assertThat(AsidConfig.fromBounds(Bounds.parse("arch=aarch64,cpus=2,asids=3")).asids()).isEqualTo(3);
        assertThat(AsidConfig.fromBounds(Bounds.parse("arch=x86,cpus=2,asids=2")).asids()).isEqualTo(2);
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse("arch=riscv,cpus=2,asids=2")))
                .hasMessage("the generation allocator needs more ASIDs than CPUs (asids 2, cpus 2)");
        assertThat(AsidConfig.fromBounds(Bounds.parse("arch=riscv,bug=rollover-no-flush")).toString())
                .endsWith(",generations=2,bug=rollover-no-flush");
    }
}
