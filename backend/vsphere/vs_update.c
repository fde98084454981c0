#include "backend/vsphere/vs_update.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_prop.h"
#include "backend/vsphere/vs_xml.h"

#define VS_UPDATE_BATCH 500

void vs_update_free(struct vs_update **pu)
{
    struct vs_update *u = *pu;
    if (!u)
        return;
    for (size_t i = 0; i < u->n_objs; i++) {
        free(u->objs[i].type);
        free(u->objs[i].id);
        free(u->objs[i].datacenter_id);
    }
    free(u->objs);
    xmlFreeDoc(u->doc);
    free(u);
    *pu = NULL;
}

void vs_update_free_payload(void *p)
{
    struct vs_update *u = p;
    vs_update_free(&u);
}

static bool is_removal(const xmlNode *change)
{
    char *op = vs_xml_child_text(change, "op");
    bool rm = op && (strcmp(op, "remove") == 0 || strcmp(op, "indirectRemove") == 0);
    free(op);
    return rm;
}

void vs_update_apply(struct nl_lab *lab, const struct vs_update *u)
{
    for (size_t i = 0; i < u->n_objs; i++) {
        const struct vs_object_update *o = &u->objs[i];
        if (o->kind == VS_UPDATE_LEAVE) {
            vs_prop_leave(lab, NULL, o->type, o->id);
            continue;
        }
        vs_prop_enter(lab, NULL, o->type, o->id);
        for (xmlNode *ch = vs_xml_child(o->object, "changeSet"); ch;
             ch = vs_xml_next(ch, "changeSet")) {
            char *name = vs_xml_child_text(ch, "name");
            if (name && *name)
                vs_prop_apply(lab, NULL, o->type, o->id, name,
                              is_removal(ch) ? NULL : vs_xml_child(ch, "val"));
            free(name);
        }
        if (o->datacenter_id) {
            if (strcmp(o->type, "HostSystem") == 0)
                xstrset(&nl_lab_add_host(lab, o->id)->datacenter_id, o->datacenter_id);
            else if (strcmp(o->type, "ClusterComputeResource") == 0)
                xstrset(&nl_lab_add_cluster(lab, o->id)->datacenter_id, o->datacenter_id);
        }
    }
}

static const char *kind_name(enum vs_update_kind k)
{
    return k == VS_UPDATE_ENTER ? "enter" : k == VS_UPDATE_MODIFY ? "modify" : "leave";
}

void vs_update_print(const struct vs_update *u, FILE *out)
{
    for (size_t i = 0; i < u->n_objs; i++) {
        const struct vs_object_update *o = &u->objs[i];
        fprintf(out, "%s %s %s", kind_name(o->kind), o->type, o->id);
        for (xmlNode *ch = vs_xml_child(o->object, "changeSet"); ch;
             ch = vs_xml_next(ch, "changeSet")) {
            char *name = vs_xml_child_text(ch, "name");
            fprintf(out, " %s", name ? name : "?");
            free(name);
        }
        fputc('\n', out);
    }
}

/* ---- parsing a WaitForUpdatesEx reply ----------------------------------------------------- */

struct collect {
    struct vs_tree *tree;
    struct vs_update *cur;
    bool initial;
    size_t flush_at; /* 0 = one update for the whole reply */
    void (*flush)(void *arg, struct vs_update *u);
    void *flush_arg;
};

/* Keeps the parent/name map current so hosts and clusters get their datacenter. */
static void tree_track(struct vs_tree *tree, const struct vs_object_update *o)
{
    if (!tree)
        return;
    if (o->kind == VS_UPDATE_LEAVE) {
        vs_tree_remove(tree, o->id);
        return;
    }
    vs_tree_add(tree, o->id, o->type);
    for (xmlNode *ch = vs_xml_child(o->object, "changeSet"); ch;
         ch = vs_xml_next(ch, "changeSet")) {
        char *name = vs_xml_child_text(ch, "name");
        xmlNode *val = is_removal(ch) ? NULL : vs_xml_child(ch, "val");
        if (name && strcmp(name, "parent") == 0) {
            struct vs_moref m = {0};
            bool ok = val && vs_xml_moref(val, &m);
            vs_tree_set_parent(tree, o->id, ok ? m.id : NULL);
            vs_moref_clear(&m);
        } else if (name && strcmp(name, "name") == 0) {
            char *t = val ? vs_xml_text(val) : NULL;
            vs_tree_set_name(tree, o->id, t);
            free(t);
        }
        free(name);
    }
}

