/* Journal round trip, torn lines, listing, and undo restoring the lab exactly. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/apply.h"
#include "backend/ops/journal.h"
#include "check.h"
#include "fixture.h"

static char journal_path[64];

static void fresh_journal(void)
{
    strcpy(journal_path, "/tmp/test_ops_journal_XXXXXX");
    int fd = mkstemp(journal_path);
    close(fd);
    unlink(journal_path);
}

static struct ops_scope *scope_of(const struct nl_lab *lab, const char *cluster, const char *vm)
{
    struct ops_scope_req req;
    struct ops_scope *s = NULL;
    struct nl_err err = {0};
    ops_scope_req_init(&req);
    if (cluster)
        ops_scope_req_add_cluster(&req, cluster);
    if (vm)
        ops_scope_req_add_vm(&req, vm);
    ops_scope_resolve(lab, &req, &s, &err);
    ops_scope_req_clear(&req);
    return s;
}

/* Plans against the fake's current state, applies with the journal; returns the plan. */
static struct ops_plan *run(struct fake_exec *f, const struct ops_intent *in, const char *cluster,
                            const char *vm)
{
    struct nl_lab *now = nl_lab_clone(f->lab);
    nl_lab_link(now);
    struct ops_scope *sc = scope_of(now, cluster, vm);
    struct ops_plan *p = NULL;
    struct nl_err err = {0};
    if (ops_plan_new(now, sc, in, &p, &err) != NL_OK) {
        fprintf(stderr, "plan: %s\n", err.message);
    } else {
        struct ops_apply_opts o;
        ops_apply_opts_init(&o);
        o.journal_path = journal_path;
        if (ops_apply(p, &f->ex, &o, &err) != NL_OK)
            fprintf(stderr, "apply: %s\n", err.message);
    }
    ops_scope_free(&sc);
    nl_lab_free(&now);
    return p;
}

/* Undoes id (NULL: the last change set) against the fake's state. */
static struct ops_plan *undo(struct fake_exec *f, const char *id, enum nl_code *rc_out)
{
    struct ops_journal *jr = NULL;
    struct nl_err err = {0};
    struct ops_plan *p = NULL;
    *rc_out = ops_journal_read(journal_path, &jr, &err);
    if (*rc_out != NL_OK)
        return NULL;
    const struct ops_journal_entry *e = ops_journal_find(jr, id, &err);
    if (!e) {
        *rc_out = err.code;
        ops_journal_free(&jr);
        return NULL;
    }
    struct nl_lab *now = nl_lab_clone(f->lab);
    nl_lab_link(now);
    *rc_out = ops_undo_plan_new(now, e, &p, &err);
    if (*rc_out == NL_OK) {
        struct ops_apply_opts o;
        ops_apply_opts_init(&o);
        o.journal_path = journal_path;
        *rc_out = ops_apply(p, &f->ex, &o, &err);
    }
    nl_lab_free(&now);
    ops_journal_free(&jr);
    return p;
}

static void security_intent(struct ops_intent *in)
{
    ops_intent_init(in, OPS_INTENT_SECURITY);
    in->security.vswitch = "vSwitch0";
    in->security.want.promiscuous = NL_TRI_TRUE;
    in->security.want.forged_transmits = NL_TRI_TRUE;
    in->security.want.mac_changes = NL_TRI_TRUE;
    in->security.clear_pg_overrides = true;
}

static void trunk_intent(struct ops_intent *in)
{
    ops_intent_init(in, OPS_INTENT_TRUNK);
    in->trunk.vswitch = "vSwitch0";
    in->trunk.portgroup = "Trunk";
}

