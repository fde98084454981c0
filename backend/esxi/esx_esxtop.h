/* esxtop batch output (`esxtop -b -n 1 -d 2`): PDH-CSV with a header of thousands of quoted
 * column names like "\\HOST\Physical Cpu(_Total)\% Util Time" and rows of quoted values. Columns
 * are found by name, never by position. Pure: no I/O. */
#ifndef NL_ESXI_ESXTOP_H
#define NL_ESXI_ESXTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "backend/core/err.h"

struct esx_esxtop {
    char **columns; /* columns[0] is "(PDH-CSV 4.0) (UTC)(0)" */
    size_t n_columns;
    char ***rows; /* rows[r][c]; rows[r][0] is the timestamp */
    size_t n_rows;
};

/* A header whose first cell is not "(PDH-CSV ...", an unterminated quote, or a row whose cell
 * count differs from the header's → NL_ERR_PARSE. *out is owned by the caller. */
enum nl_code esx_esxtop_parse(const char *data, size_t len, struct esx_esxtop **out,
                              struct nl_err *err);
void esx_esxtop_free(struct esx_esxtop **t);

/* The first column at or after `from` whose name contains `needle`; -1 when none. */
ssize_t esx_esxtop_find(const struct esx_esxtop *t, const char *needle, size_t from);
/* The column named exactly object(instance)\counter after the "\\HOST\" prefix, e.g.
 * esx_esxtop_column(t, "Physical Cpu", "_Total", "% Util Time"); instance may be NULL for objects
 * without one ("Memory"). -1 when absent. */
ssize_t esx_esxtop_column(const struct esx_esxtop *t, const char *object, const char *instance,
                          const char *counter);
/* The value in row r, column c as a number; false when out of range or not a number. */
bool esx_esxtop_value(const struct esx_esxtop *t, size_t r, ssize_t c, double *out);

/* Splits "\\HOST\Object(Instance)\Counter" into its parts (pointers into caller-provided copies,
 * all owned by the caller through *parts). The instance may itself contain ":" "(" and ")", e.g.
 * "vSwitch0:134217730:36139:Krein (a)". Returns false when the name has another shape. */
struct esx_counter_name {
    char *host, *object, *instance, *counter; /* instance NULL when absent */
};
bool esx_esxtop_split(const char *column, struct esx_counter_name *parts);
void esx_counter_name_clear(struct esx_counter_name *parts);

#endif
