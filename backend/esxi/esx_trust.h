/* Trusting an unknown SSH host key on the user's word: the console shows the fingerprint a host
 * presented (NL_ERR_HOSTKEY "unknown" from esx_session_open), the user says yes, and this records
 * exactly that key. Everything is checked again at that moment, because time has passed since
 * the user saw the fingerprint: the host must still present the same key, and no other key may
 * be on record for it (a changed key is never replaced from here; that needs a human editing the
 * file, knowing why it changed).
 *
 * No login happens: the connection stops after the key exchange, so no credentials are needed
 * or sent. */
#ifndef NL_ESXI_TRUST_H
#define NL_ESXI_TRUST_H

#include <stdbool.h>

#include "backend/core/err.h"
#include "backend/esxi/esx_pool.h"

struct esx_trust_opts {
    const char *known_hosts; /* nestlab's known_hosts file, appended to (required) */
    bool user_known_hosts;   /* also consult ~/.ssh/known_hosts (read only), like the sessions */
    int timeout_ms;          /* TCP connect and key exchange; 0 = 10 s */
};

/* Connects to t, and when the host key it presents has the fingerprint expected_fingerprint
 * ("SHA256:<base64>", as esx_fingerprint_sha256 prints it) and is not yet known, appends it to
 * o->known_hosts as one OpenSSH line ("[address]:port" unless port 22). A key already recorded
 * for that host is success with nothing written. Errors, nothing written:
 *   NL_ERR_USAGE             malformed fingerprint or options
 *   NL_ERR_HOSTKEY "mismatch" the host now presents another key than expected_fingerprint
 *   NL_ERR_HOSTKEY "changed"  another key is on record for the host (never replaced here)
 *   NL_ERR_HOSTKEY "unsupported", NL_ERR_CONNECT, NL_ERR_IO
 * Blocking; thread-safe. */
enum nl_code esx_knownhost_accept(const struct esx_target *t, const char *expected_fingerprint,
                                  const struct esx_trust_opts *o, struct nl_err *err);

#endif
