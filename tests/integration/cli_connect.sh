#!/usr/bin/env bash
# nestlab connect and nestlab config (issue 18): a first connection against labsim's vCenter with
# no hand-written file. The certificate is shown before anything is sent, pinned on first use
# (answered on a terminal) or with --thumbprint headless, refused when it does not match; the
# login is proven before the config is written (0600, never a password); then the plain verbs
# work from that file; config show/test/remove.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
NL=$NL_BUILD_DIR/tui/nestlab
[ -x "$NL" ] || nl_skip "nestlab is not built"
labsim_start
cfg=$HOME/.config/nestlab/config.json
wrong=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF

expect_rc 3 "headless, a certificate no CA vouches for and no --thumbprint: refused" \
  "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" --yes </dev/null
expect_in "$LABSIM_THUMBPRINT" "the refusal shows the server's thumbprint"
expect_in "--thumbprint" "and says how to pin it"
ok "nothing was written" test ! -e "$cfg"
expect_rc 3 "a --thumbprint that does not match: refused" \
  "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" --thumbprint "$wrong" --yes </dev/null
expect_in "nothing was sent" "says nothing was sent"
ok "still nothing written" test ! -e "$cfg"
expect_rc 3 "a wrong password: refused before anything is written" \
  env NESTLAB_PASSWORD=wrong "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" \
  --thumbprint "$LABSIM_THUMBPRINT" --yes </dev/null
ok "no config after a failed login" test ! -e "$cfg"
expect_rc 2 "plain http is refused" "$NL" connect "${LABSIM_URL/https:/http:}" --user u --yes </dev/null
expect_rc 0 "--dry-run" "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" \
  --thumbprint "$LABSIM_THUMBPRINT" --yes --dry-run </dev/null
ok "--dry-run writes nothing" test ! -e "$cfg"

expect_rc 0 "headless connect with --thumbprint" "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" \
  --thumbprint "$LABSIM_THUMBPRINT" --name lab --yes </dev/null
expect_in "SHA-256     $LABSIM_THUMBPRINT" "the certificate is shown"
expect_in "Logged in as $LABSIM_USER" "the login is proven"
expect_in "host(s)" "the host list is read"
expect_in "Added endpoint \"lab\"" "says what it wrote"
ok "the config is mode 0600" test "$(stat -c %a "$cfg")" = 600
OUT=$(cat "$cfg")
expect_in "$LABSIM_THUMBPRINT" "the config pins the certificate"
expect_not_in "$NESTLAB_PASSWORD" "the config holds no password"
expect_rc 0 "then nestlab inventory works with no hand-written file" "$NL" inventory --json
py_check "the inventory came from vCenter" 'd["endpoints"][0]["source"]=="vcenter" and len(d["endpoints"][0]["hosts"])>0'

# Trust on first use, answered on a terminal (script gives nestlab one).
OUT=$(printf 'y\n' | script -qec "'$NL' connect '$LABSIM_URL' --user '$LABSIM_USER' --name tofu" /dev/null 2>&1)
expect_in "do you want nestlab to pin it" "asks before pinning"
expect_in "Added endpoint \"tofu\"" "pinned on first use and written"
OUT=$(printf 'n\n' | script -qec "'$NL' connect '$LABSIM_URL' --user '$LABSIM_USER' --name declined" /dev/null 2>&1)
expect_in "Not pinned" "declining pins nothing"
expect_rc 0 "config show" "$NL" config show
expect_in "tofu" "lists the endpoint pinned on first use"
expect_not_in "declined" "and not the declined one"
expect_rc 0 "config test logs in" "$NL" config test tofu
expect_in "Logged in" "config test proves the login"
expect_rc 0 "connect again updates the endpoint" "$NL" connect "$LABSIM_URL" --user "$LABSIM_USER" \
  --thumbprint "$LABSIM_THUMBPRINT" --name lab --yes --ssh-user root </dev/null
expect_in "Updated endpoint \"lab\"" "says updated"
expect_in "NESTLAB_SSH_PASSWORD" "the SSH fallback names the variable, not a password"
expect_rc 0 "config remove" "$NL" config remove tofu
expect_rc 0 "config show after remove" "$NL" config show
expect_not_in "tofu" "the removed endpoint is gone"
expect_in "lab" "the other endpoint is kept"
expect_rc 4 "removing an unknown endpoint" "$NL" config remove nope
check_done
