/* Shared by every fuzz target in tests/fuzz. Each target defines LLVMFuzzerTestOneInput; built with
 * clang -fsanitize=fuzzer it is a libFuzzer binary, built with replay_main.c it runs the corpus
 * once (the fuzz-replay ctest entries). */
#ifndef NL_FUZZ_H
#define NL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy for parsers of C strings; free() it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The streamed readers take their chunk size from the input's first two bytes (little endian,
 * 0 = the whole body at once) and option bits from the third, so the fuzzer explores every way a
 * reply can be cut. Inputs shorter than the header are skipped. */
#define FUZZ_HEADER 3
struct fuzz_stream {
    size_t chunk;
    unsigned flags;
    const char *body;
    size_t len;
};

static inline int fuzz_stream_split(const uint8_t *data, size_t size, struct fuzz_stream *s)
{
    if (size < FUZZ_HEADER)
        return 0;
    s->chunk = (size_t)data[0] | (size_t)data[1] << 8;
    s->flags = data[2];
    s->body = (const char *)data + FUZZ_HEADER;
    s->len = size - FUZZ_HEADER;
    return 1;
}

#endif
