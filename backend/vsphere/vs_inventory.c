#include "backend/vsphere/vs_inventory.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_prop.h"
#include "backend/vsphere/vs_xml.h"

struct inv {
    struct nl_lab *lab;
    struct vs_tree *tree;
    size_t objects;
    size_t skipped;
};

/* One <objects> (ObjectContent): obj, propSet*, missingSet*. */
static enum nl_code on_object(void *arg, xmlNode *oc, struct nl_err *err)
{
    struct inv *inv = arg;
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

static const struct vs_stream_spec *objects_spec(struct inv *inv, struct vs_stream_spec *s)
{
    /* Envelope(1)/Body(2)/RetrievePropertiesExResponse(3)/returnval(4)/objects(5) */
    s->element = "objects";
    s->depth = 5;
    s->fn = on_object;
    s->arg = inv;
    return s;
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
                                     objects_spec(&inv, &s), 0, &r, err);
    if (rc == NL_OK)
        *token = token_of(&r);
    vs_reply_clear(&r);
    return rc;
}

static enum nl_code build_view(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    const struct vs_moref *root = arg;
    vs_xml_add_moref(m, "container", root->type, root->id);
    for (const char *const *t = vs_view_types; *t; t++)
        vs_xml_add(m, "type", *t);
    vs_xml_add_bool(m, "recursive", true);
    return NL_OK;
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

static enum nl_code build_token(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    vs_xml_add(m, "token", arg);
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
    struct inv inv = {.lab = lab, .tree = tree};
    struct vs_stream_spec s;
    struct vs_call_opts o = {.stream = objects_spec(&inv, &s), .no_relogin = true};

    struct vs_call_opts plain = {.no_relogin = true};
    struct vs_moref root = sc->root_folder; /* borrowed */
    enum nl_code rc = vs_call_ex(c, "CreateContainerView", sc->view_manager.type,
                                 sc->view_manager.id, build_view, &root, &plain, &r, err);
    if (rc != NL_OK)
        return rc;
    if (!vs_xml_moref(r.returnval, &view)) {
        vs_reply_clear(&r);
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server \"%s\" answered CreateContainerView without a view.",
                      vs_client_url(c));
    }
    vs_reply_clear(&r);

    rc = vs_call_ex(c, "RetrievePropertiesEx", sc->property_collector.type,
                    sc->property_collector.id, build_retrieve, view.id, &o, &r, err);
    if (rc == NL_OK)
        token = token_of(&r);
    vs_reply_clear(&r);
    while (rc == NL_OK && token) {
        rc = vs_call_ex(c, "ContinueRetrievePropertiesEx", sc->property_collector.type,
                        sc->property_collector.id, build_token, token, &o, &r, err);
        free(token);
        token = rc == NL_OK ? token_of(&r) : NULL;
        vs_reply_clear(&r);
    }
    struct vs_call_opts quiet = {.no_relogin = true, .timeout_s = 10};
    if (token) /* abandoned mid-way: let the server drop the rest */
        vs_call_ex(c, "CancelRetrievePropertiesEx", sc->property_collector.type,
                   sc->property_collector.id, build_token, token, &quiet, NULL, NULL);
    vs_call_ex(c, "DestroyView", view.type, view.id, build_view_this, NULL, &quiet, NULL, NULL);
    NL_DEBUG("Inventory of \"%s\": %zu objects, %zu malformed skipped.", vs_client_url(c),
             inv.objects, inv.skipped);
    free(token);
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
