#!/usr/bin/env bash
# Installs what Clearline needs on Debian, only what is missing: system packages (as root) and npm
# dependencies. Safe to run on every `npm start` / `npm test`; a no-op when everything is present.
set -euo pipefail
cd "$(dirname "$0")/../.."

DEBIAN_PACKAGES=(
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-extra-modules
  kamailio-sqlite-modules kamailio-utils-modules kamailio-postgres-modules rtpengine-daemon coturn
  sip-tester chromium sox openssl iproute2 iptables procps psmisc postgresql
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[setup] installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] missing system packages: ${missing[*]}" >&2
    echo "[setup] run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm dependencies: (re)install when node_modules is absent or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] installing npm dependencies (npm ci)"
  # Electron >= 42 has no postinstall: npm ci never downloads its binary (so it cannot fail on a
  # network that blocks GitHub). The binary comes on first use: `npm start` fetches it, or
  # `npx install-electron --no`; without it npm start opens the web softphone instead.
  npm ci --no-audit --no-fund
fi
