#!/usr/bin/env bash
# Smoke test of the Python bindings: install the wheel built by jsii-pacmak into a FRESH venv
# together with aws-cdk-lib/constructs from PyPI (the versions package.json pins), then run
# scripts/python-smoke/app.py, which synthesizes a stack and asserts on the template.
#
#   npx projen compile && npx projen package:python && npx projen package:python:smoke
#
# Overrides (for trying another combination; the defaults come from package.json devDependencies):
#   SMOKE_AWS_CDK_LIB_VERSION, SMOKE_CONSTRUCTS_VERSION, SMOKE_PYTHON (default python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV=.tools/python-smoke-venv
PY="${SMOKE_PYTHON:-python3}"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[python-smoke] $*"; }
T0=$(now)

shopt -s nullglob
wheels=(dist/python/*.whl)
shopt -u nullglob
if [ "${#wheels[@]}" -eq 0 ]; then
  log "ERROR: no wheel in dist/python/. Build it first: npx projen compile && npx projen package:python" >&2
  exit 1
fi
if [ "${#wheels[@]}" -gt 1 ]; then
  log "ERROR: more than one wheel in dist/python/ (${wheels[*]}); remove the stale ones" >&2
  exit 1
fi
WHEEL="${wheels[0]}"
if [ lib/index.js -nt "$WHEEL" ]; then
  log "WARNING: $WHEEL is older than lib/index.js; rerun npx projen package:python to test the current code"
fi

# Versions: what package.json pins for development (the minimum the wheel accepts).
pinned() { node -p "const p=require('./package.json'); (p.devDependencies||{})['$1'] || (p.peerDependencies||{})['$1'] || ''" | sed 's/^[\^~]//'; }
CDK_VERSION="${SMOKE_AWS_CDK_LIB_VERSION:-$(pinned aws-cdk-lib)}"
CONSTRUCTS_VERSION="${SMOKE_CONSTRUCTS_VERSION:-$(pinned constructs)}"
log "wheel: $WHEEL"
log "requires: $(unzip -p "$WHEEL" '*.dist-info/METADATA' 2>/dev/null | sed -n 's/^Requires-Dist: //p' | paste -sd ';' - | sed 's/;/; /g')"
log "installing aws-cdk-lib==$CDK_VERSION constructs==$CONSTRUCTS_VERSION ($($PY --version 2>&1))"

log "creating a fresh venv at $VENV"
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
T_INSTALL=$(now)
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "$WHEEL" "aws-cdk-lib==$CDK_VERSION" "constructs==$CONSTRUCTS_VERSION" 2> "$VENV/pip-install.err"; then
  grep -v '(from versions:' "$VENV/pip-install.err" | tail -5 >&2
  latest="$("$VENV/bin/pip" index versions aws-cdk-lib 2>/dev/null | sed -n 's/^aws-cdk-lib (\(.*\))$/\1/p')"
  log "ERROR: pip could not install the wheel with aws-cdk-lib==$CDK_VERSION constructs==$CONSTRUCTS_VERSION." >&2
  log "Newest aws-cdk-lib on PyPI: ${latest:-unknown}. If that is older than $CDK_VERSION, Python users cannot" >&2
  log "install this library: the wheel's minimum aws-cdk-lib is cdkVersion in .projenrc.ts; set it to a version on PyPI." >&2
  exit 1
fi
INSTALL_S=$(elapsed "$T_INSTALL")
log "installed in ${INSTALL_S}s: $("$VENV/bin/pip" list --format=freeze 2>/dev/null | grep -iE '^(cdk-integration-patterns|aws-cdk-lib|constructs|jsii)==' | paste -sd ' ' -)"

T_APP=$(now)
# jsii runs a node child process; silence its Node 20 end-of-life banner.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
set +e
(cd scripts/python-smoke && "$ROOT/$VENV/bin/python" app.py)
rc=$?
# The README's Python examples must run against the wheel as published.
readme_dir="$(mktemp -d)"
"$ROOT/$VENV/bin/python" - "$ROOT/README.md" "$readme_dir" <<'PY'
import pathlib, re, sys
blocks = re.findall(r"```python\n(.*?)```", pathlib.Path(sys.argv[1]).read_text(), re.S)
for i, code in enumerate(blocks):
    pathlib.Path(sys.argv[2], f"readme_{i}.py").write_text(code)
print(f"[python-smoke] README: {len(blocks)} Python example(s)")
sys.exit(0 if blocks else 1)
PY
[ $? -eq 0 ] || rc=1
for example in "$readme_dir"/readme_*.py; do
  if (cd "$readme_dir" && CDK_OUTDIR="$readme_dir/cdk.out" "$ROOT/$VENV/bin/python" "$example" > "$example.log" 2>&1); then
    log "README example $(basename "$example"): synthesized"
  else
    log "README example $(basename "$example") FAILED:" >&2; tail -20 "$example.log" >&2; rc=1
  fi
done
rm -rf "$readme_dir"
set -e
APP_S=$(elapsed "$T_APP")
log "timings: venv install ${INSTALL_S}s, app (import + synth + asserts) ${APP_S}s, total $(elapsed "$T0")s"
if [ "$rc" -ne 0 ]; then
  log "FAILED (exit $rc)" >&2
  exit "$rc"
fi
log "OK"
