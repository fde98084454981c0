# Sourced by integration, console and benchmark scripts: start and drive the lab simulator.
#
#   . "$NL_SOURCE_DIR/tests/lib/labsim.sh"
#   labsim_start [labsim args...]   # default: the default lab; sets the LABSIM_* variables below
#                                   # NL_LABSIM_PERSONALITY=a,b adds --personality a,b (labsim's README)
#   labsim_personality NAME         # true when the running lab answers with that personality
#   labsim_ctl POST /vcenter/stop   # control API; prints the response body
#   labsim_state | jq-free python   # GET /state
#   (labsim stops by itself when the script exits)
#
# Sets: LABSIM_DIR (state dir), LABSIM_URL, LABSIM_THUMBPRINT, LABSIM_USER, LABSIM_PASSWORD,
# LABSIM_CONTROL, LABSIM_CONFIG, LABSIM_KNOWN_HOSTS, LABSIM_READY (the JSON line).
# Exports NESTLAB_PASSWORD / NESTLAB_SSH_PASSWORD and a private HOME so tests never touch the
# user's files.

: "${NL_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${NL_BUILD_DIR:=$NL_SOURCE_DIR/build/test}"

# Exit 77 (skipped) unless NESTLAB_NO_SKIP is set, in which case a missing service fails.
nl_skip() {
    echo "SKIP: $*" >&2
    if [ -n "${NESTLAB_NO_SKIP:-}" ]; then
        echo "NESTLAB_NO_SKIP is set: a skip is a failure here." >&2
        exit 1
    fi
    exit 77
}

nl_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

labsim_binary() {
    local bin=${NL_LABSIM:-$NL_BUILD_DIR/labsim/labsim}
    if [ ! -x "$bin" ]; then
        "$NL_SOURCE_DIR/tests/labsim/build.sh" "$bin" >&2 || return 1
    fi
    echo "$bin"
}

_labsim_json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$LABSIM_READY"; }

labsim_start() {
    local bin
    bin=$(labsim_binary) || nl_skip "the lab simulator could not be built"
    LABSIM_DIR=$(mktemp -d /tmp/nl-labsim.XXXXXX)
    local args=("$@")
    [ ${#args[@]} -eq 0 ] && args=(--lab "$NL_SOURCE_DIR/tests/labsim/labs/default.json")
    [ -n "${NL_LABSIM_PERSONALITY:-}" ] && args+=(--personality "$NL_LABSIM_PERSONALITY")
    "$bin" "${args[@]}" --state-dir "$LABSIM_DIR" >"$LABSIM_DIR/ready.json" 2>"$LABSIM_DIR/labsim.log" &
    LABSIM_PID=$!
    trap labsim_stop EXIT
    local i
    for i in $(seq 1 $((${NL_LABSIM_START_S:-60} * 10))); do
        [ -s "$LABSIM_DIR/ready.json" ] && grep -q '}' "$LABSIM_DIR/ready.json" && break
        kill -0 "$LABSIM_PID" 2>/dev/null || { cat "$LABSIM_DIR/labsim.log" >&2; nl_fail "labsim exited"; }
        sleep 0.1
    done
    LABSIM_READY=$(head -n1 "$LABSIM_DIR/ready.json")
    [ -n "$LABSIM_READY" ] || nl_fail "labsim did not print its endpoints in ${NL_LABSIM_START_S:-60} s"
    LABSIM_URL=$(_labsim_json 'd["vcenter"]["url"]')
    LABSIM_THUMBPRINT=$(_labsim_json 'd["vcenter"]["thumbprint"]')
    LABSIM_USER=$(_labsim_json 'd["vcenter"]["user"]')
    LABSIM_PASSWORD=$(_labsim_json 'd["vcenter"]["password"]')
    LABSIM_CONTROL=$(_labsim_json 'd["control"]')
    LABSIM_CONFIG=$(_labsim_json 'd["config"]')
    LABSIM_KNOWN_HOSTS=$(_labsim_json 'd["known_hosts"]')
    export NESTLAB_PASSWORD=$LABSIM_PASSWORD NESTLAB_SSH_PASSWORD=$LABSIM_PASSWORD
    export HOME=$LABSIM_DIR/home XDG_CONFIG_HOME= XDG_CACHE_HOME= XDG_STATE_HOME=
    mkdir -p "$HOME"
}

labsim_personality() { _labsim_json "'yes' if '$1' in d.get('personality', []) else exit(1)" >/dev/null; }

labsim_ssh_port() { _labsim_json "d['ssh']['$1']"; }

labsim_stop() {
    if [ -n "${LABSIM_PID:-}" ]; then
        kill "$LABSIM_PID" 2>/dev/null
        wait "$LABSIM_PID" 2>/dev/null
        LABSIM_PID=
    fi
    [ -n "${LABSIM_DIR:-}" ] && [ -z "${NL_KEEP_STATE:-}" ] && rm -rf "$LABSIM_DIR"
    return 0
}

# labsim_ctl METHOD PATH [JSON-BODY]
labsim_ctl() {
    local method=$1 path=$2 body=${3:-}
    if [ -n "$body" ]; then
        curl -sS --fail-with-body -X "$method" -H 'Content-Type: application/json' -d "$body" "$LABSIM_CONTROL$path"
    else
        curl -sS --fail-with-body -X "$method" "$LABSIM_CONTROL$path"
    fi
}

labsim_state() { labsim_ctl GET /state; }

# nestlab against the running lab: the config labsim wrote, plus any arguments.
nestlab() { "$NL_BUILD_DIR/tui/nestlab" -c "$LABSIM_CONFIG" "$@"; }
