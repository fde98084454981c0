/* Role-tagged line lists. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_lines.h"

void ui_lines_add(struct ui_lines *l, enum ui_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = xstrdup("");
    va_end(ap);
    l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
    l->v[l->n].text = s;
    l->v[l->n].role = role;
    l->n++;
}

void ui_lines_clear(struct ui_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    l->n = 0;
}

void ui_lines_free(struct ui_lines *l)
{
    ui_lines_clear(l);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

long ui_lines_find(const struct ui_lines *l, const char *needle)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->v[i].text, needle))
            return (long)i;
    return -1;
}
