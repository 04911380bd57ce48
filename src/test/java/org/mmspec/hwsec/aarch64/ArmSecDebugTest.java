package org.mmspec.hwsec.aarch64;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.debug.SampleMachine;

/** The debug report and the pointer dump decode the new bits: AttrIndx Tagged, allocation tags, TBI0, TCF0, PAC keys. */
class ArmSecDebugTest {
    @Test
    void MTE_3_theReportDecodesTaggedDescriptorsTagsAndTheRegisters() {
        String r = new SampleMachine().debug("arm_mte");
        assertThat(r).contains("MAIR_EL1 0x000000f004bb44ff (slot 4 = 0xf0 Tagged Normal)")
                .contains("cpu0: pid 1, TCR_EL1.TBI0=1 TBI1=0, SCTLR_EL1.TCF0=SYNC (0b1)")
                .contains("cpu1: pid 2, TCR_EL1.TBI0=1")
                .contains("AttrIndx=4 Tagged")
                .contains("tags: g0=3 g1=5 g2-255=0")
                .contains("pid 2: TBI on, tag checks SYNC, PAC keys#0");
        assertThat(r.lines().filter(l -> l.contains("page 0x11:")).findFirst().orElseThrow()).contains("AttrIndx=0").doesNotContain("Tagged");
    }

    @Test
    void TBI_1_thePointerDumpShowsTheIgnoredTopByteAndTheTagCheck() {
        SampleMachine m = new SampleMachine();
        String match = m.debug("arm_mte 0x0300000000010000");
        assertThat(match).contains("top byte 0x03, logical tag tag3").contains("TBI0=1: translation uses")
                .contains("AttrIndx=4 Tagged").contains("granule 0 allocation tag tag3: match");
        assertThat(m.debug("arm_mte 0x0700000000010010")).contains("granule 1 allocation tag tag5: mismatch, SYNC tag-check fault");
        assertThat(m.debug("arm_mte 0x0700000000011000")).contains("not Tagged memory: no tag check");
    }

    @Test
    void TBI_2_thePointerDumpShowsAKernelPointerWithMetadataRejected() {
        assertThat(new SampleMachine().debug("arm_mte 0x01ff800000000000")).contains("fault KERNEL_METADATA");
    }
}
