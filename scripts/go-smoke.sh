#!/usr/bin/env bash
# Smoke test of the Go bindings: build scripts/go-smoke (a Go module that `replace`s our module
# with the jsii-pacmak output in dist/go and requires aws-cdk-go v2.276.0, see its go.mod) and
# run it: it synthesizes a stack with SecureQueue + TopicFanOut and the MessageBackboneStack
# reference architecture, prints what it synthesized and checks the templates.
#
#   npx projen compile && npx projen package:go && npx projen package:go:smoke
#
# The module proxy reachable here serves modules but not the checksum database (GONOSUMDB, as
# in package:go); go.sum is committed, so `go build` checks every download against it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[go-smoke] $*"; }
T0=$(now)

MODULE=dist/go/cdkintegrationpatterns
if [ ! -f "$MODULE/go.mod" ] || [ ! -d "$MODULE/jsii" ]; then
  log "ERROR: no Go module in $MODULE. Build it first: npx projen compile && npx projen package:go" >&2
  exit 1
fi
if [ lib/index.js -nt "$MODULE/go.mod" ]; then
  log "WARNING: $MODULE is older than lib/index.js; rerun npx projen package:go to test the current code"
fi
if ! command -v go >/dev/null 2>&1; then
  log "ERROR: no Go toolchain (go) on PATH; install Go 1.25 or later" >&2
  exit 1
fi
export GONOSUMDB="${GONOSUMDB:-github.com/aws/*,github.com/cdklabs/*}"
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
log "$(go version); our module: $MODULE ($(sed -n 's/^\t\(github.com\/aws\/aws-cdk-go\/awscdk\/v2 .*\)$/requires \1/p' "$MODULE/go.mod"))"

BIN="$ROOT/.tools/go-smoke/go-smoke"
mkdir -p "$(dirname "$BIN")"
T_BUILD=$(now)
(cd scripts/go-smoke && go build -o "$BIN" .)
BUILD_S=$(elapsed "$T_BUILD")
log "built in ${BUILD_S}s with $(cd scripts/go-smoke && go list -m github.com/aws/aws-cdk-go/awscdk/v2 github.com/aws/jsii-runtime-go | paste -sd ' ' -) (minimal version selection)"

T_APP=$(now)
# jsii runs a node child process; silence its Node 20 end-of-life banner.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
set +e
(cd scripts/go-smoke && "$BIN")
rc=$?
set -e
log "timings: go build ${BUILD_S}s, app (jsii load + synth + checks) $(elapsed "$T_APP")s, total $(elapsed "$T0")s"
if [ "$rc" -ne 0 ]; then
  log "FAILED (exit $rc)" >&2
  exit "$rc"
fi
log "OK"
