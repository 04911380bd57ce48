/* Two processes in one trace: the parent maps and protects, forks a child that unmaps and
   remaps in its own copy of the address space, waits for it, then prints its own maps. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[65536];

static void print_maps(void) {
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n, len = 0;
    while ((n = read(fd, buf + len, sizeof buf - len)) > 0) len += n;
    close(fd);
    write(1, buf, len);
}

int main(void) {
    char *a = mmap(NULL, 16 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(a + (4 << 12), 4 << 12, PROT_READ);
    pid_t child = fork();
    if (child == 0) {
        /* The child's own copy: none of this is in the parent's maps. */
        munmap(a, 16 << 12);
        mmap(a + (2 << 12), 2 << 12, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        mmap(NULL, 64 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    munmap(a + (12 << 12), 4 << 12);
    print_maps();
    return 0;
}
