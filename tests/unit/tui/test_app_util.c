/* The console backend's pure helpers (tui/app_util.c): ':' command lines split into words like a
 * POSIX shell quotes them (never expanded), scopes built from the ids the console sends, plans
 * merged into one that the engine can still apply, journal times. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "check.h"
#include "ops/fixture.h"
#include "tui/app_backend.h"

/* Splits line and compares with the expected words (after "nestlab"), NULL-terminated. */
static void split_is(const char *line, const char *const *want)
{
    char **argv = NULL;
    struct nl_err err = {0};
    int argc = app_split_words(line, &argv, &err);
    size_t n = 0;
    while (want[n])
        n++;
    CHECK_INT(argc, (int)n + 1);
    if (argc < 1 || !argv) {
        fprintf(stderr, "  split of [%s] failed: %s\n", line, err.message);
        return;
    }
    CHECK_STR(argv[0], "nestlab");
    for (size_t i = 0; i < n && (int)i + 1 < argc; i++) {
        CHECK_STR(argv[i + 1], want[i]);
        if (strcmp(argv[i + 1], want[i]) != 0)
            fprintf(stderr, "  in [%s]\n", line);
    }
    app_words_free(argv, argc);
}

static void test_split_words(void)
{
    split_is("", (const char *[]){NULL});
    split_is(" \t  ", (const char *[]){NULL});
    split_is("security --vswitch vSwitch0 --promiscuous accept --cluster Physical",
             (const char *[]){"security", "--vswitch", "vSwitch0", "--promiscuous", "accept",
                              "--cluster", "Physical", NULL});
    split_is("  a \t b   c ", (const char *[]){"a", "b", "c", NULL});
    /* quoting */
    split_is(
        "trunk --portgroup 'VM Network' --vswitch \"v S\" x\\ y",
        (const char *[]){"trunk", "--portgroup", "VM Network", "--vswitch", "v S", "x y", NULL});
    split_is("a'b c'\"d\"e", (const char *[]){"ab cde", NULL});
    split_is("'' \"\"", (const char *[]){"", "", NULL});
    split_is("\"say \\\"hi\\\" \\\\ \\n\"", (const char *[]){"say \"hi\" \\ \\n", NULL});
    split_is("'it''s' 'a\"b' \"a'b\"", (const char *[]){"its", "a\"b", "a'b", NULL});
    split_is("\\'x\\' \\\"", (const char *[]){"'x'", "\"", NULL});
    split_is("trailing\\", (const char *[]){"trailing\\", NULL});
    /* hostile text stays literal: nothing is expanded or split on ; | & $ ` */
    split_is("$(rm -rf /); `id` | x&y $HOME",
             (const char *[]){"$(rm", "-rf", "/);", "`id`", "|", "x&y", "$HOME", NULL});
    split_is("'$(rm -rf /); `id`'", (const char *[]){"$(rm -rf /); `id`", NULL});
    split_is("--host \"<esx&'01>\"", (const char *[]){"--host", "<esx&'01>", NULL});
    /* UTF-8 passes byte-exact, inside quotes or not */
    split_is("--vm \"Ünïcödé 名前\" 名前", (const char *[]){"--vm", "Ünïcödé 名前", "名前", NULL});

    /* an open quote is a usage error naming the quote, with nothing returned */
    const char *bad[] = {"security 'vSwitch0", "x \"abc", "'", "a \"b\\\"", NULL};
    const char *kind[] = {"single", "double", "single", "double"};
    for (size_t i = 0; bad[i]; i++) {
        char **argv = (char **)1;
        struct nl_err err = {0};
        CHECK_INT(app_split_words(bad[i], &argv, &err), -1);
        CHECK(argv == NULL);
        CHECK_INT(err.code, NL_ERR_USAGE);
        CHECK_STR(err.detail, "quote");
        CHECK(strstr(err.message, kind[i]) != NULL);
    }
}

static bool scope_has_host(const struct ops_scope *s, const char *id)
{
    for (size_t i = 0; i < s->n_hosts; i++)
        if (strcmp(s->host_ids[i], id) == 0)
            return true;
    return false;
}

static bool scope_has_vm(const struct ops_scope *s, const char *id)
{
    for (size_t i = 0; i < s->n_vms; i++)
        if (strcmp(s->vm_ids[i], id) == 0)
            return true;
    return false;
}

