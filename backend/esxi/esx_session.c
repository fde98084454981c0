#include "backend/esxi/esx_session.h"
#include "backend/esxi/esx_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "backend/core/buf.h"
#include "backend/core/log.h"
#include "backend/core/secret.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_known.h"
#include "backend/esxi/esx_quote.h"

struct esx_session {
    char *name;
    char *address;
    int port;
    int fd;
    LIBSSH2_SESSION *ssh;
    int command_timeout_ms;
    size_t output_cap;
    bool broken;
    const char *auth_password; /* borrowed while authenticating only */
    int kbd_rounds;
};

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;
static int ssh_init_rc;

/* libssh2's allocator: frees and reallocs wipe the block first (secret.h), so the copies
 * libssh2 makes of the password (keyboard-interactive responses, password packets) do not
 * linger in freed memory. */
static void *ssh_alloc(size_t n, void **abstract)
{
    (void)abstract;
    return malloc(n);
}

static void ssh_free(void *p, void **abstract)
{
    (void)abstract;
    nl_wipe_free(p);
}

static void *ssh_realloc(void *p, size_t n, void **abstract)
{
    (void)abstract;
    return nl_wipe_realloc(p, n);
}

static void ssh_global_init(void)
{
    ssh_init_rc = libssh2_init(0);
}

/* Waits until the socket is ready in the direction libssh2 is blocked on, or the deadline. */
static enum nl_code wait_socket(struct esx_session *s, long long deadline, const char *doing,
                                struct nl_err *err)
{
    int left = (int)(deadline - esx_now_ms());
    if (left <= 0)
        goto timeout;
    int dir = libssh2_session_block_directions(s->ssh);
    struct pollfd p = {.fd = s->fd, .events = 0};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
        p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        p.events |= POLLOUT;
    if (!p.events)
        p.events = POLLIN;
    int rc;
    do {
        rc = poll(&p, 1, left);
    } while (rc < 0 && errno == EINTR);
    if (rc > 0)
        return NL_OK;
    if (rc < 0)
        return NL_ERR(err, NL_ERR_CONNECT, NULL, "Waiting for host \"%s\" failed: %s.", s->name,
                      strerror(errno));
timeout:
    s->broken = true;
    return NL_ERR(err, NL_ERR_TIMEOUT, NULL, "Host \"%s\" did not answer in time while %s.",
                  s->name, doing);
}

static const char *ssh_error_text(LIBSSH2_SESSION *ssh)
{
    char *msg = NULL;
    libssh2_session_last_error(ssh, &msg, NULL, 0);
    return msg && *msg ? msg : "unknown error";
}

static enum nl_code tcp_connect(struct esx_session *s, long long deadline, struct nl_err *err)
{
    s->fd = esx_tcp_connect(s->name, s->address, s->port, deadline, NULL, err);
    return s->fd >= 0 ? NL_OK : err->code;
}

int esx_knownhost_key_type(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return 0;
    }
}

char *esx_fingerprint_sha256(const unsigned char *d)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[7 + 44 + 1];
    size_t o = 0;
    memcpy(out, "SHA256:", 7);
    o = 7;
    for (size_t i = 0; i < 32; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        size_t n = 32 - i >= 3 ? 3 : 32 - i;
        if (n > 1)
            v |= (unsigned)d[i + 1] << 8;
        if (n > 2)
            v |= d[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (n > 1)
            out[o++] = b64[(v >> 6) & 63];
        if (n > 2)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0'; /* OpenSSH leaves out the "=" padding */
    return xstrdup(out);
}

/* Checks the key the host presented against those on record (known, read before the
 * handshake); records it when nothing is on record and accept_new is set. */
static enum nl_code verify_host_key(struct esx_session *s, const struct esx_session_opts *o,
                                    const struct esx_known *known, struct nl_err *err)
{
    size_t keylen = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(s->ssh, &keylen, &type);
    const unsigned char *hash =
        (const unsigned char *)libssh2_hostkey_hash(s->ssh, LIBSSH2_HOSTKEY_HASH_SHA256);
    int keytype = esx_knownhost_key_type(type);
    if (!key || !hash || !keytype)
        return NL_ERR(err, NL_ERR_HOSTKEY, "unsupported",
                      "Host \"%s\" presented a host key of a type nestlab cannot verify.", s->name);
    if (esx_known_has(known, key, keylen))
        return NL_OK;
    enum nl_code rc;
    char *fp = esx_fingerprint_sha256(hash);
    char *ktype = esx_known_blob_type((const unsigned char *)key, keylen);
    if (known->n > 0) {
        rc = esx_known_changed(known, s->name, s->address, s->port, ktype, fp, o->known_hosts, err);
    } else if (o->accept_new && o->known_hosts) {
        rc = esx_known_append(s->ssh, o->known_hosts, s->name, s->address, s->port, key, keylen,
                              keytype, err);
        if (rc == NL_OK)
            NL_INFO("accepted new host key of %s (%s port %d): %s %s", s->name, s->address, s->port,
                    ktype, fp);
    } else {
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "unknown",
                    "The host key of \"%s\" (%s port %d) is not known yet; its fingerprint is %s "
                    "(%s). Check it on the host's console and accept it to continue.",
                    s->name, s->address, s->port, fp, ktype);
    }
    free(fp);
    free(ktype);
    return rc;
}

