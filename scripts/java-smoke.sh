#!/usr/bin/env bash
# Smoke test of the Java bindings: compile scripts/java-smoke (Maven) against the jar jsii-pacmak
# built into the Maven repository dist/java, with aws-cdk-lib from Maven Central at the version
# package.json pins (the minimum the library supports), and run it: it synthesizes a stack with
# SecureQueue + TopicFanOut and the ClickstreamStack reference architecture, prints what it
# synthesized and checks the templates.
#
#   npx projen compile && npx projen package:java && npx projen package:java:smoke
#
# Overrides: SMOKE_AWS_CDK_LIB_VERSION, SMOKE_CONSTRUCTS_VERSION (defaults from package.json).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "[java-smoke] $*"; }
T0=$(now)

GROUP_PATH=io/github/cdk-integration-patterns/cdk-integration-patterns
shopt -s nullglob
jars=(dist/java/$GROUP_PATH/*/cdk-integration-patterns-*[0-9].jar)
shopt -u nullglob
if [ "${#jars[@]}" -ne 1 ]; then
  log "ERROR: expected one jar in dist/java/$GROUP_PATH, found ${#jars[@]}. Build it: npx projen compile && npx projen package:java" >&2
  exit 1
fi
JAR="${jars[0]}"
VERSION="$(basename "$(dirname "$JAR")")"
if [ lib/index.js -nt "$JAR" ]; then
  log "WARNING: $JAR is older than lib/index.js; rerun npx projen package:java to test the current code"
fi
for tool in mvn java; do
  command -v "$tool" >/dev/null 2>&1 || { log "ERROR: $tool not found; install a JDK 17+ and Maven (Debian: openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
pinned() { node -p "const p=require('./package.json'); (p.devDependencies||{})['$1'] || (p.peerDependencies||{})['$1'] || ''" | sed 's/^[\^~]//'; }
CDK_VERSION="${SMOKE_AWS_CDK_LIB_VERSION:-$(pinned aws-cdk-lib)}"
CONSTRUCTS_VERSION="${SMOKE_CONSTRUCTS_VERSION:-$(pinned constructs)}"
log "jar: $JAR; aws-cdk-lib $CDK_VERSION, constructs $CONSTRUCTS_VERSION from Maven Central; $(java -version 2>&1 | head -1)"

# A jar of the same version resolved earlier sits in the local Maven repository and would be
# used instead of the one just built: drop our artifact (only ours) so Maven copies it from dist/java.
rm -rf "$HOME/.m2/repository/$GROUP_PATH"

MVN=(mvn -B -q -f scripts/java-smoke/pom.xml -Dcdk.version="$CDK_VERSION" -Dconstructs.version="$CONSTRUCTS_VERSION" -Dpatterns.version="$VERSION")
T_BUILD=$(now)
CP_FILE="$ROOT/.tools/java-smoke/classpath.txt"
mkdir -p "$(dirname "$CP_FILE")"
"${MVN[@]}" compile dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime
BUILD_S=$(elapsed "$T_BUILD")
log "compiled in ${BUILD_S}s; on the classpath: $(tr ':' '\n' < "$CP_FILE" | grep -oE '(aws-cdk-lib|constructs|jsii-runtime|cdk-integration-patterns)-[0-9][^/]*\.jar' | paste -sd ' ' -)"

T_APP=$(now)
# jsii runs a node child process; silence its Node 20 end-of-life banner.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
set +e
java -cp "scripts/java-smoke/target/classes:$(cat "$CP_FILE")" smoke.SmokeApp
rc=$?
set -e
log "timings: mvn compile + dependencies ${BUILD_S}s, app (jsii load + synth + checks) $(elapsed "$T_APP")s, total $(elapsed "$T0")s"
if [ "$rc" -ne 0 ]; then
  log "FAILED (exit $rc)" >&2
  exit "$rc"
fi
log "OK"
