/* The change journal (journal.jsonl): every line read, listed, dumped as JSON and looked up. */
#include "fuzz.h"

#include "backend/ops/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ops_journal *jr = ops_journal_parse((const char *)data, size, "journal.jsonl");
    free(ops_journal_text(jr, false));
    free(ops_journal_text(jr, true));
    json_decref(ops_journal_to_json(jr));
    struct nl_err err = {0};
    ops_journal_find(jr, NULL, &err);
    for (size_t i = 0; i < jr->n_entries; i++) {
        struct nl_err e = {0};
        ops_journal_undone_by(jr, &jr->entries[i]);
        ops_journal_find(jr, jr->entries[i].id, &e);
    }
    ops_journal_free(&jr);
    return 0;
}
