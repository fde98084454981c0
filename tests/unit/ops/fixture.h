/* Test-only helpers for the ops unit tests: small hand-built labs, a state dump to compare labs,
 * and a FAKE executor that mutates an nl_lab so verification and undo can be checked. */
#ifndef NL_TESTS_OPS_FIXTURE_H
#define NL_TESTS_OPS_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>

#include "backend/model/lab.h"
#include "backend/ops/executor.h"

/* The standard small lab (all hosts connected unless said, vSwitch0 on every host):
 *   cluster Physical: esx-p01.lab.invalid (security reject/accept/accept, no trunk),
 *                     esx-p02.lab.invalid (accept/accept/accept, "Trunk" VLAN 4095),
 *                     esx-p03.lab.invalid (reject/accept/accept, "Trunk" VLAN 100 with a
 *                       promiscuous=reject override)
 *   cluster Nested-A: esx-n01.lab.invalid (backed by n-esx01), esx-n02.lab.invalid (backed by
 *                     n-esx02, not responding)
 *   VMs: n-esx01 on p01 vmx-10 nested off powered off; n-esx02 on p01 vmx-10 nested off
 *        powered on; n-esx03 on p02 vmx-08 nested off powered off; kvm01 on p02 nested on
 *        powered on (guest otherLinux64Guest); web01 on n01 (guest). */
struct nl_lab *fx_lab_small(void);
/* n physical hosts "esx-NNN.lab.invalid" in cluster "Big", vSwitch0 reject everywhere. */
struct nl_lab *fx_lab_many(size_t n);
/* A canonical text of everything ops can change (sorted, so order does not matter). */
char *fx_lab_state(const struct nl_lab *lab);

struct ops_scope;
struct ops_plan;
/* Every host of cluster (NULL: the whole lab). */
struct ops_scope *fx_scope(const struct nl_lab *lab, const char *cluster);
/* Promiscuous, forged transmits and MAC changes accept on vSwitch0 of every host of cluster. */
struct ops_plan *fx_security_plan(const struct nl_lab *lab, const char *cluster);

struct fake_exec {
    struct ops_executor ex;
    pthread_mutex_t lock;
    struct nl_lab *lab; /* the "server"; guarded by lock */
    /* "METHOD NAME" entries: METHOD as in ops step kinds minus set_power -> "power_on"/"power_off",
     * NAME the host or VM name; such a call fails with NL_ERR_FAULT. */
    const char *fail[16];
    size_t n_fail;
    const char *lie_host; /* calls for this host succeed but change nothing */
    bool reread_fails;
    int delay_ms; /* per call */
    int in_flight, max_in_flight;
    bool same_host_overlap; /* two calls for one host ran at once: contract violation */
    char *busy[256];        /* host ids with a call in flight */
    char **calls;           /* "METHOD NAME" in call order */
    size_t n_calls;
};

void fake_init(struct fake_exec *f, const struct nl_lab *lab);
void fake_free(struct fake_exec *f);
size_t fake_count(struct fake_exec *f, const char *prefix);
/* Index of the first call equal to s, or -1. */
long fake_find(struct fake_exec *f, const char *s);

#endif
