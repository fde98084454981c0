#!/bin/sh
# Run labsim's Go tests in GOPATH mode (offline). usage: tests/labsim/test_go.sh [go test args]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bdir=${LABSIM_BUILD_DIR:-"$root/build-labsim"}
gp="$bdir/.gopath"
mkdir -p "$gp/src/nestlab/tests"
ln -sfn "$here" "$gp/src/nestlab/tests/labsim"
export GO111MODULE=off GOPATH="$gp:/usr/share/gocode" GOCACHE="${GOCACHE:-$bdir/.gocache}"
cd "$gp/src/nestlab/tests/labsim"
exec go test -count=1 "$@" .
