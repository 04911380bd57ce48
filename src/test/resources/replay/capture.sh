#!/usr/bin/env bash
# How the replay fixtures were captured (Debian 12, Linux 6.18 x86_64, strace 6.1, as root, on the mmspec build machine).
# Every program prints its own /proc/self/maps as its last act. `openat` is traced only to find
# the moment the program opened /proc/self/maps: the capture keeps the last such openat line as
# the snapshot marker and drops every other openat line; all other lines are strace's own.
set -euo pipefail
T="-f -y -e trace=mmap,mprotect,munmap,brk,mremap,openat"
keep() { last=$(grep -n -E 'openat.*"/proc/self/maps"' "$1" | tail -1 | cut -d: -f1); awk -v L="$last" 'NR==L || $0 !~ /openat\(/' "$1"; }
strace $T -o py.raw python3 -I -S python/maps_demo.py > python/maps.txt && keep py.raw > python/trace.strace
strace $T -o node.raw node node/maps_demo.js > node/maps.txt && keep node.raw > node/trace.strace
javac -d /tmp java/Maps.java
strace $T -o java.raw java -Xmx64m -XX:+UseSerialGC -Xshare:auto -cp /tmp Maps > java/maps.txt && keep java.raw > java/trace.strace
rm -f py.raw node.raw java.raw
