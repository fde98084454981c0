#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/esxi/esx_vmx.h"
#include "check.h"
#include "fixture.h"

static void test_parse(void)
{
    size_t len;
    char *data = fixture_read("n-esx01.vmx", &len);
    struct esx_vmx *v = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_vmx_parse(data, len, &v, &err), NL_OK);
    CHECK_STR(esx_vmx_get(v, "displayName"), "n-esx01 \"quoted\" |pipe");
    CHECK_STR(esx_vmx_get(v, "GUESTOS"), "vmkernel65");
    CHECK_INT(esx_vmx_bool(v, "vhv.enable"), NL_TRI_TRUE); /* the later line wins */
    CHECK_INT(esx_vmx_hw_version(v), 10);
    char *u = esx_uuid_normalize(esx_vmx_get(v, "uuid.bios"));
    CHECK_STR(u, "564d9b2a-3a7c-1f22-a51f-0a7e9644435c");
    free(u);
    CHECK(esx_vmx_get(v, "nosuch") == NULL);
    CHECK_INT(esx_vmx_bool(v, "nosuch"), NL_TRI_UNSET);
    esx_vmx_free(&v);
    free(data);

    data = fixture_read("broken.vmx", &len);
    CHECK_INT(esx_vmx_parse(data, len, &v, &err), NL_ERR_PARSE);
    CHECK(strstr(err.message, "Line 1") != NULL);
    free(data);
    nl_err_clear(&err);
    CHECK_INT(esx_vmx_parse("just garbage\n", 13, &v, &err), NL_ERR_PARSE);
    nl_err_clear(&err);
    CHECK_INT(esx_vmx_parse("a = \"b\"\0c", 9, &v, &err), NL_ERR_PARSE);
    CHECK(v == NULL);
    nl_err_clear(&err);
    CHECK_INT(esx_vmx_parse("", 0, &v, &err), NL_OK);
    CHECK(v && v->n == 0);
    esx_vmx_free(&v);
    CHECK_INT(esx_vmx_parse("k = unquoted value \r\n", 20, &v, &err), NL_OK);
    CHECK_STR(esx_vmx_get(v, "k"), "unquoted value");
    esx_vmx_free(&v);
}

static void test_uuid(void)
{
    char *u = esx_uuid_normalize("0x56 0x4D 0x12 0x34 0x56 0x78 0x9a 0xbc 0xde 0xf0 0x12 0x34 0x56 "
                                 "0x78 0x9a 0xbc");
    CHECK_STR(u, "564d1234-5678-9abc-def0-123456789abc");
    free(u);
    u = esx_uuid_normalize("564D1234-5678-9ABC-DEF0-123456789ABC");
    CHECK_STR(u, "564d1234-5678-9abc-def0-123456789abc");
    free(u);
    CHECK(esx_uuid_normalize("564d1234") == NULL);
    CHECK(esx_uuid_normalize("564d1234-5678-9abc-def0-123456789abcz") == NULL);
    CHECK(esx_uuid_normalize("564d1234-5678-9abc-def0-123456789abc00") == NULL);
    CHECK(esx_uuid_normalize(NULL) == NULL);
}

/* The command really edits a file the intended way when run by a POSIX shell with sed. */
static void test_nested_hv_cmd(void)
{
    struct nl_err err = {0};
    char *cmd = esx_vmx_nested_hv_cmd("/vmfs/volumes/ds 1/it's $(x)/a.vmx", true, &err);
    CHECK_STR(cmd, "'sed' '-i' '-e' '$a vhv.enable = \"TRUE\"' '-e' "
                   "'/^[[:space:]]*[vV][hH][vV]\\.[eE][nN][aA][bB][lL][eE][[:space:]]*=/d' "
                   "'/vmfs/volumes/ds 1/it'\\''s $(x)/a.vmx'");
    free(cmd);
    CHECK(esx_vmx_nested_hv_cmd("relative.vmx", true, &err) == NULL);
    CHECK_INT(err.code, NL_ERR_USAGE);

    char dir[] = "/tmp/esx_vmx_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[256];
    snprintf(path, sizeof(path), "%s/it's a $(vm).vmx", dir);
    FILE *f = fopen(path, "w");
    fputs("displayName = \"x\"\nvhv.enable = \"FALSE\"\nvhv.enable = \"FALSE\"\nguestOS = \"y\"\n",
          f);
    fclose(f);
    nl_err_clear(&err);
    cmd = esx_vmx_nested_hv_cmd(path, true, &err);
    CHECK(cmd && system(cmd) == 0);
    free(cmd);
    size_t len;
    f = fopen(path, "r");
    char buf[512] = {0};
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    CHECK_STR(buf, "displayName = \"x\"\nguestOS = \"y\"\nvhv.enable = \"TRUE\"\n");

    /* The pitfall: the file ends with a vhv.enable line (turned off, now on again). */
    f = fopen(path, "w");
    fputs("displayName = \"x\"\nvhv.enable = \"FALSE\"\n", f);
    fclose(f);
    cmd = esx_vmx_nested_hv_cmd(path, true, &err);
    CHECK(cmd && system(cmd) == 0);
    free(cmd);
    f = fopen(path, "r");
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    CHECK_STR(buf, "displayName = \"x\"\nvhv.enable = \"TRUE\"\n");
    unlink(path);
    rmdir(dir);
}

