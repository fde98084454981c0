#include "backend/vsphere/vs_cert.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_tls.h"

struct probe {
    struct vs_cert_info *info;
    char host[256];
    bool seen;
};

static void name_text(const X509_NAME *name, char *out, size_t size)
{
    BIO *b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    int n = BIO_read(b, out, (int)size - 1);
    out[n > 0 ? n : 0] = '\0';
    BIO_free(b);
}

static void time_text(const ASN1_TIME *t, char *out, size_t size)
{
    BIO *b = BIO_new(BIO_s_mem());
    ASN1_TIME_print(b, t);
    int n = BIO_read(b, out, (int)size - 1);
    out[n > 0 ? n : 0] = '\0';
    BIO_free(b);
}

/* Records the leaf certificate and what the CA store thinks of it, and lets the handshake finish
 * whatever it is: CONNECT_ONLY sends nothing over it. */
static int capture(X509_STORE_CTX *store, void *arg)
{
    struct probe *p = arg;
    X509 *cert = X509_STORE_CTX_get0_cert(store);
    if (!cert)
        return 1;
    struct vs_cert_info *info = p->info;
    p->seen = true;
    name_text(X509_get_subject_name(cert), info->subject, sizeof info->subject);
    name_text(X509_get_issuer_name(cert), info->issuer, sizeof info->issuer);
    time_text(X509_get0_notBefore(cert), info->not_before, sizeof info->not_before);
    time_text(X509_get0_notAfter(cert), info->not_after, sizeof info->not_after);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[65] = "";
    if (X509_digest(cert, EVP_sha256(), md, &len) && len == 32) {
        for (unsigned i = 0; i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        vs_thumbprint_format(hex, info->thumbprint);
    }
    if (X509_verify_cert(store) <= 0) {
        snprintf(info->why, sizeof info->why, "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
    } else if (X509_check_host(cert, p->host, 0, 0, NULL) != 1 &&
               X509_check_ip_asc(cert, p->host, 0) != 1) {
        snprintf(info->why, sizeof info->why, "the certificate is not for \"%s\"", p->host);
    } else {
        info->ca_trusted = true;
    }
    return 1;
}

static CURLcode setup_ctx(CURL *curl, void *ssl_ctx, void *userptr)
{
    (void)curl;
    SSL_CTX_set_cert_verify_callback((SSL_CTX *)ssl_ctx, capture, userptr);
    return CURLE_OK;
}

enum nl_code vs_cert_probe(const char *url, long timeout_s, struct vs_cert_info *out,
                           struct nl_err *err)
{
    memset(out, 0, sizeof *out);
    if (strncmp(url, "https://", 8) != 0)
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "\"%s\" is not an https:// URL; vCenter and ESXi serve the API over HTTPS "
                      "only.",
                      url);
    if (!vs_tls_backend_ok())
        return NL_ERR(err, NL_ERR_TLS, NULL,
                      "This libcurl does not use OpenSSL, which reading the certificate needs.");
    struct probe p = {.info = out};
    CURLU *u = curl_url();
    char *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        /* [::1] -> ::1 for the IP check */
        size_t n = strlen(host);
        if (n > 1 && host[0] == '[' && host[n - 1] == ']')
            snprintf(p.host, sizeof p.host, "%.*s", (int)n - 2, host + 1);
        else
            snprintf(p.host, sizeof p.host, "%s", host);
    }
    curl_free(host);
    curl_url_cleanup(u);
    CURL *h = curl_easy_init();
    if (!h)
        return NL_ERR(err, NL_ERR_IO, NULL, "Cannot start a connection (libcurl).");
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 10L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    /* The callback does the judging (and accepts, to see the certificate). */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, setup_ctx);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &p);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (!p.seen) {
        if (cc == CURLE_OK)
            return NL_ERR(err, NL_ERR_TLS, NULL, "\"%s\" showed no certificate.", url);
        return NL_ERR(err,
                      cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
                              cc == CURLE_OPERATION_TIMEDOUT
                          ? NL_ERR_CONNECT
                          : NL_ERR_TLS,
                      NULL, "Cannot read the certificate of \"%s\": %s.", url,
                      curl_err[0] ? curl_err : curl_easy_strerror(cc));
    }
    return NL_OK;
}
