/* Terminal text measured in columns, not bytes: UTF-8 names (CJK takes two columns, combining
 * marks none) are cut to a width with an ellipsis, and characters that would move the cursor,
 * start an escape sequence or reorder text (hostile names) are shown escaped (\x1B, \u009B) by
 * backend/core/term_text. Needs an UTF-8 LC_CTYPE (setlocale); otherwise ASCII only. */
#ifndef NL_UI_TEXT_H
#define NL_UI_TEXT_H

#include <stddef.h>

/* Columns s takes on screen after sanitising. */
int ui_text_width(const char *s);

/* Writes into out (size outsz) the sanitised prefix of s that fits in width columns; when s is
 * wider, the last column is an ellipsis "…" (or "~" when the locale is not UTF-8). With pad the
 * result is padded with spaces to exactly width columns. Returns the columns written. */
int ui_text_fit(const char *s, int width, int pad, char *out, size_t outsz);

/* Case-insensitive substring test for the filter (ASCII folding; other bytes compare exactly). */
int ui_text_contains(const char *haystack, const char *needle);

#endif
