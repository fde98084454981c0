/* Labs for the console's tests, demo driver and benchmark, built through the model's API. */
#ifndef NL_TESTS_FAKE_LAB_H
#define NL_TESTS_FAKE_LAB_H

#include <stddef.h>

#include "backend/model/lab.h"

/* The default lab of /work/shared/reference/default-lab.md (Physical, Nested-A, Nested-B, the
 * vcsa, n-esx01..04, kvm01..04, guests), plus guests with UTF-8 and hostile names. Linked. */
struct nl_lab *fake_lab_default(void);

/* A scale lab with about n_vms VMs on 5 physical and 5 nested clusters. Linked. */
struct nl_lab *fake_lab_scale(size_t n_vms);

#endif
