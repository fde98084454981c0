/* Internal to backend/model: JSON written straight from the lab, byte for byte what jansson's
 * json_dump of the equivalent tree gives, without building the tree (at 10,000 VMs building,
 * dumping and freeing a jansson tree costs more than reading the whole inventory). The cache file
 * (lab_json.c) and the inventory document (lab_inventory_write.c) are both written with it; unit
 * tests hold each against jansson's own dump.
 *
 * Layout: indent = JSON_INDENT(2) (", " never appears: "," then a new line, and ": " after keys),
 * otherwise JSON_COMPACT. Strings: ascii = JSON_ENSURE_ASCII (\uXXXX, surrogate pairs above the
 * BMP), otherwise UTF-8 passes through; either way '"', '\\' and control characters are escaped as
 * jansson escapes them, and invalid UTF-8 bytes become U+FFFD as in nl_json_string. Integers are
 * "%lld" (jansson's JSON_INTEGER_FORMAT). No newline at the end, as json_dump. */
#ifndef NL_MODEL_LAB_JSON_WRITE_H
#define NL_MODEL_LAB_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "backend/model/lab.h"

#define NL_JW_MAX_LEVEL 62 /* containers nested deeper are not needed by any lab document */

struct nl_jw {
    int fd;      /* >= 0: written with write(2) */
    FILE *fp;    /* otherwise: written with fwrite */
    bool indent; /* JSON_INDENT(2), else JSON_COMPACT */
    bool ascii;  /* JSON_ENSURE_ASCII */
    int error;   /* errno of the first failed write; later output is dropped */
    bool failed;
    int level;                    /* containers open */
    unsigned long long has_items; /* bit l: the container at level l has a member already */
    bool after_key;               /* the next value belongs to a key just written */
    size_t len;
    char buf[1 << 16];
};

/* A writer to fd (fp NULL) or to fp (fd -1); free() it when done. */
struct nl_jw *nl_jw_new(int fd, FILE *fp, bool indent, bool ascii);
/* Writes out what is buffered; false when any write failed (errno in w->error). */
bool nl_jw_flush(struct nl_jw *w);

void nl_jw_open(struct nl_jw *w, char c); /* '{' or '[' as a value */
void nl_jw_close(struct nl_jw *w, char c);
void nl_jw_key(struct nl_jw *w, const char *key); /* a plain ASCII member name */
void nl_jw_str(struct nl_jw *w, const char *s);   /* null for NULL */
void nl_jw_int(struct nl_jw *w, long long v);
void nl_jw_lit(struct nl_jw *w, const char *lit); /* null, true, false */
void nl_jw_tri(struct nl_jw *w, enum nl_tri t);   /* null, true, false */

/* key: value shorthands */
void nl_jw_kstr(struct nl_jw *w, const char *key, const char *s);
void nl_jw_kint(struct nl_jw *w, const char *key, long long v);
void nl_jw_ktri(struct nl_jw *w, const char *key, enum nl_tri t);
/* {"promiscuous", "forged_transmits", "mac_changes"} */
void nl_jw_ksec(struct nl_jw *w, const char *key, const struct nl_security *s);
void nl_jw_kstrv(struct nl_jw *w, const char *key, char *const *v, size_t n);

/* "2024-05-01T12:00:00Z" for t > 0; false (out empty) when t is unknown or not representable. */
bool nl_json_utc_time(time_t t, char out[32]);

#endif