static void collect_finish(struct collect *k)
{
    struct vs_update *u = k->cur;
    if (!u)
        return;
    for (size_t i = 0; k->tree && i < u->n_objs; i++) {
        struct vs_object_update *o = &u->objs[i];
        if (o->kind != VS_UPDATE_LEAVE &&
            (strcmp(o->type, "HostSystem") == 0 || strcmp(o->type, "ClusterComputeResource") == 0))
            xstrset(&o->datacenter_id, vs_tree_datacenter(k->tree, o->id));
    }
    if (k->flush) {
        k->flush(k->flush_arg, u);
        k->cur = NULL;
    }
}

static enum nl_code on_object_update(void *arg, xmlNode *node, struct nl_err *err)
{
    (void)err;
    struct collect *k = arg;
    struct vs_moref obj;
    if (!vs_xml_moref(vs_xml_child(node, "obj"), &obj))
        return NL_OK;
    char *kind = vs_xml_child_text(node, "kind");
    enum vs_update_kind kd = VS_UPDATE_MODIFY;
    if (kind && strcmp(kind, "enter") == 0)
        kd = VS_UPDATE_ENTER;
    else if (kind && strcmp(kind, "leave") == 0)
        kd = VS_UPDATE_LEAVE;
    free(kind);
    if (!k->cur) {
        k->cur = xcalloc(1, sizeof *k->cur);
        k->cur->doc = xmlNewDoc((const xmlChar *)"1.0");
        xmlDocSetRootElement(k->cur->doc, xmlNewNode(NULL, (const xmlChar *)"updates"));
        k->cur->initial = k->initial;
    }
    struct vs_update *u = k->cur;
    u->objs = xgrow(u->objs, &u->cap_objs, u->n_objs + 1, sizeof *u->objs);
    struct vs_object_update *o = &u->objs[u->n_objs++];
    memset(o, 0, sizeof *o);
    o->kind = kd;
    o->type = obj.type;
    o->id = obj.id;
    /* The streamed node is freed after this callback: keep a copy in the update's own doc. */
    o->object = xmlDocCopyNode(node, u->doc, 1);
    xmlAddChild(xmlDocGetRootElement(u->doc), o->object);
    tree_track(k->tree, o);
    if (k->flush_at && u->n_objs >= k->flush_at)
        collect_finish(k);
    return NL_OK;
}

static void objectset_spec(struct collect *k, struct vs_stream_spec *s)
{
    /* Envelope(1)/Body(2)/WaitForUpdatesExResponse(3)/returnval(4)/filterSet(5)/objectSet(6) */
    s->element = "objectSet";
    s->depth = 6;
    s->fn = on_object_update;
    s->arg = k;
}

static void reply_version(const struct vs_reply *r, char **version, bool *truncated)
{
    *truncated = false;
    if (!r->returnval)
        return; /* the wait timed out: keep the version */
    char *v = vs_xml_child_text(r->returnval, "version");
    if (v) {
        free(*version);
        *version = v;
    }
    bool t = false;
    *truncated = vs_xml_parse_bool(vs_xml_child(r->returnval, "truncated"), &t) && t;
}

enum nl_code vs_update_parse(const char *body, size_t len, size_t chunk, struct vs_tree *tree,
                             struct vs_update **out, char **version, bool *truncated,
                             struct nl_err *err)
{
    struct collect k = {.tree = tree};
    struct vs_stream_spec s;
    struct vs_reply r;
    objectset_spec(&k, &s);
    *out = NULL;
    enum nl_code rc =
        vs_reply_parse("WaitForUpdatesEx", "test", 200, body, len, chunk, &s, 0, &r, err);
    if (rc == NL_OK) {
        collect_finish(&k);
        reply_version(&r, version, truncated);
        *out = k.cur;
    } else {
        vs_update_free(&k.cur);
    }
    vs_reply_clear(&r);
    return rc;
}

