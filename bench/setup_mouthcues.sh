#!/bin/sh
# What bench/bench_mouthcues.py needs besides the project's own dependencies: Festival with both
# voices (ground truth with exact phone times), sox (the reverb copies), espeak-ng (the Mandarin
# fixture script), and the anchor, Rhubarb Lip Sync's npm WASM port, in a cache outside the repo.
set -e
apt-get install -y festival festvox-kallpc16k festvox-us-slt-hts sox espeak-ng
# Debian's nodejs conflicts with a Node.js that brought its own npm: install it only when npm is missing.
command -v npm >/dev/null || apt-get install -y nodejs npm
CACHE="${HOME}/.cache/lip-sync-video-bench"
mkdir -p "$CACHE"
npm install --no-audit --no-fund --prefix "$CACHE" rhubarb-lip-sync-wasm@0.1.8
