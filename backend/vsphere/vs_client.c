#include "backend/vsphere/vs_client.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "backend/core/log.h"
#include "backend/core/secret.h"
#include "backend/core/xmalloc.h"
#include "backend/vsphere/vs_exec.h"
#include "backend/vsphere/vs_tls.h"

#define VS_MAX_IDLE 8

/* One curl easy handle with its own TLS check state; handles are pooled per client. */
struct vs_conn {
    CURL *h;
    struct vs_tls_state tls;
    char errbuf[CURL_ERROR_SIZE];
    struct vs_conn *next;
};

struct vs_client {
    char *url;
    char *user;
    char *password;
    char pin[65];
    bool has_pin;
    bool insecure;
    char *ca_file;
    long connect_timeout_s;
    long timeout_s;
    size_t max_reply;
    size_t max_stream;

    pthread_mutex_t lock; /* idle list, session state */
    struct vs_conn *idle;
    size_t n_idle;
    CURLSH *share;
    pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];

    pthread_mutex_t login_lock; /* serialises Login */
    unsigned gen;
    bool logged_in;
    char *soap_action;
    struct vs_service_content sc;
    struct ops_executor exec;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/* libxml2 stages a serialised envelope (the Login one holds the password) in buffers of 4000
 * bytes and more; those are wiped when freed. The many small blocks of a parsed inventory are
 * not, which would cost time for nothing: the one small block that held the password, its text
 * node, is wiped before the document is freed (vs_call_ex). */
#define VS_XML_WIPE_MIN 1024

static void xml_free(void *p)
{
    if (p && malloc_usable_size(p) >= VS_XML_WIPE_MIN)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

/* libcurl copies a small POST body (the Login envelope) into its request buffer: everything it
 * frees is wiped (secret.h). */
static void global_init(void)
{
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, nl_wipe_free, nl_wipe_realloc, nl_wipe_strdup,
                         calloc);
    xmlMemSetup(xml_free, malloc, nl_wipe_realloc, nl_wipe_strdup);
    xmlInitParser();
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userptr)
{
    (void)h;
    (void)access;
    struct vs_client *c = userptr;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&c->share_lock[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userptr)
{
    (void)h;
    struct vs_client *c = userptr;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&c->share_lock[data]);
}

