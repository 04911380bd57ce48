package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.Test;

/**
 * The configuration's words: each architecture and seeded bug parses from its manifest word and
 * from its enum name, a configuration renders its bug only when one is seeded, and a stored state
 * of another configuration is refused by the codec with the array lengths that differ.
 */
class AsidConfigWordsTest {
    @Test
    void architecturesAndBugsParseFromTheirWordsAndTheirNames() {
        for (AsidArch a : AsidArch.values()) {
            assertThat(AsidArch.parse(a.word())).isSameAs(a);
            assertThat(AsidArch.parse(a.name().toLowerCase(java.util.Locale.ROOT))).isSameAs(a);
        }
        assertThat(AsidArch.parse("x86")).isSameAs(AsidArch.X86_PCID);
        for (AsidBug b : AsidBug.values()) {
            assertThat(AsidBug.parse(b.word())).isSameAs(b);
            assertThat(AsidBug.parse(b.name())).isSameAs(b);
        }
        assertThat(AsidBug.parse("rollover-no-flush")).isSameAs(AsidBug.ROLLOVER_NO_FLUSH);
        assertThatThrownBy(() -> AsidArch.parse("sparc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown arch 'sparc' (x86, aarch64, riscv)");
        assertThatThrownBy(() -> AsidBug.parse("no-such")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown ASID bug 'no-such'");
    }

    @Test
    void aConfigurationRendersItsBugOnlyWhenOneIsSeeded() {
        assertThat(model("arch=x86,cpus=1,spaces=2,asids=1,pages=1,huge=0,ops=0").config())
                .hasToString("arch=x86,cpus=1,spaces=2,asids=1,pages=1,huge=0,ops=0,generations=2");
        assertThat(model("arch=riscv,cpus=2,spaces=2,asids=3,huge=1,ops=1,generations=1,bug=mask-running-only").config())
                .hasToString("arch=riscv,cpus=2,spaces=2,asids=3,pages=2,huge=1,ops=1,generations=1,bug=mask-running-only");
    }

    @Test
    void theCodecRefusesAStateOfAnotherConfiguration() throws IOException {
        AsidModel three = model("arch=aarch64,cpus=1,spaces=3,asids=2,pages=1,huge=0,ops=0,generations=1");
        AsidModel two = model("arch=aarch64,cpus=1,spaces=2,asids=2,pages=1,huge=0,ops=0,generations=1");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        three.codec().write(three.initial(), new DataOutputStream(bytes));
        assertThat(three.codec().read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())))).isEqualTo(three.initial());
        assertThatThrownBy(() -> two.codec().read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isInstanceOf(IOException.class).hasMessage("an array of 3 where this configuration has 2");
    }
}
