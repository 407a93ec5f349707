#!/usr/bin/env bash
# Installs what the extension-host and UI tests need to run a real VS Code offline: Debian's chromium (driven by
# playwright-core) and libkrb5-dev (a code-server native module links it), Node 24 (code-server 4.139 requires it),
# code-server and playwright-core — all from apt and the npm registry, into a cache folder. Idempotent: each step
# is skipped when already done, so `npm run test:vscode` can call it every time.
#   RECURSE_VSCODE_TEST_HOME  cache folder (default: ~/.cache/recurse-vscode-test)
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
HOME_DIR="${RECURSE_VSCODE_TEST_HOME:-$HOME/.cache/recurse-vscode-test}"
case "$(uname -m)" in x86_64) ARCH=x64 ;; aarch64) ARCH=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 1 ;; esac
NODE_PKG="node-linux-$ARCH"
NODE_HOME="$HOME_DIR/node24/node_modules/$NODE_PKG"
say() { printf '[install-vscode-test] %s\n' "$*"; }
mkdir -p "$HOME_DIR"

# Run from `npm test`, this script inherits the outer npm's environment. Two parts of it must not reach the inner
# installs: npm_config_user_agent ("npm/11 node/v20 …"), from which code-server's postinstall reads the Node version
# (not from `node --version`) and refuses anything but 24, and the outer run's own state (npm_config_local_prefix,
# npm_package_*, npm_lifecycle_*, …), which points at the project. The user's npm configuration (registry, cafile,
# proxy) must carry over, from the environment or the npmrc files: npm run under Node 24 looks for its global npmrc
# under Node 24's prefix, so the global config file the user's own npm reads is named explicitly.
per_run_npm_env() { # prints the names of the outer npm run's own variables
  env | sed -n 's/^\(npm_config_user_agent\|npm_config_local_prefix\|npm_package_[A-Za-z0-9_]*\|npm_lifecycle_[A-Za-z0-9_]*\|npm_command\|npm_execpath\|npm_node_execpath\)=.*/\1/p'
}
NPM_GLOBALCONFIG="$(npm config get globalconfig 2>/dev/null || true)"

# npm into a private folder with its own package.json, so nothing touches the project's node_modules.
# Variables to set for the inner npm (after the clean-up) go in the array NPM_INTO_ENV.
NPM_INTO_ENV=()
npm_into() { # dir, npm args...
  local dir="$1"; shift
  local unset_args=() name
  for name in $(per_run_npm_env); do unset_args+=(-u "$name"); done
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && echo '{"private":true}' > package.json \
    && env "${unset_args[@]}" ${NPM_GLOBALCONFIG:+"npm_config_globalconfig=$NPM_GLOBALCONFIG"} "${NPM_INTO_ENV[@]}" npm install --no-audit --no-fund --loglevel=error "$@")
}

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  say "apt: chromium libkrb5-dev"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium libkrb5-dev >/dev/null
fi

if [ "$("$NODE_HOME/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  say "npm: $NODE_PKG@$NODE_VERSION"
  npm_into "$HOME_DIR/node24" "$NODE_PKG@$NODE_VERSION"
fi

# Native modules (spdlog, kerberos, ...) must be built for Node 24's ABI; node-gyp cannot download headers
# offline, so it gets the ones shipped inside the node-linux-* package through npm_config_nodedir.
if [ ! -f "$HOME_DIR/code-server/.installed-$CODE_SERVER_VERSION" ]; then
  say "npm: code-server@$CODE_SERVER_VERSION (builds native modules, 1-3 min)"
  NPM_INTO_ENV=("PATH=$NODE_HOME/bin:$PATH" "npm_config_nodedir=$NODE_HOME" "npm_config_unsafe_perm=true")
  npm_into "$HOME_DIR/code-server" "code-server@$CODE_SERVER_VERSION"
  NPM_INTO_ENV=()
  touch "$HOME_DIR/code-server/.installed-$CODE_SERVER_VERSION"
fi

if ! grep -qs "\"version\": \"$PLAYWRIGHT_VERSION\"" "$HOME_DIR/playwright/node_modules/playwright-core/package.json"; then
  say "npm: playwright-core@$PLAYWRIGHT_VERSION (no browser download: Debian's chromium is used)"
  npm_into "$HOME_DIR/playwright" "playwright-core@$PLAYWRIGHT_VERSION"
fi

cat > "$HOME_DIR/code-server.sh" <<SH
#!/bin/sh
exec "$NODE_HOME/bin/node" "$HOME_DIR/code-server/node_modules/code-server/out/node/entry.js" "\$@"
SH
chmod +x "$HOME_DIR/code-server.sh"
say "ready: $HOME_DIR (node $("$NODE_HOME/bin/node" --version), code-server $CODE_SERVER_VERSION, playwright-core $PLAYWRIGHT_VERSION)"