struct vs_client *vs_client_new(const struct vs_config *cfg, struct nl_err *err)
{
    pthread_once(&global_once, global_init);
    if (!cfg->url || !*cfg->url) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "No vCenter URL was given.");
        return NULL;
    }
    /* Plain HTTP would carry the password and the session cookie in the clear, and could not
     * honour a pinned thumbprint; vCenter and ESXi always serve HTTPS. */
    if (strncmp(cfg->url, "http://", 7) == 0) {
        NL_ERR(err, NL_ERR_USAGE, "plain-http",
               "The URL \"%s\" is plain HTTP, which would send the password unencrypted and "
               "leave a thumbprint unchecked; nestlab refuses it. vCenter and ESXi serve HTTPS: "
               "use https://%s.",
               cfg->url, cfg->url + 7);
        return NULL;
    }
    if (strncmp(cfg->url, "https://", 8) != 0) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "The URL \"%s\" does not start with https://.", cfg->url);
        return NULL;
    }
    if (!cfg->user || !*cfg->user) {
        NL_ERR(err, NL_ERR_USAGE, NULL, "No user name was given for \"%s\".", cfg->url);
        return NULL;
    }
    struct vs_client *c = xcalloc(1, sizeof *c);
    if (cfg->thumbprint && *cfg->thumbprint) {
        if (vs_thumbprint_normalize(cfg->thumbprint, c->pin, err) != NL_OK) {
            free(c);
            return NULL;
        }
        c->has_pin = true;
    }
    if ((c->has_pin || cfg->insecure) && !vs_tls_backend_ok()) {
        NL_ERR(err, NL_ERR_TLS, NULL,
               "This libcurl does not use OpenSSL, so certificate thumbprints cannot be checked.");
        free(c);
        return NULL;
    }
    c->url = xstrdup(cfg->url);
    c->user = xstrdup(cfg->user);
    c->password = xstrdup(cfg->password ? cfg->password : "");
    /* A pin is stricter than "insecure" and names the exact certificate: it always applies. */
    c->insecure = cfg->insecure && !c->has_pin;
    if (cfg->insecure && c->has_pin)
        NL_WARN("\"insecure\" is ignored for \"%s\": its certificate is pinned by thumbprint.",
                c->url);
    c->ca_file = xstrdup(cfg->ca_file);
    c->connect_timeout_s = cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 10;
    c->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 120;
    c->max_reply = cfg->max_reply_bytes ? cfg->max_reply_bytes : (size_t)32 << 20;
    c->max_stream = cfg->max_stream_bytes ? cfg->max_stream_bytes : (size_t)2 << 30;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->login_lock, NULL);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_lock[i], NULL);
    c->share = curl_share_init();
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    /* The handles of the pool also share TLS sessions and DNS, so the parallel calls of a plan
     * over many hosts resume one verified TLS session instead of each paying a full handshake.
     * Resumption is safe with pinning: only the server we verified holds the session's keys. */
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    /* Until the server told us its version, announce the base namespace only. */
    c->soap_action = xstrdup("SOAPAction: urn:vim25");
    vs_exec_bind(&c->exec, c);
    if (c->insecure)
        NL_WARN("Certificate verification for \"%s\" is off because it was asked for.", c->url);
    return c;
}

static struct vs_conn *conn_new(struct vs_client *c)
{
    struct vs_conn *k = xcalloc(1, sizeof *k);
    k->h = curl_easy_init();
    if (!k->h) {
        fprintf(stderr, "nestlab: curl_easy_init failed\n");
        abort();
    }
    CURL *h = k->h;
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, k->errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "nestlab/0.1");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    k->tls.pin = c->has_pin ? c->pin : NULL;
    k->tls.insecure = c->insecure;
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    /* A pin names the exact certificate, so the host name need not be in it. */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, (c->insecure || c->has_pin) ? 0L : 2L);
    if (c->ca_file) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    } else if (c->has_pin) {
        /* The pin alone decides (vs_tls.c): loading the system CA store for nothing costs
         * more than the rest of the handshake. */
        curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, vs_tls_ctx_setup);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &k->tls);
    /* A resumed TLS session skips the certificate check, and that is safe: only the server
     * whose certificate passed it holds the session's keys, and the cache is this client's
     * own (one endpoint). */
    return k;
}

static struct vs_conn *conn_get(struct vs_client *c)
{
    pthread_mutex_lock(&c->lock);
    struct vs_conn *k = c->idle;
    if (k) {
        c->idle = k->next;
        c->n_idle--;
    }
    pthread_mutex_unlock(&c->lock);
    return k ? k : conn_new(c);
}

static void conn_free(struct vs_conn *k)
{
    if (!k)
        return;
    curl_easy_cleanup(k->h);
    free(k);
}

static void conn_put(struct vs_client *c, struct vs_conn *k)
{
    pthread_mutex_lock(&c->lock);
    if (c->n_idle < VS_MAX_IDLE) {
        k->next = c->idle;
        c->idle = k;
        c->n_idle++;
        k = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    conn_free(k);
}

struct xfer {
    CURL *h;
    struct vs_parser *parser;
    struct nl_buf *raw; /* a 200 body goes here instead of to the parser */
    long status;
    bool failed;
    struct nl_err err;
};

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nmemb;
    if (x->status == 0)
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
    if (x->status != 200 && x->status != 500)
        return n; /* reported by status alone */
    if (x->raw && x->status == 200) {
        if (nl_buf_append(x->raw, data, n, &x->err) != NL_OK) {
            x->failed = true;
            return 0;
        }
        return n;
    }
    if (vs_parser_feed(x->parser, data, n, &x->err) != NL_OK) {
        x->failed = true;
        return 0;
    }
    return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    atomic_bool *cancel = arg;
    return atomic_load(cancel) ? 1 : 0;
}

