/* The corpus replay: feeds every file named on the command line (a directory: every regular file
 * in it, in name order) once to LLVMFuzzerTestOneInput, without fuzzing. `--prefix HEX`
 * (repeatable) feeds each file once per prefix, prepended: the streamed targets read their chunk
 * size from the first bytes (fuzz.h), so real replies can be replayed whole and in small pieces.
 * Missing paths are an error, an empty corpus too: a replay that runs nothing proves nothing. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_PREFIXES 16

struct prefixes {
    unsigned char bytes[MAX_PREFIXES][8];
    size_t len[MAX_PREFIXES];
    size_t n;
};

static int parse_prefix(struct prefixes *p, const char *hex)
{
    size_t n = strlen(hex);
    if (p->n == MAX_PREFIXES || n % 2 || n / 2 > sizeof(p->bytes[0]))
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return 0;
        p->bytes[p->n][i] = (unsigned char)v;
    }
    p->len[p->n++] = n / 2;
    return 1;
}

static int run_file(const char *path, const struct prefixes *p)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 0;
    }
    size_t cap = 1 << 16, len = 0, pre = 8;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + pre + len, 1, cap - pre - len, f)) > 0) {
        len += r;
        if (pre + len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        abort();
    if (p->n == 0) {
        /* An exact-size copy, so ASan sees a read past the end. */
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf + pre, len);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
    }
    for (size_t i = 0; i < p->n; i++) {
        uint8_t *copy = malloc(p->len[i] + len + 1);
        memcpy(copy, p->bytes[i], p->len[i]);
        memcpy(copy + p->len[i], buf + pre, len);
        LLVMFuzzerTestOneInput(copy, p->len[i] + len);
        free(copy);
    }
    free(buf);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    struct prefixes p = {0};
    size_t files = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
            if (!parse_prefix(&p, argv[++i])) {
                fprintf(stderr, "bad --prefix %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            files += run_file(argv[i], &p);
            continue;
        }
        struct dirent **names = NULL;
        int n = scandir(argv[i], &names, NULL, by_name);
        for (int k = 0; k < n; k++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                files += run_file(path, &p);
            free(names[k]);
        }
        free(names);
    }
    printf("replayed %zu files\n", files);
    return bad || files == 0 ? 1 : 0;
}
