/* Column-aware text fitting. Every string that reaches the screen passes through here, which is
 * why control characters are replaced: a VM called "\033[2J" must not clear the terminal. */
#include <ctype.h>
#include <langinfo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/ui_text.h"

static bool locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* One display unit: bytes [*len] starting at s, which show as `width` columns, or as a single '?'
 * when *replace is set. Returns false at the end of the string. */
static bool next_unit(const char *s, bool utf8, size_t *len, int *width, bool *replace)
{
    unsigned char c = (unsigned char)*s;
    if (!c)
        return false;
    *replace = false;
    if (c < 0x80 || !utf8) {
        *len = 1;
        *width = 1;
        *replace = c < 0x20 || c >= 0x7f;
        return true;
    }
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *len = 1;
        *width = 1;
        *replace = true;
        return true;
    }
    int w = wcwidth(wc);
    *len = n;
    if (w < 0 || (wc >= 0x80 && wc < 0xa0) || wc == 0x2028 || wc == 0x2029) {
        *width = 1;
        *replace = true;
    } else {
        *width = w;
    }
    return true;
}

int ui_text_width(const char *s)
{
    if (!s)
        return 0;
    bool utf8 = locale_is_utf8();
    int total = 0;
    size_t len;
    int w;
    bool rep;
    while (next_unit(s, utf8, &len, &w, &rep)) {
        total += w;
        s += len;
    }
    return total;
}

int ui_text_fit(const char *s, int width, int pad, char *out, size_t outsz)
{
    if (!outsz)
        return 0;
    out[0] = '\0';
    if (width <= 0)
        return 0;
    if (!s)
        s = "";
    bool utf8 = locale_is_utf8();
    const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
    size_t o = 0;
    int used = 0;
    bool cut = ui_text_width(s) > width;
    int room = cut ? width - 1 : width; /* leave one column for the ellipsis */
    size_t len;
    int w;
    bool rep;
    while (next_unit(s, utf8, &len, &w, &rep)) {
        if (used + w > room)
            break;
        size_t need = rep ? 1 : len;
        if (o + need + 1 > outsz)
            break;
        if (rep)
            out[o++] = '?';
        else
            memcpy(out + o, s, len), o += len;
        used += w;
        s += len;
    }
    if (cut && o + strlen(ell) + 1 <= outsz) {
        memcpy(out + o, ell, strlen(ell));
        o += strlen(ell);
        used++;
    }
    while (pad && used < width && o + 2 <= outsz) {
        out[o++] = ' ';
        used++;
    }
    out[o] = '\0';
    return used;
}

int ui_text_contains(const char *haystack, const char *needle)
{
    if (!needle || !*needle)
        return 1;
    if (!haystack)
        return 0;
    size_t nl = strlen(needle);
    for (const char *h = haystack; *h; h++) {
        size_t i = 0;
        while (i < nl && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return 1;
    }
    return 0;
}
