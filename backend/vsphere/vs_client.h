/* A vim25 SOAP session with one vCenter or ESXi host: TLS (system CA store, a pinned SHA-256
 * certificate thumbprint checked during the handshake before any credential is sent, or
 * insecure when asked), RetrieveServiceContent, Login/Logout, the session cookie, and the one call
 * path every method goes through. Thread-safe: several threads may call at once (each call takes
 * its own curl handle from a small pool; the handles share the session cookie), and an expired
 * session is logged in again once, transparently. */
#ifndef VS_CLIENT_H
#define VS_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "backend/core/buf.h"
#include "backend/core/err.h"
#include "backend/vsphere/vs_soap.h"
#include "backend/vsphere/vs_xml.h"

struct vs_config {
    const char *url; /* "https://vc.example/sdk"; plain http:// is refused */
    const char *user;
    const char *password;    /* copied; wiped from memory by vs_client_free */
    const char *thumbprint;  /* SHA-256 of the DER certificate, "AB:CD:.." (colons and case free);
                                NULL = verify against the system CA store */
    bool insecure;           /* accept any certificate (only when the user asked; a thumbprint
                                still pins) */
    const char *ca_file;     /* extra CA bundle, may be NULL */
    long connect_timeout_s;  /* 0 = 10 */
    long timeout_s;          /* whole call; 0 = 120 */
    size_t max_reply_bytes;  /* cap on a reply parsed into a DOM; 0 = 32 MiB */
    size_t max_stream_bytes; /* cap on a streamed reply; 0 = 2 GiB */
};

/* What RetrieveServiceContent said; every moref we use comes from here. */
struct vs_service_content {
    struct vs_moref root_folder;
    struct vs_moref property_collector;
    struct vs_moref view_manager;
    struct vs_moref session_manager;
    struct vs_moref perf_manager; /* may be unset */
    char *api_type;               /* "VirtualCenter" or "HostAgent" */
    char *api_version;            /* "8.0.3.0" */
    char *full_name;              /* about.fullName */
};

/* Reads a RetrieveServiceContent <returnval>: the morefs nestlab needs and about.apiType
 * (VirtualCenter or HostAgent) and apiVersion; NL_ERR_PROTOCOL naming url when one is missing. */
enum nl_code vs_service_content_read(const xmlNode *returnval, const char *url,
                                     struct vs_service_content *sc, struct nl_err *err);
void vs_service_content_clear(struct vs_service_content *sc);

struct vs_client;

/* Builds the parameters of a method under `method` (the element that already holds _this). */
typedef enum nl_code (*vs_build_fn)(xmlNode *method, void *arg, struct nl_err *err);

struct vs_call_opts {
    long timeout_s;                      /* 0 = the client's */
    const struct vs_stream_spec *stream; /* stream matching elements instead of keeping them */
    atomic_bool *cancel;                 /* aborts the transfer when it becomes true */
    bool no_relogin;                     /* do not log in again on NotAuthenticated */
    bool secret; /* the request carries a password: wiped from memory once sent */
    /* Keep an HTTP 200 body here as it came, unparsed (the caller parses it later, e.g. with
     * vs_reply_parse; capped like a streamed reply); faults are still parsed and returned. The
     * reply is then empty. An initialised (or zeroed) buffer, emptied first. For fetching the
     * next page while the current one is parsed. */
    struct nl_buf *raw;
};

/* Checks the configuration (URL scheme, thumbprint syntax, TLS backend); no network. */
struct vs_client *vs_client_new(const struct vs_config *cfg, struct nl_err *err);
/* RetrieveServiceContent, then Login. */
enum nl_code vs_client_connect(struct vs_client *c, struct nl_err *err);
/* Logout (best effort, short timeout) and release everything; wipes the password. */
void vs_client_free(struct vs_client **c);
enum nl_code vs_client_logout(struct vs_client *c, struct nl_err *err);

const struct vs_service_content *vs_client_service(const struct vs_client *c);
const char *vs_client_url(const struct vs_client *c);
bool vs_client_is_vcenter(const struct vs_client *c);

/* One SOAP call: envelope with _this = (this_type, this_id), parameters from build (may be NULL),
 * HTTP 200 -> reply (caller clears it with vs_reply_clear), 500 -> classified fault, anything
 * else -> NL_ERR_PROTOCOL/CONNECT/TIMEOUT/TLS. Re-logs in once on NotAuthenticated. */
enum nl_code vs_call(struct vs_client *c, const char *method, const char *this_type,
                     const char *this_id, vs_build_fn build, void *arg, struct vs_reply *reply,
                     struct nl_err *err);
enum nl_code vs_call_ex(struct vs_client *c, const char *method, const char *this_type,
                        const char *this_id, vs_build_fn build, void *arg,
                        const struct vs_call_opts *opts, struct vs_reply *reply,
                        struct nl_err *err);

/* The session generation: bumps on every successful Login. A caller that saw NotAuthenticated
 * (e.g. inside a missingSet) passes the generation it started with; only the first of several
 * concurrent callers logs in again. */
unsigned vs_client_session_gen(struct vs_client *c);
enum nl_code vs_client_relogin(struct vs_client *c, unsigned seen_gen, struct nl_err *err);

/* "ab:cd:.." / "ABCD.." -> 64 lower-case hex digits in out. */
enum nl_code vs_thumbprint_normalize(const char *in, char out[65], struct nl_err *err);
/* 64 hex digits -> "AB:CD:..", as labsim and vCenter print it (out holds 96 bytes). */
void vs_thumbprint_format(const char *hex, char out[96]);

#endif
