/* madvise: MADV_DONTNEED on private anonymous pages (mapping kept, contents zero), MADV_FREE,
   MADV_WIPEONFORK, MADV_DONTFORK, madvise over a hole (ENOMEM), then its maps. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[65536];

int main(void) {
    char *a = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 0x5a, 16 << 12);
    madvise(a, 4 << 12, MADV_DONTNEED);
    if (a[0] != 0) return 1; /* DONTNEED zeroes private anonymous pages */
    madvise(a + (4 << 12), 4 << 12, MADV_FREE);
    madvise(a + (8 << 12), 4 << 12, MADV_WIPEONFORK);
    madvise(a + (12 << 12), 4 << 12, MADV_DONTFORK);
    munmap(a + (6 << 12), 2 << 12);
    madvise(a + (4 << 12), 8 << 12, MADV_DONTNEED); /* over the hole: ENOMEM */
    madvise(a, 16 << 12, MADV_NORMAL);              /* over the hole: ENOMEM */
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - len)) > 0) len += n;
    close(fd);
    write(1, buf, len);
    return 0;
}
