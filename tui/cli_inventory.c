#include <stdio.h>

#include "backend/core/buf.h"
#include "backend/core/term_text.h"
#include "backend/model/lab_json.h"
#include "backend/model/lab_text.h"
#include "tui/cli_verbs.h"

int cli_run_inventory(struct cli_opts *o)
{
    struct nl_err err = {0};
    if (o->args.n)
        return NL_ERR(&err, NL_ERR_USAGE, NULL, "inventory takes no arguments (got \"%s\").",
                      o->args.v[0]),
               cli_fail(&err);
    struct cli_session s;
    if (cli_session_open(o, &s, &err) != NL_OK)
        return cli_fail(&err);
    int rc = 0;
    if (o->json) {
        /* Written straight from the lab, as jansson would indent it, without building, dumping
         * and freeing a tree of 10,000 VMs. */
        const struct nl_lab *labs[] = {s.lab};
        if (nl_labs_write_inventory_json(labs, 1, stdout, true, &err) == NL_OK)
            fputc('\n', stdout);
        else
            rc = cli_fail(&err);
    } else {
        struct nl_buf out;
        nl_buf_init(&out, 0);
        if (nl_lab_to_text(s.lab, &out, &err) == NL_OK)
            nl_term_fputs(out.data, stdout);
        else
            rc = cli_fail(&err);
        nl_buf_free(&out);
    }
    /* Shown from the cache alone: say so in the exit status too, so a script can tell. */
    size_t n_unread;
    nl_endpoint_host_errors(s.ep, &n_unread);
    if (rc == 0 && s.lab->n_hosts > 0 && n_unread == s.lab->n_hosts) {
        nl_term_printf(stderr,
                       "nestlab: no host could be read; everything above is from the cache of "
                       "%s.\n",
                       nl_endpoint_name(s.ep));
        rc = 3;
    }
    cli_session_close(&s);
    return rc;
}
