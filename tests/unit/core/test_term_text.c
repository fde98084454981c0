/* The terminal sanitiser: every class it escapes (C0 with ESC/BEL/CR/LF/TAB, DEL, C1 as UTF-8 and
 * as raw bytes, bidi controls, invalid UTF-8), what passes (valid UTF-8, nestlab's own newlines),
 * idempotence over escaped text, and columns for the console (wide, combining, cut escapes). */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "check.h"

static void check_escape(const char *in, unsigned flags, const char *want, int line)
{
    char *got = nl_term_escape(in, flags);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "line %d: escaped to \"%s\"\n", line, got);
    CHECK_STR(got, want);
    free(got);
}
#define ESC(in, flags, want) check_escape(in, flags, want, __LINE__)

/* No byte a terminal acts on survives: C0 but newline, DEL, raw 0x80..0x9F, C1 and bidi UTF-8. */
static void check_clean(const char *s, bool newline_ok)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        CHECK(*p >= 0x20 || (newline_ok && *p == '\n'));
        CHECK(*p != 0x7F);
    }
    CHECK(strstr(s, "\xc2\x9b") == NULL);
    CHECK(strstr(s, "\xe2\x80\xae") == NULL);
}

static const char hostile[] = "vm\x1b]52;c;cHduZWQ=\x07 \x1b[2J \xc2\x9b"
                              "31m \xe2\x80\xae"
                              "gpj.exe\r\n\t\x7f \x9b"
                              "1m \xff";

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        printf("C.UTF-8 locale missing\n");
        return getenv("NESTLAB_NO_SKIP") ? 1 : 77;
    }
    /* Valid UTF-8 and printable ASCII pass through. */
    ESC("caf\xc3\xa9 \xe6\x95\xb0 <x>&\"'$(id);", 0, "caf\xc3\xa9 \xe6\x95\xb0 <x>&\"'$(id);");
    ESC("\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80");
    /* C0 controls and DEL. */
    ESC("a\x1b[2Jb", 0, "a\\x1B[2Jb");
    ESC("\x1b]52;c;cHduZWQ=\x07", 0, "\\x1B]52;c;cHduZWQ=\\x07");
    ESC("a\rb\nc\td\x7f", 0, "a\\x0Db\\x0Ac\\x09d\\x7F");
    /* C1 controls: as UTF-8 (U+009B CSI, U+0085 NEL) and as raw bytes (invalid UTF-8). */
    ESC("\xc2\x9b"
        "31m \xc2\x85",
        0, "\\u009B31m \\u0085");
    ESC("\x9b"
        "31m \x80",
        0, "\\x9B31m \\x80");
    /* Bidi controls. */
    ESC("a\xe2\x80\xae"
        "b\xe2\x81\xa6"
        "c\xe2\x81\xa9"
        "d\xe2\x80\x8e"
        "e\xe2\x80\x8f"
        "f\xd8\x9c"
        "g\xe2\x80\xaa",
        0, "a\\u202Eb\\u2066c\\u2069d\\u200Ee\\u200Ff\\u061Cg\\u202A");
    /* Line and paragraph separators. */
    ESC("a\xe2\x80\xa8"
        "b",
        0, "a\\u2028b");
    /* Invalid UTF-8: lone bytes, overlong, surrogate, cut sequence, past U+10FFFF. */
    ESC("\xff\xfe", 0, "\\xFF\\xFE");
    ESC("\xc0\xaf", 0, "\\xC0\\xAF");
    ESC("\xed\xa0\x80", 0, "\\xED\\xA0\\x80");
    ESC("ab\xe6\x95", 0, "ab\\xE6\\x95");
    ESC("\xf4\x90\x80\x80", 0, "\\xF4\\x90\\x80\\x80");
    /* Names double a backslash so an escape is never ambiguous; text leaves it. */
    ESC("a\\x1B", NL_TERM_BACKSLASH, "a\\\\x1B");
    ESC("a\\x1B", 0, "a\\x1B");
    /* nestlab's own newlines pass in text, never in a name. */
    ESC("line 1\nline 2\n", NL_TERM_NEWLINE, "line 1\nline 2\n");
    ESC("line 1\nline 2", NL_TERM_BACKSLASH, "line 1\\x0Aline 2");
    /* A terminal not in UTF-8 gets ASCII only. */
    ESC("caf\xc3\xa9 \xf0\x9f\x98\x80", NL_TERM_ASCII, "caf\\u00E9 \\U0001F600");
    /* NULL is empty. */
    ESC(NULL, 0, "");

    /* The whole hostile string, as a name and as text: nothing raw remains, and the escape of
     * the text pass is idempotent over a name already escaped. */
    char *name = nl_term_name(hostile);
    check_clean(name, false);
    CHECK(strstr(name, "\\x1B]52;c;") && strstr(name, "\\u009B31m") && strstr(name, "\\u202E") &&
          strstr(name, "\\x0D\\x0A\\x09\\x7F") && strstr(name, "\\x9B1m") && strstr(name, "\\xFF"));
    char *again = nl_term_escape(name, NL_TERM_NEWLINE);
    CHECK_STR(again, name);
    free(again);
    free(name);
    char *text = nl_term_escape(hostile, NL_TERM_NEWLINE);
    check_clean(text, true);
    free(text);

    /* The printf boundary. */
    char *buf = NULL;
    size_t bufsz = 0;
    FILE *f = open_memstream(&buf, &bufsz);
    nl_term_printf(f, "nestlab: %s\n", "fault: \x1b[2J\xc2\x9b\xe2\x80\xae");
    nl_term_fputs("two\nlines\x07\n", f);
    fclose(f);
    CHECK_STR(buf, "nestlab: fault: \\x1B[2J\\u009B\\u202E\ntwo\nlines\\x07\n");
    free(buf);

    /* UTF-8 decoding. */
    uint32_t cp = 0;
    CHECK_INT(nl_utf8_next("\xc2\x9b", &cp), 2);
    CHECK_INT(cp, 0x9B);
    CHECK_INT(nl_utf8_next("\xe2\x80\xae", &cp), 3);
    CHECK_INT(cp, 0x202E);
    CHECK_INT(nl_utf8_next("", &cp), 0);
    CHECK_INT(nl_utf8_next("\x9b", &cp), 0);
    CHECK(nl_utf8_valid("caf\xc3\xa9"));
    CHECK(!nl_utf8_valid("caf\xe9"));

    /* Columns: ASCII, wide, combining, escapes count as what they show. */
    CHECK_INT(nl_term_width("hello", 0), 5);
    CHECK_INT(nl_term_width("\xe6\x95\xb0\xe6\x8d\xae", 0), 4);
    CHECK_INT(nl_term_width("e\xcc\x81", 0), 1);
    CHECK_INT(nl_term_width("a\x1b[2Jb", 0), 9);          /* a \x1B [2J b */
    CHECK_INT(nl_term_width("\xc2\x9b", 0), 6);           /* \u009B */
    CHECK_INT(nl_term_width("a\nb", NL_TERM_NEWLINE), 6); /* one line: the newline is escaped */
    CHECK_INT(nl_term_width("\xe9", 0), 4);               /* \xE9 */
    CHECK_INT(nl_term_width(NULL, 0), 0);
    char out[128];
    CHECK_INT(nl_term_fit("hello world", 8, false, 0, out, sizeof(out)), 8);
    CHECK_STR(out, "hello w\xe2\x80\xa6");
    CHECK_INT(nl_term_fit("ab", 5, true, 0, out, sizeof(out)), 5);
    CHECK_STR(out, "ab   ");
    /* A wide character never straddles the edge. */
    CHECK_INT(nl_term_fit("\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93", 4, false, 0, out, sizeof(out)),
              3);
    CHECK_STR(out, "\xe6\x95\xb0\xe2\x80\xa6");
    /* An escape is never cut in half: "\x1B" does not fit in 3 columns before the ellipsis. */
    CHECK_INT(nl_term_fit("ab\x1b[2J", 5, false, 0, out, sizeof(out)), 3);
    CHECK_STR(out, "ab\xe2\x80\xa6");
    CHECK_INT(nl_term_fit("ab\x1b[2J", 20, false, 0, out, sizeof(out)), 9);
    CHECK_STR(out, "ab\\x1B[2J");
    CHECK_INT(nl_term_width(out, 0), 9); /* the columns returned are the columns drawn */
    CHECK_INT(nl_term_fit(hostile, 200, false, 0, out, sizeof(out)), nl_term_width(hostile, 0));
    check_clean(out, false);
    /* A small buffer truncates without overflowing, at a unit boundary. */
    char small[6];
    nl_term_fit("a\x1b[2J", 10, false, 0, small, sizeof(small));
    CHECK_STR(small, "a\\x1B");
    CHECK_INT(nl_term_fit("abc", 0, true, 0, out, sizeof(out)), 0);
    CHECK_STR(out, "");
    /* ASCII terminals: "~" for the ellipsis, every non-ASCII character escaped. */
    CHECK_INT(nl_term_fit("abcdef", 4, false, NL_TERM_ASCII, out, sizeof(out)), 4);
    CHECK_STR(out, "abc~");
    CHECK_INT(nl_term_width("\xc3\xa9", NL_TERM_ASCII), 6);
    /* A character a UTF-8 locale cannot show is escaped when drawn (U+0378 is unassigned). */
    CHECK_INT(nl_term_fit("a\xcd\xb8", 10, false, 0, out, sizeof(out)), 7);
    CHECK_STR(out, "a\\u0378");
    /* In the C locale UTF-8 text counts a column a character; controls are still escaped. */
    setlocale(LC_ALL, "C");
    CHECK_INT(nl_term_fit("caf\xc3\xa9\x1b", 10, false, 0, out, sizeof(out)), 8);
    CHECK_STR(out, "caf\xc3\xa9\\x1B");
    CHECK_INT(nl_term_width("\xc3\xa9", NL_TERM_ASCII), 6);
    return nl_check_done();
}