/* Writes text to path, runs the nested-HV edit on it with sh and sed, returns the result. */
static char *edit_file(const char *path, const char *text, bool on)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    struct nl_err err = {0};
    char *cmd = esx_vmx_nested_hv_cmd(path, on, &err);
    CHECK(cmd && system(cmd) == 0);
    free(cmd);
    static char buf[1024];
    f = fopen(path, "r");
    size_t len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* One rule decides what a vhv.enable line is: every spelling the parser reads as vhv.enable
 * (any case, blanks around the key) is removed by the edit, and nothing else is. */
static const char *const vhv_lines[] = {
    "vhv.enable = \"FALSE\"",     "VHV.enable = \"FALSE\"", "  vhv.ENABLE=\"false\"",
    "\tVhV.EnAbLe\t =  \"no\"",   "vhv.enable= \"FALSE\"",  "vhv.enable \t= \"0\"",
    " \t VHV.ENABLE = \"FALSE\"",
};
static const char *const other_lines[] = {
    "vhv.enablex = \"FALSE\"",  "vhv.enable.x = \"FALSE\"", "xvhv.enable = \"FALSE\"",
    "# vhv.enable = \"FALSE\"", "vhvXenable = \"FALSE\"",   "displayName = \"vhv.enable = x\"",
};

static void test_vhv_rule(void)
{
    struct nl_err err = {0};
    char *bre = esx_vmx_key_bre("vhv.enable", &err);
    regex_t re;
    CHECK(bre && regcomp(&re, bre, 0) == 0);
    for (size_t i = 0; i < sizeof(vhv_lines) / sizeof(vhv_lines[0]); i++) {
        struct esx_vmx *v = NULL;
        CHECK(esx_vmx_parse(vhv_lines[i], strlen(vhv_lines[i]), &v, &err) == NL_OK);
        CHECK_INT(esx_vmx_bool(v, "vhv.enable") != NL_TRI_UNSET, 1);
        CHECK_INT(regexec(&re, vhv_lines[i], 0, NULL, 0), 0);
        esx_vmx_free(&v);
    }
    for (size_t i = 0; i < sizeof(other_lines) / sizeof(other_lines[0]); i++) {
        struct esx_vmx *v = NULL;
        CHECK(esx_vmx_parse(other_lines[i], strlen(other_lines[i]), &v, &err) == NL_OK);
        CHECK(esx_vmx_get(v, "vhv.enable") == NULL);
        CHECK(regexec(&re, other_lines[i], 0, NULL, 0) != 0);
        esx_vmx_free(&v);
    }
    regfree(&re);
    free(bre);
    CHECK(esx_vmx_key_bre("a b", &err) == NULL);
    CHECK(esx_vmx_key_bre("x[1]", &err) == NULL);

    /* The edit through sh and sed: after it, the parser reads exactly the value written. */
    char dir[] = "/tmp/esx_vhv_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[256];
    snprintf(path, sizeof(path), "%s/a.vmx", dir);
    char text[1024] = "displayName = \"x\"\n";
    size_t used = strlen(text);
    for (size_t i = 0; i < sizeof(vhv_lines) / sizeof(vhv_lines[0]); i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", vhv_lines[i]);
    snprintf(text + used, sizeof(text) - used, "%s",
             "VHV.enable = \"FALSE\"\nguestOS = \"y\"\n  vhv.ENABLE=\"false\"\n");
    const char *out = edit_file(path, text, true);
    CHECK_STR(out, "displayName = \"x\"\nguestOS = \"y\"\nvhv.enable = \"TRUE\"\n");
    struct esx_vmx *v = NULL;
    CHECK(esx_vmx_parse(out, strlen(out), &v, &err) == NL_OK);
    CHECK_INT(esx_vmx_bool(v, "vhv.enable"), NL_TRI_TRUE);
    esx_vmx_free(&v);
    out = edit_file(path, "VHV.ENABLE = \"TRUE\"\nvhv.enablex = \"1\"\n", false);
    CHECK_STR(out, "vhv.enablex = \"1\"\nvhv.enable = \"FALSE\"\n");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    test_parse();
    test_uuid();
    test_nested_hv_cmd();
    test_vhv_rule();
    return nl_check_done();
}
