#include "backend/vsphere/vs_inventory.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_prop.h"
#include "backend/vsphere/vs_xml.h"

static enum nl_code build_token(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    vs_xml_add(m, "token", arg);
    return NL_OK;
}

/* The next page is fetched on its own thread while the current one is decoded, so the server
 * builds page k+1 while we parse page k (without this the two strictly alternate, and the
 * decoding is pure added time). A RetrieveResult carries its token before its objects, so the
 * request goes out as soon as the first object of a page is complete. */
struct prefetch {
    struct vs_client *c;
    pthread_t thread;
    bool running;
    char *token;
    struct nl_buf body; /* the raw page, parsed by the main thread once joined */
    enum nl_code rc;
    struct nl_err err;
};

static void *prefetch_run(void *arg)
{
    struct prefetch *p = arg;
    const struct vs_service_content *sc = vs_client_service(p->c);
    struct vs_call_opts o = {.no_relogin = true, .raw = &p->body};
    memset(&p->err, 0, sizeof p->err);
    p->rc = vs_call_ex(p->c, "ContinueRetrievePropertiesEx", sc->property_collector.type,
                       sc->property_collector.id, build_token, p->token, &o, NULL, &p->err);
    return NULL;
}

static void prefetch_start(struct prefetch *p, const char *token)
{
    if (p->running)
        return;
    xstrset(&p->token, token);
    /* Without a thread the page is simply fetched in turn. */
    p->running = pthread_create(&p->thread, NULL, prefetch_run, p) == 0;
}

static void prefetch_join(struct prefetch *p)
{
    if (!p->running)
        return;
    pthread_join(p->thread, NULL);
    p->running = false;
}

struct inv {
    struct nl_lab *lab;
    struct vs_tree *tree;
    size_t objects;
    size_t skipped;
    struct prefetch *prefetch; /* NULL: no read-ahead (the network-free parser) */
    bool token_seen;           /* of the page being parsed */
};

/* Starts fetching the next page once per page, from the token that precedes the objects. */
static void read_ahead(struct inv *inv, const xmlNode *oc)
{
    if (!inv->prefetch || inv->token_seen)
        return;
    inv->token_seen = true;
    char *token = vs_xml_child_text(oc->parent, "token");
    if (token && *token)
        prefetch_start(inv->prefetch, token);
    free(token);
}

/* One <objects> (ObjectContent): obj, propSet*, missingSet*. */
static enum nl_code on_object(void *arg, xmlNode *oc, struct nl_err *err)
{
    struct inv *inv = arg;
    read_ahead(inv, oc);
    struct vs_moref obj;
    if (!vs_xml_moref(vs_xml_child(oc, "obj"), &obj)) {
        inv->skipped++;
        return NL_OK;
    }
    enum nl_code rc = NL_OK;
    for (xmlNode *ms = vs_xml_child(oc, "missingSet"); ms; ms = vs_xml_next(ms, "missingSet")) {
        char *type = vs_localized_fault_type(vs_xml_child(ms, "fault"));
        if (type && strcmp(type, "NotAuthenticated") == 0) {
            rc = NL_ERR(err, NL_ERR_AUTH, "NotAuthenticated",
                        "The server withheld the properties of \"%s\" because the session is not "
                        "authenticated.",
                        obj.id);
            free(type);
            goto cleanup;
        }
        char *path = vs_xml_child_text(ms, "path");
        NL_DEBUG("Property \"%s\" of %s \"%s\" is missing (%s).", path ? path : "", obj.type,
                 obj.id, type ? type : "no fault type");
        free(path);
        free(type);
    }
    vs_prop_enter(inv->lab, inv->tree, obj.type, obj.id);
    for (xmlNode *ps = vs_xml_child(oc, "propSet"); ps; ps = vs_xml_next(ps, "propSet")) {
        char *name = vs_xml_child_text(ps, "name");
        if (name && *name)
            vs_prop_apply(inv->lab, inv->tree, obj.type, obj.id, name, vs_xml_child(ps, "val"));
        free(name);
    }
    inv->objects++;
cleanup:
    vs_moref_clear(&obj);
    return rc;
}

/* Where the ObjectContents are: RetrievePropertiesEx and its continuation wrap them in a
 * RetrieveResult, Envelope(1)/Body(2)/...Response(3)/returnval(4)/objects(5); the older
 * RetrieveProperties answers with them as the returnvals themselves (depth 4). */
