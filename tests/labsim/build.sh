#!/bin/sh
# Build labsim offline in GOPATH mode from Debian's Go packages.
# usage: tests/labsim/build.sh [OUTPUT]   (default: build/labsim/labsim under the repo root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-"$root/build/labsim/labsim"}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
bdir=$(dirname "$out")
mkdir -p "$bdir"
gp="$bdir/.gopath"
mkdir -p "$gp/src/nestlab/tests"
ln -sfn "$here" "$gp/src/nestlab/tests/labsim"
export GO111MODULE=off GOPATH="$gp:/usr/share/gocode" GOFLAGS=-mod=mod
unset GOFLAGS
export GOCACHE="${GOCACHE:-$bdir/.gocache}"
cd "$gp/src/nestlab/tests/labsim"
go build -o "$out" .
