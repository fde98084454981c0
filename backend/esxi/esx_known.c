/* The SSH host keys on record for one host (esx_known.h). */
#include "backend/esxi/esx_known.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "backend/core/log.h"
#include "backend/core/xmalloc.h"
#include "backend/esxi/esx_session.h"

/* What Debian 12's libssh2 can verify, strongest first; ssh-rsa (SHA-1) last for old hosts. */
static const char *const supported_types[] = {
    "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519", "ssh-rsa",
};
#define N_SUPPORTED (sizeof(supported_types) / sizeof(supported_types[0]))

/* A cap on the entries one host may have; far beyond any real file. */
#define MAX_KEYS_PER_HOST 64

static pthread_mutex_t append_lock = PTHREAD_MUTEX_INITIALIZER;

char *esx_known_blob_type(const unsigned char *blob, size_t len)
{
    if (len < 4)
        return xstrdup("unknown");
    size_t n = (size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3];
    if (n == 0 || n > 64 || n > len - 4)
        return xstrdup("unknown");
    for (size_t i = 0; i < n; i++)
        if (blob[4 + i] <= ' ' || blob[4 + i] > '~')
            return xstrdup("unknown");
    return xstrndup((const char *)blob + 4, n);
}

/* Decodes a known_hosts key field (padded base64); false when it is not one. */
static bool decode_key(const char *b64, unsigned char **blob, size_t *len)
{
    size_t in = strlen(b64);
    if (in == 0 || in % 4 != 0 || in > 64 * 1024)
        return false;
    unsigned char *out = xmalloc(in / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)in);
    if (n < 0) {
        free(out);
        return false;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    size_t pad = (b64[in - 1] == '=') + (in > 1 && b64[in - 2] == '=');
    *blob = out;
    *len = (size_t)n - pad;
    return true;
}

static void add_key(struct esx_known *k, const char *b64)
{
    unsigned char *blob = NULL;
    size_t len = 0;
    if (!decode_key(b64, &blob, &len)) {
        /* Still a key on record, only not one we can read: it counts, shown as such. */
        blob = (unsigned char *)xstrdup(b64);
        len = strlen(b64);
        k->keys = xrealloc(k->keys, (k->n + 1) * sizeof(*k->keys));
        k->keys[k->n++] = (struct esx_known_key){
            .type = xstrdup("unreadable"), .blob = blob, .len = len, .fingerprint = xstrdup("?")};
        return;
    }
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(blob, len, digest);
    k->keys = xrealloc(k->keys, (k->n + 1) * sizeof(*k->keys));
    k->keys[k->n++] = (struct esx_known_key){.type = esx_known_blob_type(blob, len),
                                             .blob = blob,
                                             .len = len,
                                             .fingerprint = esx_fingerprint_sha256(digest)};
}

/* Feeds a known_hosts file to kh line by line and returns how many lines could not be parsed,
 * or -1 when the file cannot be opened. (libssh2_knownhost_readfile stops at the first line it
 * cannot parse, a truncated entry or a key type it does not know, which would hide every key
 * recorded after it: a changed key would pass for a new one.) */
static long read_known_file(LIBSSH2_KNOWNHOSTS *kh, const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long bad = 0;
    while ((n = getline(&line, &cap, f)) > 0)
        if (libssh2_knownhost_readline(kh, line, (size_t)n, LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0)
            bad++;
    free(line);
    fclose(f);
    return bad;
}

enum nl_code esx_known_lookup(LIBSSH2_SESSION *ssh, const char *known_hosts, bool user_known_hosts,
                              const char *address, int port, struct esx_known *out,
                              struct nl_err *err)
{
    memset(out, 0, sizeof(*out));
    enum nl_code rc = NL_OK;
    char *user_file = NULL;
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(ssh);
    if (!kh)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "The known_hosts store could not be created.");
    /* A missing file is an empty one; a file that exists but cannot be read is an error, and
     * so is a line of nestlab's own file that cannot be parsed (it may be the host's entry). */
    long bad = 0;
    if (known_hosts && access(known_hosts, F_OK) == 0 &&
        (bad = read_known_file(kh, known_hosts)) != 0) {
        rc = bad < 0 ? NL_ERR(err, NL_ERR_IO, NULL, "The known_hosts file \"%s\" cannot be read.",
                              known_hosts)
                     : NL_ERR(err, NL_ERR_IO, NULL,
                              "%ld line(s) of the known_hosts file \"%s\" cannot be read; fix "
                              "or remove them.",
                              bad, known_hosts);
        goto cleanup;
    }
    const char *home = getenv("HOME");
    if (user_known_hosts && home && *home) {
        user_file = xasprintf("%s/.ssh/known_hosts", home);
        /* The user's file is honoured as far as libssh2 understands it: lines it cannot parse
         * (truncated entries, key types it does not know) are skipped, the rest still count. */
        if ((bad = read_known_file(kh, user_file)) > 0)
            NL_DEBUG("%ld line(s) of %s skipped (not understood by libssh2)", bad, user_file);
    }
    /* libssh2 has no "list the entries for a host" (hashed names cannot be compared by us), but
     * a check with a key that matches nothing and no key type reports the first entry for the
     * host whatever its type; taking that entry out and asking again yields every one. */
    for (size_t i = 0; i < MAX_KEYS_PER_HOST; i++) {
        struct libssh2_knownhost *node = NULL;
        int r = libssh2_knownhost_checkp(
            kh, address, port, "-", 1,
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64, &node);
        if (r != LIBSSH2_KNOWNHOST_CHECK_MISMATCH || !node)
            break;
        add_key(out, node->key ? node->key : "");
        if (libssh2_knownhost_del(kh, node) != 0)
            break;
    }
cleanup:
    libssh2_knownhost_free(kh);
    free(user_file);
    return rc;
}