static enum nl_code curl_failure(struct vs_client *c, struct vs_conn *k, CURLcode cc,
                                 const char *method, struct nl_err *err)
{
    const char *why = k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return NL_ERR(err, NL_ERR_CONNECT, NULL,
                      "Cannot connect to \"%s\": %s. Check the URL and that the server is up.",
                      c->url, why);
    case CURLE_OPERATION_TIMEDOUT: {
        long connect_code = 0;
        curl_easy_getinfo(k->h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
        double connect_time = 0;
        curl_easy_getinfo(k->h, CURLINFO_CONNECT_TIME, &connect_time);
        if (connect_time <= 0)
            return NL_ERR(err, NL_ERR_CONNECT, NULL,
                          "Connecting to \"%s\" timed out: %s. Check the URL and the network.",
                          c->url, why);
        return NL_ERR(err, NL_ERR_TIMEOUT, NULL, "The server \"%s\" did not answer %s in time: %s.",
                      c->url, method, why);
    }
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        if (k->tls.mismatch) {
            char pinned[96];
            vs_thumbprint_format(c->pin, pinned);
            return NL_ERR(err, NL_ERR_TLS, "ThumbprintMismatch",
                          "The certificate of \"%s\" has the thumbprint %s, not the pinned %s; "
                          "nothing was sent. If you trust this server, pin its thumbprint.",
                          c->url, k->tls.seen, pinned);
        }
        if (k->tls.untrusted)
            return NL_ERR(err, NL_ERR_TLS, "UntrustedCertificate",
                          "The certificate of \"%s\" is not trusted (%s). Its SHA-256 thumbprint "
                          "is %s; pass it with --thumbprint if you trust this server.",
                          c->url, k->tls.why, k->tls.seen[0] ? k->tls.seen : "unknown");
        return NL_ERR(err, NL_ERR_TLS, NULL,
                      "The TLS handshake with \"%s\" failed: %s. Is it a plain-HTTP port?", c->url,
                      why);
    case CURLE_ABORTED_BY_CALLBACK:
        return NL_ERR(err, NL_ERR_INTERNAL, "Canceled", "The call %s to \"%s\" was canceled.",
                      method, c->url);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return NL_ERR(err, NL_ERR_USAGE, NULL, "The URL \"%s\" uses an unsupported protocol.",
                      c->url);
    default:
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The connection to \"%s\" failed during %s before the reply was complete: "
                      "%s.",
                      c->url, method, why);
    }
}

/* One HTTP round trip of a prepared body; no re-login. */
static enum nl_code post(struct vs_client *c, const char *method, const char *body, size_t len,
                         const struct vs_call_opts *opts, struct vs_reply *reply,
                         struct nl_err *err)
{
    struct vs_conn *k = conn_get(c);
    struct xfer x = {.h = k->h};
    size_t cap = opts && opts->stream ? c->max_stream : c->max_reply;
    x.parser = vs_parser_new(method, c->url, opts ? opts->stream : NULL, cap);
    if (opts && opts->raw) {
        x.raw = opts->raw;
        nl_buf_reset(x.raw);
        x.raw->max = c->max_stream;
    }
    enum nl_code rc = NL_OK;

