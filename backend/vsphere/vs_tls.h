/* Certificate checks during the TLS handshake (OpenSSL via CURLOPT_SSL_CTX_FUNCTION), so a
 * thumbprint mismatch stops the connection before a single byte of a request, let alone a
 * password, is sent. Internal to backend/vsphere. */
#ifndef VS_TLS_H
#define VS_TLS_H

#include <stdbool.h>

#include <curl/curl.h>

struct vs_tls_state {
    const char *pin; /* 64 lower-case hex digits, or NULL for CA verification */
    bool insecure;   /* accept anything (still records the thumbprint) */
    char seen[96];   /* the server's thumbprint "AB:CD:..", "" until a handshake saw one */
    bool mismatch;   /* the pinned thumbprint did not match */
    bool untrusted;  /* CA verification failed */
    char why[128];   /* OpenSSL's reason for an untrusted certificate */
};

/* CURLOPT_SSL_CTX_FUNCTION; userptr is a struct vs_tls_state. */
CURLcode vs_tls_ctx_setup(CURL *curl, void *ssl_ctx, void *userptr);
/* True when libcurl uses OpenSSL, which the handshake check needs. */
bool vs_tls_backend_ok(void);

#endif