static void kbd_callback(const char *name, int name_len, const char *instruction,
                         int instruction_len, int num_prompts,
                         const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                         LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
    struct esx_session *s = *abstract;
    s->kbd_rounds++;
    /* Every prompt gets the password; a round with zero prompts needs no answer. libssh2 frees
     * the answers (and the packet that carried them) through ssh_free, which wipes them. */
    for (int i = 0; i < num_prompts; i++) {
        const char *pw = s->auth_password ? s->auth_password : "";
        size_t len = strlen(pw);
        responses[i].text = malloc(len + 1);
        if (!responses[i].text) {
            responses[i].length = 0;
            continue;
        }
        memcpy(responses[i].text, pw, len + 1);
        responses[i].length = (unsigned int)len;
    }
}

/* Runs one libssh2 call that returns int until it stops saying EAGAIN. */
#define ESX_RETRY(s, deadline, doing, err, call, rcvar)                     \
    do {                                                                    \
        while (((rcvar) = (call)) == LIBSSH2_ERROR_EAGAIN) {                \
            enum nl_code w_ = wait_socket((s), (deadline), (doing), (err)); \
            if (w_)                                                         \
                return w_;                                                  \
        }                                                                   \
    } while (0)

static enum nl_code try_agent(struct esx_session *s, const char *user, struct nl_err *err)
{
    /* The agent talks over its own socket; libssh2 drives it in blocking style, so switch the
     * session to blocking with its own timeout for the duration. */
    LIBSSH2_AGENT *agent = libssh2_agent_init(s->ssh);
    enum nl_code rc = NL_ERR_AUTH;
    if (!agent)
        return rc;
    libssh2_session_set_blocking(s->ssh, 1);
    if (libssh2_agent_connect(agent) == 0 && libssh2_agent_list_identities(agent) == 0) {
        struct libssh2_agent_publickey *id = NULL, *prev = NULL;
        while (libssh2_agent_get_identity(agent, &id, prev) == 0) {
            if (libssh2_agent_userauth(agent, user, id) == 0) {
                rc = NL_OK;
                break;
            }
            prev = id;
        }
        libssh2_agent_disconnect(agent);
    }
    libssh2_agent_free(agent);
    libssh2_session_set_blocking(s->ssh, 0);
    (void)err;
    return rc;
}

