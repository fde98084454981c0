#include <stdlib.h>
#include <string.h>

#include "backend/core/buf.h"
#include "check.h"

int main(void)
{
    struct nl_err err = {0};
    struct nl_buf b;

    nl_buf_init(&b, 10);
    CHECK_INT(nl_buf_append_str(&b, "hello", &err), NL_OK);
    CHECK_INT(nl_buf_append_str(&b, "world", &err), NL_OK); /* exactly at the cap */
    CHECK_INT(b.len, 10);
    CHECK_STR(b.data, "helloworld");

    /* One byte over the cap: refused, buffer unchanged, a clear error. */
    CHECK_INT(nl_buf_append(&b, "!", 1, &err), NL_ERR_LIMIT);
    CHECK_INT(b.len, 10);
    CHECK_STR(b.data, "helloworld");
    CHECK(strstr(err.message, "10 bytes") != NULL);

    nl_buf_reset(&b);
    nl_err_clear(&err);
    CHECK_INT(b.len, 0);
    CHECK_STR(b.data, "");
    CHECK_INT(nl_buf_appendf(&b, &err, "%d-%s", 42, "x"), NL_OK);
    CHECK_STR(b.data, "42-x");
    CHECK_INT(nl_buf_appendf(&b, &err, "%s", "0123456789"), NL_ERR_LIMIT);
    CHECK_STR(b.data, "42-x");

    char *stolen = nl_buf_steal(&b);
    CHECK_STR(stolen, "42-x");
    free(stolen);
    CHECK_INT(b.len, 0);
    CHECK_INT(b.max, 10); /* the cap survives */

    /* Binary data with NULs and growth across many appends. */
    nl_buf_free(&b);
    nl_buf_init(&b, 0);
    nl_err_clear(&err);
    for (int i = 0; i < 100000; i++)
        CHECK_INT(nl_buf_append(&b, "a\0b", 3, &err) == NL_OK ? 0 : 1, 0);
    CHECK_INT(b.len, 300000);
    CHECK_INT(b.data[1], 0);
    CHECK_INT(b.data[b.len], 0);
    nl_buf_free(&b);

    /* An empty buffer can be stolen too. */
    nl_buf_init(&b, 5);
    stolen = nl_buf_steal(&b);
    CHECK_STR(stolen, "");
    free(stolen);
    return nl_check_done();
}
