package org.mmspec.hwsec.aarch64;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapDebugOptions;
import org.mmspec.paging.VirtAddr;

/**
 * The exhaustive models of the AArch64 security features.
 *
 * <p>{@code models/hwsec-aarch64}: {@link ArmMm} with bounds {@code cpus}, {@code frames},
 * {@code procs} (processes created, boot included), {@code execs} (key draws, boot included), {@code pages} (user
 * pages 1..pages) and {@code bug} ({@link ArmMm.Bug}). Actions in every state, rejected ones
 * included (each rejection is checked to change nothing): for every process, mmap of every page
 * tagged and untagged, munmap of every page, mprotect of every page with and without PROT_MTE, the six (TBI, TCF) modes, fork, exec and exit; for every
 * CPU, a check point, a switch to every process, STG of tag 1 to granule 0 of every page, and
 * accesses through every page with top bytes 0x00, 0x01 and 0xA0 (logical tags 0, 1, 0), with bit
 * 52 set (never ignored), and through a kernel pointer with metadata.
 *
 * <p>{@code models/hwsec-mte-slab}: {@link MteSlab} over {@code frames} frames, one CPU, a heap with
 * magazines of 1, and sizes 16 and 32, with at most {@code allocs} allocations in a run; actions: allocate each size, free every live allocation,
 * access and free through every stale reference the run has made (at most {@code stale} kept).
 */
public final class ArmSecModels {
    private ArmSecModels() {
    }

    public static List<ExhaustiveModel> all() {
        return List.of(new Mm(), new Slab());
    }

    /** Pointers each CPU's accesses use for {@code page}. */
    static List<Long> probes(long page) {
        long base = page << 12;
        return List.of(base, TopByteIgnore.withTopByte(base, 0x01), TopByteIgnore.withTopByte(base, 0xA0), base | (1L << 52));
    }

    static final class Mm implements ExhaustiveModel {
        @Override
        public String name() {
            return "hwsec-aarch64";
        }

        @Override
        public String component() {
            return "hwsec";
        }

        @Override
        public TransitionSystem<ArmMm> build(Bounds b) {
            int cpus = b.getInt("cpus", 1);
            int frames = b.getInt("frames", 2);
            int procs = b.getInt("procs", 2);
            int execs = b.getInt("execs", 2);
            int pages = b.getInt("pages", 1);
            ArmMm.Bug bug = ArmMm.Bug.valueOf(b.get("bug", "NONE"));
            return ActionSystem.of("hwsec-aarch64 " + b, () -> List.of(new ArmMm(cpus, frames, procs, execs, bug)), ArmMm::copy, ArmMm::key,
                    s -> actions(s, pages), ArmSecInvariants.MM)
                    // every process has exited: with no process left there is nothing to run
                    .finalWhen(s -> s.pids().isEmpty())
                    .withCodec(org.mmspec.check.Encoding.overwriting(() -> new ArmMm(cpus, frames, procs, execs, bug),
                            ArmMm::copy, ArmMmCodec::write, ArmMmCodec::read));
        }