/* ---- the watcher thread ------------------------------------------------------------------- */

struct vs_watch {
    struct vs_client *c;
    struct nl_queue *q;
    struct vs_watch_opts opts;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    struct vs_moref collector;
    struct vs_moref view;
    struct vs_tree *tree;
    char *version; /* NULL before the first reply of a filter */
    struct nl_err last_reported;
};

static enum nl_code build_nothing(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)m, (void)arg, (void)err;
    return NL_OK;
}

static enum nl_code build_filter(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const char *view = arg;
    xmlNode *spec = vs_xml_add(m, "spec", NULL);
    vs_prop_build_filter(spec, view);
    vs_xml_add_bool(m, "partialUpdates", false);
    return NL_OK;
}

static enum nl_code build_wait(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    struct vs_watch *w = arg;
    vs_xml_add(m, "version", w->version ? w->version : "");
    xmlNode *o = vs_xml_add(m, "options", NULL);
    vs_xml_add_int(o, "maxWaitSeconds", w->opts.max_wait_s);
    vs_xml_add_int(o, "maxObjectUpdates", w->opts.max_object_updates);
    return NL_OK;
}

static void teardown(struct vs_watch *w)
{
    struct vs_call_opts quiet = {.no_relogin = true, .timeout_s = 5};
    if (w->collector.id)
        vs_call_ex(w->c, "DestroyPropertyCollector", w->collector.type, w->collector.id,
                   build_nothing, NULL, &quiet, NULL, NULL);
    if (w->view.id)
        vs_call_ex(w->c, "DestroyView", w->view.type, w->view.id, build_nothing, NULL, &quiet, NULL,
                   NULL);
    vs_moref_clear(&w->collector);
    vs_moref_clear(&w->view);
    free(w->version);
    w->version = NULL;
    vs_tree_free(&w->tree);
}

static enum nl_code setup(struct vs_watch *w, struct nl_err *err)
{
    const struct vs_service_content *sc = vs_client_service(w->c);
    struct vs_call_opts o = {.no_relogin = true};
    struct vs_reply r;
    struct vs_moref filter = {0};
    teardown(w);
    w->tree = vs_tree_new();
    enum nl_code rc = vs_call_ex(w->c, "CreatePropertyCollector", sc->property_collector.type,
                                 sc->property_collector.id, build_nothing, NULL, &o, &r, err);
    if (rc == NL_OK && !vs_xml_moref(r.returnval, &w->collector))
        rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                    "The server \"%s\" answered CreatePropertyCollector without a collector.",
                    vs_client_url(w->c));
    vs_reply_clear(&r);
    if (rc != NL_OK)
        return rc;
    struct vs_moref root = sc->root_folder;
    rc = vs_call_ex(w->c, "CreateContainerView", sc->view_manager.type, sc->view_manager.id,
                    vs_prop_build_view, &root, &o, &r, err);
    if (rc == NL_OK && !vs_xml_moref(r.returnval, &w->view))
        rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                    "The server \"%s\" answered CreateContainerView without a view.",
                    vs_client_url(w->c));
    vs_reply_clear(&r);
    if (rc != NL_OK)
        return rc;
    rc = vs_call_ex(w->c, "CreateFilter", w->collector.type, w->collector.id, build_filter,
                    w->view.id, &o, &r, err);
    if (rc == NL_OK && !vs_xml_moref(r.returnval, &filter))
        rc = NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                    "The server \"%s\" answered CreateFilter without a filter.",
                    vs_client_url(w->c));
    vs_moref_clear(&filter);
    vs_reply_clear(&r);
    return rc;
}

static void push_update(void *arg, struct vs_update *u)
{
    struct vs_watch *w = arg;
    nl_queue_push(w->q, nl_msg_new(VS_MSG_UPDATE, u, vs_update_free_payload));
}