static void test_round_trip_and_undo(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct fake_exec f;
    struct ops_intent in;
    struct nl_err err = {0};
    enum nl_code rc;
    fresh_journal();
    fake_init(&f, lab);
    char *s0 = fx_lab_state(f.lab);

    security_intent(&in);
    struct ops_plan *p1 = run(&f, &in, "Physical", NULL);
    char *s1 = fx_lab_state(f.lab);
    CHECK(strcmp(s0, s1) != 0);
    trunk_intent(&in);
    struct ops_plan *p2 = run(&f, &in, "Physical", NULL);
    char *s2 = fx_lab_state(f.lab);
    CHECK(strcmp(s1, s2) != 0);
    CHECK(strstr(s2, "esx-p01.lab.invalid pg Trunk on vSwitch0 vlan 4095") != NULL);

    struct stat st;
    CHECK(stat(journal_path, &st) == 0 && (st.st_mode & 0777) == 0600);

    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 2);
    CHECK_INT(jr->n_warnings, 0);
    CHECK_STR(jr->entries[0].id, p1->journal_id);
    CHECK_STR(jr->entries[1].id, p2->journal_id);
    CHECK(strcmp(jr->entries[0].id, jr->entries[1].id) < 0); /* monotonic */
    CHECK_STR(jr->entries[0].intent_kind, "security");
    CHECK_STR(jr->entries[0].endpoint, "vc-test");
    CHECK(jr->entries[0].time && strlen(jr->entries[0].time) == 20);
    CHECK(jr->entries[0].undo_of == NULL);
    /* security on p01 and p03 plus p03's Trunk override cleared; p02 compliant */
    CHECK_INT(jr->entries[0].n_steps, 4);
    const struct ops_step *st3 = &jr->entries[0].steps[3];
    CHECK_INT(st3->kind, OPS_STEP_SET_PORTGROUP);
    CHECK(st3->before.sec.promiscuous == NL_TRI_FALSE &&
          st3->after.sec.promiscuous == NL_TRI_UNSET);
    CHECK_STR(st3->host_name, "esx-p03.lab.invalid");
    CHECK_STR(st3->portgroup, "Trunk");
    CHECK_INT(st3->result, OPS_RESULT_OK);
    ops_journal_free(&jr);

    /* undo the last (trunk): the lab is exactly as after the security change */
    struct ops_plan *u1 = undo(&f, NULL, &rc);
    CHECK_INT(rc, NL_OK);
    char *after_u1 = fx_lab_state(f.lab);
    CHECK_STR(after_u1, s1);
    CHECK_STR(u1->undo_of, p2->journal_id);
    char *text = ops_plan_text(u1);
    CHECK(strstr(text, "remove port group 'Trunk' (VLAN 4095) from vSwitch 'vSwitch0'") != NULL);
    CHECK(strstr(text, "port group 'Trunk' on vSwitch 'vSwitch0': VLAN 4095 -> 100") != NULL);
    free(text);

    /* undo again: the last change set not yet undone is the security one */
    struct ops_plan *u2 = undo(&f, NULL, &rc);
    CHECK_INT(rc, NL_OK);
    char *after_u2 = fx_lab_state(f.lab);
    CHECK_STR(after_u2, s0);
    CHECK_STR(u2->undo_of, p1->journal_id);

    /* nothing left to undo */
    struct ops_plan *u3 = undo(&f, NULL, &rc);
    CHECK_INT(rc, NL_ERR_NOT_FOUND);
    CHECK(u3 == NULL);

    /* the listing tells the story */
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 4);
    CHECK_STR(jr->entries[2].undo_of, p2->journal_id);
    CHECK_STR(ops_journal_undone_by(jr, &jr->entries[1]), jr->entries[2].id);
    char *list = ops_journal_text(jr, false);
    CHECK(strstr(list, "security on vSwitch 'vSwitch0': promiscuous accept, forged transmits "
                       "accept, MAC changes accept, clearing port-group overrides that defeat "
                       "it: 3 changed, 0 failed [undone by ") != NULL);
    CHECK(strstr(list, "[undo of ") != NULL);
    CHECK(strstr(list, "  vc-test  fake  ") != NULL);
    free(list);
    list = ops_journal_text(jr, true);
    CHECK(strstr(list, "    done     esx-p01.lab.invalid: add port group 'Trunk'") != NULL);
    free(list);
    json_t *j = ops_journal_to_json(jr);
    CHECK_INT(json_array_size(json_object_get(j, "entries")), 4);
    CHECK_STR(json_string_value(
                  json_object_get(json_array_get(json_object_get(j, "entries"), 0), "undone_by")),
              jr->entries[3].id);
    json_decref(j);

    /* redo by undoing an undo, by id prefix */
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(jr->entries[3].id) - 2, jr->entries[3].id);
    ops_journal_free(&jr);
    struct ops_plan *u4 = undo(&f, prefix, &rc);
    CHECK_INT(rc, NL_OK);
    char *after_u4 = fx_lab_state(f.lab);
    CHECK_STR(after_u4, s1);

    /* ambiguous and unknown ids */
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    nl_err_clear(&err);
    CHECK(ops_journal_find(jr, "2", &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);
    nl_err_clear(&err);
    CHECK(ops_journal_find(jr, "nope", &err) == NULL);
    CHECK_INT(err.code, NL_ERR_NOT_FOUND);
    CHECK(strstr(err.message, "'nope'") != NULL);
    ops_journal_free(&jr);

    free(s0);
    free(s1);
    free(s2);
    free(after_u1);
    free(after_u2);
    free(after_u4);
    ops_plan_free(&p1);
    ops_plan_free(&p2);
    ops_plan_free(&u1);
    ops_plan_free(&u2);
    ops_plan_free(&u4);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal_path);
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static void test_torn_line(void)
{
    struct nl_lab *lab = fx_lab_many(2);
    struct fake_exec f;
    struct ops_intent in;
    struct nl_err err = {0};
    fresh_journal();
    fake_init(&f, lab);
    security_intent(&in);
    in.security.want.mac_changes = NL_TRI_FALSE;
    struct ops_plan *p = run(&f, &in, "Big", NULL);
    ops_plan_free(&p);
    in.security.want.mac_changes = NL_TRI_TRUE;
    p = run(&f, &in, "Big", NULL);
    ops_plan_free(&p);

    /* a crash mid-write leaves half a line */
    size_t lines = count_lines(journal_path);
    char torn_warning[64];
    snprintf(torn_warning, sizeof(torn_warning), "Line %zu of the journal", lines + 1);
    int fd = open(journal_path, O_WRONLY | O_APPEND);
    const char torn[] = "{\"id\":\"20990101T000000.000000Z-1\",\"time\":\"2099-01-01T00:";
    CHECK(write(fd, torn, sizeof(torn) - 1) == (ssize_t)(sizeof(torn) - 1));
    close(fd);

    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 2);
    CHECK_INT(jr->n_warnings, 1);
    CHECK(jr->n_warnings && strstr(jr->warnings[0], torn_warning) == jr->warnings[0]);
    char *list = ops_journal_text(jr, false);
    CHECK(strstr(list, torn_warning) != NULL);
    free(list);
    ops_journal_free(&jr);

    /* the next append starts a fresh line and loses nothing */
    in.security.want.forged_transmits = NL_TRI_FALSE;
    p = run(&f, &in, "Big", NULL);
    CHECK(p->journal_id != NULL);
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 3);
    CHECK_INT(jr->n_warnings, 1);
    CHECK_STR(jr->entries[2].id, p->journal_id);
    CHECK_INT(jr->entries[2].line, lines + 2); /* its begin record, on a fresh line */
    CHECK(!jr->entries[2].interrupted);
    ops_journal_free(&jr);
    /* an unwritable journal is an I/O error with the path in the sentence */
    char *id = NULL;
    nl_err_clear(&err);
    CHECK_INT(ops_journal_append("/nonexistent-dir/x/journal.jsonl", p, "fake", &id, &err),
              NL_ERR_IO);
    CHECK(id == NULL && strstr(err.message, "'/nonexistent-dir/x/journal.jsonl'") != NULL);
    ops_plan_free(&p);

    /* garbage, blank lines and non-entries in the middle are skipped too */
    fd = open(journal_path, O_WRONLY | O_APPEND);
    const char junk[] =
        "\n   \nnot json at all\n[1,2,3]\n{\"id\":\"x\",\"steps\":[{\"kind\":\"bogus\"}]}\n";
    CHECK(write(fd, junk, sizeof(junk) - 1) == (ssize_t)(sizeof(junk) - 1));
    close(fd);
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 3);
    CHECK_INT(jr->n_warnings, 4);
    ops_journal_free(&jr);

    /* a missing journal is empty, not an error */
    CHECK_INT(ops_journal_read("/tmp/does-not-exist-nestlab/journal.jsonl", &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 0);
    list = ops_journal_text(jr, false);
    CHECK_STR(list, "The journal is empty.\n");
    free(list);
    ops_journal_free(&jr);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal_path);
}

