# Shared helpers for labsim's scripted tests (sourced). Needs curl and python3.
LABSIM=${LABSIM:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

# start_lab STATE_DIR ARGS...: starts labsim, waits for its JSON line, sets LAB_PID, READY.
start_lab() {
    sd=$1; shift
    rm -rf "$sd"; mkdir -p "$sd"
    "$LABSIM" --state-dir "$sd" "$@" >"$sd.out" 2>"$sd.err" &
    LAB_PID=$!
    i=0
    while [ ! -s "$sd.out" ]; do
        i=$((i + 1)); [ $i -gt 1200 ] && fail "labsim did not start: $(cat "$sd.err")"
        kill -0 $LAB_PID 2>/dev/null || fail "labsim exited: $(cat "$sd.err")"
        sleep 0.1
    done
    READY=$(head -n1 "$sd.out")
}
stop_lab() { [ -n "${LAB_PID:-}" ] && kill -TERM $LAB_PID 2>/dev/null && wait $LAB_PID 2>/dev/null; LAB_PID=; }
jget() { printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$2"; }

# soap BODY: POST one envelope to $VC_URL with cookie jar $JAR; prints body, then "HTTP nnn".
soap() {
    curl -sk -b "$JAR" -c "$JAR" -H 'Content-Type: text/xml; charset=utf-8' -H 'Expect:' \
        -w '\nHTTP %{http_code}\n' "$VC_URL" --data-binary \
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>"
}
login() {
    soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>administrator@vsphere.local</userName><password>${1:-VMware1!}</password></Login>"
}
