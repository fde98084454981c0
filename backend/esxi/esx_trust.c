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
#include "backend/esxi/esx_net.h"
#include "backend/esxi/esx_session.h"

/* The sessions' preference (esx_session.c), so that the key negotiated here is the one a session
 * negotiates and showed the user: a host with several keys presents the one asked for first. */
#define TRUST_HOSTKEY_PREF \
    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-ed25519,ssh-rsa"

static pthread_once_t trust_once = PTHREAD_ONCE_INIT;
static int trust_init_rc;
static pthread_mutex_t append_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* Key exchange only: after it the host key is known, and nothing else is needed. */
static enum nl_code handshake(struct conn *c, struct nl_err *err)
{
    c->ssh = libssh2_session_init();
    if (!c->ssh)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "libssh2 could not create a session.");
    libssh2_session_set_blocking(c->ssh, 0);
    libssh2_session_method_pref(c->ssh, LIBSSH2_METHOD_HOSTKEY, TRUST_HOSTKEY_PREF);
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

/* Appends one line; starts a fresh line first when the file does not end with one. */
static enum nl_code append_line(const char *path, const char *line, size_t len, const char *name,
                                struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    pthread_mutex_lock(&append_lock);
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    char last = '\n';
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
        pread(fd, &last, 1, st.st_size - 1) != 1)
        last = '\n';
    if (fd < 0 || (last != '\n' && write(fd, "\n", 1) != 1) || write(fd, line, len) != (ssize_t)len)
        rc = NL_ERR(err, NL_ERR_IO, NULL,
                    "The host key of \"%s\" could not be written to \"%s\": %s.", name, path,
                    strerror(errno));
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&append_lock);
    return rc;
}

/* Reads nestlab's file (a missing file is empty) and, when asked, the user's. */
static enum nl_code load_known(LIBSSH2_KNOWNHOSTS *kh, const struct esx_trust_opts *o,
                               struct nl_err *err)
{
    if (access(o->known_hosts, F_OK) == 0 &&
        libssh2_knownhost_readfile(kh, o->known_hosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
        return NL_ERR(err, NL_ERR_IO, NULL, "The known_hosts file \"%s\" cannot be read.",
                      o->known_hosts);
    const char *home = getenv("HOME");
    if (o->user_known_hosts && home && *home) {
        char *user_file = xasprintf("%s/.ssh/known_hosts", home);
        if (access(user_file, R_OK) == 0)
            libssh2_knownhost_readfile(kh, user_file, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        free(user_file);
    }
    return NL_OK;
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
    char *fp = NULL, *spec = NULL;
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    if ((rc = tcp_connect(&c, err)) != NL_OK || (rc = handshake(&c, err)) != NL_OK)
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
    if (strcmp(fp, expected_fingerprint) != 0) {
        NL_WARN("host key of %s is now %s, not the %s the user accepted", c.name, fp,
                expected_fingerprint);
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "mismatch",
                    "Host \"%s\" (%s port %d) now presents the key %s, not the %s you accepted; "
                    "nothing was recorded. Check the key on the host's console.",
                    c.name, c.address, c.port, fp, expected_fingerprint);
        goto cleanup;
    }
    kh = libssh2_knownhost_init(c.ssh);
    if (!kh) {
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "The known_hosts store could not be created.");
        goto cleanup;
    }
    if ((rc = load_known(kh, o, err)) != NL_OK)
        goto cleanup;
    int typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keytype;
    struct libssh2_knownhost *node = NULL;
    switch (libssh2_knownhost_checkp(kh, c.address, c.port, key, keylen, typemask, &node)) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        NL_INFO("host key of %s (%s) was already recorded", c.name, fp);
        goto cleanup; /* recorded meanwhile (another accept, or by hand): nothing to add */
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        break;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        NL_ERROR("host key of %s (%s port %d) CHANGED: now %s; not recorded", c.name, c.address,
                 c.port, fp);
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "changed",
                    "WARNING: another key is on record for host \"%s\" (%s port %d); it now "
                    "presents %s. nestlab never replaces a recorded key; remove the old one "
                    "from \"%s\" only if you know why it changed.",
                    c.name, c.address, c.port, fp, o->known_hosts);
        goto cleanup;
    default:
        rc = NL_ERR(err, NL_ERR_HOSTKEY, "failure",
                    "The host key of \"%s\" could not be checked: %s.", c.name,
                    ssh_error_text(c.ssh));
        goto cleanup;
    }
    /* The same spelling the sessions look up (libssh2_knownhost_checkp): "[addr]:port". */
    spec = c.port == 22 ? xstrdup(c.address) : xasprintf("[%s]:%d", c.address, c.port);
    char line[8192];
    size_t outlen = 0;
    node = NULL;
    if (libssh2_knownhost_addc(kh, spec, NULL, key, keylen, NULL, 0, typemask, &node) != 0 ||
        libssh2_knownhost_writeline(kh, node, line, sizeof(line), &outlen,
                                    LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "The host key of \"%s\" could not be formatted.",
                    c.name);
        goto cleanup;
    }
    rc = append_line(o->known_hosts, line, outlen, c.name, err);
    if (rc == NL_OK)
        NL_INFO("recorded the host key of %s (%s) on the user's word: %s", c.name, spec, fp);

cleanup:
    if (kh)
        libssh2_knownhost_free(kh);
    conn_close(&c);
    free(fp);
    free(spec);
    return rc;
}
