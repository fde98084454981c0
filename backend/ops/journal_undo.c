/* Undo: from a journal entry to a restore plan. Each target (a vSwitch's security, a port
 * group, a VM's nested HV or power) is restored once, to the "before" of the first step that was
 * sent to it in that change set (succeeded, failed or unknown), and targets are restored newest
 * change first. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/term_text.h"
#include "backend/core/xmalloc.h"
#include "backend/ops/apply_verify.h"
#include "backend/ops/journal.h"
#include "backend/ops/plan_util.h"

static void item_from_step(struct ops_restore_item *it, const struct ops_step *s)
{
    memset(it, 0, sizeof(*it));
    it->host_id = xstrdup(s->host_id);
    it->host_name = xstrdup(s->host_name);
    it->vm_id = xstrdup(s->vm_id);
    it->vm_name = xstrdup(s->vm_name);
    it->vswitch = xstrdup(s->vswitch);
    it->portgroup = xstrdup(s->portgroup);
    it->want = s->before;
    switch (s->kind) {
    case OPS_STEP_SET_VSWITCH_SECURITY:
        it->kind = OPS_RESTORE_VSWITCH_SECURITY;
        /* Only the flags the change set changed go back; the others may have been changed by
         * someone else since, and are not ours to touch. */
        if (s->before.sec.promiscuous == s->after.sec.promiscuous)
            it->want.sec.promiscuous = NL_TRI_UNSET;
        if (s->before.sec.forged_transmits == s->after.sec.forged_transmits)
            it->want.sec.forged_transmits = NL_TRI_UNSET;
        if (s->before.sec.mac_changes == s->after.sec.mac_changes)
            it->want.sec.mac_changes = NL_TRI_UNSET;
        break;
    case OPS_STEP_ADD_PORTGROUP:
    case OPS_STEP_SET_PORTGROUP:
    case OPS_STEP_REMOVE_PORTGROUP:
        it->kind = OPS_RESTORE_PORTGROUP;
        break;
    case OPS_STEP_SET_NESTED_HV:
        it->kind = OPS_RESTORE_NESTED_HV;
        it->power_cycle = s->chain != 0;
        break;
    case OPS_STEP_POWER_OFF:
    case OPS_STEP_POWER_ON:
        it->kind = OPS_RESTORE_POWER;
        break;
    }
}

static void item_clear(struct ops_restore_item *it)
{
    free(it->host_id);
    free(it->host_name);
    free(it->vm_id);
    free(it->vm_name);
    free(it->vswitch);
    free(it->portgroup);
}

enum nl_code ops_undo_plan_new(const struct nl_lab *lab, const struct ops_journal_entry *entry,
                               struct ops_plan **out, struct nl_err *err)
{
    enum nl_code rc;
    size_t n = 0;
    *out = NULL;
    struct ops_restore_item *items = xcalloc(entry->n_steps + 1, sizeof(*items));
    for (size_t i = entry->n_steps; i-- > 0;) {
        const struct ops_step *s = &entry->steps[i];
        if (!ops_journal_step_sent(entry, s))
            continue;
        /* The power steps of a power cycle are not undone on their own: the nested-HV step
         * they surround is restored with a power cycle of its own. */
        if (s->chain && (s->kind == OPS_STEP_POWER_OFF || s->kind == OPS_STEP_POWER_ON))
            continue;
        if (s->kind == OPS_STEP_POWER_ON || s->kind == OPS_STEP_POWER_OFF) {
            if (s->before.power != NL_POWER_ON && s->before.power != NL_POWER_OFF)
                continue; /* "unknown" or "suspended" cannot be restored by a power call */
        }
        /* An earlier successful step on the same target holds the older value: it wins. */
        bool earlier = false;
        for (size_t k = 0; k < i && !earlier; k++)
            earlier = ops_journal_step_sent(entry, &entry->steps[k]) &&
                      !(entry->steps[k].chain && (entry->steps[k].kind == OPS_STEP_POWER_OFF ||
                                                  entry->steps[k].kind == OPS_STEP_POWER_ON)) &&
                      ops_steps_same_target(&entry->steps[k], s);
        if (earlier)
            continue;
        item_from_step(&items[n++], s);
    }
    if (n == 0) {
        char *id = nl_term_name(entry->id);
        rc = NL_ERR(err, NL_ERR_USAGE, NULL,
                    "Change set %s changed nothing that can be undone (no call was sent).", id);
        free(id);
        goto cleanup;
    }
    struct ops_intent in;
    ops_intent_init(&in, OPS_INTENT_RESTORE);
    in.restore.items = items;
    in.restore.n_items = n;
    in.restore.undo_of = entry->id;
    rc = ops_plan_new(lab, NULL, &in, out, err);

cleanup:
    for (size_t i = 0; i < n; i++)
        item_clear(&items[i]);
    free(items);
    return rc;
}