        static List<Action<ArmMm>> actions(ArmMm s, int pages) {
            List<Action<ArmMm>> out = new ArrayList<>();
            for (int pid : s.pids()) {
                for (long page = 1; page <= pages; page++) {
                    long pg = page;
                    out.add(new Action<>("pid" + pid + " mmap(0x" + Long.toHexString(pg) + ")", st -> st.mmap(pid, pg, false)));
                    out.add(new Action<>("pid" + pid + " mmap(0x" + Long.toHexString(pg) + ", PROT_MTE)", st -> st.mmap(pid, pg, true)));
                    out.add(new Action<>("pid" + pid + " munmap(0x" + Long.toHexString(pg) + ")", st -> st.munmap(pid, pg)));
                    out.add(new Action<>("pid" + pid + " mprotect(0x" + Long.toHexString(pg) + ", PROT_MTE)", st -> st.mprotect(pid, pg, true)));
                    out.add(new Action<>("pid" + pid + " mprotect(0x" + Long.toHexString(pg) + ", no PROT_MTE)", st -> st.mprotect(pid, pg, false)));
                }
                for (boolean tbi : new boolean[] {false, true}) {
                    for (TagCheckMode m : TagCheckMode.values()) {
                        out.add(new Action<>("pid" + pid + " prctl(TBI " + (tbi ? "on" : "off") + ", " + m + ")",
                                st -> st.setTaggedAddrCtrl(pid, tbi, m)));
                    }
                }
                out.add(new Action<>("pid" + pid + " fork", st -> st.fork(pid)));
                out.add(new Action<>("pid" + pid + " exec", st -> st.exec(pid)));
                out.add(new Action<>("pid" + pid + " exit", st -> st.exit(pid)));
            }
            for (int cpu = 0; cpu < s.cpuCount(); cpu++) {
                int c = cpu;
                out.add(new Action<>("cpu" + c + " checkpoint", st -> st.checkpoint(c)));
                for (int pid : s.pids()) {
                    out.add(new Action<>("cpu" + c + " switch to pid" + pid, st -> st.switchTo(c, pid)));
                }
                for (long page = 1; page <= pages; page++) {
                    long tagged = AllocationTag.of(1).onPointer(page << 12);
                    out.add(new Action<>(String.format("cpu%d stg(0x%x)", c, tagged), st -> st.storeTag(c, tagged)));
                    for (long ptr : probes(page)) {
                        out.add(new Action<>(String.format("cpu%d access(0x%x)", c, ptr), st -> st.access(c, ptr)));
                    }
                }
                long kernel = TopByteIgnore.withTopByte(VirtAddr.UPPER_HALF_START, 0x01);
                out.add(new Action<>(String.format("cpu%d access(0x%x) [kernel, metadata]", c, kernel), st -> st.access(c, kernel)));
            }
            return out;
        }
    }

    static final class Slab implements ExhaustiveModel {
        @Override
        public String name() {
            return "hwsec-mte-slab";
        }

        @Override
        public String component() {
            return "hwsec";
        }

        /** The model's heap: one CPU, magazines of one moved one at a time, one spare slab. */
        static final HeapConfig CONFIG = new HeapConfig(1, 1, 1, 1, HeapDebugOptions.OFF);
        static final List<Long> SIZES = List.of(16L, 32L);

        @Override
        public TransitionSystem<SlabState> build(Bounds b) {
            int frames = b.getInt("frames", 2);
            int live = b.getInt("live", 2);
            int stale = b.getInt("stale", 2);
            int allocs = b.getInt("allocs", 4);
            MteSlab.SlabBug bug = MteSlab.SlabBug.valueOf(b.get("bug", "NONE"));
            return ActionSystem.of("hwsec-mte-slab " + b, () -> List.of(new SlabState(new MteSlab(frames, CONFIG, bug))), SlabState::copy,
                    SlabState::key, s -> actions(s, live, stale, allocs), SlabState.INVARIANTS)
                    // the allocation budget is spent and everything was freed: the run is over
                    .finalWhen(s -> s.allocations >= allocs && s.live.isEmpty())
                    .withCodec(org.mmspec.check.Encoding.overwriting(() -> new SlabState(new MteSlab(frames, CONFIG, bug)),
                            SlabState::copy, SlabState::writeState, SlabState::readState));
        }

        static List<Action<SlabState>> actions(SlabState s, int live, int stale, int allocs) {
            List<Action<SlabState>> out = new ArrayList<>();
            if (s.live.size() < live && s.allocations < allocs) {
                for (long size : SIZES) {
                    out.add(new Action<>("allocate(" + size + ")", st -> st.allocate(size)));
                }
            }
            for (int i = 0; i < s.live.size(); i++) {
                int k = i;
                out.add(new Action<>("free(" + s.live.get(i) + ")", st -> st.free(k, stale)));
            }
            for (MteSlab.TaggedRef r : s.stale) {
                out.add(new Action<>("access(" + r + ") [stale]", st -> st.slab.access(r, 0)));
                out.add(new Action<>("free(" + r + ") [stale]", st -> st.slab.free(0, r, 16)));
            }
            return out;
        }
    }
}
