#!/usr/bin/env bash
# Lint every synthesized CloudFormation template with cfn-lint and checkov (pinned, from PyPI).
#
#   npx projen lint:templates            (or: bash scripts/lint-templates.sh)
#
# Templates: cdk.out/*.template.json (the reference app, synthesized first) and every
# integ/**/*.snapshot/*.template.json. Any cfn-lint error or warning and any failed checkov
# check fails the run unless lint/template-lint-skips.json skips it with a reason.
# Also enforces what the CKV_AWS_27 skip relies on: every AWS::SQS::Queue is encrypted.
#
# Env: LINT_SKIP_SYNTH=1 lints the existing cdk.out without synthesizing it again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
VENV=.tools/template-lint-venv
SKIPS=lint/template-lint-skips.json
PY=python3
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[lint:templates] $*"; }
T0=$(now)

# 1. Tools: a venv holding exactly the pinned versions, reused while the stamp matches.
STAMP="cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION $($PY --version 2>&1)"
if [ -x "$VENV/bin/cfn-lint" ] && [ -x "$VENV/bin/checkov" ] && [ "$(cat "$VENV/.pinned" 2>/dev/null)" = "$STAMP" ]; then
  log "tools: reusing $VENV ($STAMP)"
else
  log "tools: installing cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION into $VENV (checkov is large: ~2-3 min)"
  T=$(now)
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION"
  echo "$STAMP" > "$VENV/.pinned"
  log "tools: installed in $(elapsed "$T")s"
fi
VPY="$VENV/bin/python"

# 2. Templates.
if [ "${LINT_SKIP_SYNTH:-}" = "1" ]; then
  log "synth: skipped (LINT_SKIP_SYNTH=1), using the existing cdk.out"
else
  log "synth: npx projen synth:reference"
  T=$(now)
  npx projen synth:reference
  log "synth: done in $(elapsed "$T")s"
