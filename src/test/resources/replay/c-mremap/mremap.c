/* mremap: grow in place, shrink, grow by moving (MREMAP_MAYMOVE), MREMAP_FIXED onto a chosen
   address (replacing what was there), MREMAP_DONTUNMAP, a shared anonymous mapping moved, and
   three rejected calls (EFAULT across areas, EINVAL for FIXED without MAYMOVE, ENOMEM when growth
   in place is blocked), then its maps. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096L
static char buf[65536];

int main(void) {
    /* a: 8 pages, grown in place to 12 (nothing above it yet... placed top-down, so make room) */
    char *area = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(area, 64 * PG);
    char *a = mmap(area, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    memset(a, 1, 8 * PG);
    char *a2 = mremap(a, 8 * PG, 12 * PG, 0);                 /* grow in place */
    if (a2 != a || a[0] != 1) return 1;
    a2 = mremap(a, 12 * PG, 6 * PG, 0);                       /* shrink in place */
    if (a2 != a) return 2;
    /* b sits right above a's end: growth in place is blocked */
    char *b = mmap(a + 6 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (mremap(a, 6 * PG, 10 * PG, 0) != MAP_FAILED) return 3;  /* ENOMEM */
    char *moved = mremap(a, 6 * PG, 10 * PG, MREMAP_MAYMOVE);  /* grow by moving */
    if (moved == MAP_FAILED || moved == a || moved[0] != 1) return 4;
    /* EFAULT: growing an old range that runs past the end of b (an equal-size call would just return b) */
    if (mremap(b, 4 * PG, 6 * PG, MREMAP_MAYMOVE) != MAP_FAILED) return 5;
    /* EINVAL: MREMAP_FIXED without MREMAP_MAYMOVE */
    if (mremap(b, 2 * PG, 2 * PG, MREMAP_FIXED, area + 40 * PG) != MAP_FAILED) return 6;
    /* MREMAP_FIXED: move b over part of a placeholder mapping, replacing it */
    char *c = mmap(area + 30 * PG, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    c[0] = 3;
    char *f = mremap(b, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, area + 32 * PG);
    if (f != area + 32 * PG) return 7;
    /* MREMAP_DONTUNMAP: the old range stays mapped, its pages move */
    char *d = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    d[0] = 4;
    char *e = mremap(d, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL); /* new_addr is a hint: it must be page-aligned */
    if (e == MAP_FAILED || e[0] != 4 || d[0] != 0) return 8;
    /* a shared anonymous mapping moved and grown */
    char *s = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s[0] = 5;
    char *s2 = mremap(s, 3 * PG, 5 * PG, MREMAP_MAYMOVE);
    if (s2 == MAP_FAILED || s2[0] != 5) return 9;
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - len)) > 0) len += n;
    close(fd);
    write(1, buf, len);
    return 0;
}
