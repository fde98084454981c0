/* Column-aware fitting: ASCII, CJK (2 columns), combining marks, invalid UTF-8, control bytes
 * (the sanitiser itself is tested in tests/unit/core/test_term_text.c). */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tui/ui_text.h"

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        printf("C.UTF-8 locale missing\n");
        return getenv("NESTLAB_NO_SKIP") ? 1 : 77; /* in CI a skip is a failure */
    }
    char out[128];
    CHECK_INT(ui_text_width("hello"), 5);
    CHECK_INT(ui_text_width("\xe6\x95\xb0\xe6\x8d\xae"), 4); /* two CJK ideographs */
    CHECK_INT(ui_text_width("e\xcc\x81"), 1);                /* e + combining acute */
    CHECK_INT(ui_text_width("a\x1b[2Jb"), 9);                /* ESC shown as \x1B */
    CHECK_INT(ui_text_width("\xff\xfe"), 8);                 /* invalid bytes: \xNN each */
    CHECK_INT(ui_text_width(NULL), 0);

    CHECK_INT(ui_text_fit("hello", 10, 0, out, sizeof(out)), 5);
    CHECK_STR(out, "hello");
    CHECK_INT(ui_text_fit("hello", 10, 1, out, sizeof(out)), 10);
    CHECK_STR(out, "hello     ");
    CHECK_INT(ui_text_fit("hello world", 8, 0, out, sizeof(out)), 8);
    CHECK_STR(out, "hello w\xe2\x80\xa6");
    /* A wide character never straddles the edge: 3 columns hold one ideograph + ellipsis. */
    CHECK_INT(ui_text_fit("\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93", 4, 0, out, sizeof(out)), 3);
    CHECK_STR(out, "\xe6\x95\xb0\xe2\x80\xa6");
    CHECK_INT(ui_text_fit("\xe6\x95\xb0\xe6\x8d\xae\xe5\xba\x93", 4, 1, out, sizeof(out)), 4);
    CHECK_STR(out, "\xe6\x95\xb0\xe2\x80\xa6 ");
    /* Control characters never reach the terminal; they are shown escaped. */
    ui_text_fit("web\n\x1b[2J;", 20, 0, out, sizeof(out));
    CHECK_STR(out, "web\\x0A\\x1B[2J;");
    CHECK(strchr(out, 0x1b) == NULL);
    ui_text_fit("\xc2\x9b"
                "31m",
                20, 0, out, sizeof(out)); /* C1 CSI */
    CHECK_STR(out, "\\u009B31m");
    CHECK_INT(ui_text_fit("abc", 0, 1, out, sizeof(out)), 0);
    CHECK_STR(out, "");
    /* A tiny output buffer truncates without overflowing. */
    char small[4];
    ui_text_fit("abcdef", 10, 0, small, sizeof(small));
    CHECK_STR(small, "abc");

    CHECK(ui_text_contains("esx-n01.lab.invalid", "N01"));
    CHECK(ui_text_contains("anything", ""));
    CHECK(!ui_text_contains("esx-p01", "n01"));
    CHECK(!ui_text_contains(NULL, "x"));

    /* Without UTF-8 every non-ASCII character is escaped. */
    setlocale(LC_ALL, "C");
    CHECK_INT(ui_text_width("\xe6\x95\xb0"), 6);
    ui_text_fit("abcdef", 4, 0, out, sizeof(out));
    CHECK_STR(out, "abc~");
    return nl_check_done();
}
