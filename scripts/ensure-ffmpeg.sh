#!/usr/bin/env bash
# Installs ffmpeg (and ffprobe) from Debian apt when missing; does nothing when present.
# Used by the queue-worker e2e test (real transcodes) and by `npx projen ensure:ffmpeg`.
set -euo pipefail
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  echo "ffmpeg: present ($(command -v ffmpeg))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "ffmpeg is missing and this user cannot run apt-get: install it with 'apt-get install -y --no-install-recommends ffmpeg'" >&2
    exit 1
  fi
fi
echo "ffmpeg: installing from apt (apt-get install -y --no-install-recommends ffmpeg)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
echo "ffmpeg: installed ($(ffmpeg -version | head -1))"
