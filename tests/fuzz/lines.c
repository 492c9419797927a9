/* lines.c - runs a fuzz target on every line of the given files (without
 * its newline), the way the router reads them: `lines_reader_simd
 * corpus.jsonl` holds the two parsers to agreement on a whole corpus.
 * Prints the number of lines per file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "lines: cannot open %s\n", argv[i]);
            return 1;
        }
        char *buf = NULL;
        size_t cap = 0;
        unsigned long long n = 0;
        for (ssize_t len; (len = getline(&buf, &cap, f)) >= 0; n++) {
            if (len > 0 && buf[len - 1] == '\n')
                len--;
            LLVMFuzzerTestOneInput((const uint8_t *)buf, (size_t)len);
        }
        free(buf);
        fclose(f);
        printf("%s: %llu lines, every one agreed\n", argv[i], n);
    }
    return 0;
}
