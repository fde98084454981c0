#include "backend/esxi/esx_batch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "backend/core/buf.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_quote.h"

#define BATCH_CHUNK_BYTES 16384

size_t esx_batch_add(struct esx_batch *b, const char *const *argv)
{
    b->items = xgrow(b->items, &b->cap, b->n + 1, sizeof(*b->items));
    struct esx_batch_item *it = &b->items[b->n];
    memset(it, 0, sizeof(*it));
    it->cmd = esx_cmd_buildv(argv, NULL);
    if (!it->cmd)
        it->cmd = xstrdup("false"); /* an empty argv cannot succeed */
    return b->n++;
}

char *esx_batch_script(const struct esx_batch *b, size_t from, size_t to, const char *nonce)
{
    struct nl_buf s;
    nl_buf_init(&s, 0);
    for (size_t i = from; i < to; i++) {
        nl_buf_appendf(&s, NULL, "%s%s && echo '@@NL-%s@@ %zu 0' || echo '@@NL-%s@@ %zu 1'",
                       i > from ? " ; " : "", b->items[i].cmd, nonce, i, nonce, i);
    }
    return nl_buf_steal(&s);
}

enum nl_code esx_batch_split(struct esx_batch *b, size_t from, size_t to, const char *nonce,
                             const char *out, size_t len, struct nl_err *err)
{
    char marker[64];
    int ml = snprintf(marker, sizeof(marker), "@@NL-%s@@ ", nonce);
    const char *p = out, *end = out + len;
    for (size_t i = from; i < to; i++) {
        const char *m = memmem(p, (size_t)(end - p), marker, (size_t)ml);
        if (!m)
            return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                          "The host's shell stopped before command %zu of a batch finished.",
                          i - from + 1);
        const char *q = m + ml;
        char *numend;
        unsigned long idx = strtoul(q, &numend, 10);
        if (numend == q || idx != i || numend[0] != ' ' || (numend[1] != '0' && numend[1] != '1'))
            return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                          "The host's shell answered a batch out of order (at command %zu).",
                          i - from + 1);
        struct esx_batch_item *it = &b->items[i];
        free(it->out);
        it->out = xstrndup(p, (size_t)(m - p));
        it->out_len = (size_t)(m - p);
        it->ran = true;
        it->ok = numend[1] == '0';
        p = numend + 2;
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
    }
    return NL_OK;
}

static void nonce_make(char *hex, size_t size)
{
    unsigned char raw[16];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < size; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
}

enum nl_code esx_batch_run(struct esx_session *s, struct esx_batch *b, struct nl_err *err)
{
    size_t from = 0;
    while (from < b->n && b->items[from].ran)
        from++;
    struct nl_buf errs;
    nl_buf_init(&errs, 0);
    if (b->err_text)
        nl_buf_append_str(&errs, b->err_text, NULL);
    enum nl_code rc = NL_OK;
    while (from < b->n) {
        size_t to = from, bytes = 0;
        while (to < b->n && (to == from || bytes + strlen(b->items[to].cmd) < BATCH_CHUNK_BYTES))
            bytes += strlen(b->items[to++].cmd) + 80;
        char nonce[33] = {0};
        nonce_make(nonce, sizeof(nonce));
        char *script = esx_batch_script(b, from, to, nonce);
        struct esx_result res;
        rc = esx_session_exec(s, script, &res, err);
        free(script);
        b->execs++;
        if (rc)
            break;
        nl_buf_append(&errs, res.err, res.err_len, NULL);
        rc = esx_batch_split(b, from, to, nonce, res.out, res.out_len, NULL);
        if (rc) {
            /* Most likely the shell refused the line; its complaint is on stderr. */
            char *why = NULL;
            size_t l = res.err_len;
            while (l > 0 && isspace((unsigned char)res.err[l - 1]))
                l--;
            why = xstrndup(res.err, l > 300 ? 300 : l);
            rc =
                NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                       "Host \"%s\" did not run a batch of %zu read commands (exit status %d)%s%s.",
                       esx_session_name(s), to - from, res.exit_status, *why ? ": " : "", why);
            free(why);
            esx_result_clear(&res);
            break;
        }
        esx_result_clear(&res);
        from = to;
    }
    free(b->err_text);
    b->err_text = nl_buf_steal(&errs);
    nl_buf_free(&errs);
    return rc;
}

char *esx_batch_err_summary(const struct esx_batch *b)
{
    const char *t = b->err_text ? b->err_text : "";
    while (isspace((unsigned char)*t))
        t++;
    size_t l = strlen(t);
    while (l > 0 && isspace((unsigned char)t[l - 1]))
        l--;
    /* The first lines say what went wrong; usage text after them does not help. */
    const char *blank = memmem(t, l, "\n\n", 2);
    if (blank)
        l = (size_t)(blank - t);
    if (l > 300)
        l = 300;
    char *s = xstrndup(t, l);
    for (char *c = s; *c; c++) {
        if (*c == '\n')
            *c = ' ';
    }
    return s;
}

void esx_batch_clear(struct esx_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].cmd);
        free(b->items[i].out);
    }
    free(b->items);
    free(b->err_text);
    memset(b, 0, sizeof(*b));
}
