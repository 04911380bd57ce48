package org.mmspec.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code dump_pt} decodes the x86_64 hardware-security bits: the shadow-stack type and the SEV/TDX bit. */
class SampleMachineHwSecTest {
    private final SampleMachine machine = new SampleMachine();

    @Test
    void dumpPtNamesAShadowStackPage() {
        String leaf = machine.debug("dump_pt 0x2000").lines().filter(l -> l.contains("LEAF")).findFirst().orElseThrow();
        assertThat(leaf).endsWith("P US A D NX SS");
        assertThat(machine.debug("dump_pt 0x1000")).doesNotContain(" SS");
    }

    @Test
    void dumpPtDecodesTheEncryptionBitForSevAndTdx() {
        // The sample machine's tables carry no encryption bit: SEV reads C=0 (shared), TDX S=0 (private).
        assertThat(machine.debug("dump_pt 0x1000 sev")).contains("encryption: C(bit 51)=0 shared");
        assertThat(machine.debug("dump_pt 0x1000 tdx:52")).contains("encryption: S(bit 51)=0 private");
        assertThat(machine.debug("dump_pt 0x5000 sev")).contains("encryption: no leaf");
        assertThatThrownBy(() -> machine.debug("dump_pt 0x1000 mte")).isInstanceOf(DebugError.class);
    }
}