static void test_undo_power_cycle(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct fake_exec f;
    struct ops_intent in;
    enum nl_code rc;
    fresh_journal();
    fake_init(&f, lab);
    char *s0 = fx_lab_state(f.lab);
    ops_intent_init(&in, OPS_INTENT_NESTED_HV);
    in.nested_hv.on = true;
    in.nested_hv.power_cycle = true;
    struct ops_plan *p = run(&f, &in, NULL, "n-esx02");
    CHECK(p && p->journal_id);
    const struct nl_vm *v = nl_lab_find_vm(f.lab, "vm-2");
    CHECK(v->nested_hv == NL_TRI_TRUE && v->power == NL_POWER_ON);
    size_t calls = f.n_calls;
    struct ops_plan *u = undo(&f, NULL, &rc);
    CHECK_INT(rc, NL_OK);
    CHECK(u && u->n_steps == 3); /* power off, set off, power on */
    CHECK_INT(f.n_calls, calls + 3);
    char *s1 = fx_lab_state(f.lab);
    CHECK_STR(s1, s0);
    free(s1);
    ops_plan_free(&u);

    /* undoing a change someone already reverted is "already compliant" */
    struct ops_plan *p2 = run(&f, &in, NULL, "n-esx02");
    struct nl_vm *sv = nl_lab_find_vm(f.lab, "vm-2");
    sv->nested_hv = NL_TRI_FALSE; /* reverted behind our back */
    u = undo(&f, p2->journal_id, &rc);
    CHECK_INT(rc, NL_OK);
    struct ops_counts c;
    ops_plan_counts(u, &c);
    CHECK_INT(c.planned, 0);
    CHECK_INT(c.compliant, 1);
    ops_plan_free(&u);
    ops_plan_free(&p2);
    ops_plan_free(&p);
    free(s0);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal_path);
}

