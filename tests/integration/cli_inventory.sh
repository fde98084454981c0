#!/usr/bin/env bash
# nestlab inventory against the default lab (issue 4): the nested structure linked by BIOS UUID,
# the documented JSON, connection options and their errors with exit codes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
[ -x "$NL_BUILD_DIR/tui/nestlab" ] || nl_skip "nestlab is not built"
labsim_start
NL=$NL_BUILD_DIR/tui/nestlab

expect_rc 0 "inventory (text)" nestlab inventory
if labsim_personality esx-host; then
    # esx-p01's own SDK (hostd): that host alone, standalone, with its five VMs; the nested hosts
    # its VMs back are other hosts, so no link and no cluster.
    expect_in "datacenter ha-datacenter" "hostd's datacenter"
    expect_in "standalone hosts" "the host is standalone"
    expect_not_in "cluster " "no cluster"
    expect_in "host esx-p01.lab.invalid [connected]" "the host itself"
    expect_in "vm n-esx01 [on] vmx-10 nested-esxi nested-hv" "nested ESXi classified"
    expect_in "vm kvm01 [on] vmx-13 nested-other nested-hv" "nested KVM classified"
    OUT=$(nestlab inventory --json 2>/dev/null)
    py_check "JSON: one endpoint with datacenter ha-datacenter" 'd["endpoints"][0]["datacenters"][0]["name"]=="ha-datacenter"'
    py_check "JSON: no cluster" 'd["endpoints"][0]["clusters"]==[]'
    py_check "JSON: one host, no backing VM" \
      '[(h["name"],h.get("backing_vm")) for h in d["endpoints"][0]["hosts"]]==[("esx-p01.lab.invalid",None)]'
    py_check "JSON: VM fields" \
      '[ (v["power"],v["hw_version"],v["nested_hv"],v["guest_id"],v["cpus"],v["memory_mb"],v["role"]) for v in d["endpoints"][0]["vms"] if v["name"]=="n-esx01"]==[("on",10,True,"vmkernel65Guest",2,6144,"nested-esxi")]'
    py_check "JSON: the host's 5 VMs" \
      'sorted(v["name"] for v in d["endpoints"][0]["vms"])==["kvm01","kvm03","n-esx01","n-esx03","vcsa"]'
else
    expect_in "cluster Physical [physical]" "physical cluster classified"
    expect_in "cluster Nested-A [nested]" "nested cluster classified"
    expect_in "host esx-n01.lab.invalid ⇐ n-esx01" "nested host shown with its backing VM"
    expect_in "host esx-n04.lab.invalid ⇐ n-esx04 [not-responding]" "not-responding nested host linked"
    expect_in "vm n-esx04 [off] vmx-08 nested-esxi NO-NESTED-HV" "badges of the broken nested ESXi"
    expect_in "vm kvm01 [on] vmx-13 nested-other nested-hv" "nested KVM classified"

    OUT=$(nestlab inventory --json 2>/dev/null)
    py_check "JSON: one endpoint with datacenter Lab" 'd["endpoints"][0]["datacenters"][0]["name"]=="Lab"'
    py_check "JSON: cluster kinds" \
      'sorted((c["name"],c["kind"]) for c in d["endpoints"][0]["clusters"])==[("Nested-A","nested"),("Nested-B","nested"),("Physical","physical")]'
    py_check "JSON: every nested host names its backing VM" \
      '{h["name"]:(h.get("backing_vm") or {}).get("name") for h in d["endpoints"][0]["hosts"]}=={"esx-p01.lab.invalid":None,"esx-p02.lab.invalid":None,"esx-n01.lab.invalid":"n-esx01","esx-n02.lab.invalid":"n-esx02","esx-n03.lab.invalid":"n-esx03","esx-n04.lab.invalid":"n-esx04"}'
    py_check "JSON: VM fields" \
      '[ (v["power"],v["hw_version"],v["nested_hv"],v["guest_id"],v["cpus"],v["memory_mb"],v["role"]) for v in d["endpoints"][0]["vms"] if v["name"]=="n-esx04"]==[("off",8,False,"vmkernel65Guest",2,6144,"nested-esxi")]'
    py_check "JSON: 13 VMs, 6 hosts" 'len(d["endpoints"][0]["vms"])==13 and len(d["endpoints"][0]["hosts"])==6'
fi
py_check "JSON: port groups carry VLAN and effective security" \
  'all(pg["vlan"] is not None and "effective" in pg for h in d["endpoints"][0]["hosts"] for pg in h["portgroups"])'

# The cache is written for the SSH fallback.
ok "inventory cached in the XDG cache dir" test -s "$HOME/.cache/nestlab/inventory-vc-lab.json"

# --server/--user without a config, and NESTLAB_URL like govc's GOVC_URL.
expect_rc 0 "--server --user --thumbprint without a config" \
  "$NL" --server "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$LABSIM_THUMBPRINT" inventory
expect_rc 0 "options after the verb" "$NL" inventory --server "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$LABSIM_THUMBPRINT"
expect_rc 0 "NESTLAB_URL and NESTLAB_USER" env NESTLAB_URL="$LABSIM_URL" NESTLAB_USER="$LABSIM_USER" "$NL" --thumbprint "$LABSIM_THUMBPRINT" inventory

# Errors: exit code and a sentence that says what to do.
expect_rc 3 "self-signed certificate without a pin is refused" "$NL" --server "$LABSIM_URL" --user "$LABSIM_USER" inventory
expect_in "thumbprint" "TLS error mentions the thumbprint"
expect_rc 3 "wrong thumbprint" "$NL" --server "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF" inventory
expect_in "$LABSIM_THUMBPRINT" "wrong-pin message shows the server's real thumbprint"
expect_rc 3 "wrong password" env NESTLAB_PASSWORD=wrong "$NL" -c "$LABSIM_CONFIG" inventory
expect_not_in "wrong" "the password is not echoed back"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_rc 3 "closed port" "$NL" --server "https://127.0.0.1:$port/sdk" --user u inventory
expect_in "127.0.0.1:$port" "names the URL"
httpurl=${LABSIM_URL/https:/http:}
expect_rc 2 "a plain-HTTP URL is refused before connecting (usage)" "$NL" --server "$httpurl" --user "$LABSIM_USER" inventory
expect_in "plain HTTP" "the refusal says why"
ctlport=${LABSIM_CONTROL##*:}
expect_rc 3 "TLS to a plain-HTTP port" "$NL" --server "https://127.0.0.1:$ctlport/sdk" --user u inventory
expect_in "127.0.0.1:$ctlport" "the TLS failure names the URL"
expect_rc 2 "unknown verb" "$NL" frobnicate
expect_rc 2 "unknown option" "$NL" inventory --frob
expect_rc 2 "no endpoint at all" env -u NESTLAB_URL "$NL" -c /dev/null inventory
cp "$LABSIM_CONFIG" "$LABSIM_DIR/open.json" && chmod 644 "$LABSIM_DIR/open.json"
expect_rc 2 "a config others can read is refused" "$NL" -c "$LABSIM_DIR/open.json" inventory
expect_in "chmod 600" "says how to fix the permissions"
expect_rc 2 "a scope option on inventory is a usage error" nestlab inventory --cluster Physical

for v in inventory security trunk nested-hv drift journal undo check monitor cost help; do
  expect_rc 0 "nestlab $v --help" "$NL" "$v" --help
  expect_in "usage: nestlab" "help of $v shows usage"
done
expect_rc 0 "nestlab --help lists every verb" "$NL" --help
expect_in "nested-hv" "overview lists nested-hv"

# The password never reaches argv: labsim's password is only in the environment.
check_done
