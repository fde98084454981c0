/* The terminal sanitiser: one decoder, one rule for what is escaped, one fitting to columns. */
#include "backend/core/term_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "backend/core/xmalloc.h"

size_t nl_utf8_next(const char *str, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return c ? 1 : 0;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool nl_utf8_valid(const char *s)
{
    uint32_t cp;
    while (*s) {
        size_t n = nl_utf8_next(s, &cp);
        if (!n)
            return false;
        s += n;
    }
    return true;
}

bool nl_term_cp_unsafe(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

/* \xNN, \uNNNN or \UNNNNNNNN. */
static void unit_escape(struct nl_term_unit *u, char kind, int digits, uint32_t v)
{
    int n = snprintf(u->show, sizeof(u->show), "\\%c%0*X", kind, digits, (unsigned)v);
    u->width = n > 0 ? n : 0;
}

/* The unit at s. With columns (drawing), a character a UTF-8 locale cannot show (wcwidth < 0,
 * e.g. unassigned) is escaped too, so the width is what the terminal draws; without (text for a
 * stream), valid UTF-8 stays UTF-8. A terminal that is not UTF-8 asks for NL_TERM_ASCII. */
static void unit(const char *s, unsigned flags, bool columns, struct nl_term_unit *u)
{
    uint32_t cp;
    size_t n = nl_utf8_next(s, &cp);
    if (!n) { /* an invalid byte, 0x9B as a raw C1 CSI included */
        u->len = 1;
        unit_escape(u, 'x', 2, (unsigned char)*s);
        return;
    }
    u->len = n;
    if (cp == '\n' && (flags & NL_TERM_NEWLINE)) {
        strcpy(u->show, "\n");
        u->width = 0;
    } else if (cp == '\\' && (flags & NL_TERM_BACKSLASH)) {
        strcpy(u->show, "\\\\");
        u->width = 2;
    } else if (cp < 0x80 && nl_term_cp_unsafe(cp)) {
        unit_escape(u, 'x', 2, cp);
    } else if (cp < 0x80) {
        u->show[0] = (char)cp;
        u->show[1] = '\0';
        u->width = 1;
    } else if ((flags & NL_TERM_ASCII) || nl_term_cp_unsafe(cp)) {
        unit_escape(u, cp > 0xFFFF ? 'U' : 'u', cp > 0xFFFF ? 8 : 4, cp);
    } else {
        int w = columns ? wcwidth((wchar_t)cp) : 1;
        if (w < 0 && MB_CUR_MAX == 1)
            w = 1; /* a locale that is not UTF-8 cannot tell: one column, as UTF-8 text is */
        if (w < 0) {
            unit_escape(u, cp > 0xFFFF ? 'U' : 'u', cp > 0xFFFF ? 8 : 4, cp);
        } else {
            memcpy(u->show, s, n);
            u->show[n] = '\0';
            u->width = w;
        }
    }
}

void nl_term_unit(const char *s, unsigned flags, struct nl_term_unit *u)
{
    unit(s, flags, true, u);
}

char *nl_term_escape(const char *s, unsigned flags)
{
    if (!s)
        return xstrdup("");
    /* The widest escape, \U0010FFFF (10 bytes), stands for 4 bytes; \xNN (4) for 1. */
    char *out = xmalloc(strlen(s) * 4 + 1), *o = out;
    struct nl_term_unit u;
    while (*s) {
        unit(s, flags, false, &u);
        size_t k = strlen(u.show);
        memcpy(o, u.show, k);
        o += k;
        s += u.len;
    }
    *o = '\0';
    return out;
}

char *nl_term_name(const char *s)
{
    return nl_term_escape(s, NL_TERM_BACKSLASH);
}

char *nl_term_line(const char *s)
{
    return nl_term_escape(s, 0);
}

enum nl_code nl_term_name_append(struct nl_buf *out, const char *s, struct nl_err *err)
{
    char *e = nl_term_name(s);
    enum nl_code rc = nl_buf_append_str(out, e, err);
    free(e);
    return rc;
}

void nl_term_fputs(const char *s, FILE *f)
{
    char *e = nl_term_escape(s, NL_TERM_NEWLINE);
    fputs(e, f);
    free(e);
}

void nl_term_printf(FILE *f, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    char *text = xmalloc((size_t)n + 1);
    vsnprintf(text, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    nl_term_fputs(text, f);
    free(text);
}

int nl_term_width(const char *s, unsigned flags)
{
    if (!s)
        return 0;
    flags &= ~(unsigned)NL_TERM_NEWLINE;
    int total = 0;
    struct nl_term_unit u;
    while (*s) {
        nl_term_unit(s, flags, &u);
        total += u.width;
        s += u.len;
    }
    return total;
}

int nl_term_fit(const char *s, int width, bool pad, unsigned flags, char *out, size_t outsz)
{
    if (!outsz)
        return 0;
    out[0] = '\0';
    if (width <= 0)
        return 0;
    if (!s)
        s = "";
    flags &= ~(unsigned)NL_TERM_NEWLINE;
    const char *ell = (flags & NL_TERM_ASCII) ? "~" : "\xe2\x80\xa6";
    size_t ell_len = strlen(ell);
    bool cut = nl_term_width(s, flags) > width;
    int room = cut ? width - 1 : width; /* one column for the ellipsis */
    size_t o = 0;
    int used = 0;
    struct nl_term_unit u;
    while (*s) {
        nl_term_unit(s, flags, &u);
        size_t k = strlen(u.show);
        if (used + u.width > room || o + k + 1 > outsz)
            break;
        memcpy(out + o, u.show, k);
        o += k;
        used += u.width;
        s += u.len;
    }
    if (cut && o + ell_len + 1 <= outsz) {
        memcpy(out + o, ell, ell_len);
        o += ell_len;
        used++;
    }
    while (pad && used < width && o + 2 <= outsz) {
        out[o++] = ' ';
        used++;
    }
    out[o] = '\0';
    return used;
}
