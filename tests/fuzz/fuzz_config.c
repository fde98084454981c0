/* The configuration file (config.json), and the lookups the console makes on it. */
#include "fuzz.h"

#include "backend/core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct nl_config cfg = {0};
    struct nl_err err = {0};
    if (nl_config_parse(text, "fuzz.json", &cfg, &err) == NL_OK) {
        struct nl_endpoint_cfg *ep = nl_config_endpoint(&cfg, NULL);
        for (size_t i = 0; i < cfg.n_endpoints; i++) {
            nl_config_endpoint(&cfg, cfg.endpoints[i].name);
            const struct nl_ssh_cfg *ssh = &cfg.endpoints[i].ssh;
            for (size_t h = 0; h < ssh->n_hosts; h++)
                nl_ssh_cfg_host(ssh, ssh->hosts[h].name);
        }
        if (ep)
            nl_ssh_cfg_host(&ep->ssh, "absent.invalid");
        nl_config_add_endpoint(&cfg, "added");
    }
    nl_config_free(&cfg);
    free(text);
    return 0;
}
