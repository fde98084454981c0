#include "backend/esxi/esx_esxtop.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"

/* Splits one CSV line into cells (quoted or not, "" inside quotes is a quote). Returns the number
 * of cells, or -1 on an unterminated quote or junk after a closing quote. */
static ssize_t csv_split(const char *s, size_t len, char ***cells)
{
    size_t n = 0, cap = 0;
    char **out = NULL;
    size_t i = 0;
    for (;;) {
        char *cell;
        if (i < len && s[i] == '"') {
            /* Find the closing quote first so the cell is allocated at its own size: a header
             * line holds thousands of cells. */
            size_t j = i + 1, o = 0;
            bool closed = false;
            while (j < len) {
                if (s[j] == '"') {
                    if (j + 1 < len && s[j + 1] == '"') {
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                j++;
            }
            if (!closed || (j + 1 < len && s[j + 1] != ','))
                goto fail;
            cell = xmalloc(j - i);
            for (size_t k = i + 1; k < j; k++) {
                cell[o++] = s[k];
                if (s[k] == '"')
                    k++; /* "" is one quote */
            }
            cell[o] = '\0';
            i = j + 1;
        } else {
            const char *comma = memchr(s + i, ',', len - i);
            size_t e = comma ? (size_t)(comma - s) : len;
            cell = xstrndup(s + i, e - i);
            i = e;
        }
        out = xgrow(out, &cap, n + 1, sizeof(*out));
        out[n++] = cell;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    *cells = out;
    return (ssize_t)n;
fail:
    for (size_t k = 0; k < n; k++)
        free(out[k]);
    free(out);
    return -1;
}

static void cells_free(char **cells, size_t n)
{
    for (size_t i = 0; cells && i < n; i++)
        free(cells[i]);
    free(cells);
}

enum nl_code esx_esxtop_parse(const char *data, size_t len, struct esx_esxtop **out,
                              struct nl_err *err)
{
    *out = NULL;
    struct esx_esxtop *t = xcalloc(1, sizeof(*t));
    size_t cap = 0, lineno = 0;
    const char *p = data, *end = data + len;
    enum nl_code rc = NL_OK;
    if (len == 0 || memchr(data, '\0', len)) {
        rc = NL_ERR(err, NL_ERR_PARSE, NULL, "The esxtop output is empty or not text.");
        goto cleanup;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        lineno++;
        if (l > 0 && line[l - 1] == '\r')
            l--;
        if (l == 0)
            continue;
        char **cells = NULL;
        ssize_t n = csv_split(line, l, &cells);
        if (n < 0) {
            rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                        "Line %zu of the esxtop output has a broken quote.", lineno);
            goto cleanup;
        }
        if (!t->columns) {
            if (strncmp(cells[0], "(PDH-CSV", 8) != 0 || n < 2) {
                cells_free(cells, (size_t)n);
                rc = NL_ERR(err, NL_ERR_PARSE, NULL,
                            "The esxtop output does not start with a PDH-CSV header.");
                goto cleanup;
            }
            t->columns = cells;
            t->n_columns = (size_t)n;
            continue;
        }
        if ((size_t)n != t->n_columns) {
            cells_free(cells, (size_t)n);
            rc =
                NL_ERR(err, NL_ERR_PARSE, NULL,
                       "Line %zu of the esxtop output has %zd values for %zu columns (truncated?).",
                       lineno, n, t->n_columns);
            goto cleanup;
        }
        t->rows = xgrow(t->rows, &cap, t->n_rows + 1, sizeof(*t->rows));
        t->rows[t->n_rows++] = cells;
    }
    if (!t->columns)
        rc = NL_ERR(err, NL_ERR_PARSE, NULL, "The esxtop output has no header.");
cleanup:
    if (rc)
        esx_esxtop_free(&t);
    *out = t;
    return rc;
}

void esx_esxtop_free(struct esx_esxtop **pt)
{
    struct esx_esxtop *t = pt ? *pt : NULL;
    if (!t)
        return;
    for (size_t r = 0; r < t->n_rows; r++)
        cells_free(t->rows[r], t->n_columns);
    free(t->rows);
    cells_free(t->columns, t->n_columns);
    free(t);
    *pt = NULL;
}

ssize_t esx_esxtop_find(const struct esx_esxtop *t, const char *needle, size_t from)
{
    for (size_t c = from; t && c < t->n_columns; c++) {
        if (strstr(t->columns[c], needle))
            return (ssize_t)c;
    }
    return -1;
}

ssize_t esx_esxtop_column(const struct esx_esxtop *t, const char *object, const char *instance,
                          const char *counter)
{
    char *want = instance ? xasprintf("%s(%s)\\%s", object, instance, counter)
                          : xasprintf("%s\\%s", object, counter);
    size_t wl = strlen(want);
    ssize_t found = -1;
    for (size_t c = 1; t && c < t->n_columns; c++) {
        const char *name = t->columns[c];
        if (strncmp(name, "\\\\", 2) != 0)
            continue;
        const char *rest = strchr(name + 2, '\\'); /* after the host */
        if (rest && strlen(rest + 1) == wl && memcmp(rest + 1, want, wl) == 0) {
            found = (ssize_t)c;
            break;
        }
    }
    free(want);
    return found;
}

bool esx_esxtop_value(const struct esx_esxtop *t, size_t r, ssize_t c, double *out)
{
    if (!t || r >= t->n_rows || c < 0 || (size_t)c >= t->n_columns)
        return false;
    const char *s = t->rows[r][c];
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool esx_esxtop_split(const char *column, struct esx_counter_name *parts)
{
    memset(parts, 0, sizeof(*parts));
    if (!column || strncmp(column, "\\\\", 2) != 0)
        return false;
    const char *h = column + 2;
    const char *hs = strchr(h, '\\');
    const char *last = strrchr(column, '\\');
    if (!hs || last == hs || !last[1])
        return false;
    const char *obj = hs + 1;
    /* The object ends at "(" (an instance follows, ending at the ")\" before the counter). */
    const char *open = memchr(obj, '(', (size_t)(last - obj));
    parts->host = xstrndup(h, (size_t)(hs - h));
    parts->counter = xstrdup(last + 1);
    if (open && last[-1] == ')') {
        parts->object = xstrndup(obj, (size_t)(open - obj));
        parts->instance = xstrndup(open + 1, (size_t)(last - 1 - open - 1));
    } else {
        parts->object = xstrndup(obj, (size_t)(last - obj));
    }
    return true;
}

void esx_counter_name_clear(struct esx_counter_name *parts)
{
    free(parts->host);
    free(parts->object);
    free(parts->instance);
    free(parts->counter);
    memset(parts, 0, sizeof(*parts));
}
