#include <string.h>

#include "backend/core/err.h"
#include "check.h"

static enum nl_code fail_deep(struct nl_err *err)
{
    return NL_ERR(err, NL_ERR_FAULT, "InvalidPowerState",
                  "The VM \"n-esx01\" is powered on, so nested HV cannot be changed.");
}

int main(void)
{
    struct nl_err err = {0};
    char text[256];

    CHECK(!nl_err_is_set(&err));
    nl_err_format(&err, text, sizeof(text));
    CHECK_STR(text, "No error.");

    /* The first error wins: a vaguer caller message must not replace the cause. */
    CHECK_INT(fail_deep(&err), NL_ERR_FAULT);
    NL_ERR(&err, NL_ERR_INTERNAL, NULL, "Applying the plan failed.");
    CHECK_INT(err.code, NL_ERR_FAULT);
    CHECK_STR(err.detail, "InvalidPowerState");
    CHECK_STR(err.where, "fail_deep");
    nl_err_format(&err, text, sizeof(text));
    CHECK_STR(text, "The VM \"n-esx01\" is powered on, so nested HV cannot be changed. "
                    "(InvalidPowerState)");

    /* Truncation is safe and reports the needed length. */
    char small[8];
    size_t need = nl_err_format(&err, small, sizeof(small));
    CHECK(need > sizeof(small));
    CHECK_INT(strlen(small), sizeof(small) - 1);

    /* A NULL err is allowed (the caller does not care) and the code still comes back. */
    CHECK_INT(NL_ERR(NULL, NL_ERR_IO, NULL, "ignored"), NL_ERR_IO);

    /* Long messages are cut, never overflow. */
    nl_err_clear(&err);
    char longname[2000];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    NL_ERR(&err, NL_ERR_NOT_FOUND, longname, "No host \"%s\".", longname);
    CHECK_INT(strlen(err.message), sizeof(err.message) - 1);
    CHECK_INT(strlen(err.detail), sizeof(err.detail) - 1);

    CHECK_INT(nl_code_exit_status(NL_OK), 0);
    CHECK_INT(nl_code_exit_status(NL_ERR_USAGE), 2);
    CHECK_INT(nl_code_exit_status(NL_ERR_TLS), 3);
    CHECK_INT(nl_code_exit_status(NL_ERR_AUTH), 3);
    CHECK_INT(nl_code_exit_status(NL_ERR_PROTOCOL), 3);
    CHECK_INT(nl_code_exit_status(NL_ERR_FAULT), 4);
    CHECK_INT(nl_code_exit_status(NL_ERR_PARSE), 1);
    CHECK_STR(nl_code_name(NL_ERR_HOSTKEY), "NL_ERR_HOSTKEY");
    return nl_check_done();
}
