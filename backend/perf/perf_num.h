/* Locale-independent number parsing for machine output (esxtop, CSV). strtod follows
 * LC_NUMERIC, which the console sets from the environment for UTF-8 support; a German locale
 * would then read "12.50" as 12. */
#ifndef PERF_NUM_H
#define PERF_NUM_H

#include <stdbool.h>
#include <stddef.h>

/* Parses s[0..len) as [+-]digits[.digits][(e|E)[+-]digits], optionally surrounded by spaces.
 * false for anything else, including an empty string, "nan" and "inf". */
bool perf_num_parse(const char *s, size_t len, double *out);

#endif
