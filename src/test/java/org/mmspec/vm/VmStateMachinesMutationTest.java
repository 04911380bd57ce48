package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.Rule;
import org.mmspec.paging.PagingFormats;

/**
 * The parts of the two stateful machines that a passing run does not look at: their names (which
 * a report and a seeded bug's failure print), the first state (the stack page the model starts
 * with), which rules there are and when fork and exit are enabled, and the lifted invariants.
 */
class VmStateMachinesMutationTest {

    @Test
    void namesSayFormatPolicyAndSeededBug() {
        assertThat(new VmStateMachine().name()).isEqualTo("vm");
        assertThat(new VmStateMachine(VmSystem.Bug.NONE, PagingFormats.byName("sv39")).name()).isEqualTo("vm/sv39");
        assertThat(VmStateMachine.permit().name()).isEqualTo("vm/permit");
        assertThat(new VmStateMachine(VmSystem.Bug.WX_UNCHECKED).name()).isEqualTo("vm[WX_UNCHECKED]");
        assertThat(new VmHugeStateMachine().name()).isEqualTo("vm/huge");
        assertThat(new VmHugeStateMachine(VmSystem.Bug.HUGETLB_FAULT_SMALL).name()).isEqualTo("vm/huge[HUGETLB_FAULT_SMALL]");
    }

    @Test
    void theFirstStateIsOneProcessWithItsStackPage() {
        VmStateMachine m = VmStateMachine.permit();
        VmStateMachine.State s = m.init(Choices.random(1));
        assertThat(s.sys.spaces()).hasSize(1);
        assertThat(s.layout()).isEqualTo(Layout.small(VmStateMachine.PAGES));
        assertThat(s.sys.space(0).wxPolicy()).isEqualTo(AddressSpace.WxPolicy.PERMIT);
        assertThat(s.sys.frames().allocator().managedFrames()).isEqualTo(VmStateMachine.FRAMES);
        assertThat(s.model).hasSize(1);
        assertThat(s.model.get(0).keySet()).containsExactly(VmStateMachine.PAGES - 1L);
        assertThat(s.model.get(0).get(VmStateMachine.PAGES - 1L).prot()).isEqualTo(Prot.RW);
        assertThat(s.toString()).startsWith(s.sys.toString()).endsWith("model=" + s.model);
        assertThat(m.snapshot(s)).isEqualTo(m.snapshot(m.init(Choices.random(2))));
        assertThat(m.invariants().ids()).isEqualTo(VmInvariants.ALL.ids());
        assertThat(m.invariants().violations(s)).isEmpty();

        VmHugeStateMachine h = new VmHugeStateMachine();
        VmHugeStateMachine.State hs = h.init(Choices.random(1));
        assertThat(hs.sys.space(0).layout()).isEqualTo(Layout.small(4 * AddressSpace.PMD_PAGES));
        assertThat(hs.sys.frames().allocator().managedFrames()).isEqualTo(VmHugeStateMachine.FRAMES);
        assertThat(hs.model.get(0).keySet()).containsExactly(4 * AddressSpace.PMD_PAGES - 1);
        assertThat(hs.model.get(0).firstEntry().getValue()).containsExactly((long) Prot.RW.bits(), 0L, 0L);
        assertThat(hs.toString()).isEqualTo(hs.sys.toString());
        assertThat(h.snapshot(hs)).isEqualTo(h.snapshot(h.init(Choices.random(2))));
        assertThat(h.invariants().ids()).isEqualTo(VmInvariants.ALL.ids());
        assertThat(h.invariants().violations(hs)).isEmpty();
    }

    @Test
    void forkIsEnabledBelowTheProcessLimitAndExitAboveOne() {
        VmStateMachine m = new VmStateMachine();
        VmStateMachine.State s = m.init(Choices.random(1));
        assertThat(m.rules()).extracting(Rule::name)
                .containsExactly("mmap", "mprotect", "munmap", "mremap", "brk", "access", "access", "fork", "exit");
        Rule<VmStateMachine.State> fork = rule(m.rules(), "fork");
        Rule<VmStateMachine.State> exit = rule(m.rules(), "exit");
        assertThat(fork.enabled(s)).isTrue();
        assertThat(exit.enabled(s)).isFalse();
        s.sys.fork(0);
        assertThat(exit.enabled(s)).isTrue();
        s.sys.fork(0);
        assertThat(s.sys.spaces()).hasSize(VmStateMachine.MAX_PROCESSES);
        assertThat(fork.enabled(s)).isFalse();

        VmHugeStateMachine h = new VmHugeStateMachine();
        VmHugeStateMachine.State hs = h.init(Choices.random(1));
        assertThat(h.rules()).extracting(Rule::name).containsExactly("populate", "collapse", "collapse", "hugetlb",
                "hugetlb resize", "mprotect", "munmap", "mremap", "access", "access", "fork", "exit");
        assertThat(rule(h.rules(), "populate").enabled(hs)).isTrue();
        assertThat(rule(h.rules(), "hugetlb resize").enabled(hs)).as("no hugetlb area yet").isFalse();
        assertThat(rule(h.rules(), "exit").enabled(hs)).isFalse();
        assertThat(rule(h.rules(), "fork").enabled(hs)).isTrue();
        // Populating needs more than a huge page and a unit of free frames.
        while (hs.sys.frames().allocator().freeFrames() > VmHugeStateMachine.H + VmHugeStateMachine.UNIT + 1) {
            hs.sys.frames().corruptLeak();
        }
        assertThat(rule(h.rules(), "populate").enabled(hs)).isTrue();
        hs.sys.frames().corruptLeak();
        assertThat(rule(h.rules(), "populate").enabled(hs)).isFalse();
        hs.sys.fork(0);
        assertThat(rule(h.rules(), "fork").enabled(hs)).isFalse();
        assertThat(rule(h.rules(), "exit").enabled(hs)).isTrue();
    }

    private static <S> Rule<S> rule(List<Rule<S>> rules, String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
