package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmspec.tlb.asid.AsidTestSupport.model;
import static org.mmspec.tlb.asid.AsidTestSupport.walk;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;

/**
 * Every way a kernel call is rejected gives its typed error and leaves the state exactly as it was
 * (ATOMIC-1), including the generation bound that refuses a rollover only after the allocator has
 * looked for a free ASID; and bad configurations are refused up front.
 */
class AsidKernelTest {
    private static void rejected(AsidState s, AsidError.Kind kind, Consumer<AsidState> call) {
        AsidState before = s.copy();
        assertThatThrownBy(() -> call.accept(s)).isInstanceOfSatisfying(AsidError.class,
                e -> assertThat(e.errorKind()).isEqualTo(kind));
        assertThat(s).isEqualTo(before);
    }

    @Test
    void everyRejectionChangesNothing() {
        AsidModel m = model("arch=aarch64,cpus=2,spaces=2,asids=3,huge=1,ops=1,generations=1");
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills").copy();
        rejected(s, AsidError.Kind.BAD_CPU, x -> AsidKernel.switchTo(x, 2, 0));
        rejected(s, AsidError.Kind.BAD_SPACE, x -> AsidKernel.switchTo(x, 0, -1));
        rejected(s, AsidError.Kind.ALREADY_RUNNING, x -> AsidKernel.switchTo(x, 0, 0));
        rejected(s, AsidError.Kind.NOT_RUNNING, x -> AsidKernel.enterLazy(x, 1));
        rejected(s, AsidError.Kind.NOT_RUNNING, x -> AsidKernel.munmap(x, 1, 0));
        rejected(s, AsidError.Kind.BAD_PAGE, x -> AsidKernel.mprotect(x, 0, 2));
        AsidKernel.munmap(s, 0, 0);
        rejected(s, AsidError.Kind.NO_CHANGE, x -> AsidKernel.munmap(x, 0, 0));
        rejected(s, AsidError.Kind.NO_CHANGE, x -> AsidKernel.mprotect(x, 0, 0));
        rejected(s, AsidError.Kind.SCOPE, x -> AsidKernel.mprotect(x, 0, 1));
    }

    @Test
    void aRolloverPastTheGenerationBoundIsRefusedWithoutChange() {
        AsidModel m = model("arch=aarch64,cpus=1,spaces=3,asids=2,pages=1,huge=0,ops=0,generations=1");
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills", "cpu0 switch to mmB").copy();
        rejected(s, AsidError.Kind.SCOPE, x -> AsidKernel.switchTo(x, 0, 2));
    }

    @Test
    void badConfigurationsAreRefused() {
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse("arch=aarch64,cpus=2,asids=2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more ASIDs than CPUs");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse("arch=x86,pages=1,huge=1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 MiB leaf");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse("arch=sparc")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown arch");
        assertThatThrownBy(() -> AsidConfig.fromBounds(Bounds.parse("bug=typo")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown ASID bug");
    }

    @Test
    void theExplorerKeyDistinguishesExactlyWhatEqualsDoes() {
        AsidModel m = model("arch=x86,cpus=2,spaces=2,asids=2,huge=1,ops=2");
        AsidState a = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills", "cpu1 switch to mmA");
        AsidState b = walk(m, m.initial(), "cpu1 switch to mmA", "cpu0 switch to mmA", "hw cpu0 fills");
        assertThat(a).isEqualTo(b);
        assertThat(a.key()).isEqualTo(b.key());
        AsidState c = walk(m, a, "cpu0 runs a kernel thread");
        assertThat(c.key()).isNotEqualTo(a.key());
        AsidState d = walk(m, a, "hw cpu1 fills");
        assertThat(d.key()).isNotEqualTo(a.key());
    }

    @Test
    void packedEntriesRoundTrip() {
        TaggedEntry e = new TaggedEntry(5, TaggedEntry.HUGE, 6, true, 3);
        assertThat(TaggedEntry.unpack(e.pack())).isEqualTo(e);
        assertThat(e.covers(5, 1)).isTrue();
        assertThat(e.frameOf(1)).isEqualTo(7);
        assertThat(e.covers(4, 1)).isFalse();
    }
}
