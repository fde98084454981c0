/* esxtop batch output (esxtop -b -d 2 -n N): PDH-CSV with one header row of thousands of quoted
 * columns and one row per iteration. Columns are found by name in the header, never by
 * position, because their number and order depend on the host's CPUs, VMs and ports. */
#ifndef PERF_ESXTOP_H
#define PERF_ESXTOP_H

#include <stddef.h>

#include "backend/core/err.h"
#include "backend/perf/perf_batch.h"

/* Parses the whole output into a new batch for entity (the model's id of the host). Series
 * (names in perf_metric.h):
 *   esxtop.cpu.util      ""                        Physical Cpu(_Total)\% Util Time (falls back
 *                                                  to % Processor Time on hosts without it)
 *   esxtop.port.pktsRx   "vSwitch:portid:client"   Packets Received/sec   (also pktsTx, mbitsRx,
 *                                                  mbitsTx from the Transmitted/MBits columns)
 *   esxtop.net.ingress / esxtop.net.delivered  "" and per vSwitch name (definitions in
 *                                                  perf_metric.h), when packet columns exist
 * interval is the -d delay in seconds (samples cover that long). Rows are sorted by time;
 * duplicate timestamps keep the later row. A missing PDH-CSV header, a header without a CPU
 * column, a row whose cell count differs from the header's (a truncated run), a bad timestamp
 * or a non-numeric value in a used column is NL_ERR_PARSE. Output with a header and no rows is
 * NL_ERR_PARSE too (esxtop always prints at least one row). */
enum nl_code perf_esxtop_parse(const char *text, size_t len, const char *entity, int interval,
                               struct perf_batch **out, struct nl_err *err);

#endif
