/* Real formats: every ESXi-side file in ../shared/real-formats (NL_REAL_FORMATS) through its
 * parser, with the values the file really holds (see each FILE.source for where it came from).
 * Every file of a folder is tried, so a file added there is tested at least for "parses"; the
 * files a parser refuses for a good reason are listed in `refused` with that reason. A missing
 * folder is a failure (real_formats.h).
 *
 *   esxcli   esx_xml_parse     (esxcli --formatter=xml over SSH)
 *   vimcmd   esx_getallvms_parse or esx_power_parse (whichever the output is)
 *   vmx      esx_vmx_parse
 *   esxtop   esx_esxtop_parse and perf_esxtop_parse (the two esxtop readers) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/esxi/esx_esxtop.h"
#include "backend/esxi/esx_vimcmd.h"
#include "backend/esxi/esx_vmx.h"
#include "backend/esxi/esx_xml.h"
#include "backend/perf/perf_esxtop.h"
#include "check.h"
#include "real_formats.h"

/* Files a parser refuses on purpose, and why. */
static const struct {
    const char *file, *parser, *why;
} refused[] = {
    /* esxcli through the vSphere API (govc host.esxcli) serialises as <obj xmlns="urn:vim25">
     * with DataObject elements; nestlab runs esxcli --formatter=xml over SSH, whose <output>
     * document is what esx_xml_parse reads. The refusal must be a clear parse error. */
    {"govmomi_esxcli_vimapi_network_vm_list.xml", "esxcli", "VIM API serialisation"},
    {"govmomi_esxcli_vimapi_network_vm_port_list.xml", "esxcli", "VIM API serialisation"},
    {"govmomi_esxcli_vimapi_system_hostname_get.xml", "esxcli", "VIM API serialisation"},
    /* A spreadsheet re-save of esxtop data with a hand-picked subset of columns: it has no
     * "Physical Cpu(_Total)" column, which real esxtop batch output always has, and its
     * timestamps lost their seconds. perf_esxtop_parse refuses it (no CPU series to build);
     * esx_esxtop_parse, a plain table reader, takes it (unquoted CSV cells are valid CSV). */
    {"visualesxtop_excel_resaved_NOT_verbatim_pcpu_mem.csv", "perf_esxtop", "no _Total column"},
};

static const char *refusal(const char *file, const char *parser)
{
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (strcmp(refused[i].file, file) == 0 && strcmp(refused[i].parser, parser) == 0)
            return refused[i].why;
    return NULL;
}

struct kind_check {
    const char *kind;
    void (*fn)(const char *name, const char *data, size_t len);
};

/* rf_each callback: reads the file and hands it to the check. */
static void read_and_check(const char *name, void *arg)
{
    const struct kind_check *k = arg;
    size_t len;
    char *data = rf_read(k->kind, name, &len);
    k->fn(name, data, len);
    free(data);
}

/* Every data file of kind through fn; returns how many there were. */
static int each_file(const char *kind, void (*fn)(const char *, const char *, size_t))
{
    struct kind_check k = {kind, fn};
    return rf_each(kind, read_and_check, &k);
}

/* Reports a parse result against the expectation for the file. */
static void expect(const char *file, const char *parser, enum nl_code rc, const struct nl_err *err)
{
    const char *why = refusal(file, parser);
    if (why) {
        CHECK_INT(rc, NL_ERR_PARSE);
        CHECK(err->message[0] != '\0');
        printf("%-55s %-12s refused as expected (%s): %s\n", file, parser, why, err->message);
    } else {
        CHECK_INT(rc, NL_OK);
        printf("%-55s %-12s %s%s\n", file, parser, rc ? "FAILED: " : "ok", rc ? err->message : "");
    }
}

/* ---- esxcli ------------------------------------------------------------------------------ */

static void check_str_field(const struct esx_record *r, const char *name, const char *want)
{
    const char *got = esx_record_str(r, name);
    if (!got || strcmp(got, want) != 0)
        fprintf(stderr, "field %s\n", name);
    CHECK_STR(got, want);
}

