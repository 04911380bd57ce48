/* Two threads share one address space: each maps and protects its own area (glibc gives each
   thread a stack and an arena with mmap/mprotect); main joins them and prints its maps. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static char buf[65536];

static void *work(void *arg) {
    char *a = mmap(NULL, 8 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(a + (long) arg * 4096, 4096, PROT_READ);
    free(malloc(1000)); /* a per-thread malloc arena */
    return a;
}

int main(void) {
    pthread_t t[2];
    for (long i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, (void *) (i + 1));
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - len)) > 0) len += n;
    close(fd);
    write(1, buf, len);
    return 0;
}
