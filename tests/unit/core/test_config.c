#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/config.h"
#include "check.h"

static const char *good =
    "{\"endpoints\":[{\"name\":\"vc-lab\",\"url\":\"https://127.0.0.1:8989/sdk\","
    "\"user\":\"administrator@vsphere.local\",\"thumbprint\":\"AB:CD\","
    "\"ssh\":{\"user\":\"root\",\"known_hosts\":\"/tmp/kh\",\"hosts\":{"
    "\"esx-p01.lab.invalid\":{\"address\":\"127.0.0.1\",\"port\":2201},"
    "\"esx 'odd' <name>\":{\"port\":2202}}}},"
    "{\"name\":\"direct\",\"ssh_only\":true}],\"theme\":\"dark\"}";

static enum nl_code parse(const char *text, struct nl_err *err)
{
    struct nl_config cfg;
    nl_err_clear(err);
    enum nl_code rc = nl_config_parse(text, "test.json", &cfg, err);
    if (rc == NL_OK)
        nl_config_free(&cfg);
    return rc;
}

int main(void)
{
    struct nl_err err = {0};
    struct nl_config cfg;

    CHECK_INT(nl_config_parse(good, "test.json", &cfg, &err), NL_OK);
    CHECK_INT(cfg.n_endpoints, 2);
    CHECK_STR(cfg.theme, "dark");
    struct nl_endpoint_cfg *ep = nl_config_endpoint(&cfg, NULL);
    CHECK_STR(ep->name, "vc-lab");
    CHECK_STR(ep->password_env, "NESTLAB_PASSWORD"); /* default */
    CHECK_STR(ep->ssh.password_env, "NESTLAB_SSH_PASSWORD");
    CHECK_INT(ep->ssh.timeout_s, 10);
    CHECK_INT(ep->ssh.command_timeout_s, 60);
    CHECK_INT(ep->ssh.n_hosts, 2);
    const struct nl_ssh_host_cfg *h = nl_ssh_cfg_host(&ep->ssh, "esx-p01.lab.invalid");
    CHECK(h && h->port == 2201);
    CHECK_STR(h ? h->address : NULL, "127.0.0.1");
    h = nl_ssh_cfg_host(&ep->ssh, "esx 'odd' <name>");
    CHECK(h && h->address == NULL && h->port == 2202);
    CHECK(nl_config_endpoint(&cfg, "direct")->ssh_only);
    CHECK(nl_config_endpoint(&cfg, "nope") == NULL);
    nl_config_free(&cfg);

    /* Each malformed shape gets a sentence naming what is wrong, never a crash. */
    CHECK_INT(parse("{", &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "not valid JSON") != NULL);
    CHECK_INT(parse("[]", &err), NL_ERR_USAGE);
    CHECK_INT(parse("{\"endpoints\":{}}", &err), NL_ERR_USAGE);
    CHECK_INT(parse("{\"endpoints\":[{\"url\":\"x\"}]}", &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "\"name\"") != NULL);
    CHECK_INT(parse("{\"endpoints\":[{\"name\":\"a\",\"url\":5}]}", &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "\"url\"") != NULL);
    CHECK_INT(parse("{\"endpoints\":[{\"name\":\"a\"}]}", &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "ssh_only") != NULL);
    CHECK_INT(parse("{\"endpoints\":[{\"name\":\"a\",\"url\":\"u\",\"ssh\":{\"port\":1,"
                    "\"hosts\":{\"h\":{\"port\":70000}}}}]}",
                    &err),
              NL_ERR_USAGE);
    CHECK(strstr(err.message, "65535") != NULL);
    /* A password in the file is refused outright: nestlab never stores or reads them there. */
    CHECK_INT(parse("{\"endpoints\":[{\"name\":\"a\",\"url\":\"u\",\"password\":\"x\"}]}", &err),
              NL_ERR_USAGE);
    CHECK(strstr(err.message, "never reads passwords") != NULL);
    CHECK_INT(parse("{\"theme\":\"a\",\"theme\":\"b\"}", &err), NL_ERR_USAGE);

    /* Files: others may not read it; a missing file may be allowed. */
    char dir[] = "/tmp/nl-cfg-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    CHECK_INT(nl_config_load(path, true, &cfg, &err), NL_OK);
    CHECK_INT(cfg.n_endpoints, 0);
    nl_config_free(&cfg);
    nl_err_clear(&err);
    CHECK_INT(nl_config_load(path, false, &cfg, &err), NL_ERR_USAGE);
    FILE *f = fopen(path, "w");
    fputs(good, f);
    fclose(f);
    chmod(path, 0644);
    nl_err_clear(&err);
    CHECK_INT(nl_config_load(path, false, &cfg, &err), NL_ERR_USAGE);
    CHECK(strstr(err.message, "chmod 600") != NULL);
    chmod(path, 0600);
    nl_err_clear(&err);
    CHECK_INT(nl_config_load(path, false, &cfg, &err), NL_OK);
    CHECK_STR(cfg.path, path);
    nl_config_free(&cfg);
    unlink(path);
    rmdir(dir);

    /* A password comes from the one environment variable named, never from another one: the
     * vCenter password in NESTLAB_PASSWORD must not become root's password on the hosts. */
    unsetenv("NESTLAB_PASSWORD");
    unsetenv("NESTLAB_SSH_PASSWORD");
    setenv("NL_TEST_PW", "s3cr&t<'\"", 1);
    char *pw = nl_password_get("NL_TEST_PW", "Password: ", false, &err);
    CHECK_STR(pw, "s3cr&t<'\"");
    nl_secret_free(&pw);
    CHECK(pw == NULL);
    unsetenv("NL_TEST_PW");
    setenv("NESTLAB_PASSWORD", "the-sso-password", 1);
    nl_err_clear(&err);
    pw = nl_password_get("NL_TEST_PW", "Password: ", false, &err);
    CHECK(pw == NULL);
    nl_secret_free(&pw);
    CHECK_INT(err.code, NL_ERR_AUTH);
    CHECK(strstr(err.message, "NL_TEST_PW") != NULL);
    nl_err_clear(&err);
    pw = nl_password_get("NESTLAB_SSH_PASSWORD", "Password: ", false, &err);
    CHECK(pw == NULL); /* the SSH default does not fall back to the vCenter password */
    nl_secret_free(&pw);
    pw = nl_password_get("NESTLAB_PASSWORD", "Password: ", false, &err);
    CHECK_STR(pw, "the-sso-password"); /* named on purpose: fine */
    nl_secret_free(&pw);
    setenv("NL_TEST_PW", "", 1);
    nl_err_clear(&err);
    CHECK(nl_password_get("NL_TEST_PW", "Password: ", false, &err) == NULL); /* empty = unset */
    unsetenv("NL_TEST_PW");
    unsetenv("NESTLAB_PASSWORD");
    return nl_check_done();
}
