/* One SSH connection to one ESXi host (libssh2, non-blocking with deadlines).
 *
 * Opening a session connects with a timeout, negotiates asking first for the key types on record
 * for the host (then ECDSA, Ed25519, ssh-rsa), verifies the host key against OpenSSH known_hosts
 * files (nestlab's own, optionally the user's ~/.ssh/known_hosts; see esx_known.h), then
 * authenticates with the methods the server lists, in its order:
 * keyboard-interactive (every prompt answered with the password, zero-prompt rounds handled),
 * password (only when listed), publickey (agent or key file, when configured).
 *
 * Host keys: a match continues; an unknown key fails with NL_ERR_HOSTKEY detail "unknown" and
 * the key's "SHA256:..." fingerprint in the message, unless accept_new is set, in which case the
 * key is appended to nestlab's file; a host with any key on record (of any type) that presents
 * another one has CHANGED: NL_ERR_HOSTKEY detail "changed", naming the presented and the recorded
 * fingerprints, never accepted, and nothing is sent to it.
 *
 * Usage model: a session is used by one thread at a time (the pool in esx_pool.h enforces it
 * with a per-session mutex); different sessions may be used concurrently. The password is
 * borrowed for the duration of esx_session_open only and never logged. */
#ifndef NL_ESXI_SESSION_H
#define NL_ESXI_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/core/err.h"

struct esx_session_opts {
    const char *name;     /* host name for messages (and logs) */
    const char *address;  /* what to connect to; NULL = name */
    int port;             /* 0 = 22 */
    const char *user;     /* NULL = "root" */
    const char *password; /* borrowed during open; NULL = no password methods */
    const char *key_file; /* private key for publickey auth, NULL = none */
    const char *key_passphrase;
    bool use_agent;          /* try ssh-agent keys for publickey auth */
    const char *known_hosts; /* nestlab's known_hosts (read, and appended to on accept_new) */
    bool user_known_hosts;   /* also honour ~/.ssh/known_hosts (read only) */
    bool accept_new;         /* accept and record an unknown host key */
    int connect_timeout_ms;  /* TCP connect + handshake + auth; 0 = 10 s */
    int command_timeout_ms;  /* per command; 0 = 60 s */
    size_t output_cap;       /* per stream; 0 = 16 MiB */
};

struct esx_session;

/* The outcome of one command. out/err are NUL-terminated (lengths exclude the NUL). */
struct esx_result {
    int exit_status; /* -1 when the host sent none (killed by a signal) */
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
};

enum nl_code esx_session_open(const struct esx_session_opts *opts, struct esx_session **out,
                              struct nl_err *err);
/* Disconnects politely and frees. Accepts NULL and clears the pointer. */
void esx_session_free(struct esx_session **s);

/* Runs one command line (already quoted: see esx_quote.h) on its own exec channel. Returns NL_OK
 * whenever the command ran, whatever its exit status; NL_ERR_TIMEOUT when it did not finish in
 * time, NL_ERR_LIMIT when a stream exceeded the cap, NL_ERR_PROTOCOL/NL_ERR_CONNECT when the
 * connection failed. After any error the session is marked broken and must be replaced. */
enum nl_code esx_session_exec(struct esx_session *s, const char *cmdline, struct esx_result *res,
                              struct nl_err *err);
/* Quotes argv (NULL-terminated) and runs it. */
enum nl_code esx_session_run(struct esx_session *s, const char *const *argv, struct esx_result *res,
                             struct nl_err *err);
bool esx_session_broken(const struct esx_session *s);
const char *esx_session_name(const struct esx_session *s);
/* Changes the command timeout of an open session. */
void esx_session_set_command_timeout(struct esx_session *s, int ms);

void esx_result_clear(struct esx_result *res);

/* libssh2's knownhost key type (LIBSSH2_KNOWNHOST_KEY_*) for a session host key type
 * (LIBSSH2_HOSTKEY_TYPE_*); 0 when there is none. */
int esx_knownhost_key_type(int hostkey_type);
/* "SHA256:<base64 without padding>" of a raw SSH public key blob, as OpenSSH prints it. */
char *esx_fingerprint_sha256(const unsigned char *digest32);

#endif