static long long int_field(const struct esx_record *r, const char *name)
{
    long long v = -1;
    CHECK(esx_record_int(r, name, &v));
    return v;
}

static void vm_process_list(const struct esx_records *r)
{
    /* 5 VMs of an ESXi 8.0 host: a vCLS agent, a vSAN File Service node, three others. */
    CHECK_INT(r->n, 5);
    if (r->n != 5)
        return;
    static const char *const names[] = {"vCLS-b4a3a15f-b274-44f1-8b47-b5de5d4093e1",
                                        "vSAN File Service Node (2)", "vf-test-hcpdj-9x89b",
                                        "vf-test-np1-h5mtj-9cf8fdcf6xcfln5-k9jcm", "TCA-M3.0"};
    static const long long worlds[] = {22541454, 2103350, 2105117, 2105156, 2292961};
    for (size_t i = 0; i < 5; i++) {
        CHECK_STR(r->items[i].type_name, "VirtualMachine");
        check_str_field(&r->items[i], "DisplayName", names[i]);
        CHECK_INT(int_field(&r->items[i], "WorldID"), worlds[i]);
    }
    check_str_field(&r->items[0], "ConfigFile",
                    "/vmfs/volumes/656f00b6-29f117d2-edca-78ac4407b2c6/"
                    "vCLS-b4a3a15f-b274-44f1-8b47-b5de5d4093e1/"
                    "vCLS-b4a3a15f-b274-44f1-8b47-b5de5d4093e1.vmx");
    check_str_field(&r->items[1], "ConfigFile",
                    "/vmfs/volumes/vsan:523d6567f1251470-01fff6533f4bec49/"
                    "7c788d65-080c-0bbd-a559-78ac4407b2c6/vSAN File Service Node (2).vmx");
    char *uuid = esx_uuid_normalize(esx_record_str(&r->items[0], "UUID"));
    CHECK_STR(uuid, "42364950-7c48-2a8b-18b5-48e10ddb9a37");
    free(uuid);
}

static void nic_list(const struct esx_records *r)
{
    CHECK_INT(r->n, 8);
    if (r->n != 8)
        return;
    static const char *const link[] = {"Up", "Up", "Down", "Down", "Up", "Up", "Up", "Up"};
    static const long long mtu[] = {1500, 1500, 1500, 1500, 1500, 9000, 9000, 1500};
    static const long long speed[] = {10000, 10000, 0, 0, 40000, 40000, 25000, 25000};
    for (size_t i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof(name), "vmnic%zu", i);
        CHECK_STR(r->items[i].type_name, "Nic");
        check_str_field(&r->items[i], "Name", name);
        check_str_field(&r->items[i], "Link", link[i]);
        CHECK_INT(int_field(&r->items[i], "MTU"), mtu[i]);
        CHECK_INT(int_field(&r->items[i], "Speed"), speed[i]);
    }
    check_str_field(&r->items[0], "Description", "Intel(R) Ethernet Controller X550");
    check_str_field(&r->items[0], "Driver", "ixgben");
    check_str_field(&r->items[0], "DPUId", "N/A"); /* the ESXi 8.0 field */
}

static int esxcli_known;

static void esxcli_file(const char *name, const char *data, size_t len)
{
    struct esx_records *r = NULL;
    struct nl_err err = {0};
    enum nl_code rc = esx_xml_parse(data, len, &r, &err);
    expect(name, "esxcli", rc, &err);
    if (rc == NL_OK && strcmp(name, "warlock_esxi80_vm_process_list.xml") == 0) {
        vm_process_list(r);
        esxcli_known++;
    } else if (rc == NL_OK && strcmp(name, "warlock_esxi80_network_nic_list.xml") == 0) {
        nic_list(r);
        esxcli_known++;
    }
    esx_records_free(&r);
}

/* ---- vim-cmd ----------------------------------------------------------------------------- */

static int vimcmd_known;

