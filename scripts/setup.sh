#!/usr/bin/env bash
# Installs the system packages psm builds against, when they are missing (Debian 12).
# Idempotent; uses sudo when not root. Swift itself is expected on PATH (swift.org toolchain).
set -euo pipefail

# chromium: the report tests open the HTML report in a real headless browser.
# haproxy: the traffic-router tests start a real one; wrk: bench/api-load.sh.
# postgresql-15: scripts/pg-test.sh starts a private server for the PostgresStore tests.
packages=(pkg-config libopenblas-dev liblapacke-dev libvirt-dev libsqlite3-dev sqlite3 python3 chromium haproxy wrk postgresql-15 jq curl libvirt-clients)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install Swift 6 from swift.org first" >&2; exit 1; }
for lib in openblas lapacke libvirt sqlite3; do
  pkg-config --exists "$lib" || { echo "setup: pkg-config cannot find $lib after installing" >&2; exit 1; }
done