fi
TEMPLATES=()
shopt -s nullglob
TEMPLATES+=(cdk.out/*.template.json)
shopt -u nullglob
INTEG_COUNT=0
if [ -d integ ]; then
  while IFS= read -r -d '' f; do TEMPLATES+=("$f"); INTEG_COUNT=$((INTEG_COUNT + 1)); done \
    < <(find integ -path '*.snapshot/*.template.json' -type f -print0 | sort -z)
fi
if [ "${#TEMPLATES[@]}" -eq 0 ]; then
  log "ERROR: no templates found (cdk.out/*.template.json, integ/**/*.snapshot/*.template.json)" >&2
  exit 1
fi
log "templates: ${#TEMPLATES[@]} ($(( ${#TEMPLATES[@]} - INTEG_COUNT )) from cdk.out, $INTEG_COUNT from integ snapshots)"

# 3. Skips: validate the file, split global entries (passed to the tools) from scoped ones.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$VPY" - "$SKIPS" "$WORK" <<'PY'
import json, sys
path, work = sys.argv[1], sys.argv[2]
data = json.load(open(path))
problems = []
out = {}
for tool, key in (("cfn-lint", "rule"), ("checkov", "check")):
    entries = data.get(tool, [])
    for i, e in enumerate(entries):
        if not isinstance(e.get(key), str) or not e[key]:
            problems.append(f"{tool}[{i}]: missing '{key}'")
        if len(str(e.get("reason", "")).strip()) < 40:
            problems.append(f"{tool}[{i}] ({e.get(key)}): a skip needs a reason a reviewer can judge (40+ characters)")
        extra = set(e) - {key, "reason", "templates", "resources"}
        if extra:
            problems.append(f"{tool}[{i}] ({e.get(key)}): unknown keys {sorted(extra)}")
    glob_ids = sorted({e[key] for e in entries if not e.get("templates") and not e.get("resources")})
    open(f"{work}/{tool}.global", "w").write(" ".join(glob_ids))
    print(f"[lint:templates] skips: {tool}: {len(glob_ids)} global ({', '.join(glob_ids) or 'none'}), "
          f"{sum(1 for e in entries if e.get('templates') or e.get('resources'))} scoped")
for p in problems:
    print(f"[lint:templates] ERROR in {path}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
read -r -a CFN_IGNORE <<< "$(cat "$WORK/cfn-lint.global")"
read -r -a CKV_SKIP <<< "$(cat "$WORK/checkov.global")"

# 4. cfn-lint: one run over all templates, JSON for counting (exit code is a bitmask of levels).
log "cfn-lint $CFN_LINT_VERSION: running"
T=$(now)
CFN_ARGS=(--format json)
[ "${#CFN_IGNORE[@]}" -gt 0 ] && CFN_ARGS+=(--ignore-checks "${CFN_IGNORE[@]}")
set +e
"$VENV/bin/cfn-lint" "${CFN_ARGS[@]}" -- "${TEMPLATES[@]}" > "$WORK/cfn-lint.json" 2> "$WORK/cfn-lint.err"
CFN_RC=$?
set -e
CFN_S=$(elapsed "$T")

# 5. checkov: one run over all templates; no platform download, no update check (offline).
log "checkov $CHECKOV_VERSION: running"
T=$(now)
CKV_ARGS=(--framework cloudformation --skip-download --quiet --compact --output cli --output json
  --output-file-path "console,$WORK/checkov.json")
[ "${#CKV_SKIP[@]}" -gt 0 ] && CKV_ARGS+=(--skip-check "$(IFS=,; echo "${CKV_SKIP[*]}")")
for t in "${TEMPLATES[@]}"; do CKV_ARGS+=(-f "$t"); done
set +e
BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE \
  "$VENV/bin/checkov" "${CKV_ARGS[@]}" > "$WORK/checkov.out" 2> "$WORK/checkov.err"
CKV_RC=$?
set -e
CKV_S=$(elapsed "$T")

# 6. Report: apply scoped skips, print every remaining finding, summarise, decide.
set +e
"$VPY" - "$SKIPS" "$WORK" "$CFN_RC" "$CKV_RC" "$CFN_S" "$CKV_S" "${TEMPLATES[@]}" <<'PY'
import fnmatch, json, os, sys
skips_path, work, cfn_rc, ckv_rc, cfn_s, ckv_s, *templates = sys.argv[1:]
cfn_rc, ckv_rc = int(cfn_rc), int(ckv_rc)
skips = json.load(open(skips_path))
root = os.getcwd()
fatal = []

def rel(p):
    p = p.lstrip("/") if not os.path.exists(p) and os.path.exists(p.lstrip("/")) else p
    return os.path.relpath(os.path.abspath(p), root)

def scoped_skip(tool, key, rule, template, resource_names):
    for e in skips.get(tool, []):
        if e[key] != rule or not (e.get("templates") or e.get("resources")):
            continue
        if e.get("templates") and not any(fnmatch.fnmatch(template, g) for g in e["templates"]):
            continue
        if e.get("resources") and not any(fnmatch.fnmatch(r, g) for r in resource_names for g in e["resources"]):
            continue
        return e
    return None

# cfn-lint
cfn = {"Error": [], "Warning": [], "Informational": []}
cfn_skipped = 0
try:
    findings = json.load(open(f"{work}/cfn-lint.json"))
except Exception:
    findings = None
if findings is None or cfn_rc & 1:  # cfn-lint could not run or could not read a template
    fatal.append("cfn-lint failed to run:\n" + open(f"{work}/cfn-lint.err").read() + open(f"{work}/cfn-lint.json").read()[:2000])
    findings = findings or []
for f in findings:
    template = rel(f["Filename"])
    path = f.get("Location", {}).get("Path") or []
    resource = path[1] if len(path) > 1 and path[0] == "Resources" else ""
    rule = f["Rule"]["Id"]
    if scoped_skip("cfn-lint", "rule", rule, template, [resource] if resource else []):
        cfn_skipped += 1
        continue
    line = f.get("Location", {}).get("Start", {}).get("LineNumber", "?")
    cfn.setdefault(f["Level"], []).append(f"  {rule} {template}:{line} {resource + ': ' if resource else ''}{f['Message']}")
print(f"\ncfn-lint ({cfn_s}s): {len(cfn['Error'])} errors, {len(cfn['Warning'])} warnings, "
      f"{len(cfn['Informational'])} informational, {cfn_skipped} skipped by scoped entries")
for level in ("Error", "Warning", "Informational"):
    for line in cfn[level]:
        print(f"  [{level}]{line}")

# checkov
ckv_failed, ckv_passed, ckv_skipped, ckv_scoped = [], 0, 0, 0
try:
    reports = json.load(open(f"{work}/checkov.json"))
    reports = reports if isinstance(reports, list) else [reports]
except Exception:
    reports = None
if reports is None or ckv_rc not in (0, 1):
    fatal.append("checkov failed to run:\n" + open(f"{work}/checkov.err").read()[-3000:] + open(f"{work}/checkov.out").read()[-2000:])
    reports = reports or []
for r in reports:
    if "results" not in r:  # checkov writes an empty summary when nothing ran
        continue
    s = r["summary"]
    ckv_passed += s["passed"]
    ckv_skipped += s["skipped"]
    if s.get("parsing_errors"):
        fatal.append(f"checkov could not parse {s['parsing_errors']} template(s): {r['results'].get('parsing_errors')}")
    for c in r["results"]["failed_checks"]:
        template = rel(c["file_path"])
        logical = c["resource"].split(".", 1)[-1]
        if scoped_skip("checkov", "check", c["check_id"], template, [logical, c["resource"]]):
            ckv_scoped += 1
            continue
        lines = c.get("file_line_range") or ["?"]
        ckv_failed.append(f"  {c['check_id']} {c['resource']} {template}:{lines[0]} {c['check_name']}")
global_ckv = open(f"{work}/checkov.global").read().split()
print(f"\ncheckov ({ckv_s}s): {ckv_passed} passed, {len(ckv_failed)} failed, "
      f"{ckv_scoped + ckv_skipped} skipped findings (scoped entries / inline), {len(global_ckv)} checks not run (global skips)")
for line in ckv_failed:
    print(f"  [FAILED]{line}")

# What the CKV_AWS_27 skip relies on: every queue encrypted at rest (SSE-SQS or SSE-KMS).
own = []
for t in templates:
    for name, res in json.load(open(t)).get("Resources", {}).items():
        if res.get("Type") == "AWS::SQS::Queue":
            p = res.get("Properties", {})
            if p.get("SqsManagedSseEnabled") not in (True, "true") and not p.get("KmsMasterKeyId"):
                own.append(f"  SQS-SSE {rel(t)} {name}: queue not encrypted at rest (needs SqsManagedSseEnabled: true or KmsMasterKeyId)")
print(f"\nown checks: {len(own)} failed (every AWS::SQS::Queue encrypted at rest)")
for line in own:
    print(f"  [FAILED]{line}")

for msg in fatal:
    print(f"\nFATAL: {msg}", file=sys.stderr)
unskipped = len(cfn["Error"]) + len(cfn["Warning"]) + len(ckv_failed) + len(own)
status = "FAILED" if unskipped or fatal else "OK"
print(f"\nlint:templates {status}: {len(templates)} templates; cfn-lint {len(cfn['Error'])} errors / "
      f"{len(cfn['Warning'])} warnings; checkov {ckv_passed} passed / {len(ckv_failed)} failed / "
      f"{ckv_scoped + ckv_skipped + 0} skipped findings + {len(global_ckv)} skipped checks; own checks {len(own)} failed")
sys.exit(1 if unskipped or fatal else 0)
PY
RC=$?
set -e
log "timings: cfn-lint ${CFN_S}s, checkov ${CKV_S}s, total $(elapsed "$T0")s"
exit $RC