static void vimcmd_file(const char *name, const char *data, size_t len)
{
    (void)len;
    struct esx_vm_list *l = NULL;
    struct nl_err e1 = {0}, e2 = {0};
    enum nl_power power = NL_POWER_UNKNOWN;
    enum nl_code list_rc = esx_getallvms_parse(data, &l, &e1);
    enum nl_code power_rc = esx_power_parse(data, &power, &e2);
    /* Each capture is one command's output: exactly one of the two readers takes it. */
    CHECK((list_rc == NL_OK) != (power_rc == NL_OK));
    expect(name, list_rc == NL_OK ? "getallvms" : "power", list_rc == NL_OK ? list_rc : power_rc,
           list_rc == NL_OK ? &e1 : &e2);
    if (strcmp(name, "wtsi_vmsvc_getallvms_1vm.txt") == 0) {
        /* Centred header, the row padded with 14 trailing spaces (empty annotation). */
        CHECK(l && l->n == 1);
        if (l && l->n == 1) {
            CHECK_INT(l->items[0].vmid, 40);
            CHECK_STR(l->items[0].name, "packer-vmware-iso");
            CHECK_STR(l->items[0].file,
                      "[wtgc-vmbd-01:datastore1] packer-vmware-iso/packer-vmware-iso.vmx");
            CHECK_STR(l->items[0].guest, "ubuntu64Guest");
            CHECK_STR(l->items[0].version, "vmx-08");
            CHECK_INT(esx_hw_version_parse(l->items[0].version), 8);
            CHECK_STR(l->items[0].annotation, "");
            char *p = esx_datastore_path(l->items[0].file);
            CHECK_STR(p, "/vmfs/volumes/wtgc-vmbd-01:datastore1/packer-vmware-iso/"
                         "packer-vmware-iso.vmx");
            free(p);
        }
        vimcmd_known++;
    } else if (strcmp(name, "wtsi_vmsvc_power.getstate_powered_off.txt") == 0) {
        CHECK_INT(power_rc, NL_OK);
        CHECK_INT(power, NL_POWER_OFF);
        vimcmd_known++;
    }
    esx_vm_list_free(&l);
}

/* ---- .vmx -------------------------------------------------------------------------------- */

static int vmx_known;

static void vmx_file(const char *name, const char *data, size_t len)
{
    struct esx_vmx *v = NULL;
    struct nl_err err = {0};
    enum nl_code rc = esx_vmx_parse(data, len, &v, &err);
    expect(name, "vmx", rc, &err);
    if (rc)
        return;
    /* Both are real ESXi 8.0 files of ordinary (not nested) VMs: no vhv.enable. */
    char *uuid = esx_uuid_normalize(esx_vmx_get(v, "uuid.bios"));
    if (strcmp(name, "libvirt_esx-in-the-wild-16_esxi80_NOT_nested.vmx") == 0) {
        CHECK_INT(v->n, 91); /* every line a distinct key */
        CHECK_STR(v->keys[0], ".encoding");
        CHECK_STR(esx_vmx_get(v, "displayName"), "Auto-esx8.0-rhel9.4-efi-nvme-disk");
        CHECK_STR(esx_vmx_get(v, "guestOS"), "rhel9-64");
        CHECK_STR(esx_vmx_get(v, "memsize"), "2048"); /* the file spells it memSize */
        CHECK_STR(esx_vmx_get(v, "ethernet0.networkName"), "VM Network");
        CHECK_STR(esx_vmx_get(v, "ethernet0.virtualDev"), "vmxnet3");
        CHECK_STR(uuid, "4220df89-e3a8-8513-f611-ad252bfd7047");
        const char *gi = esx_vmx_get(v, "guestInfo.detailed.data");
        CHECK(gi && strstr(gi, "prettyName='Red Hat Enterprise Linux 9.4 Beta (Plow)'"));
        vmx_known++;
    } else if (strcmp(name, "libvirt_esx-in-the-wild-17_esxi80_NOT_nested.vmx") == 0) {
        CHECK_INT(v->n, 106);
        CHECK_STR(esx_vmx_get(v, "displayName"), "esx8.0-win11-with-second-disk-in-subfolder");
        CHECK_STR(esx_vmx_get(v, "guestOS"), "windows2019srvNext-64");
        CHECK_STR(esx_vmx_get(v, "numvcpus"), "2");
        CHECK_STR(esx_vmx_get(v, "memSize"), "4096");
        CHECK_STR(esx_vmx_get(v, "ethernet0.networkName"), "Mgmt Network");
        CHECK_STR(esx_vmx_get(v, "ethernet0.virtualDev"), "e1000e");
        CHECK_STR(uuid, "42256ec1-e066-9364-3dd1-36a0b75263dd");
        vmx_known++;
    }
    if (strstr(name, "NOT_nested")) {
        CHECK_INT(esx_vmx_hw_version(v), 20);
        CHECK_INT(esx_vmx_bool(v, "ethernet0.present"), NL_TRI_TRUE);
        CHECK(esx_vmx_get(v, "vhv.enable") == NULL);
    }
    free(uuid);
    esx_vmx_free(&v);
}