static const struct ops_step *step_on(const struct ops_plan *p, const char *host)
{
    for (size_t i = 0; p && i < p->n_steps; i++)
        if (p->steps[i].host_name && strcmp(p->steps[i].host_name, host) == 0)
            return &p->steps[i];
    return NULL;
}

static void test_undo_other_ids_and_failed(void)
{
    struct nl_lab *lab = fx_lab_small();
    struct fake_exec f;
    struct ops_intent in;
    struct nl_err err = {0};
    fresh_journal();
    fake_init(&f, lab);
    char *s0 = fx_lab_state(f.lab);
    f.fail[f.n_fail++] = "add_portgroup esx-p01.lab.invalid";
    trunk_intent(&in);
    struct ops_plan *p = run(&f, &in, "Physical", NULL);
    ops_plan_free(&p);

    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    struct ops_journal_entry *e = &jr->entries[0];
    /* the failed add is looked at too (a failure may be partial): p01 has no Trunk, so it is
     * already as before; the VLAN change on p03 is undone. An undo over another transport sees
     * other ids: the host is then found by name. */
    for (size_t i = 0; i < e->n_steps; i++)
        xstrset(&e->steps[i].host_id, "ssh:unknown");
    struct nl_lab *now = nl_lab_clone(f.lab);
    nl_lab_link(now);
    struct ops_plan *u = NULL;
    CHECK_INT(ops_undo_plan_new(now, e, &u, &err), NL_OK);
    CHECK_INT(u->n_steps, 2);

    const struct ops_step *p03 = step_on(u, "esx-p03.lab.invalid");
    const struct ops_step *p01 = step_on(u, "esx-p01.lab.invalid");
    CHECK(p03 && strcmp(p03->host_id, "host-3") == 0 && p03->after.vlan == 100 &&
          p03->status == OPS_STEP_PLANNED);
    CHECK(p01 && p01->status == OPS_STEP_COMPLIANT);
    CHECK_INT(ops_apply(u, &f.ex, NULL, &err), NL_OK);
    char *s1 = fx_lab_state(f.lab);
    CHECK_STR(s1, s0);
    free(s1);
    ops_plan_free(&u);
    nl_lab_free(&now);

    /* a host that left the lab: the restore says so instead of guessing */
    xstrset(&e->steps[2].host_name, "esx-gone.lab.invalid");
    now = nl_lab_clone(f.lab);
    nl_lab_link(now);
    CHECK_INT(ops_undo_plan_new(now, e, &u, &err), NL_OK);
    const struct ops_step *gone = step_on(u, "esx-gone.lab.invalid");
    CHECK(u->n_steps == 2 && gone && gone->status == OPS_STEP_BLOCKED &&
          strcmp(gone->reason, "host 'esx-gone.lab.invalid' is no longer in the lab") == 0);
    ops_plan_free(&u);

    /* a change set where no call was sent cannot be undone */
    for (size_t i = 0; i < e->n_steps; i++)
        e->steps[i].result = OPS_RESULT_NOT_RUN;
    nl_err_clear(&err);
    CHECK_INT(ops_undo_plan_new(now, e, &u, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "changed nothing that can be undone") != NULL);
    nl_lab_free(&now);
    ops_journal_free(&jr);
    free(s0);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal_path);
}