static void test_scope_from_ids(void)
{
    struct nl_lab *lab = fx_lab_small();

    /* host intents: a cluster is its hosts, in lab order, with indexes matching the ids */
    const char *cl[] = {"domain-c1"};
    struct ops_scope *s = app_scope_from_ids(lab, cl, 1, false);
    CHECK_INT(s->n_hosts, 3);
    CHECK_INT(s->n_vms, 0);
    CHECK_STR(s->host_ids[0], "host-1");
    CHECK_STR(s->host_ids[1], "host-2");
    CHECK_STR(s->host_ids[2], "host-3");
    for (size_t i = 0; i < s->n_hosts; i++)
        CHECK_STR(lab->hosts[s->hosts[i]].id, s->host_ids[i]);
    ops_scope_free(&s);

    /* a VM means its host; a host named twice (directly and through its VM) is there once */
    const char *mixed[] = {"host-1", "vm-1", "vm-5", "vm-2"};
    s = app_scope_from_ids(lab, mixed, 4, false);
    CHECK_INT(s->n_hosts, 2);
    CHECK(scope_has_host(s, "host-1"));
    CHECK(scope_has_host(s, "host-11"));
    ops_scope_free(&s);

    /* a datacenter is every host under it */
    const char *dc[] = {"dc-1"};
    s = app_scope_from_ids(lab, dc, 1, false);
    CHECK_INT(s->n_hosts, lab->n_hosts);
    ops_scope_free(&s);

    /* VM intents: a nested host becomes the VM backing it (not the guests running on it) */
    const char *nested[] = {"host-11"};
    s = app_scope_from_ids(lab, nested, 1, true);
    CHECK_INT(s->n_hosts, 0);
    CHECK_INT(s->n_vms, 1);
    CHECK(scope_has_vm(s, "vm-1"));
    CHECK(!scope_has_vm(s, "vm-5"));
    CHECK_INT(s->n_named_vms, s->n_vms);
    ops_scope_free(&s);

    /* ... a physical host the hypervisor VMs on it, never its plain guests */
    const char *phys[] = {"host-1", "host-2"};
    s = app_scope_from_ids(lab, phys, 2, true);
    CHECK(scope_has_vm(s, "vm-1"));
    CHECK(scope_has_vm(s, "vm-2"));
    CHECK(scope_has_vm(s, "vm-3"));
    for (size_t i = 0; i < s->n_vms; i++)
        CHECK(nl_vm_is_hypervisor(&lab->vms[s->vms[i]]));
    size_t from_hosts = s->n_vms;
    ops_scope_free(&s);

    /* ... and a VM itself, once, even when its host brings it too */
    const char *vms[] = {"vm-5", "vm-1", "host-1", "vm-5"};
    s = app_scope_from_ids(lab, vms, 4, true);
    CHECK(scope_has_vm(s, "vm-5"));
    CHECK(scope_has_vm(s, "vm-1"));
    CHECK(scope_has_vm(s, "vm-2"));
    CHECK_INT(s->n_vms, 3);
    CHECK_STR(s->vm_ids[0], "vm-5"); /* in the order asked */
    ops_scope_free(&s);
    CHECK(from_hosts >= 3);

    /* unknown, hostile or missing ids select nothing and do not crash */
    const char *junk[] = {NULL, "", "no-such-id", "'; rm -rf / #", "名前"};
    s = app_scope_from_ids(lab, junk, 5, false);
    CHECK_INT(s->n_hosts, 0);
    CHECK_INT(s->n_vms, 0);
    ops_scope_free(&s);
    s = app_scope_from_ids(lab, NULL, 0, true);
    CHECK_INT(s->n_hosts + s->n_vms, 0);
    ops_scope_free(&s);
    nl_lab_free(&lab);
}

static struct ops_plan *plan_for(const struct nl_lab *lab, const char *const *ids, size_t n,
                                 const struct ops_intent *in)
{
    bool vm_intent = in->kind == OPS_INTENT_NESTED_HV;
    struct ops_scope *s = app_scope_from_ids(lab, ids, n, vm_intent);
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    if (ops_plan_new(lab, s, in, &p, &err) != NL_OK)
        fprintf(stderr, "plan: %s\n", err.message);
    ops_scope_free(&s);
    return p;
}

