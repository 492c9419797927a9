/* replay.c - runs a fuzz target over every file of the given directories
 * (the seed corpus and every crash found so far), without libFuzzer, so the
 * corpora replay in `make test` under any compiler and the sanitizers.
 * Like libFuzzer's -timeout, an input that runs longer than
 * $CARS_REPLAY_TIMEOUT seconds (default 10) fails the replay: a slow input
 * is a finding (a quadratic path), not something to wait out. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char current[4096]; /* the input running, for the alarm handler */
static unsigned timeout_s;

static void on_alarm(int sig)
{
    (void)sig;
    static const char a[] = "replay: FAIL: ", b[] = " ran longer than the replay timeout (CARS_REPLAY_TIMEOUT)\n";
    ssize_t w = write(2, a, sizeof a - 1);
    w = write(2, current, strlen(current));
    w = write(2, b, sizeof b - 1);
    (void)w;
    _exit(1);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    snprintf(current, sizeof current, "%s", path);
    alarm(timeout_s);
    LLVMFuzzerTestOneInput(buf, n);
    alarm(0);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    size_t total = 0;
    const char *t = getenv("CARS_REPLAY_TIMEOUT");
    timeout_s = t && atoi(t) > 0 ? (unsigned)atoi(t) : 10;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "replay: cannot open %s\n", argv[i]);
            return 1;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char **nn = realloc(names, (n + 1) * sizeof *names);
            if (!nn || !(nn[n] = strdup(e->d_name))) {
                fprintf(stderr, "replay: out of memory\n");
                exit(1);
            }
            names = nn;
            n++;
        }
        closedir(d);
        if (n > 1)
            qsort(names, n, sizeof *names, cmp);
        for (size_t j = 0; j < n; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[j]);
            if (run_file(path) != 0) {
                fprintf(stderr, "replay: cannot read %s\n", path);
                exit(1);
            }
            free(names[j]);
            total++;
        }
        free(names);
    }
    printf("replayed %zu inputs\n", total);
    return 0;
}