static enum nl_code authenticate(struct esx_session *s, const struct esx_session_opts *o,
                                 long long deadline, struct nl_err *err)
{
    const char *user = o->user ? o->user : "root";
    unsigned ulen = (unsigned)strlen(user);
    char *list = NULL;
    while (!(list = libssh2_userauth_list(s->ssh, user, ulen))) {
        if (libssh2_userauth_authenticated(s->ssh))
            return NL_OK; /* "none" was accepted */
        if (libssh2_session_last_errno(s->ssh) != LIBSSH2_ERROR_EAGAIN)
            return NL_ERR(err, NL_ERR_AUTH, NULL, "Host \"%s\" did not list any login method: %s.",
                          s->name, ssh_error_text(s->ssh));
        enum nl_code w = wait_socket(s, deadline, "listing login methods", err);
        if (w)
            return w;
    }
    char *methods = xstrdup(list), *save = NULL;
    char tried[128] = "";
    enum nl_code rc = NL_ERR_AUTH;
    s->auth_password = o->password;
    for (char *m = strtok_r(methods, ",", &save); m && rc != NL_OK;
         m = strtok_r(NULL, ",", &save)) {
        int r = -1;
        if (strcmp(m, "keyboard-interactive") == 0 && o->password) {
            while ((r = libssh2_userauth_keyboard_interactive_ex(
                        s->ssh, user, ulen, kbd_callback)) == LIBSSH2_ERROR_EAGAIN) {
                if (wait_socket(s, deadline, "logging in", err)) {
                    rc = NL_ERR_TIMEOUT;
                    goto done;
                }
            }
        } else if (strcmp(m, "password") == 0 && o->password) {
            while ((r = libssh2_userauth_password_ex(s->ssh, user, ulen, o->password,
                                                     (unsigned)strlen(o->password), NULL)) ==
                   LIBSSH2_ERROR_EAGAIN) {
                if (wait_socket(s, deadline, "logging in", err)) {
                    rc = NL_ERR_TIMEOUT;
                    goto done;
                }
            }
        } else if (strcmp(m, "publickey") == 0 && (o->key_file || o->use_agent)) {
            if (o->use_agent && try_agent(s, user, err) == NL_OK)
                r = 0;
            if (r != 0 && o->key_file) {
                while ((r = libssh2_userauth_publickey_fromfile_ex(
                            s->ssh, user, ulen, NULL, o->key_file, o->key_passphrase)) ==
                       LIBSSH2_ERROR_EAGAIN) {
                    if (wait_socket(s, deadline, "logging in", err)) {
                        rc = NL_ERR_TIMEOUT;
                        goto done;
                    }
                }
            }
        } else {
            continue;
        }
        size_t tl = strlen(tried);
        snprintf(tried + tl, sizeof(tried) - tl, "%s%s", tl ? ", " : "", m);
        if (r == 0 && libssh2_userauth_authenticated(s->ssh))
            rc = NL_OK;
    }
    if (rc != NL_OK) {
        if (!tried[0])
            rc = NL_ERR(
                err, NL_ERR_AUTH, "no-method",
                "Host \"%s\" offers the login methods \"%s\", and nestlab has no credentials "
                "for any of them.",
                s->name, list);
        else
            rc = NL_ERR(err, NL_ERR_AUTH, NULL,
                        "Host \"%s\" refused the login of user \"%s\" (tried %s).", s->name, user,
                        tried);
    }
done:
    s->auth_password = NULL;
    free(methods);
    return rc;
}

