#include "backend/core/config_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/core/config.h"
#include "backend/core/xdg.h"
#include "backend/core/xmalloc.h"

/* The file's JSON, or a new {"endpoints": []} when it does not exist. */
static json_t *read_doc(const char *path, struct nl_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) {
            NL_ERR(err, NL_ERR_IO, NULL, "Cannot read the config file \"%s\": %s.", path,
                   strerror(errno));
            return NULL;
        }
        json_t *doc = json_object();
        json_object_set_new(doc, "endpoints", json_array());
        return doc;
    }
    /* The same checks as every reader (permissions, size, schema). */
    struct nl_config cfg;
    enum nl_code rc = nl_config_load(path, false, &cfg, err);
    nl_config_free(&cfg);
    if (rc != NL_OK)
        return NULL;
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        NL_ERR(err, NL_ERR_PARSE, NULL, "The config file \"%s\" is not a JSON object.", path);
        return NULL;
    }
    if (!json_is_array(json_object_get(doc, "endpoints")))
        json_object_set_new(doc, "endpoints", json_array());
    return doc;
}

static enum nl_code write_doc(const char *path, json_t *doc, struct nl_err *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    struct nl_config check;
    enum nl_code rc = nl_config_parse(text, path, &check, err);
    nl_config_free(&check);
    if (rc != NL_OK) {
        free(text);
        return rc;
    }
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        rc = nl_mkdir_p(dir, 0700, err);
    }
    free(dir);
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = rc == NL_OK ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (rc == NL_OK && fd < 0)
        rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write \"%s\": %s.", tmp, strerror(errno));
    if (fd >= 0) {
        size_t len = strlen(text);
        bool ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            rc = NL_ERR(err, NL_ERR_IO, NULL, "Cannot write the config file \"%s\": %s.", path,
                        strerror(errno));
            unlink(tmp);
        }
    }
    free(tmp);
    free(text);
    return rc;
}

static ssize_t find(json_t *eps, const char *name)
{
    for (size_t i = 0; i < json_array_size(eps); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(eps, i), "name"));
        if (n && strcmp(n, name) == 0)
            return (ssize_t)i;
    }
    return -1;
}

enum nl_code nl_config_put_endpoint(const char *path, json_t *endpoint, bool *replaced,
                                    struct nl_err *err)
{
    *replaced = false;
    const char *name = json_string_value(json_object_get(endpoint, "name"));
    if (!name || !*name || json_object_get(endpoint, "password")) {
        json_decref(endpoint);
        return NL_ERR(err, NL_ERR_USAGE, NULL,
                      "An endpoint needs a name, and a password is never written to the config.");
    }
    json_t *doc = read_doc(path, err);
    if (!doc) {
        json_decref(endpoint);
        return err->code;
    }
    json_t *eps = json_object_get(doc, "endpoints");
    ssize_t at = find(eps, name);
    if (at >= 0) {
        json_array_set_new(eps, (size_t)at, endpoint);
        *replaced = true;
    } else {
        json_array_append_new(eps, endpoint);
    }
    enum nl_code rc = write_doc(path, doc, err);
    json_decref(doc);
    return rc;
}

enum nl_code nl_config_remove_endpoint(const char *path, const char *name, struct nl_err *err)
{
    json_t *doc = read_doc(path, err);
    if (!doc)
        return err->code;
    json_t *eps = json_object_get(doc, "endpoints");
    ssize_t at = find(eps, name);
    enum nl_code rc;
    if (at < 0)
        rc = NL_ERR(err, NL_ERR_NOT_FOUND, NULL, "There is no endpoint \"%s\" in %s.", name, path);
    else {
        json_array_remove(eps, (size_t)at);
        rc = write_doc(path, doc, err);
    }
    json_decref(doc);
    return rc;
}
