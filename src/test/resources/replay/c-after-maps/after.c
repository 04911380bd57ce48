/* Memory calls after the snapshot: the program prints its maps, then shrinks its heap with brk
   and unmaps an area. Neither may be replayed against the printed maps. */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[65536];

int main(void) {
    char *a = mmap(NULL, 32 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(a, 8 << 12, PROT_NONE);
    void *base = sbrk(0);
    sbrk(300 << 12); /* grow the heap by 300 pages */
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - len)) > 0) len += n;
    close(fd);
    write(1, buf, len);
    /* After the snapshot. */
    brk(base);
    munmap(a, 32 << 12);
    return 0;
}
