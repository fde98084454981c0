/* nl_lab_remove at scale: removing many objects one call at a time (a WaitForUpdatesEx full of
 * leave events, a host read over SSH that lost its VMs) rebuilt every id index per removal. The
 * lookups must stay right through removes and adds, and ctest's TIMEOUT for this test is the
 * check on the time. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backend/core/xmalloc.h"
#include "backend/model/lab.h"
#include "check.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct nl_lab *lab_with(int hosts, int vms)
{
    struct nl_lab *lab = nl_lab_new("remove");
    char id[64], host[64];
    for (int i = 0; i < hosts; i++) {
        snprintf(id, sizeof(id), "host-%d", i);
        xstrset(&nl_lab_add_host(lab, id)->name, id);
    }
    for (int i = 0; i < vms; i++) {
        snprintf(id, sizeof(id), "vm-%d", i);
        snprintf(host, sizeof(host), "host-%d", i % (hosts ? hosts : 1));
        struct nl_vm *vm = nl_lab_add_vm(lab, id);
        xstrset(&vm->name, id);
        xstrset(&vm->host_id, host);
    }
    return lab;
}

/* Every VM and host is where the arrays say, by id and (after linking) by name. */
static bool lookups_agree(struct nl_lab *lab)
{
    bool ok = true;
    for (size_t i = 0; i < lab->n_vms; i++)
        ok = ok && nl_lab_find_vm(lab, lab->vms[i].id) == &lab->vms[i] &&
             nl_lab_find_vm_by_name(lab, lab->vms[i].name) == &lab->vms[i];
    for (size_t i = 0; i < lab->n_hosts; i++)
        ok = ok && nl_lab_find_host(lab, lab->hosts[i].id) == &lab->hosts[i];
    return ok;
}

/* Removes, re-adds and removes again in a mixed order, checking every lookup against the arrays
 * as it goes. */
static void test_consistency(void)
{
    struct nl_lab *lab = lab_with(10, 300);
    char id[64];
    for (int round = 0; round < 3; round++) {
        for (int i = round; i < 300; i += 3 + round) {
            snprintf(id, sizeof(id), "vm-%d", (i * 7919) % 300);
            nl_lab_remove(lab, id);
            if (i % 5 == 0) {
                snprintf(id, sizeof(id), "vm-new-%d-%d", round, i);
                xstrset(&nl_lab_add_vm(lab, id)->name, id);
            }
        }
        CHECK(nl_lab_remove(lab, "host-3"));
        CHECK(!nl_lab_remove(lab, "host-3"));
        xstrset(&nl_lab_add_host(lab, "host-3")->name, "host-3");
        nl_lab_link(lab);
        CHECK(lookups_agree(lab));
    }
    CHECK(nl_lab_find_vm(lab, "vm-0") == NULL);
    CHECK(nl_lab_find_host(lab, "host-3") == &lab->hosts[lab->n_hosts - 1]);
    /* Ids are found again after a clone. */
    struct nl_lab *copy = nl_lab_clone(lab);
    CHECK_INT(copy->n_vms, lab->n_vms);
    CHECK(lookups_agree(copy));
    nl_lab_free(&copy);
    nl_lab_free(&lab);
}

/* 5,000 VMs removed one by one, oldest first (the order leave events arrive in), then 20,000
 * of 40,000 newest first (the order an SSH re-read drops a host's VMs), with the hosts kept.
 * Index work is O(log n) per removal; what remains is shifting the later objects down (a
 * memmove), which is why the first case is smaller. Before: 3 s and 145 s (ASan build). */
static void test_many_removals(void)
{
    struct nl_lab *lab = lab_with(500, 5000);
    char id[64];
    double t0 = now();
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "vm-%d", i);
        CHECK(nl_lab_remove(lab, id));
    }
    double t1 = now();
    printf("removed 5000 of 5000 VMs oldest first: %.3f s\n", t1 - t0);
    CHECK_INT(lab->n_vms, 0);
    CHECK_INT(lab->n_hosts, 500);
    nl_lab_free(&lab);

    lab = lab_with(500, 40000);
    t0 = now();
    for (int i = 39999; i >= 20000; i--) {
        snprintf(id, sizeof(id), "vm-%d", i);
        CHECK(nl_lab_remove(lab, id));
    }
    t1 = now();
    printf("removed 20000 of 40000 VMs newest first: %.3f s\n", t1 - t0);
    nl_lab_link(lab);
    CHECK_INT(lab->n_vms, 20000);
    CHECK(lookups_agree(lab));
    CHECK(nl_lab_find_vm(lab, "vm-20000") == NULL);
    CHECK(nl_lab_find_vm(lab, "vm-19999") == &lab->vms[19999]);
    CHECK_INT(lab->vms[19999].host, 19999 % 500);
    nl_lab_free(&lab);
}

int main(void)
{
    test_consistency();
    test_many_removals();
    return nl_check_done();
}
