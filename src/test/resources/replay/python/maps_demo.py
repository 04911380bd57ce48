# Fixture program for the mmspec replay harness: a few mmap/mprotect/munmap/brk calls whose
# split/merge behaviour is interesting, then /proc/self/maps. Run under strace (see capture.sh).
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.sbrk.restype = ctypes.c_void_p
libc.sbrk.argtypes = [ctypes.c_long]
P = 4096
NONE, R, W, X = 0, 1, 2, 4
PRIVATE_ANON, FIXED = 0x22, 0x10

a = libc.mmap(None, 24 * P, R | W, PRIVATE_ANON, -1, 0)
libc.munmap(a + 16 * P, 8 * P)             # keep a free gap above, for the partial munmap below
libc.mprotect(a + 4 * P, 4 * P, R)          # split into three
libc.mprotect(a + 4 * P, 4 * P, R | W)      # merge back into one
libc.mprotect(a + 2 * P, 8 * P, NONE)       # split again
libc.munmap(a + 6 * P, 2 * P)               # punch a hole
libc.mprotect(a, 16 * P, R)                 # ENOMEM (Linux changes the part before the hole): the range has a hole
libc.mmap(a + 6 * P, 4 * P, R | X, PRIVATE_ANON | FIXED, -1, 0)  # MAP_FIXED over hole and neighbour
libc.munmap(a + 14 * P, 8 * P)              # partly outside the mapping
b = libc.mmap(a - 64 * P, 4 * P, R, PRIVATE_ANON, -1, 0)  # a hint
libc.mprotect(b, 4 * P, R | W | X)          # W+X: Linux allows it, the seed's W^X does not
libc.mprotect(b, 2 * P, R | W)
libc.mmap(None, 0, R, PRIVATE_ANON, -1, 0)  # EINVAL: zero length
libc.mprotect(a + 1, P, R)                  # EINVAL: unaligned
libc.sbrk(64 * P)
libc.sbrk(-16 * P)
print(open('/proc/self/maps').read(), end='')
