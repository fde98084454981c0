#include <stdlib.h>
#include <string.h>

#include "backend/esxi/esx_exec.h"
#include "backend/esxi/esx_quote.h"
#include "check.h"

static char *joined(char **argv)
{
    char *s = esx_cmd_buildv((const char *const *)argv, NULL);
    return s;
}

int main(void)
{
    struct nl_security all = {NL_TRI_TRUE, NL_TRI_FALSE, NL_TRI_TRUE};
    char **argv = esx_argv_vswitch_security("vSwitch 'x'", &all);
    char *s = joined(argv);
    CHECK_STR(s, "'esxcli' 'network' 'vswitch' 'standard' 'policy' 'security' 'set' "
                 "'--vswitch-name=vSwitch '\\''x'\\''' '--allow-promiscuous=true' "
                 "'--allow-forged-transmits=false' '--allow-mac-change=true'");
    free(s);
    esx_argv_free(&argv);
    CHECK(argv == NULL);

    struct nl_security only = {NL_TRI_UNSET, NL_TRI_TRUE, NL_TRI_UNSET};
    argv = esx_argv_vswitch_security("vSwitch0", &only);
    s = joined(argv);
    CHECK_STR(s, "'esxcli' 'network' 'vswitch' 'standard' 'policy' 'security' 'set' "
                 "'--vswitch-name=vSwitch0' '--allow-forged-transmits=true'");
    free(s);
    esx_argv_free(&argv);

    struct nl_security none = {NL_TRI_UNSET, NL_TRI_UNSET, NL_TRI_UNSET};
    CHECK(esx_argv_vswitch_security("vSwitch0", &none) == NULL);
    CHECK(esx_argv_portgroup_security("pg", &none, false) == NULL);

    argv = esx_argv_portgroup_security("Trunk $(id)", NULL, true);
    s = joined(argv);
    CHECK_STR(s, "'esxcli' 'network' 'vswitch' 'standard' 'portgroup' 'policy' 'security' 'set' "
                 "'--portgroup-name=Trunk $(id)' '--use-vswitch'");
    free(s);
    esx_argv_free(&argv);

    argv = esx_argv_portgroup_security("T", &only, false);
    s = joined(argv);
    CHECK_STR(s, "'esxcli' 'network' 'vswitch' 'standard' 'portgroup' 'policy' 'security' 'set' "
                 "'--portgroup-name=T' '--allow-forged-transmits=true'");
    free(s);
    esx_argv_free(&argv);

    /* The executor table is complete and says "ssh". */
    struct ops_executor *ex = esx_executor_new(NULL);
    CHECK_STR(ex->transport, "ssh");
    CHECK(ex->set_vswitch_security && ex->add_portgroup && ex->remove_portgroup &&
          ex->set_portgroup && ex->set_nested_hv && ex->set_power && ex->reread);
    /* Nothing to set means nothing to run: no pool needed. */
    struct nl_err err = {0};
    static char hname[] = "h";
    struct nl_host h = {.name = hname};
    CHECK_INT(ex->set_vswitch_security(ex->ctx, &h, "vSwitch0", &none, &err), NL_OK);
    CHECK_INT(ex->add_portgroup(ex->ctx, &h, "vSwitch0", "pg", 5000, &err), NL_ERR_USAGE);
    esx_executor_free(&ex);
    CHECK(ex == NULL);
    return nl_check_done();
}
