/* The server's certificate before anything is sent: a TLS handshake with no request after it
 * (libcurl CONNECT_ONLY), so a first connection can show the user what they are about to trust
 * (subject, issuer, validity, SHA-256 thumbprint, and whether the system CA store already
 * trusts it for this host name) and pin it on first use, like OpenSSH does with host keys. */
#ifndef VS_CERT_H
#define VS_CERT_H

#include <stdbool.h>

#include "backend/core/err.h"

struct vs_cert_info {
    char subject[256];
    char issuer[256];
    char not_before[64];
    char not_after[64];
    char thumbprint[96]; /* "AB:CD:..." (SHA-256 of the DER certificate) */
    bool ca_trusted;     /* the system CA store verifies the chain and the host name matches */
    char why[320];       /* when not trusted: OpenSSL's reason, or the host name mismatch */
};

/* Handshakes with the server of url (https only) and describes its certificate. NL_ERR_CONNECT
 * or NL_ERR_TLS when there is no handshake to look at; nothing is sent either way. */
enum nl_code vs_cert_probe(const char *url, long timeout_s, struct vs_cert_info *out,
                           struct nl_err *err);

#endif