    pthread_mutex_lock(&c->lock);
    struct curl_slist *hdrs = curl_slist_append(NULL, c->soap_action);
    pthread_mutex_unlock(&c->lock);
    hdrs = curl_slist_append(hdrs, "Content-Type: text/xml; charset=\"utf-8\"");
    /* The server never answers 100-continue; without this each POST stalls. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    CURL *h = k->h;
    k->errbuf[0] = '\0';
    k->tls.mismatch = k->tls.untrusted = false;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, opts && opts->timeout_s ? opts->timeout_s : c->timeout_s);
    if (opts && opts->cancel) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, opts->cancel);
    } else {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode cc = curl_easy_perform(h);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x.status);
    NL_DEBUG("%s %s: curl %d, HTTP %ld, %zu bytes, %.3f s", method, c->url, (int)cc, x.status,
             vs_parser_bytes(x.parser),
             (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (x.failed) {
        rc = x.err.code;
        if (err && !nl_err_is_set(err))
            *err = x.err;
    } else if (cc != CURLE_OK) {
        rc = curl_failure(c, k, cc, method, err);
    } else if (x.raw && x.status == 200) {
        rc = NL_OK; /* the caller parses the body */
    } else {
        rc = vs_parser_finish(x.parser, x.status, reply, err);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(hdrs);
    vs_parser_free(&x.parser);
    if (cc == CURLE_OK || cc == CURLE_WRITE_ERROR)
        conn_put(c, k);
    else
        conn_free(k); /* a broken connection is not worth keeping */
    return rc;
}

static enum nl_code call_once(struct vs_client *c, const char *method, const char *body, size_t len,
                              const struct vs_call_opts *opts, struct vs_reply *reply,
                              struct nl_err *err)
{
    memset(reply, 0, sizeof *reply);
    return post(c, method, body, len, opts, reply, err);
}

/* Wipes the text of every node under n (the request of a call that carries a secret). */
static void wipe_text(xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content)
            explicit_bzero(n->content, strlen((const char *)n->content));
        wipe_text(n->children);
    }
}

enum nl_code vs_call_ex(struct vs_client *c, const char *method, const char *this_type,
                        const char *this_id, vs_build_fn build, void *arg,
                        const struct vs_call_opts *opts, struct vs_reply *reply, struct nl_err *err)
{
    xmlNode *m = NULL;
    xmlDoc *doc = vs_envelope_new(method, this_type, this_id, &m);
    char *body = NULL;
    size_t len = 0;
    enum nl_code rc = NL_OK;
    struct vs_reply scratch;
    if (!reply)
        reply = &scratch;
    memset(reply, 0, sizeof *reply);
    if (build && (rc = build(m, arg, err)) != NL_OK)
        goto cleanup;
    body = vs_envelope_dump(doc, &len);
    unsigned gen = vs_client_session_gen(c);
    struct nl_err first = {0};
    rc = call_once(c, method, body, len, opts, reply, &first);
    bool may_relogin = !(opts && opts->no_relogin) && strcmp(method, "Login") != 0 &&
                       strcmp(method, "Logout") != 0;
    pthread_mutex_lock(&c->lock);
    may_relogin = may_relogin && c->logged_in;
    pthread_mutex_unlock(&c->lock);
    if (rc == NL_ERR_AUTH && strcmp(first.detail, "NotAuthenticated") == 0 && may_relogin) {
        NL_INFO("The session with \"%s\" expired during %s; logging in again.", c->url, method);
        struct nl_err again = {0};
        if (vs_client_relogin(c, gen, &again) != NL_OK) {
            rc = again.code;
            if (err && !nl_err_is_set(err))
                *err = again;
            goto cleanup;
        }
        memset(&first, 0, sizeof first);
        rc = call_once(c, method, body, len, opts, reply, &first);
    }
    if (rc != NL_OK && err && !nl_err_is_set(err))
        *err = first;
cleanup:
    if (reply == &scratch)
        vs_reply_clear(&scratch);
    if (opts && opts->secret) {
        if (body)
            explicit_bzero(body, len);
        wipe_text(xmlDocGetRootElement(doc));
    }
    xmlFree(body);
    xmlFreeDoc(doc);
    return rc;
}