enum nl_code esx_session_open(const struct esx_session_opts *o, struct esx_session **out,
                              struct nl_err *err)
{
    *out = NULL;
    pthread_once(&ssh_once, ssh_global_init);
    if (ssh_init_rc != 0)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "libssh2 could not be initialised.");
    if (!o->name && !o->address)
        return NL_ERR(err, NL_ERR_USAGE, NULL, "An SSH session needs a host name or address.");
    struct esx_session *s = xcalloc(1, sizeof(*s));
    /* Phases report into e so a timeout while connecting becomes NL_ERR_CONNECT below. */
    struct nl_err e = {0};
    struct esx_known known = {0};
    s->fd = -1;
    s->name = xstrdup(o->name ? o->name : o->address);
    s->address = xstrdup(o->address ? o->address : o->name);
    s->port = o->port > 0 ? o->port : 22;
    s->command_timeout_ms = o->command_timeout_ms > 0 ? o->command_timeout_ms : 60000;
    s->output_cap = o->output_cap ? o->output_cap : 16u << 20;
    int connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    long long deadline = esx_now_ms() + connect_ms;
    enum nl_code rc = tcp_connect(s, deadline, &e);
    if (rc)
        goto cleanup;
    s->ssh = libssh2_session_init_ex(ssh_alloc, ssh_free, ssh_realloc, s);
    if (!s->ssh) {
        rc = NL_ERR(&e, NL_ERR_INTERNAL, NULL, "libssh2 could not create a session.");
        goto cleanup;
    }
    libssh2_session_set_blocking(s->ssh, 0);
    /* The keys on record decide which key type to ask for (esx_known.h). */
    rc = esx_known_lookup(s->ssh, o->known_hosts, o->user_known_hosts, s->address, s->port, &known,
                          &e);
    if (rc)
        goto cleanup;
    char *pref = esx_known_hostkey_pref(&known);
    libssh2_session_method_pref(s->ssh, LIBSSH2_METHOD_HOSTKEY, pref);
    free(pref);
    int r;
    while ((r = libssh2_session_handshake(s->ssh, s->fd)) == LIBSSH2_ERROR_EAGAIN) {
        rc = wait_socket(s, deadline, "starting SSH", &e);
        if (rc)
            goto cleanup;
    }
    if (r != 0) {
        if (r == LIBSSH2_ERROR_KEX_FAILURE)
            rc = NL_ERR(&e, NL_ERR_CONNECT, "kex",
                        "Host \"%s\" and nestlab have no host key or key exchange algorithm in "
                        "common (nestlab verifies ECDSA, Ed25519 and ssh-rsa keys): %s.",
                        s->name, ssh_error_text(s->ssh));
        else
            rc = NL_ERR(&e, NL_ERR_CONNECT, "handshake",
                        "The SSH handshake with host \"%s\" failed: %s.", s->name,
                        ssh_error_text(s->ssh));
        goto cleanup;
    }
    rc = verify_host_key(s, o, &known, &e);
    if (rc)
        goto cleanup;
    rc = authenticate(s, o, deadline, &e);
    if (rc)
        goto cleanup;
    NL_DEBUG("ssh session to %s (%s port %d) open", s->name, s->address, s->port);
    *out = s;
    s = NULL;
cleanup:
    if (rc == NL_ERR_TIMEOUT) {
        rc = NL_ERR(err, NL_ERR_CONNECT, "timeout",
                    "Host \"%s\" did not complete the connection and login within %d ms.",
                    s ? s->name : "", connect_ms);
    } else if (rc && err && !nl_err_is_set(err)) {
        *err = e;
    }
    esx_session_free(&s);
    esx_known_clear(&known);
    return rc;
}

void esx_session_free(struct esx_session **ps)
{
    struct esx_session *s = ps ? *ps : NULL;
    if (!s)
        return;
    if (s->ssh) {
        /* A polite goodbye to a healthy host, never waited for. A broken connection is shut
         * down first so that freeing (which closes channels, blocking) fails fast instead of
         * waiting for a host that hangs. */
        if (s->broken && s->fd >= 0)
            shutdown(s->fd, SHUT_RDWR);
        else
            libssh2_session_disconnect(s->ssh, "nestlab closing");
        libssh2_session_set_timeout(s->ssh, 1000);
        libssh2_session_set_blocking(s->ssh, 1);
        libssh2_session_free(s->ssh);
    }
    if (s->fd >= 0)
        close(s->fd);
    free(s->name);
    free(s->address);
    free(s);
    *ps = NULL;
}

