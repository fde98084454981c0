/* Hostile sizes for the vim-cmd and .vmx parsers: inputs a broken or hostile host can print, each
 * of which took quadratic time (minutes to hours). ctest's TIMEOUT for this test is the check;
 * the parsers take well under a second on each. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/esxi/esx_vimcmd.h"
#include "backend/esxi/esx_vmx.h"
#include "check.h"

#define LINES 200000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Appends printf output to a growing string. */
static void add(char **s, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
    if (*len + 128 > *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        *s = realloc(*s, *cap);
        if (!*s)
            exit(1);
    }
    va_list ap;
    va_start(ap, fmt);
    *len += (size_t)vsnprintf(*s + *len, *cap - *len, fmt, ap);
    va_end(ap);
}

/* 200,000 distinct keys, then every key again in other case: the duplicate scan compared each
 * key with every earlier one. Later duplicates win; the first spelling keeps its place. */
static void test_vmx_keys(void)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < LINES; i++)
        add(&s, &len, &cap, "key%d.present = \"v%d\"\n", i, i);
    for (int i = 0; i < LINES; i++)
        add(&s, &len, &cap, "KEY%d.Present = \"w%d\"\n", i, i);
    double t0 = now();
    struct esx_vmx *vmx = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_vmx_parse(s, len, &vmx, &err), NL_OK);
    printf(".vmx with %d lines: %.3f s\n", 2 * LINES, now() - t0);
    CHECK(vmx && vmx->n == LINES);
    if (vmx && vmx->n == LINES) {
        CHECK_STR(vmx->keys[0], "key0.present");
        CHECK_STR(vmx->values[0], "w0");
        CHECK_STR(vmx->keys[LINES - 1], "key199999.present");
        CHECK_STR(esx_vmx_get(vmx, "Key123456.PRESENT"), "w123456");
        CHECK(esx_vmx_get(vmx, "key200000.present") == NULL);
    }
    esx_vmx_free(&vmx);
    free(s);
}

/* One VM whose annotation has 200,000 continuation lines: each line re-copied the whole note. */
static void test_getallvms_annotation(void)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    add(&s, &len, &cap,
        "Vmid   Name   File   Guest OS   Version   Annotation\n%d   n   [ds] n/n.vmx   "
        "otherGuest   vmx-19   first%d\n",
        1, 0);
    for (int i = 0; i < LINES; i++)
        add(&s, &len, &cap, "  note line %d of %d  \n", i, LINES);
    double t0 = now();
    struct esx_vm_list *l = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_getallvms_parse(s, &l, &err), NL_OK);
    printf("getallvms with a %d-line annotation: %.3f s\n", LINES, now() - t0);
    CHECK(l && l->n == 1);
    if (l && l->n == 1) {
        const char *a = l->items[0].annotation;
        const char *head = "first0\nnote line 0 of 200000\nnote line 1 of";
        CHECK(strncmp(a, head, strlen(head)) == 0);
        size_t lines = 1;
        for (const char *p = a; (p = strchr(p, '\n')); p++)
            lines++;
        CHECK_INT(lines, LINES + 1);
        CHECK(strstr(a, "\nnote line 199999 of 200000") != NULL);
    }
    esx_vm_list_free(&l);
    free(s);
}

/* A row of 200,000 "[" candidates for the file column before the real one. */
static void test_getallvms_brackets(void)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    add(&s, &len, &cap, "Vmid   Name   File   Guest OS   Version   Annotation\n%d   n%d", 5, 0);
    for (int i = 0; i < LINES; i++)
        add(&s, &len, &cap, " [x%d", i);
    add(&s, &len, &cap, "   [ds] d/n.vmx   otherGuest   vmx-19   a\n");
    double t0 = now();
    struct esx_vm_list *l = NULL;
    struct nl_err err = {0};
    CHECK_INT(esx_getallvms_parse(s, &l, &err), NL_OK);
    printf("getallvms row with %d brackets: %.3f s\n", LINES, now() - t0);
    CHECK(l && l->n == 1);
    if (l && l->n == 1) {
        CHECK_STR(l->items[0].file, "[ds] d/n.vmx");
        CHECK_STR(l->items[0].version, "vmx-19");
        CHECK(strncmp(l->items[0].name, "n0 [x0 [x1", 10) == 0);
    }
    esx_vm_list_free(&l);
    free(s);
}

int main(void)
{
    test_vmx_keys();
    test_getallvms_annotation();
    test_getallvms_brackets();
    return nl_check_done();
}
