/* Timestamps in backend/perf are int64_t seconds since the Unix epoch, UTC. vCenter aligns
 * real-time samples to whole seconds (20 s boundaries), esxtop prints whole seconds, and
 * de-duplicating by timestamp needs an exact key, so fractions are dropped. */
#ifndef PERF_TIME_H
#define PERF_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* xsd:dateTime: "2026-03-04T10:20:40Z", optional fraction ".119790241", and "Z" or "+hh:mm" /
 * "-hh:mm" (a missing zone is taken as UTC). false when malformed or out of range. */
bool perf_time_parse_iso(const char *s, int64_t *out);
/* esxtop's "MM/DD/YYYY HH:MM:SS" (the PDH-CSV header says UTC). */
bool perf_time_parse_esxtop(const char *s, int64_t *out);
/* "2026-03-04T10:20:40Z" into buf (at least 21 bytes; 32 is always enough). */
void perf_time_format_iso(int64_t t, char *buf, unsigned size);
/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks). */
int64_t perf_time_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
