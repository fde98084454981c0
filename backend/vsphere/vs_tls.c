#include "backend/vsphere/vs_tls.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "backend/vsphere/vs_client.h"

enum nl_code vs_thumbprint_normalize(const char *in, char out[65], struct nl_err *err)
{
    size_t n = 0;
    for (const char *s = in ? in : ""; *s; s++) {
        if (*s == ':' || *s == ' ')
            continue;
        if (!isxdigit((unsigned char)*s) || n >= 64)
            goto bad;
        out[n++] = (char)tolower((unsigned char)*s);
    }
    if (n != 64)
        goto bad;
    out[64] = '\0';
    return NL_OK;
bad:
    out[0] = '\0';
    return NL_ERR(err, NL_ERR_USAGE, NULL,
                  "The thumbprint \"%s\" is not a SHA-256 certificate thumbprint (64 hex digits, "
                  "colons allowed).",
                  in ? in : "");
}

void vs_thumbprint_format(const char *hex, char out[96])
{
    size_t o = 0;
    for (size_t i = 0; hex[i] && hex[i + 1] && o + 3 < 96; i += 2) {
        if (o)
            out[o++] = ':';
        out[o++] = (char)toupper((unsigned char)hex[i]);
        out[o++] = (char)toupper((unsigned char)hex[i + 1]);
    }
    out[o] = '\0';
}

static int verify_cert(X509_STORE_CTX *store, void *arg)
{
    struct vs_tls_state *st = arg;
    X509 *cert = X509_STORE_CTX_get0_cert(store);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[65] = "";
    if (cert && X509_digest(cert, EVP_sha256(), md, &len) && len == 32) {
        for (unsigned i = 0; i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        vs_thumbprint_format(hex, st->seen);
    }
    /* A pin is checked even when "insecure" was asked for: it is never silently unused. */
    if (st->pin) {
        /* The pin replaces CA verification for this server: it names the exact certificate. */
        if (hex[0] && strcmp(hex, st->pin) == 0) {
            X509_STORE_CTX_set_error(store, X509_V_OK);
            return 1;
        }
        st->mismatch = true;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    if (st->insecure)
        return 1;
    int ok = X509_verify_cert(store);
    if (ok <= 0) {
        st->untrusted = true;
        snprintf(st->why, sizeof st->why, "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
        return 0;
    }
    return 1;
}

CURLcode vs_tls_ctx_setup(CURL *curl, void *ssl_ctx, void *userptr)
{
    (void)curl;
    SSL_CTX_set_cert_verify_callback((SSL_CTX *)ssl_ctx, verify_cert, userptr);
    return CURLE_OK;
}

bool vs_tls_backend_ok(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v && v->ssl_version && strncmp(v->ssl_version, "OpenSSL", 7) == 0;
}
