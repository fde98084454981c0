/* Quoting is proven by a real POSIX shell: every hostile argument goes through /bin/sh and must
 * come back byte-exact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/esxi/esx_quote.h"
#include "check.h"

static const char *const hostile[] = {
    "",
    "plain",
    "with space",
    "it's",
    "''",
    "'\\''",
    "$(id)",
    "`uname -a`",
    "a;b",
    "a && b || c",
    "line1\nline2",
    "tab\there",
    "\"double\" \\back\\slash",
    "$HOME ${PATH} $1 $? $$",
    "Grüße “VM” 中文 🚀",
    "-rf",
    "*?[a-z]",
    "#comment",
    "~root",
    "a|b>c<d&e",
    "Nested Trunk 'x' $(id) ; `uname`",
};

/* Runs `printf %s <quoted>` through /bin/sh and returns what came back. */
static char *via_shell(const char *arg)
{
    const char *argv[] = {"printf", "%s", arg};
    char *cmd = esx_cmd_build(argv, 3, NULL);
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return NULL;
    char *out = calloc(1, 4096);
    size_t n = fread(out, 1, 4095, p);
    out[n] = '\0';
    pclose(p);
    return out;
}

int main(void)
{
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        char *back = via_shell(hostile[i]);
        CHECK_STR(back, hostile[i]);
        free(back);
    }

    char *q = esx_quote("it's");
    CHECK_STR(q, "'it'\\''s'");
    free(q);
    q = esx_quote("");
    CHECK_STR(q, "''");
    free(q);

    const char *argv[] = {"esxcli",   "--formatter=xml", "network", "vswitch",
                          "standard", "portgroup",       "add",     "--portgroup-name=a'b c",
                          NULL};
    struct nl_err err = {0};
    char *cmd = esx_cmd_buildv(argv, &err);
    CHECK_STR(cmd, "'esxcli' '--formatter=xml' 'network' 'vswitch' 'standard' 'portgroup' 'add' "
                   "'--portgroup-name=a'\\''b c'");
    free(cmd);

    /* Errors: no words, a missing word. */
    CHECK(esx_cmd_build(argv, 0, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);
    nl_err_clear(&err);
    const char *holes[] = {"echo", NULL, "x"};
    CHECK(esx_cmd_build(holes, 3, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);

    /* A cap that the quoted form exceeds leaves the buffer unchanged. */
    struct nl_buf b;
    nl_buf_init(&b, 8);
    nl_err_clear(&err);
    CHECK_INT(esx_quote_append(&b, "abc", &err), NL_OK);
    CHECK_INT(esx_quote_append(&b, "abcdef", &err), NL_ERR_LIMIT);
    CHECK_STR(b.data, "'abc'");
    nl_buf_free(&b);
    return nl_check_done();
}
