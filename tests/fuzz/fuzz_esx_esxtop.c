/* esxtop batch CSV as the ESXi backend reads it (esx_esxtop.c): the table, the column lookups
 * and the split of every column name. */
#include "fuzz.h"

#include "backend/esxi/esx_esxtop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct esx_esxtop *t = NULL;
    struct nl_err err = {0};
    if (esx_esxtop_parse((const char *)data, size, &t, &err) != NL_OK)
        return 0;
    for (size_t c = 0; c < t->n_columns; c++) {
        struct esx_counter_name parts;
        if (esx_esxtop_split(t->columns[c], &parts))
            esx_counter_name_clear(&parts);
    }
    esx_esxtop_find(t, "Physical Cpu", 0);
    esx_esxtop_find(t, "Network Port", t->n_columns / 2);
    ssize_t cpu = esx_esxtop_column(t, "Physical Cpu", "_Total", "% Util Time");
    esx_esxtop_column(t, "Memory", NULL, "Free MBytes");
    for (size_t r = 0; r <= t->n_rows; r++) {
        double v;
        esx_esxtop_value(t, r, cpu, &v);
        esx_esxtop_value(t, r, (ssize_t)t->n_columns - 1, &v);
        esx_esxtop_value(t, r, -1, &v);
    }
    esx_esxtop_free(&t);
    return 0;
}