void esx_known_clear(struct esx_known *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->keys[i].type);
        free(k->keys[i].blob);
        free(k->keys[i].fingerprint);
    }
    free(k->keys);
    memset(k, 0, sizeof(*k));
}

static bool pref_has(const char *pref, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = pref; (p = strstr(p, type)) != NULL; p += n)
        if ((p == pref || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void pref_add(char *pref, size_t size, const char *type)
{
    if (pref_has(pref, type))
        return;
    size_t used = strlen(pref);
    snprintf(pref + used, size - used, "%s%s", used ? "," : "", type);
}

char *esx_known_hostkey_pref(const struct esx_known *k)
{
    char pref[512] = "";
    for (size_t i = 0; k && i < k->n; i++)
        for (size_t t = 0; t < N_SUPPORTED; t++)
            if (strcmp(k->keys[i].type, supported_types[t]) == 0)
                pref_add(pref, sizeof(pref), supported_types[t]);
    for (size_t t = 0; t < N_SUPPORTED; t++)
        pref_add(pref, sizeof(pref), supported_types[t]);
    return xstrdup(pref);
}

bool esx_known_has(const struct esx_known *k, const char *key, size_t len)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->keys[i].len == len && memcmp(k->keys[i].blob, key, len) == 0)
            return true;
    return false;
}

enum nl_code esx_known_changed(const struct esx_known *k, const char *name, const char *address,
                               int port, const char *offered_type, const char *offered_fp,
                               const char *known_hosts, struct nl_err *err)
{
    char recorded[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < k->n && used < sizeof(recorded); i++)
        used += (size_t)snprintf(recorded + used, sizeof(recorded) - used, "%s%s %s", i ? ", " : "",
                                 k->keys[i].type, k->keys[i].fingerprint);
    NL_ERROR("host key of %s (%s port %d) CHANGED: presents %s %s, recorded %s", name, address,
             port, offered_type, offered_fp, recorded);
    return NL_ERR(err, NL_ERR_HOSTKEY, "changed",
                  "WARNING: the host key of \"%s\" (%s port %d) has CHANGED: it presents %s %s; "
                  "on record: %s. Someone may be intercepting the connection, or the host was "
                  "reinstalled; nestlab refuses it and never replaces a recorded key (remove the "
                  "old one from \"%s\" only if you know why it changed).",
                  name, address, port, offered_type, offered_fp, recorded,
                  known_hosts ? known_hosts : "known_hosts");
}

/* Writes one line; starts a fresh line first when the file does not end with one. */
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

enum nl_code esx_known_append(LIBSSH2_SESSION *ssh, const char *path, const char *name,
                              const char *address, int port, const char *key, size_t keylen,
                              int keytype, struct nl_err *err)
{
    enum nl_code rc = NL_OK;
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(ssh);
    if (!kh)
        return NL_ERR(err, NL_ERR_INTERNAL, NULL, "The known_hosts store could not be created.");
    /* The spelling libssh2_knownhost_checkp looks up, and OpenSSH writes: "[addr]:port". */
    char *spec = port == 22 ? xstrdup(address) : xasprintf("[%s]:%d", address, port);
    struct libssh2_knownhost *node = NULL;
    char line[8192];
    size_t outlen = 0;
    if (libssh2_knownhost_addc(
            kh, spec, NULL, key, keylen, NULL, 0,
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keytype, &node) != 0 ||
        libssh2_knownhost_writeline(kh, node, line, sizeof(line), &outlen,
                                    LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0)
        rc = NL_ERR(err, NL_ERR_INTERNAL, NULL, "The host key of \"%s\" could not be formatted.",
                    name);
    else
        rc = append_line(path, line, outlen, name, err);
    libssh2_knownhost_free(kh);
    free(spec);
    return rc;
}