enum nl_code vs_call(struct vs_client *c, const char *method, const char *this_type,
                     const char *this_id, vs_build_fn build, void *arg, struct vs_reply *reply,
                     struct nl_err *err)
{
    return vs_call_ex(c, method, this_type, this_id, build, arg, NULL, reply, err);
}

static bool take_moref(const xmlNode *rv, const char *name, struct vs_moref *out)
{
    vs_moref_clear(out);
    return vs_xml_moref(vs_xml_child(rv, name), out);
}

enum nl_code vs_service_content_read(const xmlNode *rv, const char *url,
                                     struct vs_service_content *sc, struct nl_err *err)
{
    vs_service_content_clear(sc);
    xmlNode *about = vs_xml_child(rv, "about");
    bool ok = take_moref(rv, "rootFolder", &sc->root_folder) &&
              take_moref(rv, "propertyCollector", &sc->property_collector) &&
              take_moref(rv, "viewManager", &sc->view_manager) &&
              take_moref(rv, "sessionManager", &sc->session_manager) && about;
    take_moref(rv, "perfManager", &sc->perf_manager);
    if (!ok)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The service content of \"%s\" lacks the root folder, property collector, "
                      "view manager or session manager.",
                      url);
    sc->api_type = vs_xml_child_text(about, "apiType");
    sc->api_version = vs_xml_child_text(about, "apiVersion");
    sc->full_name = vs_xml_child_text(about, "fullName");
    if (!sc->api_type ||
        (strcmp(sc->api_type, "VirtualCenter") != 0 && strcmp(sc->api_type, "HostAgent") != 0))
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                      "The server \"%s\" is neither a vCenter nor an ESXi host (API type \"%s\").",
                      url, sc->api_type ? sc->api_type : "");
    if (!sc->api_version || !*sc->api_version)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL, "The server \"%s\" did not say its API version.",
                      url);
    return NL_OK;
}

void vs_service_content_clear(struct vs_service_content *sc)
{
    vs_moref_clear(&sc->root_folder);
    vs_moref_clear(&sc->property_collector);
    vs_moref_clear(&sc->view_manager);
    vs_moref_clear(&sc->session_manager);
    vs_moref_clear(&sc->perf_manager);
    free(sc->api_type);
    free(sc->api_version);
    free(sc->full_name);
    sc->api_type = sc->api_version = sc->full_name = NULL;
}

static enum nl_code retrieve_service_content(struct vs_client *c, struct nl_err *err)
{
    struct vs_reply r;
    struct vs_call_opts o = {.no_relogin = true};
    enum nl_code rc = vs_call_ex(c, "RetrieveServiceContent", "ServiceInstance", "ServiceInstance",
                                 NULL, NULL, &o, &r, err);
    if (rc != NL_OK)
        return rc;
    rc = vs_service_content_read(r.returnval, c->url, &c->sc, err);
    if (rc == NL_OK) {
        pthread_mutex_lock(&c->lock);
        free(c->soap_action);
        c->soap_action = xasprintf("SOAPAction: urn:vim25/%s", c->sc.api_version);
        pthread_mutex_unlock(&c->lock);
    }
    vs_reply_clear(&r);
    return rc;
}

struct login_args {
    const char *user;
    const char *password;
};

static enum nl_code build_login(xmlNode *m, void *arg, struct nl_err *err)
{
    (void)err;
    struct login_args *a = arg;
    vs_xml_add(m, "userName", a->user);
    /* A bare text node: libxml2 escapes it when serialising, and no escaped copy of the
     * password is made (and freed unwiped) on the way, as xmlNewTextChild would. */
    xmlNode *pw = vs_xml_add(m, "password", NULL);
    xmlAddChild(pw, xmlNewText((const xmlChar *)a->password));
    return NL_OK;
}

