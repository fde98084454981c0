/* The batch script runs under a real POSIX shell and its output splits back into each command's
 * exact stdout and success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "backend/esxi/esx_batch.h"
#include "backend/esxi/esx_session.h"
#include "check.h"

static char *sh_output(const char *script, size_t *len)
{
    FILE *p = popen(script, "r");
    struct nl_buf b;
    nl_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while (p && (n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        nl_buf_append(&b, chunk, n, NULL);
    if (p)
        pclose(p);
    *len = b.len;
    return nl_buf_steal(&b);
}

int main(void)
{
    struct esx_batch b = {0};
    const char *hostile = "it's $(id) `x` ; \"q\" \\ ü";
    esx_batch_add(&b, (const char *[]){"printf", "%s\\n", hostile, NULL});
    esx_batch_add(&b, (const char *[]){"printf", "%s", "no newline", NULL});
    esx_batch_add(&b, (const char *[]){"false", NULL});
    esx_batch_add(&b, (const char *[]){"printf", "", NULL});
    /* Output that tries to forge a marker with a guessed nonce. */
    esx_batch_add(&b, (const char *[]){"printf", "@@NL-0000@@ 9 0\n", NULL});
    const char *nonce = "0123456789abcdef0123456789abcdef";
    char *script = esx_batch_script(&b, 0, b.n, nonce);
    size_t len;
    char *out = sh_output(script, &len);
    free(script);
    struct nl_err err = {0};
    CHECK_INT(esx_batch_split(&b, 0, b.n, nonce, out, len, &err), NL_OK);
    CHECK(b.items[0].ok);
    CHECK_STR(b.items[0].out, "it's $(id) `x` ; \"q\" \\ ü\n");
    CHECK(b.items[1].ok);
    CHECK_STR(b.items[1].out, "no newline");
    CHECK(b.items[2].ran && !b.items[2].ok);
    CHECK_STR(b.items[2].out, "");
    CHECK(b.items[3].ok && b.items[3].out_len == 0);
    CHECK_STR(b.items[4].out, "@@NL-0000@@ 9 0\n");

    /* A truncated output (the shell stopped) and markers out of order are protocol errors. */
    char *cut = strstr(out, "@@NL-0123456789abcdef0123456789abcdef@@ 2");
    CHECK(cut != NULL);
    if (cut) {
        nl_err_clear(&err);
        CHECK_INT(esx_batch_split(&b, 0, b.n, nonce, out, (size_t)(cut - out), &err),
                  NL_ERR_PROTOCOL);
        nl_err_clear(&err);
        CHECK_INT(esx_batch_split(&b, 3, b.n, nonce, out, len, &err), NL_ERR_PROTOCOL);
    }
    free(out);

    char *sum;
    b.err_text = strdup("\n  Error: Unknown command\n\nUsage: esxcli ...\n");
    sum = esx_batch_err_summary(&b);
    CHECK_STR(sum, "Error: Unknown command");
    free(sum);
    esx_batch_clear(&b);
    CHECK(b.n == 0 && b.items == NULL);

    unsigned char d[32];
    for (int i = 0; i < 32; i++)
        d[i] = (unsigned char)i;
    char *fp = esx_fingerprint_sha256(d);
    CHECK_STR(fp, "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    free(fp);
    return nl_check_done();
}
