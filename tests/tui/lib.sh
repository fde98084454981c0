#!/bin/bash
# Helpers for end-to-end console tests under tmux: a private tmux server per test, keys in,
# screen text out, and waits that poll the screen with a bounded timeout instead of sleeping.
#
#   . "$(dirname "$0")/lib.sh"
#   tui_init mytest                       # private server, cleanup on exit, skip without tmux
#   tui_start 120 40 "$NL_BUILD_DIR/tests/tui/ui_fake" --theme mono
#   tui_wait_for "esx-p01.lab.invalid"    # polls capture-pane until the text shows (default 10 s)
#   tui_send j j Enter                    # tmux key names
#   tui_type ":security --promiscuous accept"   # literal text
#   tui_assert_absent "Traceback"
#   tui_resize 80 24
#   tui_quit                              # sends q, waits for the program to exit with status 0
#
# Every failure prints the screen and exits 1. A missing tmux skips (77) unless NESTLAB_NO_SKIP.

TUI_TIMEOUT=${TUI_TIMEOUT:-10}

tui_fail() {
    echo "FAIL: $*" >&2
    if [ -n "${TUI_SOCKET:-}" ]; then
        echo "----- screen -----" >&2
        tmux -L "$TUI_SOCKET" capture-pane -p -t tui >&2 2>/dev/null
        echo "------------------" >&2
    fi
    exit 1
}

tui_skip() {
    if [ -n "${NESTLAB_NO_SKIP:-}" ]; then
        tui_fail "cannot run: $*"
    fi
    echo "SKIP: $*"
    exit 77
}

tui_cleanup() {
    if [ -n "${TUI_SOCKET:-}" ]; then
        tmux -L "$TUI_SOCKET" kill-server 2>/dev/null
    fi
    if [ -n "${TUI_TMP:-}" ] && [ -d "$TUI_TMP" ]; then
        rm -rf -- "$TUI_TMP"
    fi
}

# tui_init NAME: a private server socket and a scratch directory ($TUI_TMP), both removed at exit.
tui_init() {
    command -v tmux >/dev/null 2>&1 || tui_skip "tmux is not installed"
    TUI_SOCKET="nltui-$1-$$"
    TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nltui.XXXXXX") || tui_fail "mktemp"
    trap tui_cleanup EXIT
    trap 'exit 1' INT TERM
    mkdir -p "$TUI_TMP/config"
}

# tui_start COLS ROWS CMD [ARGS...]: runs CMD in a detached session of that size. The program runs
# with a UTF-8 locale and its own XDG_CONFIG_HOME; when it exits, "__EXIT=<status>" is printed and
# the pane stays so the status can be read.
tui_start() {
    local cols=$1 rows=$2
    shift 2
    local cmd="" a
    for a in "$@"; do
        cmd="$cmd $(printf '%q' "$a")"
    done
    printf '#!/bin/bash\n%s\necho "__EXIT=$?"\nexec sleep 600\n' \
        "cd $(printf '%q' "$TUI_TMP") && exec 2>$(printf '%q' "$TUI_TMP/stderr") && env LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$(printf '%q' "$TUI_TMP/config") ${TUI_ENV:-} $cmd" \
        >"$TUI_TMP/run.sh"
    chmod +x "$TUI_TMP/run.sh"
    tmux -L "$TUI_SOCKET" -f /dev/null new-session -d -s tui -x "$cols" -y "$rows" \
        "$TUI_TMP/run.sh" || tui_fail "tmux new-session failed"
}

tui_capture() {
    tmux -L "$TUI_SOCKET" capture-pane -p -t tui
}

# With escape sequences (colours and attributes), for colour checks.
tui_capture_escapes() {
    tmux -L "$TUI_SOCKET" capture-pane -p -e -t tui
}

tui_send() {
    tmux -L "$TUI_SOCKET" send-keys -t tui "$@" || tui_fail "send-keys $*"
}

tui_type() {
    tmux -L "$TUI_SOCKET" send-keys -t tui -l -- "$1" || tui_fail "send-keys -l $1"
}

# tui_wait_for TEXT [SECONDS]: until the screen contains TEXT (fixed string).
tui_wait_for() {
    local text=$1 limit=${2:-$TUI_TIMEOUT} i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        if tui_capture | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    tui_fail "timed out after ${limit}s waiting for: $text"
}

# tui_wait_gone TEXT [SECONDS]: until the screen no longer contains TEXT.
tui_wait_gone() {
    local text=$1 limit=${2:-$TUI_TIMEOUT} i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        if ! tui_capture | grep -qF -- "$text"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    tui_fail "timed out after ${limit}s waiting for this to go away: $text"
}

# tui_wait_line REGEX [SECONDS]: until some line matches the extended regex.
tui_wait_line() {
    local re=$1 limit=${2:-$TUI_TIMEOUT} i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        if tui_capture | grep -qE -- "$re"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    tui_fail "timed out after ${limit}s waiting for a line matching: $re"
}

tui_assert_present() {
    tui_capture | grep -qF -- "$1" || tui_fail "expected on screen: $1"
}

tui_assert_absent() {
    if tui_capture | grep -qF -- "$1"; then
        tui_fail "not expected on screen: $1"
    fi
}

tui_resize() {
    tmux -L "$TUI_SOCKET" resize-window -t tui -x "$1" -y "$2" || tui_fail "resize-window $1x$2"
}

# tui_wait_exit [SECONDS]: until the program exits; fails unless its status is 0.
tui_wait_exit() {
    tui_wait_for "__EXIT=" "${1:-$TUI_TIMEOUT}"
    if ! tui_capture | grep -qF "__EXIT=0"; then
        cat "$TUI_TMP/stderr" >&2 2>/dev/null
        tui_fail "the program exited with a non-zero status"
    fi
}

tui_quit() {
    tui_send q
    tui_wait_exit "$@"
}
