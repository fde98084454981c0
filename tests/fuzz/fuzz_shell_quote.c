/* Differential: the command line nestlab builds from a list of words (esx_cmd_build), split
 * again by the C library's POSIX shell word splitter (wordexp with WRDE_NOCMD, so nothing is run),
 * must give back exactly the same words: no word may be split, joined, expanded or run. The
 * input is the words separated by NUL bytes. */
#include <stdio.h>
#include <wordexp.h>

#include "fuzz.h"

#include "backend/esxi/esx_quote.h"

#define MAX_WORDS 64

/* glibc's wordexp splits a word that starts with an empty quoted string: `''x` gives "" and "x"
 * where every POSIX shell (BusyBox ash included) gives "x". A quoted argument that starts with a
 * quote begins `''\'`, so the same words are asked of glibc with that empty pair dropped (`\'`
 * alone, equivalent in any POSIX shell). Outside a word's start the sequence cannot occur: a
 * quote inside an argument always becomes `'\''`. */
static char *without_leading_empty_quotes(const char *cmd)
{
    size_t n = strlen(cmd), o = 0;
    char *out = malloc(n + 1);
    if (!out)
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((i == 0 || cmd[i - 1] == ' ') && strncmp(cmd + i, "''\\'", 4) == 0)
            i += 2;
        out[o++] = cmd[i];
    }
    out[o] = '\0';
    return out;
}

static void split(const char *cmd, wordexp_t *we)
{
    char *line = without_leading_empty_quotes(cmd);
    int rc = wordexp(line, we, WRDE_NOCMD);
    if (rc != 0) {
        fprintf(stderr, "wordexp refused %s: %d\n", line, rc);
        abort();
    }
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    const char *words[MAX_WORDS];
    size_t n = 0;
    for (size_t start = 0; start <= size && n < MAX_WORDS;) {
        words[n++] = text + start;
        start += strlen(text + start) + 1;
    }
    struct nl_err err = {0};
    char *cmd = esx_cmd_build(words, n, &err);
    if (!cmd)
        abort(); /* n >= 1 and no NULL word: building cannot fail */
    wordexp_t we;
    split(cmd, &we);
    if (we.we_wordc != n) {
        fprintf(stderr, "%zu words became %zu: %s\n", n, we.we_wordc, cmd);
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(we.we_wordv[i], words[i]) != 0) {
            fprintf(stderr, "word %zu \"%s\" came back as \"%s\" from %s\n", i, words[i],
                    we.we_wordv[i], cmd);
            abort();
        }
    }
    /* One word on its own, as esx_quote gives it for callers that build a line themselves. */
    char *q = esx_quote(words[0]);
    wordfree(&we);
    split(q, &we);
    if (we.we_wordc != 1 || strcmp(we.we_wordv[0], words[0]) != 0) {
        fprintf(stderr, "esx_quote(\"%s\") does not split back: %s\n", words[0], q);
        abort();
    }
    wordfree(&we);
    free(q);
    free(cmd);
    free(text);
    return 0;
}
