/* Where nestlab keeps its files, per the XDG base directory spec:
 *   config  $XDG_CONFIG_HOME/nestlab  (~/.config/nestlab)       config.json, themes
 *   cache   $XDG_CACHE_HOME/nestlab   (~/.cache/nestlab)        last inventory
 *   state   $XDG_STATE_HOME/nestlab   (~/.local/state/nestlab)  journal, log, known_hosts
 * A relative XDG_* value is ignored, as the spec requires. */
#ifndef NL_CORE_XDG_H
#define NL_CORE_XDG_H

#include <sys/types.h>

#include "err.h"

enum nl_xdg_kind { NL_XDG_CONFIG, NL_XDG_CACHE, NL_XDG_STATE, NL_XDG_DATA };

/* Returns the directory (owned by the caller) or NULL with err set when neither XDG_* nor HOME
 * gives an absolute path. Does not create it. */
char *nl_xdg_dir(enum nl_xdg_kind kind, struct nl_err *err);
/* nl_xdg_dir + "/" + name, creating the directory (mode 0700) if needed. */
char *nl_xdg_path(enum nl_xdg_kind kind, const char *name, struct nl_err *err);
/* mkdir -p with the given mode for the directories it creates. */
enum nl_code nl_mkdir_p(const char *path, mode_t mode, struct nl_err *err);

#endif
