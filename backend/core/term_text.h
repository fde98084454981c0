/* nl_term: the one sanitiser for text that leaves nestlab for a terminal, and the UTF-8 decoder
 * behind it.
 *
 * Names and server texts are chosen by anyone with a VM-create right or come from SSH output, the
 * cache and the journal, so they can hold anything. A terminal acts on C0 controls (ESC starts a
 * sequence that can clear the screen, retitle the window or write the clipboard with OSC 52; BEL,
 * CR, LF move or beep), on C1 controls (U+0080..U+009F; U+009B is CSI, as UTF-8 or as the raw byte
 * 0x9B) and, for the reader, on bidirectional controls that reorder what is shown (U+202A..U+202E,
 * U+2066..U+2069, U+200E, U+200F, U+061C). Every such character is shown visibly instead: a C0
 * control, DEL or an invalid UTF-8 byte as \xNN, any other as \uNNNN (upper-case hex); valid UTF-8
 * passes through unchanged.
 *
 * The approach, in two places with one rule:
 *   - Where nestlab formats a name or a server text into human text, it escapes it as a name
 *     (nl_term_name): a newline or tab inside a name is escaped too, and a backslash doubled so an
 *     escape is never ambiguous.
 *   - Where text leaves for the terminal, it passes through once more: the command line writes
 *     every human line with nl_term_fputs / nl_term_printf (NL_TERM_NEWLINE: nestlab's own
 *     newlines are kept, nothing else), the console fits every string it draws with nl_term_fit.
 *     This pass leaves text escaped by the first unchanged, so it can be applied to whole messages
 *     (an error that quotes a vCenter fault, a status line) without double escaping.
 * JSON output never goes through here: the JSON writer escapes, and its values stay exact. */
#ifndef NL_CORE_TERM_TEXT_H
#define NL_CORE_TERM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

/* Length (1..4) of the valid UTF-8 sequence at s and its code point in *cp, or 0 when the bytes
 * there start none (overlong forms, surrogates, values past U+10FFFF, a cut sequence, NUL). */
size_t nl_utf8_next(const char *s, uint32_t *cp);
bool nl_utf8_valid(const char *s);

/* Is cp a character a terminal must not receive raw (C0, DEL, C1, bidi, line separators)? */
bool nl_term_cp_unsafe(uint32_t cp);

enum nl_term_flags {
    NL_TERM_NEWLINE = 1 << 0,   /* '\n' passes: nestlab's own multi-line text */
    NL_TERM_BACKSLASH = 1 << 1, /* '\\' is doubled: a name inside text */
    NL_TERM_ASCII = 1 << 2,     /* every non-ASCII character escaped: a terminal not in UTF-8 */
};

/* One display unit: the next character of a string as it is shown. */
struct nl_term_unit {
    size_t len;    /* bytes of the source it stands for */
    char show[16]; /* what to write (NUL-terminated): the source bytes or their escape */
    int width;     /* columns on screen (wcwidth for wide and combining characters) */
};

/* Decodes the unit at s (which must not be at its end) under flags. A character a UTF-8 locale
 * cannot show (wcwidth < 0) is escaped too, so the width is what the terminal draws; in another
 * locale a non-ASCII character counts one column (NL_TERM_ASCII escapes it instead). */
void nl_term_unit(const char *s, unsigned flags, struct nl_term_unit *u);

/* An owned copy of s escaped under flags; NULL gives "". */
char *nl_term_escape(const char *s, unsigned flags);
/* A name or server text for human text: nl_term_escape(s, NL_TERM_BACKSLASH). */
char *nl_term_name(const char *s);
/* One line of nestlab's text that quotes names or server texts, such as an error message or a
 * plan step's reason: nl_term_escape(s, 0), so a name escaped in it stays as it is. */
char *nl_term_line(const char *s);
enum nl_code nl_term_name_append(struct nl_buf *out, const char *s, struct nl_err *err);

/* Writes human text to a terminal stream (NL_TERM_NEWLINE). */
void nl_term_fputs(const char *s, FILE *f);
void nl_term_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Columns s takes once escaped under flags (NL_TERM_NEWLINE is ignored: one line). */
int nl_term_width(const char *s, unsigned flags);
/* Writes into out (size outsz) the escaped prefix of s that fits in width columns; when s is
 * wider, the last column is an ellipsis ("…", or "~" under NL_TERM_ASCII) and no escape is cut
 * in half. With pad, spaces fill the width. Returns the columns written. */
int nl_term_fit(const char *s, int width, bool pad, unsigned flags, char *out, size_t outsz);

#endif
