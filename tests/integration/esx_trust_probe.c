/* esx_trust_probe: drives esx_knownhost_accept (backend/esxi/esx_trust.h) for esx_trust.sh.
 *
 *   esx_trust_probe --name N [--address A] --port P --known-hosts F [--user-known-hosts]
 *                   [--timeout MS] FINGERPRINT
 * Prints "ok" on success; errors print "ERROR <NL_CODE> <detail>: <message>" on stderr and exit
 * 10 + code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/esxi/esx_trust.h"

int main(int argc, char **argv)
{
    struct esx_target t = {0};
    struct esx_trust_opts o = {0};
    const char *fp = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--name") == 0 && has_value)
            t.name = argv[++i];
        else if (strcmp(a, "--address") == 0 && has_value)
            t.address = argv[++i];
        else if (strcmp(a, "--port") == 0 && has_value)
            t.port = atoi(argv[++i]);
        else if (strcmp(a, "--known-hosts") == 0 && has_value)
            o.known_hosts = argv[++i];
        else if (strcmp(a, "--timeout") == 0 && has_value)
            o.timeout_ms = atoi(argv[++i]);
        else if (strcmp(a, "--user-known-hosts") == 0)
            o.user_known_hosts = true;
        else if (!fp && (a[0] != '-' || a[1] == '\0'))
            fp = a;
        else {
            fprintf(stderr, "esx_trust_probe: unexpected argument \"%s\"\n", a);
            return 2;
        }
    }
    if (!t.address)
        t.address = "127.0.0.1";
    struct nl_err err = {0};
    if (esx_knownhost_accept(&t, fp ? fp : "", &o, &err) != NL_OK) {
        fprintf(stderr, "ERROR %s %s: %s\n", nl_code_name(err.code),
                err.detail[0] ? err.detail : "-", err.message);
        return 10 + (int)err.code;
    }
    puts("ok");
    return 0;
}