/* ---- esxtop ------------------------------------------------------------------------------ */

static int esxtop_known;

static double value(const struct esx_esxtop *t, size_t r, ssize_t c)
{
    double v = -1;
    CHECK(esx_esxtop_value(t, r, c, &v));
    return v;
}

static void esxtop_file(const char *name, const char *data, size_t len)
{
    struct esx_esxtop *t = NULL;
    struct nl_err err = {0};
    enum nl_code rc = esx_esxtop_parse(data, len, &t, &err);
    expect(name, "esx_esxtop", rc, &err);
    struct perf_batch *b = NULL;
    struct nl_err perr = {0};
    expect(name, "perf_esxtop", perf_esxtop_parse(data, len, "host-1", 2, &b, &perr), &perr);
    perf_batch_free(&b);
    if (rc == NL_OK && strcmp(name, "visualesxtop_excel_resaved_NOT_verbatim_pcpu_mem.csv") == 0) {
        CHECK_INT(t->n_columns, 12);
        CHECK_INT(t->n_rows, 514);
        CHECK_STR(t->columns[0], "(PDH-CSV 4.0) (UTC)(0)");
        struct esx_counter_name parts = {0};
        CHECK(esx_esxtop_split(t->columns[1], &parts));
        CHECK_STR(parts.host, "proma-2n-dhcp60.eng.vmware.com");
        CHECK_STR(parts.object, "Physical Cpu");
        CHECK_STR(parts.instance, "0");
        CHECK_STR(parts.counter, "% Processor Time");
        esx_counter_name_clear(&parts);
        ssize_t p0 = esx_esxtop_column(t, "Physical Cpu", "0", "% Processor Time");
        ssize_t u1 = esx_esxtop_column(t, "Physical Cpu", "1", "% Util Time");
        ssize_t kern = esx_esxtop_column(t, "Memory", NULL, "Kernel MBytes");
        CHECK_INT(p0, 1);
        CHECK_INT(u1, 4);
        CHECK(esx_esxtop_column(t, "Physical Cpu", "_Total", "% Util Time") < 0);
        if (p0 > 0 && u1 > 0 && kern > 0 && t->n_rows == 514) {
            CHECK_STR(t->rows[0][0], "3/26/2015 22:42");
            CHECK(value(t, 0, p0) == 24.41);
            CHECK(value(t, 0, u1) == 40.86);
            CHECK(value(t, 0, kern) == 1087);
            CHECK_STR(t->rows[513][0], "3/26/2015 23:29");
            CHECK(value(t, 513, p0) == 11.2);
            CHECK(value(t, 513, u1) == 10.92);
        }
        esxtop_known++;
    }
    esx_esxtop_free(&t);
}

int main(void)
{
    CHECK(each_file("esxcli", esxcli_file) >= 5);
    CHECK(each_file("vimcmd", vimcmd_file) >= 2);
    CHECK(each_file("vmx", vmx_file) >= 2);
    CHECK(each_file("esxtop", esxtop_file) >= 1);
    /* The files whose values are checked above were all met. */
    CHECK_INT(esxcli_known, 2);
    CHECK_INT(vimcmd_known, 2);
    CHECK_INT(vmx_known, 2);
    CHECK_INT(esxtop_known, 1);
    return nl_check_done();
}