static void test_hostile_names_in_journal(void)
{
    struct nl_lab *lab = fx_lab_many(1);
    struct fake_exec f;
    struct ops_intent in;
    struct nl_err err = {0};
    enum nl_code rc;
    fresh_journal();
    fake_init(&f, lab);
    char *s0 = fx_lab_state(f.lab);
    const char *name = "Trunk \"x\" <&> $(id); `ls` ☃\\n";
    ops_intent_init(&in, OPS_INTENT_TRUNK);
    in.trunk.vswitch = "vSwitch0";
    in.trunk.portgroup = name;
    in.trunk.vlan = 0;
    struct ops_plan *p = run(&f, &in, "Big", NULL);
    CHECK(nl_host_find_portgroup(&f.lab->hosts[0], name) != NULL);
    struct ops_journal *jr = NULL;
    CHECK_INT(ops_journal_read(journal_path, &jr, &err), NL_OK);
    CHECK(jr->n_entries == 1 && strcmp(jr->entries[0].steps[0].portgroup, name) == 0);
    ops_journal_free(&jr);
    struct ops_plan *u = undo(&f, NULL, &rc);
    CHECK_INT(rc, NL_OK);
    char *s1 = fx_lab_state(f.lab);
    CHECK_STR(s1, s0);
    free(s1);
    free(s0);
    ops_plan_free(&u);
    ops_plan_free(&p);
    fake_free(&f);
    nl_lab_free(&lab);
    unlink(journal_path);
}

/* A journal written by this version, with a torn last line: the format must stay readable. */
static void test_fixture(void)
{
    const char *dir = getenv("NL_FIXTURES");
    if (!dir) {
        fprintf(stderr, "NL_FIXTURES unset: fixture test not run\n");
        CHECK(0);
        return;
    }
    char *path = xasprintf("%s/ops/journal_torn.jsonl", dir);
    struct ops_journal *jr = NULL;
    struct nl_err err = {0};
    CHECK_INT(ops_journal_read(path, &jr, &err), NL_OK);
    CHECK_INT(jr->n_entries, 2);
    CHECK_INT(jr->n_warnings, 1);
    if (jr->n_entries == 2) {
        const struct ops_journal_entry *t = &jr->entries[1];
        CHECK_STR(t->intent_kind, "trunk");
        CHECK_INT(t->steps[0].result, OPS_RESULT_FAILED);
        CHECK_STR(t->steps[0].error.detail, "HostConfigFault");
        CHECK_INT(t->steps[2].result, OPS_RESULT_OK);
        CHECK_INT(t->steps[2].before.vlan, 100);
        /* against the lab as it was before both change sets: the security undo has nothing left
         * to do; the trunk undo wants p03's Trunk as the trunk change found it (VLAN 100 with the
         * override the security change had cleared), so one step; p01's failed add is looked
         * at too and found as before */
        struct nl_lab *lab = fx_lab_small();
        for (size_t i = 0; i < 2; i++) {
            struct ops_plan *u = NULL;
            struct ops_counts c;
            CHECK_INT(ops_undo_plan_new(lab, &jr->entries[i], &u, &err), NL_OK);
            ops_plan_counts(u, &c);
            CHECK_INT(c.planned, i == 0 ? 0 : 1);
            CHECK_INT(c.compliant, i == 0 ? 3 : 1); /* p01's failed add: no Trunk there */
            ops_plan_free(&u);
        }
        nl_lab_free(&lab);
    }
    ops_journal_free(&jr);
    free(path);
}

int main(void)
{
    test_fixture();
    test_round_trip_and_undo();
    test_torn_line();
    test_undo_power_cycle();
    test_undo_other_ids_and_failed();
    test_hostile_names_in_journal();
    return nl_check_done();
}