static enum nl_code channel_run(struct esx_session *s, LIBSSH2_CHANNEL *ch, const char *cmdline,
                                struct nl_buf *out, struct nl_buf *errb, int *status,
                                long long deadline, struct nl_err *err)
{
    int r;
    ESX_RETRY(s, deadline, "starting a command", err,
              libssh2_channel_process_startup(ch, "exec", 4, cmdline, (unsigned)strlen(cmdline)),
              r);
    if (r != 0)
        return NL_ERR(err, NL_ERR_PROTOCOL, NULL, "Host \"%s\" refused to run a command: %s.",
                      s->name, ssh_error_text(s->ssh));
    char chunk[16384];
    for (;;) {
        bool progress = false;
        for (int stream = 0; stream < 2; stream++) {
            ssize_t n = libssh2_channel_read_ex(ch, stream ? SSH_EXTENDED_DATA_STDERR : 0, chunk,
                                                sizeof(chunk));
            if (n > 0) {
                progress = true;
                if (nl_buf_append(stream ? errb : out, chunk, (size_t)n, NULL) != NL_OK)
                    return NL_ERR(err, NL_ERR_LIMIT, NULL,
                                  "The output of a command on host \"%s\" exceeded %zu bytes.",
                                  s->name, s->output_cap);
            } else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                return NL_ERR(err, NL_ERR_PROTOCOL, NULL,
                              "Reading a command's output from host \"%s\" failed: %s.", s->name,
                              ssh_error_text(s->ssh));
            }
        }
        if (progress)
            continue;
        if (libssh2_channel_eof(ch))
            break;
        /* Reading stderr can pull the rest of stdout and the EOF off the socket into libssh2's
         * own queue; eof() then still says 0 and the socket will never become readable again.
         * Go round once more while anything is queued instead of waiting forever. */
        unsigned long queued = 0;
        libssh2_channel_window_read_ex(ch, &queued, NULL);
        if (queued)
            continue;
        enum nl_code w = wait_socket(s, deadline, "running a command", err);
        if (w)
            return w;
    }
    ESX_RETRY(s, deadline, "closing a command", err, libssh2_channel_close(ch), r);
    ESX_RETRY(s, deadline, "closing a command", err, libssh2_channel_wait_closed(ch), r);
    char *signame = NULL;
    libssh2_channel_get_exit_signal(ch, &signame, NULL, NULL, NULL, NULL, NULL);
    *status = signame ? -1 : libssh2_channel_get_exit_status(ch);
    if (signame)
        libssh2_free(s->ssh, signame);
    return NL_OK;
}

enum nl_code esx_session_exec(struct esx_session *s, const char *cmdline, struct esx_result *res,
                              struct nl_err *err)
{
    memset(res, 0, sizeof(*res));
    if (s->broken)
        return NL_ERR(err, NL_ERR_CONNECT, NULL, "The connection to host \"%s\" was lost.",
                      s->name);
    long long deadline = esx_now_ms() + s->command_timeout_ms;
    struct nl_buf out, errb;
    nl_buf_init(&out, s->output_cap);
    nl_buf_init(&errb, s->output_cap);
    enum nl_code rc = NL_OK;
    LIBSSH2_CHANNEL *ch;
    while (!(ch = libssh2_channel_open_session(s->ssh))) {
        if (libssh2_session_last_errno(s->ssh) != LIBSSH2_ERROR_EAGAIN) {
            rc =
                NL_ERR(err, NL_ERR_CONNECT, "channel", "Host \"%s\" refused a command channel: %s.",
                       s->name, ssh_error_text(s->ssh));
            goto cleanup;
        }
        rc = wait_socket(s, deadline, "opening a command channel", err);
        if (rc)
            goto cleanup;
    }
    int status = -1;
    rc = channel_run(s, ch, cmdline, &out, &errb, &status, deadline, err);
    if (rc == NL_OK) {
        res->exit_status = status;
        res->out_len = out.len;
        res->out = nl_buf_steal(&out);
        res->err_len = errb.len;
        res->err = nl_buf_steal(&errb);
    }
cleanup:
    if (ch) {
        /* After a clean close freeing needs no round trip; after a failure the session is
         * dropped anyway and frees what is left. */
        long long free_deadline = esx_now_ms() + 1000;
        while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && rc == NL_OK &&
               wait_socket(s, free_deadline, "closing a command", NULL) == NL_OK)
            ;
    }
    if (rc)
        s->broken = true; /* the connection's state is uncertain after any failure */
    nl_buf_free(&out);
    nl_buf_free(&errb);
    return rc;
}

enum nl_code esx_session_run(struct esx_session *s, const char *const *argv, struct esx_result *res,
                             struct nl_err *err)
{
    memset(res, 0, sizeof(*res));
    char *cmd = esx_cmd_buildv(argv, err);
    if (!cmd)
        return err ? err->code : NL_ERR_USAGE;
    enum nl_code rc = esx_session_exec(s, cmd, res, err);
    free(cmd);
    return rc;
}

bool esx_session_broken(const struct esx_session *s)
{
    return s->broken;
}

const char *esx_session_name(const struct esx_session *s)
{
    return s->name;
}

void esx_session_set_command_timeout(struct esx_session *s, int ms)
{
    s->command_timeout_ms = ms > 0 ? ms : 60000;
}

void esx_result_clear(struct esx_result *res)
{
    free(res->out);
    free(res->err);
    memset(res, 0, sizeof(*res));
}
