#!/usr/bin/env bash
# .NET bindings. No .NET SDK can be installed from the registries our CI reaches (npm, PyPI,
# Maven Central, the Go proxy, Debian): where `dotnet` exists, build the NuGet package; else say
# so and generate the C# sources, so the jsii surface is still checked for .NET.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v dotnet >/dev/null 2>&1; then
  exec jsii-pacmak -v --target dotnet
fi
echo "package:dotnet: no .NET SDK on this machine; generating the C# sources only, into dist/dotnet-src" >&2
rm -rf dist/dotnet-src
exec jsii-pacmak --target dotnet --code-only --outdir dist/dotnet-src
