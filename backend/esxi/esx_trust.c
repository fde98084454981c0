/* Recording one host key after the user checked its fingerprint (esx_trust.h). */
#include "backend/esxi/esx_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_known.h"
#include "backend/esxi/esx_net.h"
#include "backend/esxi/esx_session.h"

static pthread_once_t trust_once = PTHREAD_ONCE_INIT;
static int trust_init_rc;

static void trust_init(void)
{
    trust_init_rc = libssh2_init(0);
}

struct conn {
    const char *name;
    const char *address;
    int port;
    int fd;
    long long deadline;
    LIBSSH2_SESSION *ssh;
};

static enum nl_code tcp_connect(struct conn *c, struct nl_err *err)
{
    c->fd = esx_tcp_connect(c->name, c->address, c->port, c->deadline, "to check its key", err);
    return c->fd >= 0 ? NL_OK : err->code;
}

static const char *ssh_error_text(LIBSSH2_SESSION *ssh)
{
    char *msg = NULL;
    libssh2_session_last_error(ssh, &msg, NULL, 0);
    return msg && *msg ? msg : "unknown error";
}

/* Key exchange only: after it the host key is known, and nothing else is needed. The key types
 * are offered as a session offers them (esx_known_hostkey_pref), so the key negotiated here is
 * the one a session negotiated and showed the user. */
static enum nl_code handshake(struct conn *c, const struct esx_known *known, struct nl_err *err)
{
    char *pref = esx_known_hostkey_pref(known);
    libssh2_session_method_pref(c->ssh, LIBSSH2_METHOD_HOSTKEY, pref);
    free(pref);
    int r;
    while ((r = libssh2_session_handshake(c->ssh, c->fd)) == LIBSSH2_ERROR_EAGAIN) {
        int dir = libssh2_session_block_directions(c->ssh);
        short ev = (short)(((dir & LIBSSH2_SESSION_BLOCK_INBOUND) ? POLLIN : 0) |
                           ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0));
        int rc = esx_wait_fd(c->fd, ev ? ev : POLLIN, c->deadline);
        if (rc == 0)
            return NL_ERR(err, NL_ERR_CONNECT, "timeout",
                          "Host \"%s\" did not complete the SSH key exchange in time.", c->name);
        if (rc < 0)
            return NL_ERR(err, NL_ERR_CONNECT, NULL, "Waiting for host \"%s\" failed: %s.", c->name,
                          strerror(errno));
    }
    if (r != 0)
        return NL_ERR(err, NL_ERR_CONNECT, "handshake",
                      "The SSH handshake with host \"%s\" failed: %s.", c->name,
                      ssh_error_text(c->ssh));
    return NL_OK;
}

static void conn_close(struct conn *c)
{
    if (c->ssh) {
        /* Nothing to say goodbye about: shut the socket so freeing never waits on the host. */
        if (c->fd >= 0)
            shutdown(c->fd, SHUT_RDWR);
        libssh2_session_set_timeout(c->ssh, 1000);
        libssh2_session_set_blocking(c->ssh, 1);
        libssh2_session_free(c->ssh);
        c->ssh = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* "SHA256:" and 43 characters of unpadded base64, nothing else. */
static bool fingerprint_valid(const char *fp)
{
    if (!fp || strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 7 + 43)
        return false;
    for (const char *p = fp + 7; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '+' || *p == '/'))
            return false;
    return true;
}

enum nl_code esx_knownhost_accept(const struct esx_target *t, const char *expected_fingerprint,
                                  const struct esx_trust_opts *o, struct nl_err *err)
{
    if (!t || (!t->name && !t->address) || !o || !o->known_hosts)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "Recording a host key needs the host and nestlab's known_hosts file.");
    struct conn c = {
        .name = t->name ? t->name : t->address,
        .address = t->address ? t->address : t->name,
        .port = t->port > 0 ? t->port : 22,
        .fd = -1,
        .deadline = esx_now_ms() + (o->timeout_ms > 0 ? o->timeout_ms : 10000),
    };
    if (!fingerprint_valid(expected_fingerprint))
        return NL_ERR(err, NL_ERR_USAGE, "fingerprint",
                      "\"%s\" is not a SHA256 host key fingerprint (SHA256: and 43 base64 "
                      "characters); nothing was recorded for host \"%s\".",
                      expected_fingerprint ? expected_fingerprint : "", c.name);
    pthread_once(&trust_once, trust_init);
    if (trust_init_rc != 0)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "libssh2 could not be initialised.");

    enum nl_code rc;
    char *fp = NULL, *ktype = NULL;
    struct esx_known known = {0};
    c.ssh = libssh2_session_init();
    if (!c.ssh)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "libssh2 could not create a session.");
    libssh2_session_set_blocking(c.ssh, 0);
    if ((rc = esx_known_lookup(c.ssh, o->known_hosts, o->user_known_hosts, c.address, c.port,
                               &known, err)) != NL_OK ||
        (rc = tcp_connect(&c, err)) != NL_OK || (rc = handshake(&c, &known, err)) != NL_OK)
        goto cleanup;
    size_t keylen = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(c.ssh, &keylen, &type);
    const unsigned char *hash =
        (const unsigned char *)libssh2_hostkey_hash(c.ssh, LIBSSH2_HOSTKEY_HASH_SHA256);
    int keytype = esx_knownhost_key_type(type);
    if (!key || !hash || !keytype) {
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "unsupported",
                    "Host \"%s\" presented a host key of a type nestlab cannot verify.", c.name);
        goto cleanup;
    }
    fp = esx_fingerprint_sha256(hash);
    ktype = esx_known_blob_type((const unsigned char *)key, keylen);
    if (strcmp(fp, expected_fingerprint) != 0) {
        NL_WARN("host key of %s is now %s, not the %s the user accepted", c.name, fp,
                expected_fingerprint);
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "mismatch",
                    "Host \"%s\" (%s port %d) now presents the key %s, not the %s you accepted; "
                    "nothing was recorded. Check the key on the host's console.",
                    c.name, c.address, c.port, fp, expected_fingerprint);
        goto cleanup;
    }
    if (esx_known_has(&known, key, keylen)) {
        NL_INFO("host key of %s (%s) was already recorded", c.name, fp);
        goto cleanup; /* recorded meanwhile (another accept, or by hand): nothing to add */
    }
    if (known.n > 0) {
        rc = esx_known_changed(&known, c.name, c.address, c.port, ktype, fp, o->known_hosts, err);
        goto cleanup;
    }
    rc = esx_known_append(c.ssh, o->known_hosts, c.name, c.address, c.port, key, keylen, keytype,
                          err);
    if (rc == NL_OK)
        NL_INFO("recorded the host key of %s (%s port %d) on the user's word: %s %s", c.name,
                c.address, c.port, ktype, fp);

cleanup:
    esx_known_clear(&known);
    conn_close(&c);
    free(fp);
    free(ktype);
    return rc;
}
