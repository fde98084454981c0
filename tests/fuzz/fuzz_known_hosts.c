/* known_hosts lines as the SSH sessions read them: libssh2's OpenSSH known_hosts reader, a check
 * of a host key against what was read (as esx_session.c and esx_trust.c do), and writing each
 * entry back as a line. The input is the file; its last 32 bytes double as the key checked. */
#include <libssh2.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static LIBSSH2_SESSION *ssh;
    if (!ssh) {
        libssh2_init(0);
        ssh = libssh2_session_init();
        if (!ssh)
            abort();
    }
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(ssh);
    if (!kh)
        abort();
    /* Exactly as libssh2_knownhost_readfile feeds its lines: fgets into a 4092-byte buffer (a
     * longer line arrives in pieces), then readline(buf, strlen(buf)); the parser relies on the
     * NUL that fgets leaves. */
    const char *text = (const char *)data;
    char buf[4092];
    for (size_t start = 0; start < size;) {
        size_t n = 0;
        while (start + n < size && n < sizeof(buf) - 1 && text[start + n++] != '\n')
            ;
        memcpy(buf, text + start, n);
        buf[n] = '\0';
        libssh2_knownhost_readline(kh, buf, strlen(buf), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        start += n;
    }
    const char *key = size >= 32 ? text + size - 32 : text;
    size_t keylen = size >= 32 ? 32 : size;
    static const int types[] = {LIBSSH2_KNOWNHOST_KEY_SSHRSA, LIBSSH2_KNOWNHOST_KEY_ED25519,
                                LIBSSH2_KNOWNHOST_KEY_ECDSA_256};
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]) && keylen; t++) {
        struct libssh2_knownhost *found = NULL;
        int mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | types[t];
        libssh2_knownhost_checkp(kh, "127.0.0.1", 22, key, keylen, mask, &found);
        libssh2_knownhost_checkp(kh, "esx01.lab.invalid", 2222, key, keylen, mask, &found);
    }
    struct libssh2_knownhost *node = NULL, *prev = NULL;
    while (libssh2_knownhost_get(kh, &node, prev) == 0) {
        char line[8192];
        size_t outlen = 0;
        libssh2_knownhost_writeline(kh, node, line, sizeof(line), &outlen,
                                    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        prev = node;
    }
    libssh2_knownhost_free(kh);
    return 0;
}