static const struct vs_stream_spec *objects_spec_for(struct inv *inv, struct vs_stream_spec *s,
                                                     const char *method)
{
    bool plain = method && strcmp(method, "RetrieveProperties") == 0;
    s->element = plain ? "returnval" : "objects";
    s->depth = plain ? 4 : 5;
    s->fn = on_object;
    s->arg = inv;
    return s;
}

static const struct vs_stream_spec *objects_spec(struct inv *inv, struct vs_stream_spec *s)
{
    return objects_spec_for(inv, s, NULL);
}

static char *token_of(const struct vs_reply *r)
{
    char *t = vs_xml_child_text(r->returnval, "token");
    if (t && !*t) {
        free(t);
        t = NULL;
    }
    return t;
}

enum nl_code vs_inventory_parse(const char *method, long status, const char *body, size_t len,
                                size_t chunk, struct nl_lab *lab, struct vs_tree *tree,
                                char **token, struct nl_err *err)
{
    struct inv inv = {.lab = lab, .tree = tree};
    struct vs_stream_spec s;
    struct vs_reply r;
    *token = NULL;
    enum nl_code rc = vs_reply_parse(method, "test", status, body, len, chunk,
                                     objects_spec_for(&inv, &s, method), 0, &r, err);
    if (rc == NL_OK)
        *token = token_of(&r);
    vs_reply_clear(&r);
    return rc;
}

enum nl_code vs_page_guard_next(struct vs_page_guard *g, const char *url, const char *token,
                                size_t objects, struct nl_err *err)
{
    g->pages++;
    g->empty_run = objects ? 0 : g->empty_run + 1;
    if (g->last_token && strcmp(g->last_token, token) == 0)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server \"%s\" returned the same paging token twice in a row; the "
                      "inventory read stopped instead of looping.",
                      url);
    if (g->empty_run >= VS_EMPTY_PAGES_MAX)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server \"%s\" returned %u inventory pages in a row without objects "
                      "but with a token for more; the inventory read stopped.",
                      url, g->empty_run);
    if (g->pages >= VS_PAGES_MAX)
        return NL_ERR(err, NL_ERR_LIMIT, NULL,
                      "The server \"%s\" kept paging past %d inventory pages; the inventory read "
                      "stopped.",
                      url, VS_PAGES_MAX);
    xstrset(&g->last_token, token);
    return NL_OK;
}

void vs_page_guard_clear(struct vs_page_guard *g)
{
    free(g->last_token);
    memset(g, 0, sizeof *g);
}

static enum nl_code build_retrieve(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const char *view = arg;
    xmlNode *spec = vs_xml_add(m, "specSet", NULL);
    vs_prop_build_filter(spec, view);
    xmlNode *opt = vs_xml_add(m, "options", NULL);
    vs_xml_add_int(opt, "maxObjects", VS_INVENTORY_PAGE);
    return NL_OK;
}

static enum nl_code build_view_this(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)m, (void)arg, (void)err;
    return NL_OK;
}

/* One full read into lab; the view is always destroyed. */
static enum nl_code fetch_once(struct vs_client *c, struct nl_lab *lab, struct vs_tree *tree,
                               struct nl_err *err)
{
    const struct vs_service_content *sc = vs_client_service(c);
    struct vs_reply r;
    struct vs_moref view = {0};
    char *token = NULL;
    struct prefetch pf = {.c = c};
    struct nl_buf page;
    nl_buf_init(&pf.body, 0);
    nl_buf_init(&page, 0);
    struct inv inv = {.lab = lab, .tree = tree, .prefetch = &pf};
    struct vs_stream_spec s;
    struct vs_call_opts o = {.stream = objects_spec(&inv, &s), .no_relogin = true};

