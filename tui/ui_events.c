/* Building and freeing the plain structs that cross the console/backend seam. */
#include <stdlib.h>
#include <string.h>

#include "backend/core/xmalloc.h"
#include "tui/ui_backend.h"

struct ui_event *ui_events_add(struct ui_events *ev, enum ui_event_kind kind, int plan_id,
                               const char *text)
{
    ev->v = xgrow(ev->v, &ev->cap, ev->n + 1, sizeof(*ev->v));
    struct ui_event *e = &ev->v[ev->n++];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->plan_id = plan_id;
    e->step = -1;
    e->text = xstrdup(text);
    return e;
}

void ui_event_add_line(struct ui_event *e, const char *line)
{
    e->lines = xrealloc(e->lines, (e->n_lines + 1) * sizeof(*e->lines));
    e->lines[e->n_lines++] = xstrdup(line ? line : "");
}

void ui_event_add_step(struct ui_event *e, const char *target, const char *text,
                       enum ui_step_state state)
{
    e->steps = xrealloc(e->steps, (e->n_steps + 1) * sizeof(*e->steps));
    struct ui_plan_step *s = &e->steps[e->n_steps++];
    s->target = xstrdup(target ? target : "");
    s->text = xstrdup(text ? text : "");
    s->state = state;
}

void ui_events_clear(struct ui_events *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        struct ui_event *e = &ev->v[i];
        free(e->text);
        for (size_t k = 0; k < e->n_lines; k++)
            free(e->lines[k]);
        free(e->lines);
        for (size_t k = 0; k < e->n_steps; k++) {
            free(e->steps[k].target);
            free(e->steps[k].text);
        }
        free(e->steps);
    }
    ev->n = 0;
}

void ui_journal_add(struct ui_journal *j, const char *id, time_t when, const char *summary,
                    const char *transport, bool undoable, bool undone)
{
    j->v = xgrow(j->v, &j->cap, j->n + 1, sizeof(*j->v));
    struct ui_journal_entry *e = &j->v[j->n++];
    e->id = xstrdup(id ? id : "");
    e->when = when;
    e->summary = xstrdup(summary ? summary : "");
    e->transport = xstrdup(transport ? transport : "");
    e->undoable = undoable;
    e->undone = undone;
}

void ui_journal_clear(struct ui_journal *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->v[i].id);
        free(j->v[i].summary);
        free(j->v[i].transport);
    }
    j->n = 0;
}

void ui_events_free(struct ui_events *ev)
{
    ui_events_clear(ev);
    free(ev->v);
    ev->v = NULL;
    ev->cap = 0;
}

void ui_journal_free(struct ui_journal *j)
{
    ui_journal_clear(j);
    free(j->v);
    j->v = NULL;
    j->cap = 0;
}
