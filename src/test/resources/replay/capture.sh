#!/usr/bin/env bash
# How the replay fixtures were captured (Debian 12, Linux 6.18 x86_64, strace 6.1, as root, on the
# mmspec build machine). Run from this directory. Every program prints its own /proc/self/maps as
# its last act. `openat` is traced only to find the moment the program opened /proc/self/maps, and
# `execve` to find where the traced program's own address space begins: the capture keeps the last
# openat of /proc/self/maps (and its "resumed" line if strace split it) as the snapshot marker and
# drops every other openat line. All other lines are strace's own, unedited.
set -euo pipefail
T="-f -y -e trace=execve,mmap,mprotect,munmap,brk,mremap,openat"
keep() {
  python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
marks = [i for i, l in enumerate(lines) if re.search(r'openat\(.*"/proc/(self|\d+)/maps"', l)]
m = marks[-1]
keep = {m}
if lines[m].endswith('<unfinished ...>'):
    pid = lines[m].split()[0]
    keep |= set([j for j in range(m + 1, len(lines)) if lines[j].startswith(pid + ' ') and '<... openat resumed>' in lines[j]][:1])
for i, l in enumerate(lines):
    if i in keep or not ('openat(' in l or '<... openat resumed>' in l):
        print(l)
PY
}
# Run the interpreters' real binaries: a wrapper script (pyenv's shim) would exec them and put a
# second address space into the trace.
PY_BIN=$(python3 -c 'import sys; print(sys.executable)')
strace $T -o py.raw "$PY_BIN" -I -S python/maps_demo.py > python/maps.txt
keep py.raw > python/trace.strace
strace $T -o node.raw "$(readlink -f "$(command -v node)")" node/maps_demo.js > node/maps.txt
keep node.raw > node/trace.strace
javac -d /tmp java/Maps.java
strace $T -o java.raw "$(readlink -f "$(command -v java)")" -Xmx64m -XX:+UseSerialGC -Xshare:auto -cp /tmp Maps > java/maps.txt
keep java.raw > java/trace.strace
rm -f py.raw node.raw java.raw
