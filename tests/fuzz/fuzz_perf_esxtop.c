/* esxtop batch CSV as the monitoring reads it (perf_esxtop.c) into a batch of series. */
#include "fuzz.h"

#include "backend/perf/perf_batch.h"
#include "backend/perf/perf_esxtop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct perf_batch *b = NULL;
    struct nl_err err = {0};
    if (perf_esxtop_parse((const char *)data, size, "host-1", 2, &b, &err) == NL_OK)
        perf_batch_free(&b);
    return 0;
}