    struct vs_call_opts plain = {.no_relogin = true};
    struct vs_moref root = sc->root_folder; /* borrowed */
    enum nl_code rc = vs_call_ex(c, "CreateContainerView", sc->view_manager.type,
                                 sc->view_manager.id, vs_prop_build_view, &root, &plain, &r, err);
    if (rc != NL_OK)
        return rc;
    if (!vs_xml_moref(r.returnval, &view)) {
        vs_reply_clear(&r);
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server \"%s\" answered CreateContainerView without a view.",
                      vs_client_url(c));
    }
    vs_reply_clear(&r);

    /* The first page comes in raw too and is parsed once it is all here: the connection is then
     * free for the read-ahead of page 2, which would otherwise need a second connection (a TLS
     * handshake, ~20 ms, on the critical path) because the streamed first page held this one
     * until its last byte was parsed. Every page of the read goes over one connection. */
    struct vs_call_opts first = {.no_relogin = true, .raw = &page};
    rc = vs_call_ex(c, "RetrievePropertiesEx", sc->property_collector.type,
                    sc->property_collector.id, build_retrieve, view.id, &first, NULL, err);
    if (rc == NL_OK)
        rc = vs_reply_parse("RetrievePropertiesEx", vs_client_url(c), 200, page.data, page.len, 0,
                            o.stream, 0, &r, err);
    if (rc == NL_OK)
        token = token_of(&r);
    vs_reply_clear(&r);
    struct vs_page_guard guard = {0};
    size_t seen = 0;
    while (rc == NL_OK && token) {
        size_t now = inv.objects + inv.skipped;
        rc = vs_page_guard_next(&guard, vs_client_url(c), token, now - seen, err);
        seen = now;
        if (rc != NL_OK)
            break;
        inv.token_seen = false;
        prefetch_join(&pf);
        bool ahead = pf.token && strcmp(pf.token, token) == 0;
        xstrset(&pf.token, NULL);
        if (ahead && pf.rc != NL_OK) {
            rc = pf.rc;
            if (err && !nl_err_is_set(err))
                *err = pf.err;
            free(token);
            token = NULL; /* the server has dropped or never kept it */
            break;
        }
        if (ahead) {
            /* The body moves out so that the next read-ahead has a buffer of its own. */
            nl_buf_free(&page);
            page = pf.body;
            nl_buf_init(&pf.body, 0);
            rc = vs_reply_parse("ContinueRetrievePropertiesEx", vs_client_url(c), 200, page.data,
                                page.len, 0, o.stream, 0, &r, err);
        } else {
            rc = vs_call_ex(c, "ContinueRetrievePropertiesEx", sc->property_collector.type,
                            sc->property_collector.id, build_token, token, &o, &r, err);
        }
        free(token);
        token = rc == NL_OK ? token_of(&r) : NULL;
        vs_reply_clear(&r);
    }
    /* A read-ahead still running when the read failed: wait for it (it uses the client); the
     * rest of the result then dies with the view and the session. */
    prefetch_join(&pf);
    struct vs_call_opts quiet = {.no_relogin = true, .timeout_s = 10};
    if (token && !(pf.token && strcmp(pf.token, token) == 0))
        /* abandoned mid-way: let the server drop the rest */
        vs_call_ex(c, "CancelRetrievePropertiesEx", sc->property_collector.type,
                   sc->property_collector.id, build_token, token, &quiet, NULL, NULL);
    vs_call_ex(c, "DestroyView", view.type, view.id, build_view_this, NULL, &quiet, NULL, NULL);
    NL_DEBUG("Inventory of \"%s\": %zu objects, %zu malformed skipped.", vs_client_url(c),
             inv.objects, inv.skipped);
    free(token);
    vs_page_guard_clear(&guard);
    free(pf.token);
    nl_buf_free(&pf.body);
    nl_buf_free(&page);
    vs_moref_clear(&view);
    return rc;
}

struct nl_lab *vs_inventory_fetch(struct vs_client *c, const char *endpoint, struct nl_err *err)
{
    for (int attempt = 0;; attempt++) {
        unsigned gen = vs_client_session_gen(c);
        struct nl_lab *lab = nl_lab_new(endpoint);
        struct vs_tree *tree = vs_tree_new();
        struct nl_err e = {0};
        enum nl_code rc = fetch_once(c, lab, tree, &e);
        if (rc == NL_OK) {
            vs_prop_resolve(lab, tree);
            vs_tree_free(&tree);
            lab->source = NL_SOURCE_VCENTER;
            lab->fetched_at = time(NULL);
            xstrset(&lab->api_version, vs_client_service(c)->api_version);
            nl_lab_link(lab);
            return lab;
        }
        vs_tree_free(&tree);
        nl_lab_free(&lab);
        /* An expired session shows up as a fault or inside missingSet: log in once more. */
        if (rc == NL_ERR_AUTH && strcmp(e.detail, "NotAuthenticated") == 0 && attempt == 0) {
            NL_INFO("The session with \"%s\" expired during the inventory; logging in again.",
                    vs_client_url(c));
            if (vs_client_relogin(c, gen, err) != NL_OK)
                return NULL;
            continue;
        }
        if (err && !nl_err_is_set(err))
            *err = e;
        return NULL;
    }
}
