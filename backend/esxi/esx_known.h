/* The SSH host keys on record for one host, as the sessions (esx_session.c) and the recording of
 * an accepted key (esx_trust.c) both need them.
 *
 * A host is identified by its address and port, and every key on record for it counts, whatever
 * its type: entries in nestlab's known_hosts and (when asked) ~/.ssh/known_hosts, hashed
 * ("|1|salt|hash") or plain, "[address]:port" or the bare address (which libssh2 applies to every
 * port). A host that presents a key that is not among them, while any is recorded, has CHANGED
 * its key — a key of another type is no exception, since an attacker chooses the type he offers.
 *
 * Because a host with several keys presents the one the client asks for first, the host key
 * algorithms are offered with the recorded types first (as OpenSSH does), so a host that still
 * has its recorded key is never mistaken for a changed one. */
#ifndef NL_ESXI_KNOWN_H
#define NL_ESXI_KNOWN_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh2.h>

#include "backend/core/err.h"

struct esx_known_key {
    char *type;          /* "ecdsa-sha2-nistp256", as the key itself names it */
    unsigned char *blob; /* the public key as sent on the wire */
    size_t len;
    char *fingerprint; /* "SHA256:<base64>", as ssh-keygen -l prints it */
};

struct esx_known {
    struct esx_known_key *keys;
    size_t n;
};

/* Collects every key on record for address:port from known_hosts (nestlab's file: missing is
 * empty; unreadable, or a line that cannot be parsed, is NL_ERR_IO) and, with user_known_hosts,
 * ~/.ssh/known_hosts (lines libssh2 cannot parse are skipped, the others all count). ssh is only
 * used for allocation; no connection is needed. */
enum nl_code esx_known_lookup(LIBSSH2_SESSION *ssh, const char *known_hosts, bool user_known_hosts,
                              const char *address, int port, struct esx_known *out,
                              struct nl_err *err);
void esx_known_clear(struct esx_known *k);

/* The host key algorithms to negotiate: those of the recorded keys first, then the rest of what
 * libssh2 verifies (ECDSA, Ed25519, ssh-rsa last). Owned by the caller. */
char *esx_known_hostkey_pref(const struct esx_known *k);

/* Whether the key a host presented (raw blob) is one of those on record. */
bool esx_known_has(const struct esx_known *k, const char *key, size_t len);

/* The type name of a raw key blob ("ssh-ed25519"), or "unknown". Owned by the caller. */
char *esx_known_blob_type(const unsigned char *blob, size_t len);

/* NL_ERR_HOSTKEY "changed" for host name (address:port) presenting the key offered_type
 * offered_fp while k holds others: a whole-sentence warning naming the presented fingerprint and
 * every recorded one, and where they are recorded. Logs it as an error too. */
enum nl_code esx_known_changed(const struct esx_known *k, const char *name, const char *address,
                               int port, const char *offered_type, const char *offered_fp,
                               const char *known_hosts, struct nl_err *err);

/* Appends the key as one OpenSSH line ("[address]:port", the bare address on port 22) to path
 * (created 0600), starting a fresh line when the file does not end with one. Serialised across
 * threads. keytype is LIBSSH2_KNOWNHOST_KEY_*. name is for messages. */
enum nl_code esx_known_append(LIBSSH2_SESSION *ssh, const char *path, const char *name,
                              const char *address, int port, const char *key, size_t keylen,
                              int keytype, struct nl_err *err);

#endif