static void test_plan_merge(void)
{
    struct nl_lab *lab = fx_lab_small();
    /* A: power-cycle n-esx02 (on host-1) for nested HV: a chain with dependencies */
    struct ops_intent hv;
    ops_intent_init(&hv, OPS_INTENT_NESTED_HV);
    hv.nested_hv.on = true;
    hv.nested_hv.power_cycle = true;
    const char *vm2[] = {"vm-2"};
    struct ops_plan *a = plan_for(lab, vm2, 1, &hv);
    /* B: security on the physical hosts; C: a second power-cycle chain (kvm01 on host-2) */
    struct ops_intent sec;
    ops_intent_init(&sec, OPS_INTENT_SECURITY);
    sec.security.vswitch = "vSwitch0";
    sec.security.want.promiscuous = NL_TRI_TRUE;
    const char *cl[] = {"domain-c1"};
    struct ops_plan *b = plan_for(lab, cl, 1, &sec);
    struct ops_intent hv_off = hv;
    hv_off.nested_hv.on = false;
    const char *vm4[] = {"vm-4"};
    struct ops_plan *c = plan_for(lab, vm4, 1, &hv_off);
    if (!a || !b || !c) {
        CHECK(a && b && c);
        return;
    }
    CHECK_INT(a->n_steps, 3);
    CHECK_INT(a->n_chains, 1);
    size_t na = a->n_steps, nb = b->n_steps, nc = c->n_steps;
    char *a_text = xstrdup(a->intent_text), *b_text = xstrdup(b->intent_text);

    ops_plan_merge(a, &b);
    CHECK(b == NULL);
    CHECK_INT(a->n_steps, na + nb);
    char *want = xasprintf("%s; %s", a_text, b_text);
    CHECK_STR(a->intent_text, want);
    free(want);
    ops_plan_merge(a, &c);
    CHECK(c == NULL);
    CHECK_INT(a->n_steps, na + nb + nc);
    CHECK_INT(a->n_chains, 2);
    /* the second chain got its own id and its dependencies point into its own steps */
    const struct ops_step *off2 = &a->steps[na + nb];
    CHECK_INT(off2->kind, OPS_STEP_POWER_OFF);
    CHECK_INT(off2->chain, 2);
    CHECK_INT(a->steps[na + nb + 1].depends, (long)(na + nb));
    CHECK_INT(a->steps[na + nb + 2].depends, (long)(na + nb));
    CHECK_INT(a->steps[1].depends, 0);
    /* groups: one per host, dense from 0 in order of first appearance; skipped steps none */
    int max_group = -1;
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct ops_step *s = &a->steps[i];
        if (s->group < 0)
            continue;
        CHECK(s->group <= max_group + 1);
        if (s->group > max_group)
            max_group = s->group;
        for (size_t k = 0; k < i; k++)
            if (a->steps[k].group >= 0)
                CHECK((a->steps[k].group == s->group) == (a->steps[k].host == s->host));
    }
    CHECK_INT(a->n_groups, max_group + 1);
    CHECK_INT(a->steps[0].group, 0); /* host-1 first: it appears first */

    /* merging NULL changes nothing */
    struct ops_plan *none = NULL;
    ops_plan_merge(a, &none);
    CHECK_INT(a->n_steps, na + nb + nc);

    /* the merged plan still applies: never two calls on one host at once, every host done */
    struct fake_exec f;
    fake_init(&f, lab);
    struct nl_err err = {0};
    CHECK_INT(ops_apply(a, &f.ex, NULL, &err), NL_OK);
    CHECK(!f.same_host_overlap);
    CHECK_INT(fake_count(&f, "set_vswitch_security"), 2); /* p01 and p03 were reject */
    CHECK_INT(fake_count(&f, "power_off n-esx02"), 1);
    CHECK_INT(fake_count(&f, "power_off kvm01"), 1);
    CHECK_INT(fake_count(&f, "power_on kvm01"), 1);
    struct ops_counts cnt;
    ops_plan_counts(a, &cnt);
    CHECK_INT(cnt.failed, 0);
    fake_free(&f);
    free(a_text);
    free(b_text);
    ops_plan_free(&a);
    nl_lab_free(&lab);
}

static void test_small_helpers(void)
{
    CHECK_INT((long)app_parse_time("2025-03-01T10:15:00Z"), 1740824100L);
    CHECK_INT((long)app_parse_time("1970-01-01T00:00:01Z"), 1L);
    CHECK_INT((long)app_parse_time("yesterday"), 0L);
    CHECK_INT((long)app_parse_time(""), 0L);
    CHECK_INT((long)app_parse_time(NULL), 0L);

    char **v = NULL;
    size_t n = 0;
    app_strv_push(&v, &n, xstrdup("a"));
    app_strv_push(&v, &n, xstrdup("b"));
    CHECK_INT(n, 2);
    CHECK_STR(v[1], "b");
    app_strv_free(&v, &n);
    CHECK(v == NULL && n == 0);
    app_strv_free(&v, &n); /* twice is fine */

    struct nl_lab *lab = fx_lab_small();
    struct ops_intent sec;
    ops_intent_init(&sec, OPS_INTENT_SECURITY);
    sec.security.vswitch = "vSwitch0";
    sec.security.want.promiscuous = NL_TRI_TRUE;
    const char *h1[] = {"host-1"};
    struct ops_plan *p = plan_for(lab, h1, 1, &sec);
    if (p && p->n_steps) {
        char *what = app_step_what(p, &p->steps[0]);
        CHECK(strncmp(what, "vSwitch 'vSwitch0'", 18) == 0);
        CHECK(strstr(what, "esx-p01") == NULL); /* the host is its own column */
        CHECK(strchr(what, '\n') == NULL);
        free(what);
    }
    ops_plan_free(&p);
    nl_lab_free(&lab);
}

int main(void)
{
    test_split_words();
    test_scope_from_ids();
    test_plan_merge();
    test_small_helpers();
    return nl_check_done();
}