/* Caller holds login_lock. */
static enum nl_code login_locked(struct vs_client *c, struct nl_err *err)
{
    struct login_args a = {c->user, c->password};
    struct vs_reply r;
    struct vs_call_opts o = {.no_relogin = true, .secret = true};
    struct nl_err e = {0};
    enum nl_code rc = vs_call_ex(c, "Login", c->sc.session_manager.type, c->sc.session_manager.id,
                                 build_login, &a, &o, &r, &e);
    vs_reply_clear(&r);
    if (rc == NL_OK) {
        pthread_mutex_lock(&c->lock);
        c->gen++;
        c->logged_in = true;
        pthread_mutex_unlock(&c->lock);
        NL_INFO("Logged in to \"%s\" as \"%s\".", c->url, c->user);
        return NL_OK;
    }
    if (strcmp(e.detail, "InvalidLogin") == 0) {
        return NL_ERR(err, NL_ERR_AUTH, "InvalidLogin",
                      "The server \"%s\" refused the login of \"%s\"; check the user name and "
                      "password. (%.200s)",
                      c->url, c->user, e.message);
    }
    if (err && !nl_err_is_set(err))
        *err = e;
    return rc;
}

enum nl_code vs_client_connect(struct vs_client *c, struct nl_err *err)
{
    enum nl_code rc = retrieve_service_content(c, err);
    if (rc != NL_OK)
        return rc;
    pthread_mutex_lock(&c->login_lock);
    rc = login_locked(c, err);
    pthread_mutex_unlock(&c->login_lock);
    return rc;
}

unsigned vs_client_session_gen(struct vs_client *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned g = c->gen;
    pthread_mutex_unlock(&c->lock);
    return g;
}

enum nl_code vs_client_relogin(struct vs_client *c, unsigned seen_gen, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&c->login_lock);
    if (vs_client_session_gen(c) == seen_gen) {
        /* Start a fresh session: servers (vcsim among them) refuse a Login on a cookie that
         * still names a live session, and an expired cookie is worth nothing. */
        struct vs_conn *k = conn_get(c);
        curl_easy_setopt(k->h, CURLOPT_COOKIELIST, "ALL");
        conn_put(c, k);
        rc = login_locked(c, err);
    }
    pthread_mutex_unlock(&c->login_lock);
    return rc;
}

enum nl_code vs_client_logout(struct vs_client *c, struct nl_err *err)
{
    pthread_mutex_lock(&c->lock);
    bool was = c->logged_in;
    c->logged_in = false;
    pthread_mutex_unlock(&c->lock);
    if (!was)
        return NL_OK;
    struct vs_call_opts o = {.no_relogin = true, .timeout_s = 5};
    return vs_call_ex(c, "Logout", c->sc.session_manager.type, c->sc.session_manager.id, NULL, NULL,
                      &o, NULL, err);
}

const struct vs_service_content *vs_client_service(const struct vs_client *c)
{
    return &c->sc;
}

const struct ops_executor *vs_executor(struct vs_client *c)
{
    return &c->exec;
}

const char *vs_client_url(const struct vs_client *c)
{
    return c->url;
}

bool vs_client_is_vcenter(const struct vs_client *c)
{
    return c->sc.api_type && strcmp(c->sc.api_type, "VirtualCenter") == 0;
}

void vs_client_free(struct vs_client **pc)
{
    struct vs_client *c = *pc;
    if (!c)
        return;
    vs_client_logout(c, NULL);
    while (c->idle) {
        struct vs_conn *k = c->idle;
        c->idle = k->next;
        conn_free(k);
    }
    curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_lock[i]);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->login_lock);
    if (c->password) {
        explicit_bzero(c->password, strlen(c->password));
        free(c->password);
    }
    explicit_bzero(c->pin, sizeof c->pin);
    vs_service_content_clear(&c->sc);
    free(c->soap_action);
    free(c->url);
    free(c->user);
    free(c->ca_file);
    free(c);
    *pc = NULL;
}
