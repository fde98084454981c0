#!/usr/bin/env bash
# The documents generated from the verb and option tables stay true: the README's verb table is
# exactly what the table gives, the man page renders without a groff warning and has every
# option and the sections a man page needs, and every verb's --help explains each of its options.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"
NL=$NL_BUILD_DIR/tui/nestlab
[ -x "$NL" ] || nl_skip "nestlab is not built"

table=$("$NL" __readme-verbs)
ok "README's verb table is the generated one (run nestlab __readme-verbs)" \
  python3 -c 'import sys; sys.exit(0 if sys.argv[1] in open(sys.argv[2]).read() else 1)' \
  "$table" "$NL_SOURCE_DIR/README.md"

man=$NL_BUILD_DIR/tui/nestlab.1.gz
ok "the man page was built" test -s "$man"
OUT=$(zcat "$man" | groff -ww -man -Tutf8 -z 2>&1)
[ -z "$OUT" ]
_nl_report $? "groff -ww renders the man page without a warning"
MAN=$(MANWIDTH=100 man -l "$man" 2>&1 | col -b)
OUT=$MAN
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
  expect_in "$section" "man page section $section"
done
for verb in $("$NL" __complete ""); do
  [ "$verb" = help ] && continue
  OUT=$MAN
  expect_in "nestlab $verb" "man page describes $verb"
  for opt in $("$NL" __complete "$verb" --); do
    expect_in "$opt" "man page explains $opt ($verb)"
  done
  OUT=$("$NL" "$verb" --help 2>&1)
  for opt in $("$NL" __complete "$verb" --); do
    case $opt in --help | --version | --config | --endpoint | --server | --user | --thumbprint | \
      --insecure | --direct | --ssh-only | --accept-new-host-keys | --json | --read-only | \
      --no-color | --theme | --log-level) continue ;; # global: nestlab --help lists them
    esac
    expect_in "$opt" "$verb --help explains $opt"
  done
done
OUT=$("$NL" monitor --help)
expect_in "until Ctrl-C" "monitor --help says --interval keeps refreshing until Ctrl-C"
check_done
