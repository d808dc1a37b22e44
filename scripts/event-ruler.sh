#!/usr/bin/env bash
# Builds the event-ruler runner (AWS's EventBridge matching engine, Maven
# software.amazon.event.ruler:event-ruler) into .tools/event-ruler/ (gitignored):
#   lib/      the jars, resolved by Maven from Maven Central (pinned in scripts/event-ruler/pom.xml)
#   classes/  EventRulerRunner.class, compiled with javac (Java 17+)
# Idempotent: does nothing when the pom and the runner are unchanged since the last build.
# CI runs it through `npx projen ensure:event-ruler` (the test task runs that first); the jest
# helper test/support/event-ruler.ts runs it too when the runner is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=scripts/event-ruler
out=.tools/event-ruler
stamp=$(cat "$src/pom.xml" "$src/EventRulerRunner.java" | sha256sum | cut -d' ' -f1)
if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp" && -f "$out/classes/EventRulerRunner.class" ]]; then
  exit 0
fi
command -v java >/dev/null || { echo "event-ruler: java (17+) is missing: apt-get install openjdk-17-jdk-headless" >&2; exit 1; }
command -v mvn >/dev/null || { echo "event-ruler: mvn is missing: apt-get install maven" >&2; exit 1; }
rm -rf "$out/lib" "$out/classes"
mkdir -p "$out/classes"
# The local Maven repository lives in .tools too, so CI can cache one folder.
mvn -q -B -f "$src/pom.xml" -Dmaven.repo.local="$PWD/.tools/m2" \
  dependency:copy-dependencies -DoutputDirectory="$PWD/$out/lib" -DincludeScope=runtime
javac -Xlint:deprecation -Werror -d "$out/classes" -cp "$out/lib/*" "$src/EventRulerRunner.java"
echo "$stamp" > "$out/stamp"
echo "event-ruler: built $(ls "$out/lib" | grep event-ruler) into $out" >&2
