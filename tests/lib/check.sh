# Sourced by shell tests: small assertions that count, and a closing "N passed, N failed" line.
#   ok "what" cmd...            the command must succeed
#   expect_rc N "what" cmd...   the command must exit N; its output is in $OUT (stdout+stderr)
#   expect_in "needle" "what"   $OUT must contain needle
#   expect_not_in "needle" "what"
#   py_check "what" 'python expression over d (the JSON in $OUT)'
#   check_done                  prints the summary and exits 0/1
_nl_pass=0
_nl_fail=0
OUT=

_nl_report() {
    if [ "$1" = 0 ]; then
        _nl_pass=$((_nl_pass + 1))
        echo "ok - $2"
    else
        _nl_fail=$((_nl_fail + 1))
        echo "FAIL - $2"
        [ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/    | /' | head -40
    fi
}

ok() {
    local what=$1
    shift
    OUT=$("$@" 2>&1)
    _nl_report $? "$what"
}

expect_rc() {
    local want=$1 what=$2
    shift 2
    OUT=$("$@" 2>&1)
    local rc=$?
    if [ "$rc" = "$want" ]; then _nl_report 0 "$what"; else
        OUT="exit $rc, wanted $want
$OUT"
        _nl_report 1 "$what"
    fi
}

expect_in() {
    case "$OUT" in *"$1"*) _nl_report 0 "$2" ;; *) _nl_report 1 "$2 (missing: $1)" ;; esac
}

expect_not_in() {
    case "$OUT" in *"$1"*) _nl_report 1 "$2 (unexpected: $1)" ;; *) _nl_report 0 "$2" ;; esac
}

py_check() {
    local what=$1 expr=$2
    if python3 -c "import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if ($expr) else 1)" <<<"$OUT" 2>/dev/null; then
        _nl_report 0 "$what"
    else
        _nl_report 1 "$what (python: $expr)"
    fi
}

check_done() {
    echo "$_nl_pass passed, $_nl_fail failed"
    [ "$_nl_fail" = 0 ]
}
