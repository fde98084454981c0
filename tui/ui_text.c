/* Column-aware text fitting for the console. Every string that reaches the screen passes through
 * here and so through the one terminal sanitiser (backend/core/term_text.h): a VM called
 * "\033[2J" is drawn as the text \x1B[2J and does not clear the terminal. */
#include "tui/ui_text.h"

#include <ctype.h>
#include <langinfo.h>
#include <string.h>

#include "backend/core/term_text.h"

/* A terminal whose locale is not UTF-8 gets ASCII only: there a byte 0x9B inside a UTF-8
 * sequence may be taken for CSI. */
static unsigned term_flags(void)
{
    const char *cs = nl_langinfo(CODESET);
    bool utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    return utf8 ? 0 : NL_TERM_ASCII;
}

int ui_text_width(const char *s)
{
    return nl_term_width(s, term_flags());
}

int ui_text_fit(const char *s, int width, int pad, char *out, size_t outsz)
{
    return nl_term_fit(s, width, pad != 0, term_flags(), out, outsz);
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
