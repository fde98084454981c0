#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend/core/log.h"
#include "backend/core/term_text.h"
#include "tui/cli_verbs.h"

#ifndef NDEBUG
/* Test hook, debug builds only (cli_coredump.sh): with NESTLAB_DEBUG_CRASH set, a verb that holds
 * the passwords says whether it could dump core, then aborts. */
static void debug_crash_if_asked(void)
{
    if (!getenv("NESTLAB_DEBUG_CRASH"))
        return;
    struct rlimit core = {0};
    getrlimit(RLIMIT_CORE, &core);
    fprintf(stderr, "nestlab-debug: dumpable=%d core_soft=%llu core_hard=%llu; aborting\n",
            prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), (unsigned long long)core.rlim_cur,
            (unsigned long long)core.rlim_max);
    fflush(stderr);
    abort();
}
#endif

enum nl_code cli_session_open(const struct cli_opts *o, struct cli_session *s, struct nl_err *err)
{
    memset(s, 0, sizeof(*s));
    if (cli_config_resolve(o, &s->cfg, &s->ep_cfg, err) != NL_OK)
        goto fail;
    if (s->ep_cfg->insecure && s->ep_cfg->thumbprint && s->ep_cfg->thumbprint[0])
        nl_term_printf(
            stderr,
            "nestlab: warning: --insecure is ignored for \"%s\": its thumbprint pins the "
            "certificate.\n",
            s->ep_cfg->name);
    else if (s->ep_cfg->insecure)
        nl_term_printf(stderr,
                       "nestlab: warning: TLS verification is off for \"%s\" (--insecure); "
                       "pin the certificate with --thumbprint instead.\n",
                       s->ep_cfg->name);
    struct nl_endpoint_opts eo = {
        .direct = o->direct,
        .accept_new_host_keys = o->accept_new_host_keys,
        .allow_prompt = isatty(STDIN_FILENO),
    };
    if (nl_endpoint_open(s->ep_cfg, &eo, &s->ep, err) != NL_OK)
        goto fail;
#ifndef NDEBUG
    debug_crash_if_asked();
#endif
    const char *reason = nl_endpoint_fallback_reason(s->ep);
    if (reason)
        cli_note("", reason);
    s->lab = nl_endpoint_inventory(s->ep, err);
    if (!s->lab)
        goto fail;
    size_t n;
    const char *const *errors = nl_endpoint_host_errors(s->ep, &n);
    for (size_t i = 0; i < n; i++)
        cli_note("warning: not read over SSH, shown from the cache: ", errors[i]);
    return NL_OK;
fail:
    cli_session_close(s);
    return err->code;
}

void cli_session_close(struct cli_session *s)
{
    nl_lab_free(&s->lab);
    nl_endpoint_free(&s->ep);
    nl_config_free(&s->cfg);
    s->ep_cfg = NULL;
}

void cli_scope_req(const struct cli_opts *o, const struct cli_list *vm_names,
                   struct ops_scope_req *req)
{
    ops_scope_req_init(req);
    for (size_t i = 0; i < o->clusters.n; i++)
        ops_scope_req_add_cluster(req, o->clusters.v[i]);
    for (size_t i = 0; i < o->hosts.n; i++)
        ops_scope_req_add_host(req, o->hosts.v[i]);
    for (size_t i = 0; vm_names && i < vm_names->n; i++)
        ops_scope_req_add_vm(req, vm_names->v[i]);
    req->all_physical = o->all_physical;
    req->all_nested = o->all_nested;
    req->all = o->all;
}

void cli_print_json(void *json)
{
    json_dumpf(json, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0);
    fputc('\n', stdout);
    json_decref(json);
}
