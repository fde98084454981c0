#!/usr/bin/env bash
# The Debian package as a user gets it (scripts/package), unpacked into a scratch root: its
# Depends, the installed binary's --version and --help, man, the themes found under its own
# prefix, a user's theme in $XDG_DATA_HOME, bash completion of verbs, option values and the
# cluster names of the inventory cache, and the zsh script's syntax; then the installed binary
# against labsim's vCenter: connect (certificate pinned on first use), then inventory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/labsim.sh"
. "$here/../lib/check.sh"

pkgbuild=$NL_BUILD_DIR/package
deb=$(NL_PACKAGE_BUILD_DIR=$pkgbuild "$NL_SOURCE_DIR/scripts/package" | tail -n1)
ok "scripts/package built a .deb" test -s "$deb"
root=$(mktemp -d /tmp/nl-pkgroot.XXXXXX)
trap 'rm -rf "$root"; labsim_stop' EXIT
ok "the package unpacks" dpkg-deb -x "$deb" "$root"
OUT=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libssh2-1 libjansson4 libxml2 libncursesw6 libssl3; do
  expect_in "$lib" "Depends names $lib (from the linked libraries)"
done
NL=$root/usr/bin/nestlab
version=$(sed -n 's/^project(nestlab VERSION \([0-9.]*\).*/\1/p' "$NL_SOURCE_DIR/CMakeLists.txt")
expect_rc 0 "installed --version" "$NL" --version
expect_in "nestlab $version" "the version is the project's"
expect_rc 0 "installed --help" "$NL" --help
expect_in "monitor" "--help lists the verbs"
OUT=$(MANWIDTH=80 man -l "$root/usr/share/man/man1/nestlab.1.gz" 2>&1 | col -b)
expect_in "EXIT STATUS" "man renders the installed page"

export HOME=$root/home XDG_DATA_HOME=$root/home/data XDG_CACHE_HOME= XDG_CONFIG_HOME=
mkdir -p "$HOME" "$XDG_DATA_HOME/nestlab/themes"
unset NESTLAB_THEMES_DIR
expect_rc 0 "themes completed" "$NL" __complete --theme ""
expect_in "high-contrast" "the installed binary finds the themes under its prefix"
cp "$root/usr/share/nestlab/themes/mono.json" "$XDG_DATA_HOME/nestlab/themes/my-own.json"
expect_rc 0 "themes completed again" "$NL" __complete --theme ""
expect_in "my-own" "a theme in \$XDG_DATA_HOME/nestlab/themes is found"

complete_bash() { # prints the candidates for the words given (the last one is being completed)
  PATH=$root/usr/bin:$PATH bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nestlab
    printf "%s\n" "${COMPREPLY[@]}"' complete "$root/usr/share/bash-completion/completions/nestlab" "$@"
}
OUT=$(complete_bash nestlab sec)
expect_in "security" "bash completes a verb"
OUT=$(complete_bash nestlab security --promiscuous "")
expect_in "accept" "bash completes an option's values"
OUT=$(complete_bash nestlab monitor --int)
expect_in "--interval" "bash completes a verb's options"
ok "the zsh completion parses" zsh -n "$root/usr/share/zsh/vendor-completions/_nestlab"

# The installed binary against a vCenter; its cache then completes cluster names, no network.
labsim_start
export HOME=$root/home
# First connection with the installed binary: the certificate pinned on first use (answered on
# a terminal), then inventory from the config it wrote, no hand-written file.
OUT=$(printf 'y\n' | script -qec "'$NL' connect '$LABSIM_URL' --user '$LABSIM_USER'" /dev/null 2>&1)
expect_in "Added endpoint" "installed connect pins the certificate on first use and writes the config"
expect_rc 0 "installed inventory from that config" "$NL" inventory --json
clusters=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("\n".join(sorted(c["name"] for e in d["endpoints"] for c in e["clusters"])))' "$OUT")
OUT=$(complete_bash nestlab trunk --cluster "" | sort)
[ -n "$clusters" ] && [ "$OUT" = "$clusters" ]
_nl_report $? "bash completes --cluster with the cached cluster names"
check_done