static enum nl_code wait_once(struct vs_watch *w, struct nl_err *err)
{
    struct collect k = {.tree = w->tree,
                        .initial = w->version == NULL,
                        .flush_at = VS_UPDATE_BATCH,
                        .flush = push_update,
                        .flush_arg = w};
    struct vs_stream_spec s;
    objectset_spec(&k, &s);
    /* The HTTP timeout must outlast the server-side wait. */
    struct vs_call_opts o = {
        .stream = &s, .cancel = &w->stop, .no_relogin = true, .timeout_s = w->opts.max_wait_s + 30};
    struct vs_reply r;
    enum nl_code rc = vs_call_ex(w->c, "WaitForUpdatesEx", w->collector.type, w->collector.id,
                                 build_wait, w, &o, &r, err);
    if (rc == NL_OK) {
        collect_finish(&k);
        bool truncated = false;
        reply_version(&r, &w->version, &truncated);
        if (!w->version)
            w->version = xstrdup("");
    } else {
        /* Whatever arrived before the failure is still true: deliver it. */
        collect_finish(&k);
    }
    vs_reply_clear(&r);
    return rc;
}

static void report(struct vs_watch *w, const struct nl_err *e)
{
    if (w->last_reported.code == e->code && strcmp(w->last_reported.message, e->message) == 0)
        return;
    w->last_reported = *e;
    NL_WARN("Live updates from \"%s\": %s", vs_client_url(w->c), e->message);
    struct nl_err *copy = xmalloc(sizeof *copy);
    *copy = *e;
    nl_queue_push(w->q, nl_msg_new(VS_MSG_ERROR, copy, NULL));
}

static void pause_for(struct vs_watch *w, int seconds)
{
    for (int i = 0; i < seconds * 10 && !atomic_load(&w->stop); i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void *watch_main(void *arg)
{
    struct vs_watch *w = arg;
    bool ready = true; /* vs_watch_start set up the filter */
    int backoff = 1;
    while (!atomic_load(&w->stop)) {
        struct nl_err e = {0};
        unsigned gen = vs_client_session_gen(w->c);
        enum nl_code rc = ready ? wait_once(w, &e) : setup(w, &e);
        if (atomic_load(&w->stop))
            break;
        if (rc == NL_OK) {
            if (!ready)
                NL_INFO("Live updates from \"%s\" resumed.", vs_client_url(w->c));
            ready = true;
            backoff = 1;
            memset(&w->last_reported, 0, sizeof w->last_reported);
            continue;
        }
        ready = false;
        if (rc == NL_ERR_AUTH && strcmp(e.detail, "NotAuthenticated") == 0) {
            /* The session expired: collector and filter went with it. */
            struct nl_err le = {0};
            if (vs_client_relogin(w->c, gen, &le) == NL_OK)
                continue;
            report(w, &le);
        } else {
            report(w, &e);
        }
        pause_for(w, backoff);
        backoff = backoff < 30 ? backoff * 2 : 30;
    }
    return NULL;
}

struct vs_watch *vs_watch_start_opts(struct vs_client *c, struct nl_queue *q,
                                     const struct vs_watch_opts *opts, struct nl_err *err)
{
    struct vs_watch *w = xcalloc(1, sizeof *w);
    w->c = c;
    w->q = q;
    if (opts)
        w->opts = *opts;
    if (w->opts.max_wait_s <= 0)
        w->opts.max_wait_s = 30;
    if (w->opts.max_object_updates <= 0)
        w->opts.max_object_updates = VS_UPDATE_BATCH;
    atomic_init(&w->stop, false);
    if (setup(w, err) != NL_OK) {
        teardown(w);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        NL_ERR(err, NL_ERR_INTERNAL, NULL, "Cannot start the live-update thread.");
        teardown(w);
        free(w);
        return NULL;
    }
    w->started = true;
    return w;
}

struct vs_watch *vs_watch_start(struct vs_client *c, struct nl_queue *q, struct nl_err *err)
{
    return vs_watch_start_opts(c, q, NULL, err);
}

void vs_watch_stop(struct vs_watch **pw)
{
    struct vs_watch *w = *pw;
    if (!w)
        return;
    atomic_store(&w->stop, true);
    if (w->started)
        pthread_join(w->thread, NULL);
    teardown(w);
    free(w);
    *pw = NULL;
}
