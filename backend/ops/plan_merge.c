/* Merging plans computed on the same lab into one, so several intents are previewed, confirmed,
 * applied, verified and journaled as one change set (check --fix, the console's per-vSwitch
 * promiscuous toggle). */
#include <stdio.h>
#include <stdlib.h>

#include "backend/core/xmalloc.h"
#include "backend/ops/plan.h"

void ops_plan_merge(struct ops_plan *a, struct ops_plan **pb)
{
    struct ops_plan *b = *pb;
    if (!b)
        return;
    size_t off = a->n_steps;
    a->steps = xrealloc(a->steps, (a->n_steps + b->n_steps) * sizeof(*a->steps));
    for (size_t i = 0; i < b->n_steps; i++) {
        struct ops_step s = b->steps[i];
        if (s.depends >= 0)
            s.depends += (ssize_t)off;
        if (s.chain > 0)
            s.chain += a->n_chains;
        a->steps[a->n_steps++] = s;
    }
    a->n_chains += b->n_chains;
    b->n_steps = 0; /* the steps moved */
    /* One group per host across both halves, dense in order of first appearance, like the
     * engine numbers them; skipped steps keep no group. */
    size_t nh = a->lab ? a->lab->n_hosts : 0;
    int *group_of = xmalloc((nh + 1) * sizeof(*group_of));
    for (size_t i = 0; i <= nh; i++)
        group_of[i] = -1;
    a->n_groups = 0;
    for (size_t i = 0; i < a->n_steps; i++) {
        struct ops_step *s = &a->steps[i];
        if (s->group < 0 || s->host < 0 || (size_t)s->host >= nh)
            continue;
        if (group_of[s->host] < 0)
            group_of[s->host] = a->n_groups++;
        s->group = group_of[s->host];
    }
    free(group_of);
    char *text = xasprintf("%s; %s", a->intent_text ? a->intent_text : "",
                           b->intent_text ? b->intent_text : "");
    free(a->intent_text);
    a->intent_text = text;
    ops_plan_free(pb);
}
