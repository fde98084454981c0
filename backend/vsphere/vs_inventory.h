/* The whole lab in as few round trips as possible: one ContainerView over the root folder, one
 * RetrievePropertiesEx paged with maxObjects (+ ContinueRetrievePropertiesEx while a token comes
 * back), DestroyView. Each reply is parsed as a stream, one <objects> element at a time, into the
 * model (vs_prop), so memory stays flat however large the inventory. */
#ifndef VS_INVENTORY_H
#define VS_INVENTORY_H

#include <stddef.h>

#include "backend/core/err.h"
#include "backend/model/lab.h"
#include "backend/vsphere/vs_client.h"
#include "backend/vsphere/vs_tree.h"

#define VS_INVENTORY_PAGE 1000

/* What stops a server that never stops paging: a token handed out twice in a row, a run of pages
 * that carry a token but no objects, or more pages than any inventory needs. */
struct vs_page_guard {
    char *last_token;
    unsigned empty_run; /* pages in a row without objects */
    size_t pages;
};
#define VS_PAGES_MAX 100000
#define VS_EMPTY_PAGES_MAX 3

/* Called after each page that returned `token` (non-NULL) having carried `objects` objects:
 * NL_OK to ask for the next page, or NL_ERR_PROTOCOL with a message naming url. */
enum nl_code vs_page_guard_next(struct vs_page_guard *g, const char *url, const char *token,
                                size_t objects, struct nl_err *err);
void vs_page_guard_clear(struct vs_page_guard *g);

/* Reads the lab; the result is linked (nl_lab_link) and owned by the caller. endpoint names it. */
struct nl_lab *vs_inventory_fetch(struct vs_client *c, const char *endpoint, struct nl_err *err);

/* Parses one RetrievePropertiesEx/ContinueRetrievePropertiesEx (or RetrieveProperties, whose
 * returnvals are the objects themselves) reply body (status 200 or 500)
 * into lab and tree, fed in chunks of `chunk` bytes (0 = at once); *token receives the paging
 * token or NULL. NotAuthenticated inside a missingSet gives NL_ERR_AUTH (detail
 * "NotAuthenticated"); other missingSet faults skip that property. This is the network-free
 * entry point the unit tests use; vs_inventory_fetch runs the same code on the live stream. */
enum nl_code vs_inventory_parse(const char *method, long status, const char *body, size_t len,
                                size_t chunk, struct nl_lab *lab, struct vs_tree *tree,
                                char **token, struct nl_err *err);

#endif
