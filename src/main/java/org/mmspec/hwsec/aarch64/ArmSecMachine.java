package org.mmspec.hwsec.aarch64;

import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * Stateful random runs of {@link ArmMm}: two CPUs, up to three processes, four user pages, and
 * every operation with arguments drawn so that rejections (unmapped pages, kernel pointers,
 * mismatched tags, bad CPUs) are frequent. Every rejected operation must leave the state as it was
 * (ATOMIC-1), and TBI-1..3, MTE-1..3, PAC-1..3 are checked after every step. Model comparison:
 * a completed access returns the physical address of the frame the page maps plus the offset, and
 * a synchronous mismatch on a Tagged page is refused with TAG_CHECK_FAULT.
 */
public final class ArmSecMachine implements StateMachine<ArmMm> {
    static final int CPUS = 2;
    static final int FRAMES = 6;
    static final int PROCS = 3;
    static final int EXECS = 6;
    static final long PAGES = 4;

    private final ArmMm.Bug bug;

    public ArmSecMachine() {
        this(ArmMm.Bug.NONE);
    }

    public ArmSecMachine(ArmMm.Bug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return bug == ArmMm.Bug.NONE ? "hwsec-aarch64" : "hwsec-aarch64[" + bug + "]";
    }

    @Override
    public ArmMm init(Choices choices) {
        return new ArmMm(CPUS, FRAMES, PROCS, EXECS, bug);
    }

    private static int pid(ArmMm s, Step<ArmMm> st) {
        return st.oneIn(8) ? 9 : st.pick(s.pids());
    }

    private static long pointer(Step<ArmMm> st) {
        long page = st.between(0, (int) PAGES);
        long ptr = (page << 12) | (st.between(0, 3) * (long) AllocationTag.GRANULE_BYTES);
        int top = st.pick(List.of(0x00, 0x00, 0x01, 0x02, 0xA1, 0xFF));
        ptr = TopByteIgnore.withTopByte(ptr, top);
        if (st.oneIn(8)) {
            ptr |= 1L << st.pick(List.of(48, 52, 55));
        }
        return st.oneIn(10) ? TopByteIgnore.withTopByte(org.mmspec.paging.VirtAddr.UPPER_HALF_START, st.between(0, 0xFE)) : ptr;
    }

    @Override
    public List<Rule<ArmMm>> rules() {
        return List.of(
                Rule.of("mmap", (s, st) -> {
                    int pid = pid(s, st);
                    long page = st.between(0, (int) PAGES);
                    boolean tagged = st.bool();
                    st.call("pid%d mmap(0x%x%s)", pid, page, tagged ? ", PROT_MTE" : "").performVoid(() -> s.mmap(pid, page, tagged));
                }),
                Rule.of("mprotect", (s, st) -> {
                    int pid = pid(s, st);
                    long page = st.between(0, (int) PAGES);
                    boolean tagged = st.bool();
                    st.call("pid%d mprotect(0x%x%s)", pid, page, tagged ? ", PROT_MTE" : "").performVoid(() -> s.mprotect(pid, page, tagged));
                }),
                Rule.of("munmap", (s, st) -> {
                    int pid = pid(s, st);
                    long page = st.between(0, (int) PAGES);
                    st.call("pid%d munmap(0x%x)", pid, page).performVoid(() -> s.munmap(pid, page));
                }),
                Rule.of("prctl", (s, st) -> {
                    int pid = pid(s, st);
                    boolean tbi = st.bool();
                    TagCheckMode m = st.pick(TagCheckMode.class);
                    st.call("pid%d prctl(TBI %s, %s)", pid, tbi ? "on" : "off", m).performVoid(() -> s.setTaggedAddrCtrl(pid, tbi, m));
                }),
                Rule.of("access", (s, st) -> {
                    int cpu = st.between(0, CPUS);
                    long ptr = pointer(st);
                    Outcome<org.mmspec.frames.PhysAddr> o = st.call("cpu%d access(0x%x)", cpu, ptr).perform(() -> s.access(cpu, ptr));
                    if (o.isOk()) {
                        long page = (ptr & ~TopByteIgnore.TOP_BYTE_MASK) >>> 12;
                        long raw = s.descriptorOf(s.running(cpu), page);
                        st.agree("physical address", o.value().value(),
                                ((s.frameIndex(raw) + ArmMm.FIRST_FRAME) << 12) | (ptr & 0xFFF));
                    }
                }),
                Rule.of("stg", (s, st) -> {
                    int cpu = st.between(0, CPUS - 1);
                    long ptr = pointer(st);
                    st.call("cpu%d stg(0x%x)", cpu, ptr).performVoid(() -> s.storeTag(cpu, ptr));
                }),
                Rule.of("checkpoint", (s, st) -> {
                    int cpu = st.between(0, CPUS - 1);
                    st.call("cpu%d checkpoint", cpu).performVoid(() -> s.checkpoint(cpu));
                }),
                Rule.of("switch", (s, st) -> {
                    int cpu = st.between(0, CPUS);
                    int pid = pid(s, st);
                    st.call("cpu%d switch to pid%d", cpu, pid).performVoid(() -> s.switchTo(cpu, pid));
                }),
                Rule.of("fork", (s, st) -> {
                    int pid = pid(s, st);
                    st.call("pid%d fork", pid).perform(() -> s.fork(pid));
                }),
                Rule.of("exec", (s, st) -> {
                    int pid = pid(s, st);
                    st.call("pid%d exec", pid).performVoid(() -> s.exec(pid));
                }),
                Rule.when("exit", s -> s.pids().size() > 1, (s, st) -> {
                    int pid = pid(s, st);
                    st.call("pid%d exit", pid).performVoid(() -> s.exit(pid));
                }));
    }

    @Override
    public InvariantSet<ArmMm> invariants() {
        return ArmSecInvariants.MM;
    }

    @Override
    public Object snapshot(ArmMm state) {
        return state.key();
    }
}
